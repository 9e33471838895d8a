// Compact XML builder with strict escaping.
#include "xrml/builder.h"

#include "xrml/encoding.h"
#include "xrml/errors.h"

namespace xrca::xrml {

void append_escaped(std::string& out, std::string_view text, bool attribute) {
    validate_utf8(text);
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            throw FormatError(FormatReason::BadValue,
                              "control character " + std::to_string(u) + " cannot appear in XML");
        }
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"':
                if (attribute) {
                    out += "&quot;";
                } else {
                    out += c;
                }
                break;
            case '\n':
            case '\r':
            case '\t':
                // In attributes these would be normalised to spaces by any reader: escape them.
                if (attribute) {
                    out += "&#" + std::to_string(u) + ";";
                } else {
                    out += c;
                }
                break;
            default: out += c;
        }
    }
}

void XmlBuilder::start_tag(std::string_view name, std::initializer_list<Attribute> attributes) {
    m_out += '<';
    m_out += name;
    for (const auto& [key, value] : attributes) {
        m_out += ' ';
        m_out += key;
        m_out += "=\"";
        append_escaped(m_out, value, true);
        m_out += '"';
    }
}

XmlBuilder& XmlBuilder::open(std::string_view name, std::initializer_list<Attribute> attributes) {
    start_tag(name, attributes);
    m_out += '>';
    m_open.emplace_back(name);
    return *this;
}

XmlBuilder& XmlBuilder::close() {
    if (m_open.empty()) throw FormatError(FormatReason::BadValue, "builder: close() without open()");
    m_out += "</";
    m_out += m_open.back();
    m_out += '>';
    m_open.pop_back();
    return *this;
}

XmlBuilder& XmlBuilder::element(std::string_view name, std::initializer_list<Attribute> attributes,
                                std::string_view text) {
    start_tag(name, attributes);
    m_out += '>';
    append_escaped(m_out, text, false);
    m_out += "</";
    m_out += name;
    m_out += '>';
    return *this;
}

XmlBuilder& XmlBuilder::empty(std::string_view name, std::initializer_list<Attribute> attributes) {
    start_tag(name, attributes);
    m_out += "/>";
    return *this;
}

XmlBuilder& XmlBuilder::raw(std::string_view xml) {
    m_out += xml;
    return *this;
}

std::string XmlBuilder::str() && {
    if (!m_open.empty()) throw FormatError(FormatReason::BadValue, "builder: <" + m_open.back() + "> was never closed");
    return std::move(m_out);
}

}  // namespace xrca::xrml
