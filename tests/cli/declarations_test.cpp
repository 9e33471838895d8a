// The command declarations (cli/command_table.cpp) against what is generated from them and what
// parses with them: every declared option is in its command's help, the global options work
// with every command and verb, an undeclared option is refused, reading one is an internal
// error, and the bash completion offers what is declared.
#include "support/command.h"

#include "ca/errors.h"
#include "cli/args.h"
#include "cli/command_table.h"
#include "cli/help.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>

namespace xrca {
namespace {

using cli::Args;
using cli::CommandSpec;

std::string xrca_binary() { return XRCA_BINARY; }

/** Every verb of a command, and "" for a command whose forms take none. */
std::vector<std::string> verbs_or_none(const CommandSpec& spec) {
    auto verbs = cli::verbs_of(spec);
    for (const auto& form : spec.forms) {
        if (form.verb.empty()) {
            verbs.insert(verbs.begin(), "");
            break;
        }
    }
    return verbs;
}

std::vector<std::string> with_verb(const std::string& verb, std::vector<std::string> rest) {
    if (!verb.empty()) rest.insert(rest.begin(), verb);
    return rest;
}

/** `name` as a word of the text: an option in a usage line or list, a verb (`grant|revoke-grant`). */
bool mentions_option(const std::string& text, const std::string& name) {
    for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1)) {
        const char before = at == 0 ? ' ' : text[at - 1];
        const char after = at + name.size() < text.size() ? text[at + name.size()] : '\n';
        const bool starts = before == ' ' || before == '[' || before == '(' || before == '|';
        const bool ends = after == ' ' || after == ']' || after == ')' || after == '\n' || after == '|';
        if (starts && ends) return true;
    }
    return false;
}

TEST(CommandDeclarations, EveryDeclaredOptionAndVerbIsInItsCommandsHelp) {
    ASSERT_GE(cli::command_specs().size(), 28U);
    for (const auto& spec : cli::command_specs()) {
        SCOPED_TRACE(spec.name);
        ASSERT_FALSE(spec.forms.empty()) << "a command without declared forms";
        EXPECT_FALSE(spec.summary.empty());
        const auto help = cli::command_help(spec);
        EXPECT_EQ(help.rfind("usage: xrca", 0), 0U) << help;
        const auto options_at = help.find("\noptions:\n");
        for (const auto& verb : cli::verbs_of(spec)) EXPECT_TRUE(mentions_option(help, verb)) << verb;
        for (const auto& form : spec.forms) {
            for (const auto& option : form.options) {
                SCOPED_TRACE(option.name);
                EXPECT_FALSE(option.help.empty());
                // In a usage line and in the option list after it.
                ASSERT_NE(options_at, std::string::npos) << help;
                EXPECT_TRUE(mentions_option(help.substr(0, options_at), option.name)) << help;
                EXPECT_NE(help.find("\n  " + option.name + (option.is_flag() ? "" : " " + option.value), options_at),
                          std::string::npos)
                    << help;
            }
        }
        EXPECT_NE(cli::overview(cli::command_specs()).find("\n  " + spec.name + " "), std::string::npos);
    }
}

TEST(CommandDeclarations, GlobalOptionsAreAcceptedByEveryCommandAndVerb) {
    for (const auto& spec : cli::command_specs()) {
        for (const auto& verb : verbs_or_none(spec)) {
            SCOPED_TRACE(spec.name + " " + verb);
            // What run() does with the arguments after the command: --store/--data taken, the
            // password and PIN files tolerated and left for the command's code.
            Args args(with_verb(verb, {"--password-file", "pw", "--store", "s", "--pin-file=pin", "--data", "d"}),
                      spec);
            EXPECT_EQ(args.options("--store"), std::vector<std::string>{"s"});
            EXPECT_EQ(args.options("--data"), std::vector<std::string>{"d"});
            EXPECT_FALSE(args.flag("--help"));
            EXPECT_FALSE(args.flag("-h"));
            args.tolerate({"--password-file", "--pin-file"});
            EXPECT_EQ(args.verb(), verb);
            EXPECT_TRUE(args.positionals().empty());
            EXPECT_EQ(args.option("--password-file"), std::optional<std::string>("pw"));
            EXPECT_EQ(args.option("--pin-file"), std::optional<std::string>("pin"));
            EXPECT_TRUE(args.empty());
        }
    }
}

