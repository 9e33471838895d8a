// A minimal, allocation-free XML tokenizer over original text. It exists so that the exact
// character spans of elements are known (pugixml gives values, not spans); it checks
// well-formedness of tags only as far as span-finding needs, pugixml checks the rest.
#pragma once

#include <cstddef>
#include <string_view>

namespace xrca::xrml::detail {

enum class TokenKind { StartTag, EmptyTag, EndTag, Text, Comment, CData, ProcessingInstruction, Doctype, End };

struct Token {
    TokenKind kind = TokenKind::End;
    std::size_t begin = 0;  ///< offset of the first character of the token
    std::size_t end = 0;    ///< offset one past the last character
    std::string_view name;  ///< element name for tags, empty otherwise
};

/** Walks `text` token by token; throws FormatError(NotXml) on a malformed tag. */
class XmlTokenizer {
public:
    explicit XmlTokenizer(std::string_view text) : m_text(text) {}
    Token next();
    [[nodiscard]] std::size_t position() const noexcept { return m_pos; }

private:
    std::size_t find_or_fail(std::string_view needle, std::size_t from, const char* what) const;
    std::string_view read_name(std::size_t& pos) const;
    std::string_view m_text;
    std::size_t m_pos = 0;
};

bool is_xml_space(char c) noexcept;

/** Refuses undefined entity references and malformed character references in `text`. */
void check_references(std::string_view text, std::size_t offset);

}  // namespace xrca::xrml::detail
