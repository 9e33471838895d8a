// Messages for xrml format errors.
#include "xrml/errors.h"

namespace xrca::xrml {
namespace {

std::string compose(FormatReason reason, const std::string& detail, const std::string& path,
                    std::optional<std::size_t> document) {
    std::string out;
    if (document) out += "document " + std::to_string(*document) + ": ";
    if (!path.empty()) out += path + ": ";
    out += detail;
    out += " [";
    out += format_reason_name(reason);
    out += "]";
    return out;
}

}  // namespace

const char* format_reason_name(FormatReason reason) noexcept {
    switch (reason) {
        case FormatReason::Encoding: return "encoding";
        case FormatReason::TooLarge: return "too-large";
        case FormatReason::TooDeep: return "too-deep";
        case FormatReason::DtdNotAllowed: return "dtd-not-allowed";
        case FormatReason::NotXml: return "not-xml";
        case FormatReason::NotXrml: return "not-xrml";
        case FormatReason::MissingElement: return "missing-element";
        case FormatReason::DuplicateElement: return "duplicate-element";
        case FormatReason::MissingAttribute: return "missing-attribute";
        case FormatReason::BadValue: return "bad-value";
        case FormatReason::BadBase64: return "bad-base64";
        case FormatReason::BadKey: return "bad-key";
        case FormatReason::BadTime: return "bad-time";
        case FormatReason::Unsupported: return "unsupported";
    }
    return "unknown";
}

FormatError::FormatError(FormatReason reason, std::string detail, std::string path, std::optional<std::size_t> document)
    : std::runtime_error(compose(reason, detail, path, document)),
      m_reason(reason),
      m_detail(std::move(detail)),
      m_path(std::move(path)),
      m_document(document) {}

FormatError FormatError::in_document(std::size_t index) const { return FormatError(m_reason, m_detail, m_path, index); }

}  // namespace xrca::xrml
