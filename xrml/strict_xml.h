// Strict reading of untrusted XML other than XrML documents (offline request and response
// files, SOAP envelopes): the same refusals as the XrML reader (no DTD, no undefined entities,
// bounded size and depth) and accessors that are explicit about presence and uniqueness, with
// the element path in every error. No pugixml type appears in this header.
#pragma once

#include "xrml/errors.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pugi {
struct xml_node_struct;
class xml_document;
}  // namespace pugi

namespace xrca::xrml {

/** A view of one element of an XmlDocument; valid while the document lives. */
class XmlElement {
public:
    [[noreturn]] void fail(FormatReason reason, const std::string& detail) const;
    [[nodiscard]] std::string path() const;
    [[nodiscard]] std::string name() const;
    /** The name without its namespace prefix ("soap:Body" -> "Body"). */
    [[nodiscard]] std::string local_name() const;
    /** The namespace URI of this element's prefix (or default namespace), from the in-scope xmlns attributes. */
    [[nodiscard]] std::string namespace_uri() const;
    /** The only child whose local name is `local` (any prefix); a second one is an error. */
    [[nodiscard]] std::optional<XmlElement> optional_local(const char* local) const;
    [[nodiscard]] XmlElement required_local(const char* local) const;
    /** The only child `name`, if any; a second one is FormatError(DuplicateElement). */
    [[nodiscard]] std::optional<XmlElement> optional(const char* name) const;
    /** The only child `name`; absent is FormatError(MissingElement). */
    [[nodiscard]] XmlElement required(const char* name) const;
    /** Every child `name`, in order. */
    [[nodiscard]] std::vector<XmlElement> all(const char* name) const;
    /** Every child element, in order. */
    [[nodiscard]] std::vector<XmlElement> children() const;
    /** The PARAMETER child whose name attribute is `param`, exactly once. */
    [[nodiscard]] XmlElement parameter(const char* param) const;
    [[nodiscard]] std::optional<std::string> optional_attr(const char* name) const;
    [[nodiscard]] std::string attr(const char* name) const;
    /** Character content; an element child where text belongs is FormatError(BadValue). */
    [[nodiscard]] std::string text() const;
    /** Character content, which must not be empty. */
    [[nodiscard]] std::string required_text() const;

private:
    friend class XmlDocument;
    explicit XmlElement(pugi::xml_node_struct* node) : m_node(node) {}
    pugi::xml_node_struct* m_node;
};

/** A parsed document. Construction applies the refusals and limits listed above. */
class XmlDocument {
public:
    /**
     * Parses `utf8` (already decoded). `keep_eol` keeps CR characters as they are, for text
     * whose exact characters matter (XrML carried as escaped strings).
     */
    static XmlDocument parse(std::string_view utf8, std::size_t max_bytes, std::size_t max_depth = 48,
                             bool keep_eol = false);
    /** Like parse, for text whose safety the caller has already checked (split XrML documents). */
    static XmlDocument parse_checked(std::string_view utf8);
    /**
     * Like parse_checked, for text put together from pieces of a larger checked text (a
     * streaming reader's header or chunk): an error's character offset is reported as
     * `original_offset(offset)`, the offset in the larger text, so that messages match the
     * ones a parse of the whole text gives.
     */
    static XmlDocument parse_checked(std::string_view utf8,
                                     const std::function<std::size_t(std::size_t)>& original_offset);
    XmlDocument(const XmlDocument&) = delete;
    XmlDocument& operator=(const XmlDocument&) = delete;
    XmlDocument(XmlDocument&&) noexcept;
    XmlDocument& operator=(XmlDocument&&) noexcept;
    ~XmlDocument();

    [[nodiscard]] XmlElement root() const;

private:
    XmlDocument();
    static XmlDocument load(std::string_view utf8, unsigned options,
                            const std::function<std::size_t(std::size_t)>* original_offset = nullptr);
    std::unique_ptr<pugi::xml_document> m_doc;
};

/** Checks that text carries no DOCTYPE, no undefined entity and no nesting beyond `max_depth`. */
void check_xml_safety(std::string_view utf8, std::size_t max_depth);

/**
 * The exact text of the first child element `name` of the element whose full text is
 * `element` (its start tag first), or an empty view. Used to find signed regions.
 */
std::string_view first_child_text(std::string_view element, std::string_view name);

/**
 * The exact text of every element whose local name is `local`, at any depth, in document
 * order (nested matches are not returned separately). Used to take certificates out of SOAP
 * bodies without re-serialising them.
 */
std::vector<std::string_view> elements_by_local_name(std::string_view xml, std::string_view local);

/** The content between the start and end tags of an element's exact text ("" for an empty element). */
std::string_view inner_text(std::string_view element);

/** The exact text of the root element of `xml` (skipping the prolog), or an empty view. */
std::string_view root_element_text(std::string_view xml);

}  // namespace xrca::xrml
