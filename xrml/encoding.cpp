// UTF-8 / UTF-16LE detection and conversion, strict in both directions.
#include "xrml/encoding.h"

#include "xrml/errors.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace xrca::xrml {
namespace {

[[noreturn]] void encoding_error(const std::string& what, std::size_t offset) {
    throw FormatError(FormatReason::Encoding, what + " at byte " + std::to_string(offset));
}

// Decodes one UTF-8 sequence at `i`; returns the code point and advances `i`.
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        cp = b0 & 0x07u;
    } else {
        encoding_error("invalid UTF-8 lead byte", i);
    }
    if (i + len > s.size()) encoding_error("truncated UTF-8 sequence", i);
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) encoding_error("invalid UTF-8 continuation byte", i + k);
        cp = (cp << 6) | (b & 0x3Fu);
    }
    static constexpr char32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len]) encoding_error("overlong UTF-8 sequence", i);
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) encoding_error("invalid code point", i);
    i += len;
    return cp;
}

void append_utf8(char32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool xml_space_or_nul(char32_t c) noexcept { return c == 0 || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where the trailer of `bytes` begins: the run of NUL and whitespace units (of `unit_size`
// bytes, little-endian) at its end. The RMS client stores its documents as C strings, NUL
// terminator included; only there is a NUL accepted.
std::size_t trailer_begin(std::string_view bytes, std::size_t unit_size) {
    std::size_t end = bytes.size() - bytes.size() % unit_size;
    if (end != bytes.size()) return bytes.size();  // a stray odd byte: nothing is a trailer
    while (end >= unit_size) {
        char32_t c = 0;
        for (std::size_t k = unit_size; k-- > 0;) c = (c << 8) | static_cast<unsigned char>(bytes[end - unit_size + k]);
        if (!xml_space_or_nul(c)) break;
        end -= unit_size;
    }
    return end;
}

std::string utf16le_to_utf8(std::string_view bytes, std::size_t base_offset) {
    if (bytes.size() % 2 != 0) encoding_error("odd number of bytes in UTF-16LE input", base_offset + bytes.size());
    std::string out;
    out.reserve(bytes.size() / 2);
    const auto unit = [&](std::size_t k) {
        return static_cast<char16_t>(static_cast<unsigned char>(bytes[k]) |
                                     (static_cast<unsigned char>(bytes[k + 1]) << 8));
    };
    const std::size_t trailer = trailer_begin(bytes, 2);
    for (std::size_t k = 0; k < bytes.size(); k += 2) {
        if (k >= trailer && unit(k) == 0) continue;  // a terminator after the last document
        const char16_t u = unit(k);
        char32_t cp = u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (k + 3 >= bytes.size()) encoding_error("unpaired UTF-16 surrogate", base_offset + k);
            const char16_t lo = unit(k + 2);
            if (lo < 0xDC00 || lo > 0xDFFF) encoding_error("unpaired UTF-16 surrogate", base_offset + k);
            cp = 0x10000 + ((static_cast<char32_t>(u) - 0xD800) << 10) + (static_cast<char32_t>(lo) - 0xDC00);
            k += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            encoding_error("unpaired UTF-16 surrogate", base_offset + k);
        } else if (u == 0) {
            encoding_error("NUL character in UTF-16LE input", base_offset + k);
        }
        append_utf8(cp, out);
    }
    return out;
}

}  // namespace

const char* source_encoding_name(SourceEncoding encoding) noexcept {
    switch (encoding) {
        case SourceEncoding::Utf8: return "UTF-8";
        case SourceEncoding::Utf8Bom: return "UTF-8 with BOM";
        case SourceEncoding::Utf16Le: return "UTF-16LE";
        case SourceEncoding::Utf16LeBom: return "UTF-16LE with BOM";
    }
    return "unknown";
}

void validate_utf8(std::string_view text) {
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n;) {
        // XrML is almost all ASCII: skip eight plain ASCII bytes (no high bit, no NUL) at a time.
        if (i + 8 <= n) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + i, 8);
            const bool any_high = (word & 0x8080808080808080ull) != 0;
            const bool any_zero = ((word - 0x0101010101010101ull) & ~word & 0x8080808080808080ull) != 0;
            if (!any_high && !any_zero) {
                i += 8;
                continue;
            }
        }
        if (text[i] == '\0') encoding_error("NUL byte in UTF-8 input", i);
        next_code_point(text, i);
    }
}

namespace {

// UTF-8 input less the NUL terminators in its trailer (see trailer_begin).
std::string without_trailing_nuls(std::string_view bytes) {
    const std::size_t trailer = trailer_begin(bytes, 1);
    std::string out(bytes.substr(0, trailer));
    for (std::size_t k = trailer; k < bytes.size(); ++k) {
        if (bytes[k] != '\0') out.push_back(bytes[k]);
    }
    return out;
}

void strip_trailing_nuls(std::string& bytes) {
    const std::size_t trailer = trailer_begin(bytes, 1);
    bytes.erase(std::remove(bytes.begin() + static_cast<std::ptrdiff_t>(trailer), bytes.end(), '\0'), bytes.end());
}

}  // namespace

