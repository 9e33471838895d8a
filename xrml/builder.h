// A compact XML string builder for producing XrML: no whitespace between elements, ever
// (real RMS producers emit none, and the BODY text is what gets signed).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xrca::xrml {

/** One attribute, written in the order given (attribute order is part of the signed text). */
using Attribute = std::pair<std::string_view, std::string_view>;

/**
 * Builds XML text. Names are trusted (they come from code); attribute values and text are
 * escaped, and characters XML 1.0 cannot carry are refused with FormatError(BadValue).
 */
class XmlBuilder {
public:
    XmlBuilder& open(std::string_view name, std::initializer_list<Attribute> attributes = {});
    XmlBuilder& close();
    /** `<name attrs>text</name>`. */
    XmlBuilder& element(std::string_view name, std::initializer_list<Attribute> attributes, std::string_view text);
    /** `<name attrs/>`. */
    XmlBuilder& empty(std::string_view name, std::initializer_list<Attribute> attributes = {});
    /** Appends already-formed XML verbatim (a BODY that was built and is being signed). */
    XmlBuilder& raw(std::string_view xml);

    /** The text; every opened element must have been closed. */
    [[nodiscard]] std::string str() &&;

private:
    void start_tag(std::string_view name, std::initializer_list<Attribute> attributes);
    std::string m_out;
    std::vector<std::string> m_open;
};

/** Escapes `text` for element content (&, <, >) or attribute values (also "). */
void append_escaped(std::string& out, std::string_view text, bool attribute);

}  // namespace xrca::xrml
