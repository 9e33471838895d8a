// Span-preserving XML tokenizer (see xml_tokenizer.h).
#include "xrml/xml_tokenizer.h"

#include "xrml/errors.h"

#include <string>

namespace xrca::xrml::detail {
namespace {

[[noreturn]] void not_xml(const std::string& what, std::size_t offset) {
    throw FormatError(FormatReason::NotXml, what + " at character " + std::to_string(offset));
}

bool is_name_char(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' || u == '-' ||
           u == '.' || u == ':' || u >= 0x80;
}

}  // namespace

// XML allows only the five predefined entities and character references without a DTD, and
// xrca accepts no DTD. pugixml would pass an undefined `&name;` through as text; refuse it.
void check_references(std::string_view text, std::size_t offset) {
    for (auto amp = text.find('&'); amp != std::string_view::npos; amp = text.find('&', amp + 1)) {
        const auto semi = text.find(';', amp);
        const auto ref = semi == std::string_view::npos ? std::string_view() : text.substr(amp + 1, semi - amp - 1);
        bool ok = ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" || ref == "apos";
        if (!ok && ref.size() >= 2 && ref.size() <= 10 && ref[0] == '#') {
            const bool hex = ref[1] == 'x';
            const auto digits = ref.substr(hex ? 2 : 1);
            ok = !digits.empty();
            for (char c : digits) {
                ok = ok && ((c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))));
            }
        }
        if (!ok) {
            throw FormatError(FormatReason::NotXml,
                              "undefined entity or malformed reference at character " + std::to_string(offset + amp));
        }
    }
}

bool is_xml_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t XmlTokenizer::find_or_fail(std::string_view needle, std::size_t from, const char* what) const {
    const auto at = m_text.find(needle, from);
    if (at == std::string_view::npos) not_xml(std::string("unterminated ") + what, from);
    return at;
}

std::string_view XmlTokenizer::read_name(std::size_t& pos) const {
    const std::size_t start = pos;
    while (pos < m_text.size() && is_name_char(m_text[pos])) ++pos;
    if (pos == start) not_xml("expected an element name", start);
    return m_text.substr(start, pos - start);
}

Token XmlTokenizer::next() {
    Token t;
    t.begin = m_pos;
    if (m_pos >= m_text.size()) {
        t.kind = TokenKind::End;
        t.end = m_pos;
        return t;
    }
    if (m_text[m_pos] != '<') {
        const auto lt = m_text.find('<', m_pos);
        m_pos = lt == std::string_view::npos ? m_text.size() : lt;
        t.kind = TokenKind::Text;
        t.end = m_pos;
        return t;
    }
    const std::string_view rest = m_text.substr(m_pos);
    if (rest.substr(0, 4) == "<!--") {
        m_pos = find_or_fail("-->", m_pos + 4, "comment") + 3;
        t.kind = TokenKind::Comment;
    } else if (rest.substr(0, 9) == "<![CDATA[") {
        m_pos = find_or_fail("]]>", m_pos + 9, "CDATA section") + 3;
        t.kind = TokenKind::CData;
    } else if (rest.substr(0, 2) == "<!") {
        t.kind = TokenKind::Doctype;  // the caller refuses it; no need to find its end
        m_pos = m_text.size();
    } else if (rest.substr(0, 2) == "<?") {
        m_pos = find_or_fail("?>", m_pos + 2, "processing instruction") + 2;
        t.kind = TokenKind::ProcessingInstruction;
    } else if (rest.substr(0, 2) == "</") {
        std::size_t p = m_pos + 2;
        t.name = read_name(p);
        while (p < m_text.size() && is_xml_space(m_text[p])) ++p;
        if (p >= m_text.size() || m_text[p] != '>') not_xml("malformed end tag", m_pos);
        m_pos = p + 1;
        t.kind = TokenKind::EndTag;
    } else {
        std::size_t p = m_pos + 1;
        t.name = read_name(p);
        // Attributes: skip quoted values so that '>' inside them does not end the tag.
        while (true) {
            if (p >= m_text.size()) not_xml("unterminated start tag", m_pos);
            const char c = m_text[p];
            if (c == '"' || c == '\'') {
                const auto close = m_text.find(c, p + 1);
                if (close == std::string_view::npos) not_xml("unterminated attribute value", p);
                p = close + 1;
            } else if (c == '>') {
                t.kind = TokenKind::StartTag;
                m_pos = p + 1;
                break;
            } else if (c == '/') {
                if (p + 1 >= m_text.size() || m_text[p + 1] != '>') not_xml("stray '/' in start tag", p);
                t.kind = TokenKind::EmptyTag;
                m_pos = p + 2;
                break;
            } else if (c == '<') {
                not_xml("'<' inside a start tag", p);
            } else {
                ++p;
            }
        }
    }
    t.end = m_pos;
    return t;
}

}  // namespace xrca::xrml::detail
