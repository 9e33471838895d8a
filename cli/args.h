// A small, strict command-line parser: options are taken by name, and whatever is left that
// looks like an option is a usage error rather than being silently ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::cli {

class Args {
public:
    explicit Args(std::vector<std::string> argv) : m_argv(std::move(argv)) {}

    /** True if `--name` is present (removes it). */
    bool flag(std::string_view name);
    /** The value of `--name VALUE` or `--name=VALUE`; a usage error if given twice. */
    std::optional<std::string> option(std::string_view name);
    /** Every value of a repeatable option, in order. */
    std::vector<std::string> options(std::string_view name);
    /** Adds arguments at the end (a configuration file's settings, cli/serve_config.h). */
    void append(const std::vector<std::string>& more) { m_argv.insert(m_argv.end(), more.begin(), more.end()); }
    /** True if `--name` or `--name=VALUE` is present (nothing is removed). */
    [[nodiscard]] bool has(std::string_view name) const;
    /** The remaining arguments; a usage error if an unknown option is among them. */
    std::vector<std::string> positionals();
    /** Removes and returns the first argument, which must be a word (`trust add …`); "" if none. */
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
    std::vector<std::string> m_argv;
    std::vector<std::string> m_tolerated;
};

/** `--NAME N` as a whole number from `low` to `high`, or nullopt when absent; a usage error naming the range. */
std::optional<unsigned long> number_option(Args& args, const char* name, unsigned long low, unsigned long high);

}  // namespace xrca::cli
