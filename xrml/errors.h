// Errors raised by the xrml library. Reading untrusted XrML throws FormatError; signature and
// chain problems are not exceptions but verdicts (see verification.h), because a verifier
// must report every document, not stop at the first bad one.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace xrca::xrml {

/** Why an input could not be read as XrML. */
enum class FormatReason {
    Encoding,          ///< bytes are not UTF-8 or UTF-16LE text
    TooLarge,          ///< input exceeds the configured size limit
    TooDeep,           ///< element nesting exceeds the configured depth limit
    DtdNotAllowed,     ///< a DOCTYPE (and so entity definitions) was present
    NotXml,            ///< not well-formed XML
    NotXrml,           ///< well-formed, but not an XrML document where one was expected
    MissingElement,    ///< a required element is absent
    DuplicateElement,  ///< an element that must be unique appears twice
    MissingAttribute,  ///< a required attribute is absent
    BadValue,          ///< an element or attribute has a value outside what is allowed
    BadBase64,         ///< a base64 value does not decode
    BadKey,            ///< a PUBLICKEY is malformed or its size attribute is wrong
    BadTime,           ///< a time value is not YYYY-MM-DDTHH:MM[:SS][Z]
    Unsupported,       ///< valid XrML that xrca does not handle (e.g. an unknown algorithm)
};

/** Stable lower-case name of a reason, for messages and JSON. */
const char* format_reason_name(FormatReason reason) noexcept;

/**
 * Thrown when an input is not acceptable XrML. The message names the document (0-based, in
 * file order) and the element path so that an operator can find the fault.
 */
class FormatError final : public std::runtime_error {
public:
    FormatError(FormatReason reason, std::string detail, std::string path = {},
                std::optional<std::size_t> document = std::nullopt);

    [[nodiscard]] FormatReason reason() const noexcept { return m_reason; }
    [[nodiscard]] const std::string& detail() const noexcept { return m_detail; }
    [[nodiscard]] const std::string& path() const noexcept { return m_path; }
    [[nodiscard]] std::optional<std::size_t> document() const noexcept { return m_document; }

    /** The same error, attributed to document `index` (used while splitting a file). */
    [[nodiscard]] FormatError in_document(std::size_t index) const;

private:
    FormatReason m_reason;
    std::string m_detail;
    std::string m_path;
    std::optional<std::size_t> m_document;
};

}  // namespace xrca::xrml
