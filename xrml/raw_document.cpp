// Splitting an input into XrML documents and locating each BODY by its original characters.
#include "xrml/raw_document.h"

#include "xrml/errors.h"
#include "xrml/strict_xml.h"
#include "xrml/xml_tokenizer.h"

#include <vector>

namespace xrca::xrml {

using detail::TokenKind;
using detail::XmlTokenizer;

namespace {

bool whitespace_only(std::string_view s) noexcept {
    for (char c : s) {
        if (!detail::is_xml_space(c)) return false;
    }
    return true;
}

// Reads one <XrML> element starting at the start tag `open`; returns the end offset and the
// BODY span relative to the input. Throws FormatError without a document index.
std::size_t read_document(XmlTokenizer& tok, std::string_view input, const detail::Token& open,
                          const ReadLimits& limits, Span& body) {
    std::vector<std::string_view> stack{open.name};
    std::size_t bodies = 0;
    while (true) {
        const auto t = tok.next();
        switch (t.kind) {
            case TokenKind::End:
                throw FormatError(FormatReason::NotXml, "document ends before </" + std::string(stack.back()) + ">");
            case TokenKind::Doctype:
                throw FormatError(FormatReason::DtdNotAllowed, "DOCTYPE declarations are not accepted");
            case TokenKind::StartTag:
                detail::check_references(input.substr(t.begin, t.end - t.begin), t.begin);
                if (stack.size() == 1 && t.name == "BODY") {
                    ++bodies;
                    body.begin = t.begin;
                }
                stack.push_back(t.name);
                if (stack.size() > limits.max_depth) {
                    throw FormatError(FormatReason::TooDeep,
                                      "elements nest deeper than " + std::to_string(limits.max_depth) + " levels");
                }
                break;
            case TokenKind::EmptyTag:
                detail::check_references(input.substr(t.begin, t.end - t.begin), t.begin);
                if (stack.size() == 1 && t.name == "BODY") {
                    throw FormatError(FormatReason::NotXrml, "BODY is empty", "XrML/BODY");
                }
                break;
            case TokenKind::EndTag:
                if (t.name != stack.back()) {
                    throw FormatError(FormatReason::NotXml, "</" + std::string(t.name) + "> closes <" +
                                                                std::string(stack.back()) + "> at character " +
                                                                std::to_string(t.begin));
                }
                stack.pop_back();
                if (stack.size() == 1 && t.name == "BODY") body.end = t.end;
                if (stack.empty()) {
                    if (bodies != 1) {
                        throw FormatError(FormatReason::NotXrml,
                                          "expected exactly one BODY, found " + std::to_string(bodies), "XrML");
                    }
                    return t.end;
                }
                break;
            case TokenKind::Text: detail::check_references(input.substr(t.begin, t.end - t.begin), t.begin); break;
            case TokenKind::Comment:
            case TokenKind::CData:
            case TokenKind::ProcessingInstruction: break;
        }
    }
}

}  // namespace

std::vector<DocumentSpan> locate_documents(std::string_view utf8, const ReadLimits& limits) {
    if (utf8.size() > limits.max_input_bytes) {
        throw FormatError(FormatReason::TooLarge, "input of " + std::to_string(utf8.size()) +
                                                      " bytes exceeds the limit of " +
                                                      std::to_string(limits.max_input_bytes));
    }
    std::vector<DocumentSpan> docs;
    XmlTokenizer tok(utf8);
    bool seen_anything = false;
    while (true) {
        detail::Token t;
        try {
            t = tok.next();
        } catch (const FormatError& e) {
            throw e.in_document(docs.size());
        }
        switch (t.kind) {
            case TokenKind::End:
                if (docs.empty()) throw FormatError(FormatReason::NotXrml, "no XrML document found");
                return docs;
            case TokenKind::Text:
                if (!whitespace_only(utf8.substr(t.begin, t.end - t.begin))) {
                    throw FormatError(FormatReason::NotXml,
                                      "text outside any XrML document at character " + std::to_string(t.begin));
                }
                break;
            case TokenKind::Comment: break;
            case TokenKind::ProcessingInstruction:
                if (seen_anything) {
                    throw FormatError(FormatReason::NotXml, "processing instruction after the first document");
                }
                break;
            case TokenKind::Doctype:
                throw FormatError(FormatReason::DtdNotAllowed, "DOCTYPE declarations are not accepted");
            case TokenKind::CData:
            case TokenKind::EndTag:
            case TokenKind::EmptyTag:
                throw FormatError(FormatReason::NotXrml, "expected <XrML> at character " + std::to_string(t.begin));
            case TokenKind::StartTag: {
                if (t.name != "XrML") {
                    throw FormatError(FormatReason::NotXrml, "expected <XrML>, found <" + std::string(t.name) + ">", {},
                                      docs.size());
                }
                if (docs.size() >= limits.max_documents) {
                    throw FormatError(FormatReason::TooLarge,
                                      "more than " + std::to_string(limits.max_documents) + " documents");
                }
                seen_anything = true;
                DocumentSpan span;
                try {
                    span.document = Span{t.begin, read_document(tok, utf8, t, limits, span.body)};
                } catch (const FormatError& e) {
                    throw e.in_document(docs.size());
                }
                docs.push_back(span);
                break;
            }
        }
    }
}

std::vector<RawDocument> split_documents(std::string_view utf8, const ReadLimits& limits) {
    std::vector<RawDocument> docs;
    for (const auto& span : locate_documents(utf8, limits)) {
        RawDocument doc;
        doc.index = docs.size();
        doc.input_offset = span.document.begin;
        doc.text.assign(utf8.substr(span.document.begin, span.document.size()));
        doc.body = Span{span.body.begin - span.document.begin, span.body.end - span.document.begin};
        docs.push_back(std::move(doc));
    }
    return docs;
}

std::string_view body_child_text(const RawDocument& document, std::string_view name) {
    return first_child_text(document.body_text(), name);
}

std::string strip_inter_element_whitespace(std::string_view xml) {
    std::string out;
    out.reserve(xml.size());
    XmlTokenizer tok(xml);
    while (true) {
        const auto t = tok.next();
        if (t.kind == TokenKind::End) break;
        const auto piece = xml.substr(t.begin, t.end - t.begin);
        if (t.kind == TokenKind::Text && whitespace_only(piece)) continue;
        out.append(piece);
    }
    return out;
}

}  // namespace xrca::xrml
