// Reading revocation lists a piece at a time (see revocation.h). A list of a million entries is
// 170 MB of text; a DOM of it takes ten times that. So the document is read in two parts that
// together give what one strict parse of the whole text gives, errors included:
//  - the header: the document with the content of BODY/REVOCATIONLIST left out, parsed and read
//    as any XrML document (read_certificate_element), so its checks and messages are the same;
//  - the entries: the REVOCATIONLIST content cut at element boundaries into pieces of about
//    `chunk_bytes`, each parsed on its own inside a REVOCATIONLIST element, its REVOKEs read
//    with the same accessors, then dropped.
// A whole-document parse reports the first malformed character of the document before any
// XrML rule, the header's rules before the entries', and the first bad entry. The pieces keep
// that order: a fault is held until every earlier part of the text was parsed, and character
// offsets and element paths are those of the whole document.
#include "xrml/revocation.h"

#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/raw_document.h"
#include "xrml/reader.h"
#include "xrml/strict_xml.h"
#include "xrml/xml_tokenizer.h"

#include <algorithm>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xrca::xrml {
namespace {

using detail::TokenKind;

constexpr const char* k_list_element = "REVOCATIONLIST";
constexpr std::string_view k_open = "<REVOCATIONLIST>";
constexpr std::string_view k_close = "</REVOCATIONLIST>";

/** The content of one BODY/REVOCATIONLIST and where it is cut into pieces. */
struct Region {
    Span content;
    std::vector<std::size_t> cuts;  // offsets of child start tags where a new piece begins
    std::size_t revokes = 0;        // REVOKE children
};

// One pass of the tokenizer over a document the splitter already checked: every BODY child
// named REVOCATIONLIST, its content, its REVOKE children and the cuts between pieces.
std::vector<Region> find_regions(std::string_view doc, std::size_t chunk_bytes) {
    std::vector<Region> regions;
    detail::XmlTokenizer tok(doc);
    std::size_t depth = 0;  // elements open before the token
    bool in_body = false;
    bool in_region = false;
    std::size_t piece_begin = 0;
    for (auto t = tok.next(); t.kind != TokenKind::End; t = tok.next()) {
        const bool child_of_region = in_region && depth == 3;
        if (child_of_region && (t.kind == TokenKind::StartTag || t.kind == TokenKind::EmptyTag)) {
            auto& r = regions.back();
            if (t.name == "REVOKE") ++r.revokes;
            if (t.begin - piece_begin >= chunk_bytes) {
                r.cuts.push_back(t.begin);
                piece_begin = t.begin;
            }
        }
        if (t.kind == TokenKind::StartTag) {
            if (depth == 1 && t.name == "BODY") in_body = true;
            if (in_body && depth == 2 && t.name == k_list_element) {
                in_region = true;
                regions.push_back(Region{Span{t.end, t.end}, {}, 0});
                piece_begin = t.end;
            }
            ++depth;
        } else if (t.kind == TokenKind::EndTag) {
            --depth;
            if (in_region && depth == 2) {
                regions.back().content.end = t.begin;
                in_region = false;
            }
            if (depth == 1) in_body = false;
        }
    }
    return regions;
}

/** Maps offsets in a text with pieces removed back to the original text. */
class OffsetMap {
public:
    void removed(std::size_t at, std::size_t length) {
        m_total += length;
        m_shifts.emplace_back(at, m_total);
    }
    [[nodiscard]] std::size_t original(std::size_t offset) const noexcept {
        std::size_t shift = 0;
        for (const auto& [at, total] : m_shifts) {
            if (offset >= at) shift = total;
        }
        return offset + shift;
    }

private:
    std::vector<std::pair<std::size_t, std::size_t>> m_shifts;  // (offset in the shorter text, removed so far)
    std::size_t m_total = 0;
};

/** The REVOKE category/type pair of reference §5.2 that `revoke` names; Unsupported otherwise. */
RevokeType known_type(const XmlElement& revoke) {
    const auto category = revoke.attr("category");
    const auto type_name = revoke.attr("type");
    const auto type = parse_revoke_type(type_name);
    if (!type || category != revoke_category(*type))
        revoke.fail(FormatReason::Unsupported, "unknown REVOKE category/type " + category + "/" + type_name);
    return *type;
}

XrmlObject read_revoked_object(const XmlElement& e) {
    XrmlObject o;
    o.type = e.optional_attr("type").value_or("");
    const auto id = e.required("ID");
    o.id = {id.optional_attr("type").value_or(""), id.text()};
    if (revocation_id_value(o.id.value).empty()) id.fail(FormatReason::BadValue, "an empty ID revokes nothing");
    if (const auto name = e.optional("NAME")) o.name = name->text();
    return o;
}

void read_entry(const XmlElement& revoke, RevokeEntry& e) {
    e = RevokeEntry{};
    e.type = known_type(revoke);
    switch (e.type) {
        case RevokeType::LicenseHash: {
            const auto digest = revoke.required("DIGEST");
            const auto algorithm = digest.required("ALGORITHM").text();
            if (algorithm != "SHA1" && algorithm != "SHA-1")
                digest.fail(FormatReason::Unsupported, "revocation hashes are SHA-1");
            e.sha1 = base64_decode(digest.required("VALUE").text(), "a revoked license hash");
            if (e.sha1.size() != 20) digest.fail(FormatReason::BadValue, "a SHA-1 digest is 20 bytes");
            break;
        }
        case RevokeType::IssuerKey:
        case RevokeType::PrincipalKey: e.key = read_public_key_element(revoke.required("PUBLICKEY")); break;
        case RevokeType::LicenseId:
        case RevokeType::IssuerId:
        case RevokeType::ContentId:
        case RevokeType::PrincipalId: e.object = read_revoked_object(revoke.required("OBJECT")); break;
    }
}

/** The first bad entry, named once the number of REVOKE siblings (and so the path) is known. */
struct EntryFault {
    FormatReason reason = FormatReason::BadValue;
    std::string detail;
    std::string path;       // below REVOKE ("" for REVOKE itself)
    bool pathless = false;  // the error named no element (a base64 value's), and still names none
    std::size_t revoke = 0;