const CommandSpec& command(const std::string& name) {
    const auto* spec = cli::find_command(name);
    if (!spec) throw std::runtime_error("no command " + name);
    return *spec;
}

TEST(CommandDeclarations, AnUndeclaredOptionGivenIsAUsageErrorNamingIt) {
    Args args({"add", "--spc-issuer", "k.xml", "--frobnicate"}, command("trust"));
    EXPECT_EQ(args.verb(), "add");
    EXPECT_EQ(args.option("--spc-issuer"), std::optional<std::string>("k.xml"));
    try {
        (void)args.positionals();
        FAIL() << "an unknown option was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        EXPECT_NE(std::string(e.what()).find("--frobnicate"), std::string::npos) << e.what();
    }
}

TEST(CommandDeclarations, ReadingAnUndeclaredOptionIsAProgrammingError) {
    Args args({"list", "--json"}, command("trust"));
    EXPECT_EQ(args.verb(), "list");
    // Declared for another verb of the same command only.
    EXPECT_THROW((void)args.option("--label"), std::logic_error);
    // Declared nowhere.
    EXPECT_THROW((void)args.flag("--no-such-option"), std::logic_error);
    // A flag read as taking a value, and the other way round.
    EXPECT_THROW((void)args.option("--json"), std::logic_error);
    Args verify({"x.xml"}, command("verify"));
    EXPECT_THROW((void)verify.flag("--anchor"), std::logic_error);
    // A repeatable option read as a single value.
    EXPECT_THROW((void)verify.option("--revocation-list"), std::logic_error);
    EXPECT_TRUE(verify.options("--revocation-list").empty());
    EXPECT_TRUE(args.flag("--json"));
}

TEST(CommandDeclarations, AVerbGetsItsOwnMeaningOfAnOptionName) {
    Args add({"add", "--min-spc-version", "1.2.0.0"}, command("exclusion"));
    EXPECT_EQ(add.verb(), "add");
    EXPECT_EQ(add.option("--min-spc-version"), std::optional<std::string>("1.2.0.0"));
    Args remove({"remove", "--min-spc-version"}, command("exclusion"));
    EXPECT_EQ(remove.verb(), "remove");
    EXPECT_TRUE(remove.flag("--min-spc-version"));
}

// The real binary: --help for every command, with the global options before and after it.
class CommandLine : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-declarations-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    test::CommandResult run(const std::string& args) const {
        return test::run_command("cd " + m_dir + " && timeout 60 " + xrca_binary() + " " + args + " </dev/null");
    }
    std::string m_dir;
};

TEST_F(CommandLine, EveryCommandExplainsItselfWithTheGlobalOptionsAnywhere) {
    for (const auto& spec : cli::command_specs()) {
        SCOPED_TRACE(spec.name);
        for (const auto& args : {spec.name + " --help", "--store " + m_dir + "/s " + spec.name + " -h",
                                 spec.name + " --data " + m_dir + "/d --password-file f --pin-file=g --help"}) {
            const auto r = run(args);
            EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.out;
            EXPECT_EQ(r.out.rfind("usage: xrca", 0), 0U) << args << "\n" << r.out;
            for (const auto& form : spec.forms) {
                for (const auto& option : form.options) EXPECT_TRUE(mentions_option(r.out, option.name)) << option.name;
            }
        }
    }
}

