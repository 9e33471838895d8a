// Strict XML reading over pugixml (see strict_xml.h).
#include "xrml/strict_xml.h"

#include "xrml/xml_tokenizer.h"

#include <pugixml.hpp>

namespace xrca::xrml {
namespace {

pugi::xml_node node(pugi::xml_node_struct* n) { return pugi::xml_node(n); }

}  // namespace

void XmlElement::fail(FormatReason reason, const std::string& detail) const {
    throw FormatError(reason, detail, path());
}

std::string XmlElement::path() const {
    std::vector<std::string> parts;
    for (pugi::xml_node n = node(m_node); n && n.type() == pugi::node_element; n = n.parent()) {
        std::string part = n.name();
        if (part == "PARAMETER" && n.attribute("name")) {
            part += std::string("[@name=") + n.attribute("name").value() + "]";
        } else if (n.previous_sibling(n.name()) || n.next_sibling(n.name())) {
            int index = 0;
            for (pugi::xml_node p = n.previous_sibling(n.name()); p; p = p.previous_sibling(n.name())) ++index;
            part += "[" + std::to_string(index) + "]";
        }
        parts.push_back(std::move(part));
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : "/") + *it;
    return out;
}

std::string XmlElement::name() const { return node(m_node).name(); }

namespace {

std::string_view local_of(std::string_view name) {
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

}  // namespace

std::string XmlElement::local_name() const { return std::string(local_of(node(m_node).name())); }

std::string XmlElement::namespace_uri() const {
    const std::string_view full = node(m_node).name();
    const auto colon = full.find(':');
    const std::string attr = colon == std::string_view::npos ? "xmlns" : "xmlns:" + std::string(full.substr(0, colon));
    for (pugi::xml_node n = node(m_node); n && n.type() == pugi::node_element; n = n.parent()) {
        if (const auto a = n.attribute(attr.c_str())) return a.value();
    }
    return "";
}

std::optional<XmlElement> XmlElement::optional_local(const char* local) const {
    std::optional<XmlElement> found;
    for (pugi::xml_node n = node(m_node).first_child(); n; n = n.next_sibling()) {
        if (n.type() != pugi::node_element || local_of(n.name()) != local) continue;
        if (found) XmlElement(n.internal_object()).fail(FormatReason::DuplicateElement, "must appear at most once");
        found = XmlElement(n.internal_object());
    }
    return found;
}

XmlElement XmlElement::required_local(const char* local) const {
    auto e = optional_local(local);
    if (!e) fail(FormatReason::MissingElement, std::string("required element ") + local + " is missing");
    return *e;
}

std::optional<XmlElement> XmlElement::optional(const char* name) const {
    pugi::xml_node found = node(m_node).child(name);
    if (!found) return std::nullopt;
    if (found.next_sibling(name))
        XmlElement(found.internal_object()).fail(FormatReason::DuplicateElement, "must appear at most once");
    return XmlElement(found.internal_object());
}

XmlElement XmlElement::required(const char* name) const {
    auto e = optional(name);
    if (!e) fail(FormatReason::MissingElement, std::string("required element ") + name + " is missing");
    return *e;
}

std::vector<XmlElement> XmlElement::all(const char* name) const {
    std::vector<XmlElement> out;
    for (pugi::xml_node n = node(m_node).child(name); n; n = n.next_sibling(name))
        out.push_back(XmlElement(n.internal_object()));
    return out;
}

std::vector<XmlElement> XmlElement::children() const {
    std::vector<XmlElement> out;
    for (pugi::xml_node n = node(m_node).first_child(); n; n = n.next_sibling()) {
        if (n.type() == pugi::node_element) out.push_back(XmlElement(n.internal_object()));
    }
    return out;
}

XmlElement XmlElement::parameter(const char* param) const {
    std::optional<XmlElement> found;
    for (pugi::xml_node n = node(m_node).child("PARAMETER"); n; n = n.next_sibling("PARAMETER")) {
        if (std::string_view(n.attribute("name").value()) != param) continue;
        if (found) fail(FormatReason::DuplicateElement, std::string("PARAMETER ") + param + " appears twice");
        found = XmlElement(n.internal_object());
    }
    if (!found) fail(FormatReason::MissingElement, std::string("required PARAMETER name=\"") + param + "\" is missing");
    return *found;
}

std::optional<std::string> XmlElement::optional_attr(const char* name) const {
    const pugi::xml_attribute a = node(m_node).attribute(name);
    if (!a) return std::nullopt;
    return std::string(a.value());
}

std::string XmlElement::attr(const char* name) const {
    auto a = optional_attr(name);
    if (!a) fail(FormatReason::MissingAttribute, std::string("required attribute ") + name + " is missing");
    return *a;
}

std::string XmlElement::text() const {
    std::string out;
    for (pugi::xml_node c = node(m_node).first_child(); c; c = c.next_sibling()) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
            out += c.value();
        } else if (c.type() == pugi::node_element) {
            fail(FormatReason::BadValue, std::string("unexpected element <") + c.name() + "> inside text");
        }
    }
    return out;
}

std::string XmlElement::required_text() const {
    auto t = text();
    if (t.empty()) fail(FormatReason::BadValue, "must not be empty");
    return t;
}

XmlDocument::XmlDocument() : m_doc(std::make_unique<pugi::xml_document>()) {}
XmlDocument::XmlDocument(XmlDocument&&) noexcept = default;
XmlDocument& XmlDocument::operator=(XmlDocument&&) noexcept = default;
XmlDocument::~XmlDocument() = default;

