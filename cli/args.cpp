// Strict command-line parsing.
#include "cli/args.h"

#include "ca/errors.h"

#include <stdexcept>

namespace xrca::cli {

void Args::check_declared(std::string_view name, bool as_flag, bool as_list) const {
    const Option* found = nullptr;
    for (const auto& o : global_options()) {
        if (o.name == name) found = &o;
    }
    if (!found) {
        for (const auto* o : options_for(*m_spec, m_verb)) {
            if (o->name == name) found = o;
        }
    }
    const auto where = m_spec->name + (m_verb.empty() ? "" : " " + m_verb);
    if (!found)
        throw std::logic_error(where + " reads " + std::string(name) +
                               ", which it does not declare (cli/command_table.cpp)");
    if (found->is_flag() != as_flag)
        throw std::logic_error(where + " reads " + std::string(name) +
                               (as_flag ? " as a flag, but it takes a value" : " as taking a value, but it is a flag"));
    if (!as_flag && !as_list && found->repeatable)
        throw std::logic_error(where + " reads the repeatable option " + std::string(name) + " once");
}

bool Args::flag(std::string_view name) {
    check_declared(name, true, false);
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
    check_declared(name, false, true);
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
    check_declared(name, false, false);
    auto values = options(name);
    if (values.empty()) return std::nullopt;
    if (values.size() > 1) throw Error(ErrorKind::Usage, std::string(name) + " was given more than once");
    return values.front();
}

std::string Args::verb() {
    if (m_argv.empty() || (m_argv.front().size() > 1 && m_argv.front()[0] == '-')) return "";
    auto word = m_argv.front();
    m_argv.erase(m_argv.begin());
    m_verb = word;
    return word;
}

bool Args::tolerated(const std::string& arg) const {
    for (const auto& name : m_tolerated) {
        if (arg == name || arg.rfind(name + "=", 0) == 0) return true;
    }
    return false;
}

std::vector<std::string> Args::positionals() {
    std::vector<std::string> words;
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < m_argv.size(); ++i) {
        const auto& a = m_argv[i];
        if (tolerated(a)) {
            kept.push_back(a);
            if (a.find('=') == std::string::npos && i + 1 < m_argv.size()) kept.push_back(m_argv[++i]);
            continue;
        }
        if (a.size() > 1 && a[0] == '-' && a != "-") throw Error(ErrorKind::Usage, "unknown option " + a);
        words.push_back(a);
    }
    m_argv = std::move(kept);
    return words;
}

std::optional<unsigned long> number_option(Args& args, const char* name, unsigned long low, unsigned long high) {
    const auto value = args.option(name);
    if (!value) return std::nullopt;
    const bool digits =
        !value->empty() && value->size() <= 9 && value->find_first_not_of("0123456789") == std::string::npos;
    if (!digits || std::stoul(*value) < low || std::stoul(*value) > high) {
        throw Error(ErrorKind::Usage,
                    std::string(name) + " takes a number from " + std::to_string(low) + " to " + std::to_string(high));
    }
    return std::stoul(*value);
}

}  // namespace xrca::cli
