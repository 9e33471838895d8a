// Text encodings of XrML input and of the signed bytes. RMS files come as UTF-8 (with or
// without BOM) or UTF-16LE (with or without BOM); the signed bytes are always UTF-16LE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::xrml {

/** How an input file was encoded. */
enum class SourceEncoding { Utf8, Utf8Bom, Utf16Le, Utf16LeBom };

const char* source_encoding_name(SourceEncoding encoding) noexcept;

/** Input text converted to UTF-8, with the encoding it was found in. */
struct DecodedText {
    std::string utf8;
    SourceEncoding encoding = SourceEncoding::Utf8;
};

/**
 * Detects the encoding of `bytes` and returns the text as validated UTF-8. Never guesses
 * silently: UTF-16BE, UTF-32, NUL characters, invalid sequences and unpaired surrogates are
 * FormatError(Encoding) naming the byte offset. The one exception: NUL terminators among the
 * whitespace at the very end (the RMS client stores documents as C strings) are dropped.
 */
DecodedText decode_input(std::string_view bytes);
/** The same for bytes the caller gives up: UTF-8 input is kept in place, not copied. */
DecodedText decode_owned_input(std::string bytes);

/** Checks that `text` is valid UTF-8 without NUL; throws FormatError(Encoding) otherwise. */
void validate_utf8(std::string_view text);

/** Appends the UTF-16LE encoding (no BOM) of valid UTF-8 `text` to `out`. */
void append_utf16le(std::string_view utf8, std::vector<std::uint8_t>& out);

/**
 * Converts UTF-8 from `pos` into at most `capacity` bytes of UTF-16LE at `out` (capacity >= 4),
 * advancing `pos`; returns the bytes written. Lets callers hash without building a copy.
 */
std::size_t utf16le_chunk(std::string_view utf8, std::size_t& pos, std::uint8_t* out, std::size_t capacity);

/** UTF-16LE (no BOM) of valid UTF-8 `text`. */
std::vector<std::uint8_t> to_utf16le(std::string_view utf8);

/** Encodes `utf8` for writing to a file in `encoding` (adding the BOM where it has one). */
std::string encode_output(std::string_view utf8, SourceEncoding encoding);

}  // namespace xrca::xrml
