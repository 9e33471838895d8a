// The original text of each XrML document in an input, and where its BODY is. This is the
// only text that is ever hashed, stored or sent (reference §2.5: "surface-coding" — no
// canonicalisation; attribute quoting, empty-element forms and whitespace all count).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::xrml {

/** Bounds applied to untrusted input before any DOM is built. */
struct ReadLimits {
    std::size_t max_input_bytes = std::size_t{16} * 1024 * 1024;  ///< a real chain is ~50 KB
    std::size_t max_documents = 64;                               ///< real chains hold fewer than ten
    std::size_t max_depth = 48;                                   ///< real XrML nests about 12 deep
};

/** A half-open [begin, end) range of character offsets into a text. */
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
    [[nodiscard]] std::size_t size() const noexcept { return end - begin; }
};

/** One XrML document exactly as it appeared, in UTF-8, with its BODY located. */
struct RawDocument {
    std::size_t index = 0;         ///< position in the input, 0-based
    std::size_t input_offset = 0;  ///< offset of `<XrML` in the decoded input
    std::string text;              ///< `<XrML …>` through `</XrML>` inclusive
    Span body;                     ///< `<BODY …>` through `</BODY>` inclusive, offsets into `text`

    /** The exact BODY text that the signature covers (before UTF-16LE encoding). */
    [[nodiscard]] std::string_view body_text() const noexcept {
        return std::string_view(text).substr(body.begin, body.size());
    }
};

/** Where one document lies in an input: `<XrML` through `</XrML>`, and its BODY, as input offsets. */
struct DocumentSpan {
    Span document;
    Span body;
};

/**
 * What split_documents checks and finds, without copying any text: the span of each document
 * (readers of large documents, such as revocation lists, keep the input's one copy).
 */
std::vector<DocumentSpan> locate_documents(std::string_view utf8, const ReadLimits& limits = {});

/**
 * Splits decoded input into its XrML documents (leaf first, as files store chains). Accepts
 * an XML declaration, comments and whitespace between documents and nothing else. Refuses a
 * DOCTYPE (no entities, so no entity bombs), nesting beyond `limits.max_depth`, and any
 * document without exactly one BODY child; throws FormatError naming the document.
 */
std::vector<RawDocument> split_documents(std::string_view utf8, const ReadLimits& limits = {});

/**
 * The exact text of the first child element `name` of BODY (e.g. "ISSUER"), or an empty view
 * when there is none. ENABLINGBITS bind the sealed key to the ISSUER text this way.
 */
std::string_view body_child_text(const RawDocument& document, std::string_view name);

/**
 * Removes whitespace-only text between two tags, the only change pretty-printers make to
 * signed XrML. Text with any other character is kept verbatim, including its whitespace.
 */
std::string strip_inter_element_whitespace(std::string_view xml);

}  // namespace xrca::xrml
