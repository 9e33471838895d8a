// The exit status of `xrca` means what `xrca --help` says (cli/exit_codes.h): 0 ok, 1 checked and
// refused, 2 usage, 3 wrong state or not found, 4 storage or I/O error, 5 internal error. One
// table, several commands per class, each run as a user runs it on real data directories.
#include "support/command.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

namespace xrca {
namespace {

constexpr const char* k_unknown_id = "'{6b1d2c3e-0000-4000-8000-00000000abcd}'";

class ExitCodes : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        char tmpl[] = "/tmp/xrca-exit-XXXXXX";
        s_dir = ::mkdtemp(tmpl);
        // The password reaches the children through the environment, as the README says; never argv.
        ::setenv("XRCA_KEY_PASSWORD", "exit-code-password", 1);  // NOLINT(concurrency-mt-unsafe): before any thread
        const auto init = x("--data root init --role root --name R --url https://r.example.test/_wmcs --self-enroll");
        ASSERT_EQ(init.exit_code, 0) << init.out;
        ASSERT_EQ(x("--data root anchor -o anchor.pub.xml").exit_code, 0);
        ASSERT_EQ(x("--data root chain -o root-chain.xml").exit_code, 0);
        const auto lic =
            x("--data lic init --role licensing --name L --url https://l.example.test/_wmcs "
              "--trust-anchor anchor.pub.xml");
        ASSERT_EQ(lic.exit_code, 0) << lic.out;
        std::ofstream(s_dir + "/garbage.xml") << "this is not XrML\n";
        std::filesystem::create_directory(s_dir + "/empty");
    }
    static void TearDownTestSuite() {
        ::unsetenv("XRCA_KEY_PASSWORD");  // NOLINT(concurrency-mt-unsafe): the tests' children are gone
        std::filesystem::remove_all(s_dir);
    }
    /** `xrca ARGS` in the suite's directory, stdin not a terminal. */
    static test::CommandResult x(const std::string& args) {
        return test::run_command("cd " + s_dir + " && timeout 60 " + XRCA_BINARY + " " + args + " </dev/null");
    }
    static std::string s_dir;
};
std::string ExitCodes::s_dir;

struct Case {
    const char* what;
    std::string args;
    int exit_code;
    const char* says;  ///< what the output must name, so that the status is for the right reason
};

void expect_codes(const std::vector<Case>& cases, const std::function<test::CommandResult(const std::string&)>& run) {
    for (const auto& c : cases) {
        const auto r = run(c.args);
        EXPECT_EQ(r.exit_code, c.exit_code) << c.what << ": xrca " << c.args << "\n" << r.out;
        EXPECT_NE(r.out.find(c.says), std::string::npos) << c.what << ": does not say " << c.says << "\n" << r.out;
    }
}

TEST_F(ExitCodes, EachClassMeansWhatTheHelpSays) {
    const std::vector<Case> cases = {
        {"help", "--help", 0, "exit status"},
        {"status", "--data root status", 0, "root"},
        {"a chain verified to its anchor", "verify root-chain.xml --anchor anchor.pub.xml", 0, "VERIFIED"},

        {"a file that is not XrML", "verify garbage.xml", 1, "not-xml"},
        {"show of a file that is not XrML", "show garbage.xml", 1, "not-xml"},
        {"import of something that is not a response", "--data lic import garbage.xml", 1, "not-xml"},
        {"import of a document that is not a response", "--data lic import root-chain.xml", 1, "root-chain.xml"},
        {"a chain that ends at another anchor", "verify root-chain.xml --anchor " + std::string(64, 'a'), 1,
         "NOT VERIFIED"},
        {"a RAC chain that is not XrML", "--data root issue clc --rac-chain garbage.xml -o clc.xml", 1, "not-xml"},
        {"a log archive that is not one", "log verify-archive garbage.xml", 1, "TAMPERED"},
        {"a restore of a file that is not a backup", "--data new restore garbage.xml", 1, "not an xrca backup"},

        {"an unknown command", "frobnicate", 2, "frobnicate"},
        {"an unknown option", "--data root status --frobnicate", 2, "--frobnicate"},
        {"verify without a file", "verify", 2, "xrca: "},
        {"revoke naming nothing", "--data root revoke --yes", 2, "xrca: "},
        {"revoke off a terminal without --yes", "--data root revoke --content-id " + std::string(k_unknown_id), 2,
         "--yes"},

        {"no authority in the directory", "--data empty status", 3, "no authority in empty"},
        {"a missing input file", "verify missing.xml", 3, "missing.xml"},
        {"a missing file to import", "--data lic import missing.xml", 3, "missing.xml"},
        {"a missing RAC chain", "--data root issue clc --rac-chain missing.xml -o clc.xml", 3, "missing.xml"},
        {"a missing backup to restore", "--data new restore missing.db", 3, "missing.db"},
        {"a missing password file", "--data root revocation-list -o rl.xml --password-file missing-pw", 3,
         "missing-pw"},
        {"an unknown trusted key", "--data root trust remove " + std::string(64, '0'), 3, "0000000000"},
        {"an unknown principal", "--data root principal remove nobody", 3, "nobody"},
        {"an unknown certificate", "--data root certs show " + std::string(k_unknown_id), 3, "6b1d2c3e"},
        {"revoke of an unknown certificate", "--data root revoke --id " + std::string(k_unknown_id) + " --yes", 3,
         "6b1d2c3e"},
        {"the chain of a cluster awaiting enrollment", "--data lic chain", 3, "awaiting"},
        {"a request from an active root", "--data root request -o again.xml", 3, "active"},

        {"writing into a missing directory", "--data root chain -o no-such-dir/chain.xml", 4, "no-such-dir"},
        {"a backup into a missing directory", "--data root backup -o no-such-dir/root.db", 4, "no-such-dir"},
    };
    expect_codes(cases, [](const std::string& args) { return x(args); });
}

TEST_F(ExitCodes, RevokingTheSameThingTwiceIsRefused) {
    const auto revoke = "--data root revoke --content-id '{0d6e0f5a-1111-4000-8000-000000000001}' --yes";
    const auto first = x(revoke);
    ASSERT_EQ(first.exit_code, 0) << first.out;
    const auto second = x(revoke);
    EXPECT_EQ(second.exit_code, 1) << second.out;
}

TEST_F(ExitCodes, ServeThatCannotBindIsAnIoError) {
    // A real socket holds the port, so serve cannot bind it.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    // `timeout`: were the port taken anyway, serve would run until stopped.
    const auto r = x("--data root serve --listen 127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
    ::close(fd);
    EXPECT_EQ(r.exit_code, 4) << r.out;
    const auto bad = x("--data root serve --listen 127.0.0.1:99999");
    EXPECT_EQ(bad.exit_code, 2) << bad.out;
}

}  // namespace
}  // namespace xrca
