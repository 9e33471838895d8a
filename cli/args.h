// A small, strict command-line parser: options are taken by name, and whatever is left that
// looks like an option is a usage error rather than being silently ignored. It parses against a
// command's declarations (cli/options.h): reading an option the command does not declare is a
// programming error, so the help generated from the declarations cannot drift from the code.
#pragma once

#include "cli/options.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::cli {

class Args {
public:
    /** The arguments after the command's name, parsed against what `spec` declares. */
    Args(std::vector<std::string> argv, const CommandSpec& spec) : m_argv(std::move(argv)), m_spec(&spec) {}

    /** True if `--name` is present (removes it). */
    bool flag(std::string_view name);
    /** The value of `--name VALUE` or `--name=VALUE`; a usage error if given twice. */
    std::optional<std::string> option(std::string_view name);
    /** Every value of a repeatable option, in order. */
    std::vector<std::string> options(std::string_view name);
    /** The remaining arguments; a usage error if an unknown option is among them. */
    std::vector<std::string> positionals();
    /**
     * Removes and returns the first argument, which must be a word (`trust add …`); "" if none.
     * From then on the options declared for that verb are the ones that may be read.
     */
    std::string verb();
    /** True when nothing is left. */
    [[nodiscard]] bool empty() const noexcept { return m_argv.empty(); }
    /**
     * Options every command accepts whether or not it uses them (`--password-file`, so that
     * scripts can pass one to each command): positionals() neither refuses nor returns them,
     * and leaves them for option() to take later.
     */
    void tolerate(std::vector<std::string> names) { m_tolerated = std::move(names); }

private:
    [[nodiscard]] bool tolerated(const std::string& arg) const;
    /** The declaration of `name` for the current verb; throws std::logic_error if there is none or it is of the other
     * kind. */
    void check_declared(std::string_view name, bool as_flag, bool as_list) const;
    std::vector<std::string> m_argv;
    std::vector<std::string> m_tolerated;
    const CommandSpec* m_spec;
    std::string m_verb;
};

/** `--NAME N` as a whole number from `low` to `high`, or nullopt when absent; a usage error naming the range. */
std::optional<unsigned long> number_option(Args& args, const char* name, unsigned long low, unsigned long high);

}  // namespace xrca::cli