XmlDocument XmlDocument::parse(std::string_view utf8, std::size_t max_bytes, std::size_t max_depth, bool keep_eol) {
    if (utf8.size() > max_bytes) {
        throw FormatError(FormatReason::TooLarge, "input of " + std::to_string(utf8.size()) +
                                                      " bytes exceeds the limit of " + std::to_string(max_bytes));
    }
    check_xml_safety(utf8, max_depth);
    return keep_eol ? load(utf8, pugi::parse_default & ~static_cast<unsigned>(pugi::parse_eol))
                    : load(utf8, pugi::parse_default);
}

XmlDocument XmlDocument::parse_checked(std::string_view utf8) { return load(utf8, pugi::parse_default); }

XmlDocument XmlDocument::parse_checked(std::string_view utf8,
                                       const std::function<std::size_t(std::size_t)>& original_offset) {
    return load(utf8, pugi::parse_default, &original_offset);
}

XmlDocument XmlDocument::load(std::string_view utf8, unsigned options,
                              const std::function<std::size_t(std::size_t)>* original_offset) {
    XmlDocument doc;
    const auto result = doc.m_doc->load_buffer(utf8.data(), utf8.size(), options, pugi::encoding_utf8);
    if (!result) {
        const auto offset = static_cast<std::size_t>(result.offset);
        throw FormatError(FormatReason::NotXml,
                          std::string(result.description()) + " at character " +
                              std::to_string(original_offset ? (*original_offset)(offset) : offset));
    }
    if (!doc.m_doc->document_element()) throw FormatError(FormatReason::NotXml, "no root element");
    return doc;
}

XmlElement XmlDocument::root() const { return XmlElement(m_doc->document_element().internal_object()); }

void check_xml_safety(std::string_view utf8, std::size_t max_depth) {
    detail::XmlTokenizer tok(utf8);
    std::size_t depth = 0;
    for (auto t = tok.next(); t.kind != detail::TokenKind::End; t = tok.next()) {
        switch (t.kind) {
            case detail::TokenKind::Doctype:
                throw FormatError(FormatReason::DtdNotAllowed, "DOCTYPE declarations are not accepted");
            case detail::TokenKind::StartTag:
                detail::check_references(utf8.substr(t.begin, t.end - t.begin), t.begin);
                if (++depth > max_depth) {
                    throw FormatError(FormatReason::TooDeep,
                                      "elements nest deeper than " + std::to_string(max_depth) + " levels");
                }
                break;
            case detail::TokenKind::EndTag:
                if (depth > 0) --depth;
                break;
            case detail::TokenKind::EmptyTag:
            case detail::TokenKind::Text:
                detail::check_references(utf8.substr(t.begin, t.end - t.begin), t.begin);
                break;
            case detail::TokenKind::Comment:
            case detail::TokenKind::CData:
            case detail::TokenKind::ProcessingInstruction:
            case detail::TokenKind::End: break;
        }
    }
}

std::string_view first_child_text(std::string_view element, std::string_view name) {
    detail::XmlTokenizer tok(element);
    std::size_t depth = 0;
    std::size_t start = 0;
    for (auto t = tok.next(); t.kind != detail::TokenKind::End; t = tok.next()) {
        if (t.kind == detail::TokenKind::StartTag) {
            if (depth == 1 && t.name == name) start = t.begin;
            ++depth;
        } else if (t.kind == detail::TokenKind::EndTag) {
            if (depth == 0) break;
            --depth;
            if (depth == 1 && t.name == name) return element.substr(start, t.end - start);
        } else if (t.kind == detail::TokenKind::EmptyTag && depth == 1 && t.name == name) {
            return element.substr(t.begin, t.end - t.begin);
        }
    }
    return {};
}

std::vector<std::string_view> elements_by_local_name(std::string_view xml, std::string_view local) {
    std::vector<std::string_view> out;
    detail::XmlTokenizer tok(xml);
    std::size_t depth = 0;
    std::size_t match_depth = 0;  // 0: not inside a match
    std::size_t start = 0;
    for (auto t = tok.next(); t.kind != detail::TokenKind::End; t = tok.next()) {
        if (t.kind == detail::TokenKind::StartTag) {
            ++depth;
            if (match_depth == 0 && local_of(t.name) == local) {
                match_depth = depth;
                start = t.begin;
            }
        } else if (t.kind == detail::TokenKind::EndTag) {
            if (match_depth != 0 && depth == match_depth) {
                out.push_back(xml.substr(start, t.end - start));
                match_depth = 0;
            }
            if (depth > 0) --depth;
        } else if (t.kind == detail::TokenKind::EmptyTag && match_depth == 0 && local_of(t.name) == local) {
            out.push_back(xml.substr(t.begin, t.end - t.begin));
        }
    }
    return out;
}

std::string_view inner_text(std::string_view element) {
    detail::XmlTokenizer tok(element);
    const auto open = tok.next();
    if (open.kind != detail::TokenKind::StartTag) return {};
    const auto close = element.rfind("</");
    if (close == std::string_view::npos || close < open.end) return {};
    return element.substr(open.end, close - open.end);
}

std::string_view root_element_text(std::string_view xml) {
    detail::XmlTokenizer tok(xml);
    std::size_t depth = 0;
    std::size_t start = 0;
    for (auto t = tok.next(); t.kind != detail::TokenKind::End; t = tok.next()) {
        if (t.kind == detail::TokenKind::StartTag) {
            if (depth == 0) start = t.begin;
            ++depth;
        } else if (t.kind == detail::TokenKind::EndTag) {
            if (depth == 0) return {};
            if (--depth == 0) return xml.substr(start, t.end - start);
        } else if (t.kind == detail::TokenKind::EmptyTag && depth == 0) {
            return xml.substr(t.begin, t.end - t.begin);
        }
    }
    return {};
}

}  // namespace xrca::xrml
