// The configuration file (see config_file.h).
#include "cli/config_file.h"

#include "ca/errors.h"
#include "text/clean.h"

#include <algorithm>

namespace xrca::cli {
namespace {

// Longer lines are not configuration (a binary file named by mistake).
constexpr std::size_t k_max_line = 4096;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

[[noreturn]] void refuse(const std::string& name, std::size_t line, const std::string& what) {
    throw Error(ErrorKind::Usage, name + ":" + std::to_string(line) + ": " + what);
}

std::string quoted(std::string_view s) { return "'" + text::log_field(s, 80) + "'"; }

// The value between double quotes; only \" and \\ are escapes.
std::string unquote(std::string_view value, const std::string& name, std::size_t line) {
    std::string out;
    for (std::size_t i = 1; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\') {
            if (i + 1 >= value.size() || (value[i + 1] != '"' && value[i + 1] != '\\'))
                refuse(name, line, "in a quoted value only \\\" and \\\\ are escapes");
            out += value[++i];
        } else if (c == '"') {
            if (i + 1 != value.size()) refuse(name, line, "text after the closing quote");
            return out;
        } else {
            out += c;
        }
    }
    refuse(name, line, "the quoted value has no closing quote");
}

}  // namespace

std::vector<ConfigEntry> parse_config(std::string_view text, const std::string& name,
                                      const std::vector<ConfigKey>& keys) {
    std::vector<ConfigEntry> entries;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto newline = text.find('\n');
        auto raw = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);  // written on Windows
        if (raw.size() > k_max_line) refuse(name, number, "the line is longer than 4096 bytes");
        if (!text::is_valid_utf8(raw)) refuse(name, number, "the line is not UTF-8");
        for (const char c : raw) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7f) refuse(name, number, "the line holds a control character");
        }
        const auto line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) refuse(name, number, "expected KEY = VALUE, not " + quoted(line));
        const auto key = trim(line.substr(0, equals));
        const auto value = trim(line.substr(equals + 1));
        if (key.empty()) refuse(name, number, "no key before '='");
        const auto known = std::find_if(keys.begin(), keys.end(), [&](const ConfigKey& k) { return k.name == key; });
        if (known == keys.end()) refuse(name, number, "unknown key " + quoted(key));
        ConfigEntry e{std::string(key), "", number};
        if (!value.empty() && value.front() == '"') {
            e.value = unquote(value, name, number);
        } else {
            if (value.empty()) refuse(name, number, e.key + " needs a value");
            // A `#` after a value would be taken for part of it (a path may hold one): a comment
            // goes on its own line, and a value with " #" in it is quoted.
            if (value.find(" #") != std::string_view::npos || value.find("\t#") != std::string_view::npos)
                refuse(name, number, "a comment goes on a line of its own (quote a value that holds ' #')");
            if (value.find('"') != std::string_view::npos) refuse(name, number, "a quote inside an unquoted value");
            e.value = std::string(value);
        }
        if (known->kind == ConfigKey::Kind::Flag && e.value != "true" && e.value != "false")
            refuse(name, number, e.key + " takes true or false, not " + quoted(e.value));
        if (known->kind != ConfigKey::Kind::Repeatable) {
            for (const auto& earlier : entries) {
                if (earlier.key == e.key)
                    refuse(name, number,
                           e.key + " is given again (first on line " + std::to_string(earlier.line) + ")");
            }
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

}  // namespace xrca::cli