    [[nodiscard]] FormatError error(std::size_t revokes) const {
        if (pathless) return FormatError(reason, detail);
        std::string full = "XrML/BODY/REVOCATIONLIST/REVOKE";
        if (revokes > 1) full += "[" + std::to_string(revoke) + "]";
        return FormatError(reason, detail, full + path);
    }
};

// The path an error names inside a piece ("REVOCATIONLIST/REVOKE[k]/OBJECT"), below its REVOKE.
std::string below_revoke(const std::string& path) {
    const auto first = path.find('/');
    if (first == std::string::npos) return {};
    const auto second = path.find('/', first + 1);
    return second == std::string::npos ? std::string() : path.substr(second);
}

/**
 * Reads one document of a list file. `the_list`: it is the file's only document, so it must be
 * a Revocation-List and its entries are read; otherwise only what read_certificate checks.
 */
Certificate read_document(RawDocument raw, bool the_list, const RevocationReadOptions& options,
                          const RevocationHeaderSink& on_header, const RevokeEntrySink& on_entry) {
    std::string text = std::move(raw.text);
    std::string_view doc = text;
    const auto regions = find_regions(doc, options.chunk_bytes == 0 ? 1 : options.chunk_bytes);

    // The header: the document without the regions' content.
    std::string header;
    OffsetMap map;
    std::size_t from = 0;
    for (const auto& r : regions) {
        header.append(doc.substr(from, r.content.begin - from));
        map.removed(header.size(), r.content.size());
        from = r.content.end;
    }
    header.append(doc.substr(from));

    std::exception_ptr malformed;  // the header's first malformed character, held back
    std::size_t malformed_at = 0;
    std::exception_ptr refused;  // the first XrML rule the header breaks, held back
    std::optional<Certificate> document;
    {
        std::optional<XmlDocument> dom;
        try {
            dom = XmlDocument::parse_checked(header, [&](std::size_t offset) {
                malformed_at = map.original(offset);
                return malformed_at;
            });
        } catch (const FormatError& e) {
            malformed = std::make_exception_ptr(e.in_document(raw.index));
        }
        header.clear();
        header.shrink_to_fit();
        if (dom) {
            try {
                document =
                    read_certificate_element(dom->root(), RawDocument{raw.index, raw.input_offset, {}, raw.body});
            } catch (const FormatError& e) {
                refused = std::make_exception_ptr(e.in_document(raw.index));
            }
            if (the_list && document) {
                if (document->kind() != names::revocation_list) {
                    refused = std::make_exception_ptr(FormatError(
                        FormatReason::BadValue,
                        "the document is a " + document->description() + ", not a " + names::revocation_list));
                } else {
                    try {
                        (void)dom->root().required("BODY").required(k_list_element);
                    } catch (const FormatError&) {
                        refused = std::current_exception();
                    }
                }
            }
        }
    }

    // The document keeps the text (its BODY is what the signature covers); pieces are cut from it.
    if (document) {
        document->raw.text = std::move(text);
        doc = document->raw.text;
    }
    // Entries are read when nothing before them is at fault (there is then exactly one region).
    const bool reading = the_list && !malformed && !refused;
    const bool wanted = reading && on_header(*document, regions.empty() ? 0 : regions.front().revokes);

    std::optional<EntryFault> fault;
    std::size_t revoke_index = 0;
    RevokeEntry entry;
    std::string piece;
    for (const auto& r : regions) {
        std::vector<std::size_t> bounds{r.content.begin};
        bounds.insert(bounds.end(), r.cuts.begin(), r.cuts.end());
        bounds.push_back(r.content.end);
        for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
            const std::size_t begin = bounds[k];
            const std::size_t end = bounds[k + 1];
            if (malformed && malformed_at < begin) std::rethrow_exception(malformed);
            piece.assign(k_open);
            piece.append(doc.substr(begin, end - begin));
            piece.append(k_close);
            std::optional<XmlDocument> dom;
            try {
                dom = XmlDocument::parse_checked(piece, [&](std::size_t offset) {
                    return offset <= k_open.size() ? begin : begin + std::min(offset - k_open.size(), end - begin);
                });
            } catch (const FormatError& e) {
                throw e.in_document(raw.index);
            }
            if (!reading) continue;
            for (const auto& revoke : dom->root().all("REVOKE")) {
                const std::size_t index = revoke_index++;
                if (fault) continue;
                try {
                    read_entry(revoke, entry);
                } catch (const FormatError& e) {
                    fault = EntryFault{e.reason(), e.detail(), below_revoke(e.path()), e.path().empty(), index};
                    continue;
                }
                if (wanted) on_entry(entry);
            }
        }
    }
    if (malformed) std::rethrow_exception(malformed);
    if (refused) std::rethrow_exception(refused);
    if (fault) throw fault->error(regions.front().revokes);
    return std::move(*document);
}

}  // namespace

