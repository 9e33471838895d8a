// Strict command-line parsing.
#include "cli/args.h"

#include "ca/errors.h"

namespace xrca::cli {

bool Args::flag(std::string_view name) {
    bool found = false;
    for (auto it = m_argv.begin(); it != m_argv.end();) {
        if (*it == name) {
            found = true;
            it = m_argv.erase(it);
        } else {
            ++it;
        }
    }
    return found;
}

std::vector<std::string> Args::options(std::string_view name) {
    std::vector<std::string> values;
    const std::string prefix = std::string(name) + "=";
    for (auto it = m_argv.begin(); it != m_argv.end();) {
        if (*it == name) {
            if (std::next(it) == m_argv.end()) throw Error(ErrorKind::Usage, std::string(name) + " needs a value");
            values.push_back(*std::next(it));
            it = m_argv.erase(it, std::next(it, 2));
        } else if (it->rfind(prefix, 0) == 0) {
            values.push_back(it->substr(prefix.size()));
            it = m_argv.erase(it);
        } else {
            ++it;
        }
    }
    return values;
}

std::optional<std::string> Args::option(std::string_view name) {
    auto values = options(name);
    if (values.empty()) return std::nullopt;
    if (values.size() > 1) throw Error(ErrorKind::Usage, std::string(name) + " was given more than once");
    return values.front();
}

std::string Args::verb() {
    if (m_argv.empty() || (m_argv.front().size() > 1 && m_argv.front()[0] == '-')) return "";
    auto word = m_argv.front();
    m_argv.erase(m_argv.begin());
    return word;
}

std::vector<std::string> Args::positionals() {
    for (const auto& a : m_argv) {
        if (a.size() > 1 && a[0] == '-' && a != "-") throw Error(ErrorKind::Usage, "unknown option " + a);
    }
    return std::move(m_argv);
}

}  // namespace xrca::cli
