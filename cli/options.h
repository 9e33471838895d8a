// What a command accepts, declared once: its forms (verb, operands, options) beside its help
// prose. The usage lines, the option list of `--help`, the bash completion and what Args lets
// the command read all come from these declarations, so the help cannot drift from the code.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace xrca::cli {

class Args;
struct Context;

/** What a shell should offer for an option's value. */
enum class ValueKind { None, File, Directory, Word, Choice };

/** One option: `--name`, with a value placeholder unless it is a flag. */
struct Option {
    std::string name;   // "--anchor", "-o"
    std::string value;  // "FILE", "enrollment|root|licensing" (choices); empty for a flag
    std::string help;   // one sentence; wrapped when printed
    bool repeatable = false;
    bool required = false;
    bool choices = false;  // value lists the accepted words, separated by '|'
    std::string group{};   // options of one group are alternatives: (--a X | --b Y)

    /** May be given more than once (read with Args::options). */
    [[nodiscard]] Option many() const;
    /** Shown without brackets in the usage line (checked by the command, as before). */
    [[nodiscard]] Option needed() const;
    /** One of the alternatives named `group`, shown together in the usage line. */
    [[nodiscard]] Option among(std::string group_name) const;
    [[nodiscard]] bool is_flag() const { return value.empty(); }
    [[nodiscard]] ValueKind kind() const;
};

/** `--name`: present or not. */
Option flag(std::string name, std::string help);
/** `--name PLACEHOLDER`: files are completed when the placeholder names a file (FILE, *.xml, PEM …). */
Option value(std::string name, std::string placeholder, std::string help);
/** `--name a|b|c`: one of the words listed. */
Option choice(std::string name, std::string words, std::string help);

/** Whether a usage line shows the store option, and how. */
enum class StoreUse {
    None,      // works on files only
    Dir,       // [--data DIR]
    Any,       // [--store DIR|URI]
    Required,  // --store DIR|URI
};

/** One way to call a command: a usage line, and the options that go with it. */
struct Form {
    std::string verb;      // "" for none; "grant|revoke-grant" for alternatives
    std::string operands;  // "FILE...", "NAME PATTERN"
    std::vector<Option> options;
    StoreUse store = StoreUse::Dir;
};

/** A command: what it runs, its forms and the prose of its help. */
struct CommandSpec {
    std::string name;
    std::function<int(Context&, Args&)> run;
    std::string summary;
    std::vector<Form> forms;
    std::string about;     // between the usage lines and the option list
    std::string epilogue;  // after the option list: exit status, examples
};

/** The options every command accepts: --store, --data, --password-file, --pin-file, --help. */
const std::vector<Option>& global_options();

/** Every verb a command's forms name, each once, in declaration order. */
std::vector<std::string> verbs_of(const CommandSpec& spec);

/**
 * The options a command accepts after `verb` ("" for none), each name once. A verb the command
 * does not declare gets every option of the command, so that the command's own usage error
 * (naming the verbs it takes) is what the user sees.
 */
std::vector<const Option*> options_for(const CommandSpec& spec, const std::string& verb);

}  // namespace xrca::cli