Certificate read_revocation_list_streaming(std::string text, const RevocationReadOptions& options,
                                           const RevocationHeaderSink& on_header, const RevokeEntrySink& on_entry) {
    if (text.size() > options.max_bytes) {
        throw FormatError(FormatReason::TooLarge, "input of " + std::to_string(text.size()) +
                                                      " bytes exceeds the limit of " +
                                                      std::to_string(options.max_bytes));
    }
    auto decoded = decode_owned_input(std::move(text));
    ReadLimits limits;
    limits.max_input_bytes = options.max_bytes;
    const auto spans = locate_documents(decoded.utf8, limits);
    const auto raw_at = [&](std::size_t i, std::string doc_text) {
        const auto& s = spans[i];
        return RawDocument{i, s.document.begin, std::move(doc_text),
                           Span{s.body.begin - s.document.begin, s.body.end - s.document.begin}};
    };
    if (spans.size() != 1) {
        // Each document is read as read_documents would, for its faults, before the count is.
        for (std::size_t i = 0; i < spans.size(); ++i) {
            const auto& s = spans[i].document;
            (void)read_document(raw_at(i, decoded.utf8.substr(s.begin, s.size())), false, options, on_header, on_entry);
        }
        throw FormatError(FormatReason::BadValue,
                          "a revocation list file holds one document, not " + std::to_string(spans.size()));
    }
    // The document keeps the input's bytes: trimmed in place, not copied.
    auto& utf8 = decoded.utf8;
    utf8.erase(spans[0].document.end);
    utf8.erase(0, spans[0].document.begin);
    return read_document(raw_at(0, std::move(utf8)), true, options, on_header, on_entry);
}

RevocationList read_revocation_list(std::string_view text, std::size_t max_bytes) {
    RevocationReadOptions options;
    options.max_bytes = max_bytes;
    if (text.size() > max_bytes) {  // before the copy below
        throw FormatError(FormatReason::TooLarge, "input of " + std::to_string(text.size()) +
                                                      " bytes exceeds the limit of " + std::to_string(max_bytes));
    }
    RevocationList list;
    list.document = read_revocation_list_streaming(
        std::string(text), options,
        [&](const Certificate&, std::size_t revokes) {
            list.entries.reserve(revokes);
            return true;
        },
        [&](const RevokeEntry& e) { list.entries.push_back(e); });
    return list;
}

}  // namespace xrca::xrml
