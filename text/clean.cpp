// UTF-8 validation and escaping (see clean.h). The decoder follows the Unicode standard's
// table of well-formed byte sequences (Table 3-7): every ill-formed maximal subpart becomes one
// U+FFFD, as browsers and Python do.
#include "text/clean.h"

#include <cstdint>

namespace xrca::text {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";
constexpr std::string_view k_ellipsis = "\xE2\x80\xA6";

/** The length of the well-formed sequence at `i`, or 0 if the bytes there are ill-formed. */
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
    const auto c0 = b(i);
    if (c0 < 0x80) return 1;
    std::size_t n = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;
    if (c0 >= 0xC2 && c0 <= 0xDF) {
        n = 2;
    } else if (c0 >= 0xE0 && c0 <= 0xEF) {
        n = 3;
        if (c0 == 0xE0) lo = 0xA0;  // no overlongs
        if (c0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (c0 >= 0xF0 && c0 <= 0xF4) {
        n = 4;
        if (c0 == 0xF0) lo = 0x90;  // no overlongs
        if (c0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    }
    return n;
}

/** How many bytes an ill-formed start at `i` spans: its maximal subpart, at least 1 byte. */
std::size_t ill_formed_length(std::string_view s, std::size_t i) noexcept {
    const auto c0 = static_cast<std::uint8_t>(s[i]);
    const std::size_t want = c0 >= 0xF0 && c0 <= 0xF4   ? 4
                             : c0 >= 0xE0 && c0 <= 0xEF ? 3
                             : c0 >= 0xC2 && c0 <= 0xDF ? 2
                                                        : 1;
    std::size_t k = 1;
    while (k < want && i + k < s.size()) {
        const auto c = static_cast<std::uint8_t>(s[i + k]);
        std::uint8_t lo = 0x80;
        std::uint8_t hi = 0xBF;
        if (k == 1) {  // the second byte's range depends on the lead (Table 3-7)
            if (c0 == 0xE0) lo = 0xA0;
            if (c0 == 0xED) hi = 0x9F;
            if (c0 == 0xF0) lo = 0x90;
            if (c0 == 0xF4) hi = 0x8F;
        }
        if (c < lo || c > hi) break;
        ++k;
    }
    return k;
}

/** The code point of the well-formed sequence of `n` bytes at `i`. */
std::uint32_t decode(std::string_view s, std::size_t i, std::size_t n) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<std::uint8_t>(s[i + k])); };
    switch (n) {
        case 1: return b(0);
        case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
        default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    }
}

/** Control characters, line/paragraph separators and bidi controls: what printable() escapes. */
bool needs_escape(std::uint32_t cp) noexcept {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

void append_escape(std::string& out, std::uint32_t cp) {
    static const char* hex = "0123456789abcdef";
    switch (cp) {
        case '\n': out += "\\n"; return;
        case '\r': out += "\\r"; return;
        case '\t': out += "\\t"; return;
        default: break;
    }
    if (cp <= 0xFF) {
        out += "\\x";
        out += hex[cp >> 4];
        out += hex[cp & 0xF];
        return;
    }
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
}

}  // namespace

bool is_valid_utf8(std::string_view in) noexcept {
    for (std::size_t i = 0; i < in.size();) {
        const auto n = sequence_length(in, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

std::string valid_utf8(std::string_view in) {
    if (is_valid_utf8(in)) return std::string(in);
    std::string out;
    out.reserve(in.size() + 8);
    for (std::size_t i = 0; i < in.size();) {
        if (const auto n = sequence_length(in, i); n != 0) {
            out.append(in.substr(i, n));
            i += n;
        } else {
            out += k_replacement;
            i += ill_formed_length(in, i);
        }
    }
    return out;
}

bool is_printable(std::string_view in) noexcept {
    for (std::size_t i = 0; i < in.size();) {
        const auto n = sequence_length(in, i);
        if (n == 0 || needs_escape(decode(in, i, n))) return false;
        i += n;
    }
    return true;
}

std::string printable(std::string_view in) {
    if (is_printable(in)) return std::string(in);
    const auto valid = valid_utf8(in);
    const std::string_view s = valid;
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t i = 0; i < s.size();) {
        const auto n = sequence_length(s, i);
        const auto cp = decode(s, i, n);
        if (needs_escape(cp)) {
            append_escape(out, cp);
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    return out;
}

void append_json_string(std::string& out, std::string_view in) {
    static const char* hex = "0123456789abcdef";
    const auto valid = is_valid_utf8(in) ? std::string() : valid_utf8(in);
    const std::string_view s = valid.empty() ? in : std::string_view(valid);
    out += '"';
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (u < 0x20 || u == 0x7F) {
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 0xF];
                } else {
                    out += c;
                }
        }
    }
    out += '"';
}

std::string capped(std::string_view in, std::size_t max_bytes) {
    if (in.size() <= max_bytes) return std::string(in);
    if (max_bytes < k_ellipsis.size()) return "";
    std::size_t cut = max_bytes - k_ellipsis.size();
    // Back up over continuation bytes to the start of the code point that would be split.
    while (cut > 0 && (static_cast<std::uint8_t>(in[cut]) & 0xC0) == 0x80) --cut;
    std::string out(in.substr(0, cut));
    out += k_ellipsis;
    return out;
}

}  // namespace xrca::text
