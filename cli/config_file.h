// The configuration file of `xrca serve` (docs/serve.md): lines `key = value`, `#` comments on
// lines of their own, blank lines. Keys are the command's long option names without `--`;
// values may be double-quoted (then `\"` and `\\` are the only escapes). An option given more
// than once must be declared repeatable; a flag takes `true` or `false`. Anything else (an
// unknown key, a line without `=`, a control character) is refused naming FILE:LINE, because a
// setting silently ignored is a setting the operator believes in and does not have.
//
// The file names secrets only by reference (`password-file`): there is no key for a password.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::cli {

/** What a key may hold. */
struct ConfigKey {
    enum class Kind { Single, Repeatable, Flag };
    std::string name;
    Kind kind = Kind::Single;
};

struct ConfigEntry {
    std::string key;
    std::string value;  ///< unquoted; a flag's is "true" or "false"
    std::size_t line = 0;
};

/**
 * Parses `text` (a file named `name` in messages) against `keys`. Throws xrca::Error (Usage)
 * "NAME:LINE: what is wrong"; the quoted text in a message is made printable.
 */
std::vector<ConfigEntry> parse_config(std::string_view text, const std::string& name,
                                      const std::vector<ConfigKey>& keys);

}  // namespace xrca::cli