namespace {

// Every encoding but plain UTF-8 (which is nullopt): refused, or decoded into a new string.
std::optional<DecodedText> decode_marked(std::string_view bytes) {
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    if (bytes.size() >= 4 && ((at(0) == 0xFF && at(1) == 0xFE && at(2) == 0 && at(3) == 0) ||
                              (at(0) == 0 && at(1) == 0 && at(2) == 0xFE && at(3) == 0xFF))) {
        throw FormatError(FormatReason::Encoding, "UTF-32 input is not supported; use UTF-8 or UTF-16LE");
    }
    if (bytes.size() >= 3 && at(0) == 0xEF && at(1) == 0xBB && at(2) == 0xBF) {
        DecodedText out{without_trailing_nuls(bytes.substr(3)), SourceEncoding::Utf8Bom};
        validate_utf8(out.utf8);
        return out;
    }
    if (bytes.size() >= 2 && at(0) == 0xFF && at(1) == 0xFE) {
        return DecodedText{utf16le_to_utf8(bytes.substr(2), 2), SourceEncoding::Utf16LeBom};
    }
    if (bytes.size() >= 2 && at(0) == 0xFE && at(1) == 0xFF) {
        throw FormatError(FormatReason::Encoding, "UTF-16BE input is not supported; use UTF-8 or UTF-16LE");
    }
    // Without a BOM, UTF-16LE XML starts with an ASCII character followed by a zero byte.
    if (bytes.size() >= 2 && at(0) != 0 && at(0) < 0x80 && at(1) == 0) {
        return DecodedText{utf16le_to_utf8(bytes, 0), SourceEncoding::Utf16Le};
    }
    if (bytes.size() >= 2 && at(0) == 0 && at(1) != 0) {
        throw FormatError(FormatReason::Encoding, "input looks like UTF-16BE, which is not supported");
    }
    return std::nullopt;
}

}  // namespace

DecodedText decode_input(std::string_view bytes) {
    if (auto marked = decode_marked(bytes)) return std::move(*marked);
    DecodedText out{without_trailing_nuls(bytes), SourceEncoding::Utf8};
    validate_utf8(out.utf8);
    return out;
}

DecodedText decode_owned_input(std::string bytes) {
    if (auto marked = decode_marked(bytes)) return std::move(*marked);
    strip_trailing_nuls(bytes);
    validate_utf8(bytes);
    return DecodedText{std::move(bytes), SourceEncoding::Utf8};
}

std::size_t utf16le_chunk(std::string_view utf8, std::size_t& pos, std::uint8_t* out, std::size_t capacity) {
    std::size_t w = 0;
    while (pos < utf8.size() && w + 4 <= capacity) {
        // Faster path: eight ASCII bytes at a time (a 170 MB revocation list is hashed whole).
        if (pos + 8 <= utf8.size() && w + 16 <= capacity) {
            std::uint64_t word = 0;
            std::memcpy(&word, utf8.data() + pos, 8);
            if ((word & 0x8080808080808080ull) == 0) {
                for (std::size_t k = 0; k < 8; ++k) {
                    out[w + 2 * k] = static_cast<std::uint8_t>(utf8[pos + k]);
                    out[w + 2 * k + 1] = 0;
                }
                w += 16;
                pos += 8;
                continue;
            }
        }
        const auto b0 = static_cast<unsigned char>(utf8[pos]);
        if (b0 < 0x80) {  // fast path: XrML is almost entirely ASCII
            out[w++] = b0;
            out[w++] = 0;
            ++pos;
            continue;
        }
        const char32_t cp = next_code_point(utf8, pos);
        if (cp >= 0x10000) {
            const char32_t v = cp - 0x10000;
            const auto hi = static_cast<std::uint16_t>(0xD800 + (v >> 10));
            const auto lo = static_cast<std::uint16_t>(0xDC00 + (v & 0x3FF));
            out[w++] = static_cast<std::uint8_t>(hi & 0xFF);
            out[w++] = static_cast<std::uint8_t>(hi >> 8);
            out[w++] = static_cast<std::uint8_t>(lo & 0xFF);
            out[w++] = static_cast<std::uint8_t>(lo >> 8);
        } else {
            out[w++] = static_cast<std::uint8_t>(cp & 0xFF);
            out[w++] = static_cast<std::uint8_t>(cp >> 8);
        }
    }
    return w;
}

void append_utf16le(std::string_view utf8, std::vector<std::uint8_t>& out) {
    std::uint8_t buf[4096];
    for (std::size_t pos = 0; pos < utf8.size();) {
        const std::size_t n = utf16le_chunk(utf8, pos, buf, sizeof buf);
        out.insert(out.end(), buf, buf + n);
    }
}

std::vector<std::uint8_t> to_utf16le(std::string_view utf8) {
    std::vector<std::uint8_t> out;
    append_utf16le(utf8, out);
    return out;
}

std::string encode_output(std::string_view utf8, SourceEncoding encoding) {
    switch (encoding) {
        case SourceEncoding::Utf8: return std::string(utf8);
        case SourceEncoding::Utf8Bom: return "\xEF\xBB\xBF" + std::string(utf8);
        case SourceEncoding::Utf16Le:
        case SourceEncoding::Utf16LeBom: {
            std::string out = encoding == SourceEncoding::Utf16LeBom ? std::string("\xFF\xFE") : std::string();
            const auto units = to_utf16le(utf8);
            out.append(units.begin(), units.end());
            return out;
        }
    }
    return std::string(utf8);
}

}  // namespace xrca::xrml