TEST_F(CommandLine, EveryCommandAndVerbTakesThePasswordAndPinFiles) {
    // Each command and verb run once with nothing but the global options: it may stop for what
    // it lacks (usage, no authority here), but neither refuses a global option nor reads an
    // option it does not declare (an internal error, exit 5).
    std::ofstream(m_dir + "/pw") << "not used\n";
    std::filesystem::permissions(m_dir + "/pw",
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    for (const auto& spec : cli::command_specs()) {
        for (const auto& verb : verbs_or_none(spec)) {
            const auto args = "--data " + m_dir + "/none " + spec.name + (verb.empty() ? "" : " " + verb) +
                              " --password-file " + m_dir + "/pw --pin-file " + m_dir + "/pw";
            const auto r = run(args);
            EXPECT_NE(r.exit_code, 5) << args << "\n" << r.out;
            EXPECT_NE(r.exit_code, -1) << args << "\n" << r.out;
            EXPECT_EQ(r.out.find("unknown option"), std::string::npos) << args << "\n" << r.out;
            EXPECT_EQ(r.out.find("internal error"), std::string::npos) << args << "\n" << r.out;
        }
    }
    EXPECT_EQ(run("status --bogus").exit_code, 2);
    EXPECT_NE(run("status --bogus").out.find("unknown option --bogus"), std::string::npos);
}

TEST_F(CommandLine, GlobalOptionsComeBeforeOrAfterTheCommand) {
    const auto before = run("--data " + m_dir + "/a status");
    const auto after = run("status --data " + m_dir + "/a");
    EXPECT_EQ(before.exit_code, after.exit_code);
    EXPECT_NE(before.exit_code, 2) << before.out;
    EXPECT_NE(before.out.find(m_dir + "/a"), std::string::npos) << before.out;
    EXPECT_NE(after.out.find(m_dir + "/a"), std::string::npos) << after.out;
    EXPECT_EQ(run("--store " + m_dir + "/a status --data " + m_dir + "/b").exit_code, 2);
    // The password and PIN files too, before the command as after it.
    const auto password_before = run("--password-file " + m_dir + "/pw --data " + m_dir + "/a status");
    EXPECT_EQ(password_before.exit_code, before.exit_code) << password_before.out;
    EXPECT_EQ(password_before.out.find("unknown global option"), std::string::npos) << password_before.out;
    const auto pin_before = run("--pin-file=" + m_dir + "/pw trust list --data " + m_dir + "/a");
    EXPECT_NE(pin_before.exit_code, 2) << pin_before.out;
    EXPECT_NE(pin_before.exit_code, 5) << pin_before.out;
    EXPECT_EQ(pin_before.out.find("unknown global option"), std::string::npos) << pin_before.out;
    EXPECT_EQ(run("--pin-file").exit_code, 2);
}

/** The candidates the generated completion offers for the words typed so far (the last one being completed). */
std::vector<std::string> complete(const std::string& dir, const std::vector<std::string>& words) {
    std::string array;
    for (const auto& w : words) array += " \"" + w + "\"";
    const auto script = dir + "/xrca.bash";
    const auto generated = test::run_command(xrca_binary() + " completion bash > " + script);
    if (generated.exit_code != 0) throw std::runtime_error("completion bash failed: " + generated.out);
    const auto r = test::run_command("cd " + dir + " && bash -c 'source " + script + "; COMP_WORDS=(" + array +
                                     "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                                     "; _xrca; printf \"%s\\n\" \"${COMPREPLY[@]}\"'");
    if (r.exit_code != 0) throw std::runtime_error("completion failed: " + r.out);
    std::vector<std::string> out;
    std::size_t start = 0;
    for (auto nl = r.out.find('\n'); nl != std::string::npos; start = nl + 1, nl = r.out.find('\n', start)) {
        if (nl > start) out.push_back(r.out.substr(start, nl - start));
    }
    std::sort(out.begin(), out.end());
    return out;
}

using Words = std::vector<std::string>;

TEST_F(CommandLine, BashCompletionOffersTheDeclaredCommandsVerbsAndOptions) {
    EXPECT_EQ(complete(m_dir, {"xrca", "ser"}), Words{"serve"});
    EXPECT_EQ(complete(m_dir, {"xrca", "serve", "--li"}), Words{"--listen"});
    EXPECT_EQ(complete(m_dir, {"xrca", "trust", ""}), (Words{"add", "list", "remove"}));
    EXPECT_EQ(complete(m_dir, {"xrca", "--data", "root", "trust", "add", "--"}),
              (Words{"--data", "--help", "--label", "--password-file", "--pin-file", "--rac-issuer", "--spc-issuer",
                     "--store"}));
    EXPECT_EQ(complete(m_dir, {"xrca", "init", "--role", ""}), (Words{"enrollment", "licensing", "root"}));
    EXPECT_EQ(complete(m_dir, {"xrca", "exclusion", "remove", "--m"}), Words{"--min-spc-version"});
    EXPECT_EQ(complete(m_dir, {"xrca", "--s"}), Words{"--store"});
    // A FILE-valued option completes files; a word-valued one offers nothing.
    std::ofstream(m_dir + "/anchor.pub.xml") << "x";
    EXPECT_EQ(complete(m_dir, {"xrca", "verify", "--anchor", "anch"}), Words{"anchor.pub.xml"});
    EXPECT_EQ(complete(m_dir, {"xrca", "--password-file", "anch"}), Words{"anchor.pub.xml"});
    EXPECT_EQ(complete(m_dir, {"xrca", "serve", "--threads", ""}), Words{});
}

}  // namespace
}  // namespace xrca
