// Text from outside (the network, a file, a certificate someone else signed) made safe to keep
// and to show. Two steps, used at every door and every place a person reads such text:
//   - valid UTF-8: bytes that are not part of a well-formed UTF-8 sequence become U+FFFD, so
//     the log, its JSON export and every page stay valid UTF-8 whatever arrived;
//   - printable: control characters (C0, DEL, C1) and the Unicode line and bidi-override
//     characters become visible escapes (\n, \x1b, \u202e), so a value can neither forge a line
//     of output nor drive a terminal.
// Caps cut on code-point boundaries and say that they cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace xrca::text {

/** `in` with every byte that is not part of well-formed UTF-8 replaced by U+FFFD. */
std::string valid_utf8(std::string_view in);

/** True if `in` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
bool is_valid_utf8(std::string_view in) noexcept;

/** valid_utf8, then every control, line-separator and bidi-override character escaped. */
std::string printable(std::string_view in);

/** True if printable(in) == in: well-formed, and nothing that would be escaped. */
bool is_printable(std::string_view in) noexcept;

/**
 * At most `max_bytes` bytes of `in` (which should be valid UTF-8), cut on a code-point
 * boundary; when cut, "…" (3 bytes, within the budget) marks the cut. max_bytes < 3 cuts to "".
 */
std::string capped(std::string_view in, std::size_t max_bytes);

/**
 * Appends `in` to `out` as a JSON string (quotes included): valid UTF-8 (valid_utf8), with
 * quotes, backslashes, control characters and DEL escaped, so that any bytes make valid JSON.
 */
void append_json_string(std::string& out, std::string_view in);

/** What a log field keeps of untrusted text: printable, then capped. */
inline std::string log_field(std::string_view in, std::size_t max_bytes) { return capped(printable(in), max_bytes); }

}  // namespace xrca::text
