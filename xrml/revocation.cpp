// Revocation lists (see revocation.h).
#include "xrml/revocation.h"

#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/strict_xml.h"

#include <botan/hex.h>

#include <algorithm>
#include <cctype>

namespace xrca::xrml {
namespace {

struct TypeName {
    RevokeType type;
    const char* category;
    const char* name;
};

constexpr TypeName k_types[] = {
    {RevokeType::LicenseId, "license", "license-id"},         {RevokeType::LicenseHash, "license", "license-hash"},
    {RevokeType::IssuerKey, "license", "issuer-key"},         {RevokeType::IssuerId, "license", "issuer-id"},
    {RevokeType::ContentId, "content", "content-id"},         {RevokeType::PrincipalId, "principal", "principal-id"},
    {RevokeType::PrincipalKey, "principal", "principal-key"},
};

// IDs compare trimmed and case-folded (reference §5.2: whitespace in an ID breaks matching in RMS).
std::string normalised_id(std::string_view v) {
    const auto b = v.find_first_not_of(" \t\r\n");
    const auto e = v.find_last_not_of(" \t\r\n");
    std::string out = b == std::string_view::npos ? std::string() : std::string(v.substr(b, e - b + 1));
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string slot(RevokeType type, const std::string& value) {
    return std::string(revoke_type_name(type)) + "|" + value;
}

XrmlObject read_revoked_object(const XmlElement& e) {
    XrmlObject o;
    o.type = e.optional_attr("type").value_or("");
    const auto id = e.required("ID");
    o.id = {id.optional_attr("type").value_or(""), id.text()};
    if (normalised_id(o.id.value).empty()) id.fail(FormatReason::BadValue, "an empty ID revokes nothing");
    if (const auto name = e.optional("NAME")) o.name = name->text();
    return o;
}

/** The entry of k_types that a REVOKE element names; FormatError(Unsupported) for any other. */
const TypeName& known_type(const XmlElement& revoke) {
    const auto category = revoke.attr("category");
    const auto type_name = revoke.attr("type");
    for (const auto& t : k_types) {
        if (category == t.category && type_name == t.name) return t;
    }
    revoke.fail(FormatReason::Unsupported, "unknown REVOKE category/type " + category + "/" + type_name);
}

}  // namespace

const char* revoke_category(RevokeType type) noexcept {
    for (const auto& t : k_types) {
        if (t.type == type) return t.category;
    }
    return "";
}

const char* revoke_type_name(RevokeType type) noexcept {
    for (const auto& t : k_types) {
        if (t.type == type) return t.name;
    }
    return "";
}

std::string revocation_id_value(std::string_view id) { return normalised_id(id); }

std::optional<RevokeType> parse_revoke_type(std::string_view name) noexcept {
    for (const auto& t : k_types) {
        if (name == t.name) return t.type;
    }
    return std::nullopt;
}

std::string RevokeEntry::match_value() const {
    switch (type) {
        case RevokeType::LicenseHash: return Botan::hex_encode(sha1.data(), sha1.size(), false);
        case RevokeType::IssuerKey:
        case RevokeType::PrincipalKey: return key ? key->fingerprint() : std::string();
        case RevokeType::LicenseId:
        case RevokeType::IssuerId:
        case RevokeType::ContentId:
        case RevokeType::PrincipalId: break;
    }
    return normalised_id(object.id.value);
}

RevocationList read_revocation_list(std::string_view text, std::size_t max_bytes) {
    ReadLimits limits;
    limits.max_input_bytes = max_bytes;
    auto set = read_documents(text, limits);
    if (set.documents.size() != 1) {
        throw FormatError(FormatReason::BadValue,
                          "a revocation list file holds one document, not " + std::to_string(set.documents.size()));
    }
    RevocationList list{std::move(set.documents.front()), {}};
    if (list.document.kind() != names::revocation_list) {
        throw FormatError(FormatReason::BadValue,
                          "the document is a " + list.document.kind() + ", not a " + names::revocation_list);
    }
    const auto dom = XmlDocument::parse_checked(list.document.raw.text);
    const auto revocations = dom.root().required("BODY").required("REVOCATIONLIST");
    for (const auto& revoke : revocations.all("REVOKE")) {
        RevokeEntry e;
        e.type = known_type(revoke).type;
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
        list.entries.push_back(std::move(e));
    }
    return list;
}

std::string license_hash(const Certificate& document) { return body_license_hash(document.raw.body_text()); }

std::string body_license_hash(std::string_view body_text) {
    const auto digest = body_digest(body_text, DigestAlgorithm::Sha1);
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

void RevocationIndex::add(const RevocationList& list) {
    m_entries.reserve(m_entries.size() + list.entries.size());
    for (const auto& e : list.entries) add(e, list.document.descriptor.id.value);
}

void RevocationIndex::add(const RevokeEntry& e, const std::string& list_id) { add(e.type, e.match_value(), list_id); }

void RevocationIndex::add(RevokeType type, const std::string& match_value, const std::string& list_id) {
    m_entries.emplace(slot(type, match_value), list_id);
    m_has[static_cast<std::size_t>(type)] = true;
}

std::optional<RevocationMatch> RevocationIndex::lookup(RevokeType type, const std::string& value) const {
    if (value.empty()) return std::nullopt;
    const auto it = m_entries.find(slot(type, value));
    if (it == m_entries.end()) return std::nullopt;
    return RevocationMatch{type, value, it->second};
}

std::optional<RevocationMatch> RevocationIndex::find(const Certificate& d) const {
    if (m_entries.empty()) return std::nullopt;
    std::optional<RevocationMatch> m;
    // Values are computed only for types some list revokes by (the hash last: it is the costly one).
    const auto check = [&](RevokeType type, auto&& value) {
        if (!m && has(type)) m = lookup(type, value());
    };
    check(RevokeType::LicenseId, [&] { return normalised_id(d.descriptor.id.value); });
    check(RevokeType::IssuerId, [&] { return normalised_id(d.issuer.object.id.value); });
    if (d.issuer.key) check(RevokeType::IssuerKey, [&] { return d.issuer.key->fingerprint(); });
    for (const auto* p :
         {d.principal ? &*d.principal : nullptr, d.federation_principal ? &*d.federation_principal : nullptr}) {
        if (!p) continue;
        check(RevokeType::PrincipalId, [&] { return normalised_id(p->object.id.value); });
        if (p->key) check(RevokeType::PrincipalKey, [&] { return p->key->fingerprint(); });
    }
    if (d.work_object) check(RevokeType::ContentId, [&] { return normalised_id(d.work_object->id.value); });
    check(RevokeType::LicenseHash, [&] { return license_hash(d); });
    return m;
}

CheckedList check_list(const RevocationList& list, Time at, std::optional<std::int64_t> max_age_seconds) {
    CheckedList c;
    c.list = &list;
    c.signer_fingerprint = list.document.issuer.key ? list.document.issuer.key->fingerprint() : std::string();
    const auto& d = list.document;
    if (!verify_signature(d).ok()) {
        c.problem = "its signature does not verify with its ISSUER key";
    } else if (d.validity && !d.validity->contains(at)) {
        c.problem = "it is valid " + d.validity->from.to_xrml() + " until " + d.validity->until.to_xrml() +
                    ", not at " + at.to_xrml();
    } else if (max_age_seconds && at.unix_seconds() - d.issued.unix_seconds() > *max_age_seconds) {
        c.problem = "it was issued " + d.issued.to_xrml() + ", more than the allowed age before " + at.to_xrml();
    } else {
        c.index.add(list);
    }
    return c;
}

ChainRevocation check_chain_revocation(const std::vector<Certificate>& documents, const ChainResult& chain,
                                       const std::vector<CheckedList>& lists, Time at) {
    ChainRevocation out;
    const auto& path = chain.path;
    // The strictest REFRESH INTERVALTIME any document of the chain demands.
    std::optional<std::int64_t> demanded;
    for (const auto i : path) {
        for (const auto& r : documents[i].refresh) {
            if (r.interval_seconds && (!demanded || *r.interval_seconds < *demanded)) demanded = r.interval_seconds;
        }
    }
    std::vector<const CheckedList*> usable;
    for (const auto& l : lists) {
        const auto& id = l.list->document.descriptor.id.value;
        if (!l.problem.empty()) {
            out.ignored.push_back(id + ": " + l.problem);
        } else if (demanded && at.unix_seconds() - l.list->document.issued.unix_seconds() > *demanded) {
            out.ignored.push_back(id + ": older than the " + std::to_string(*demanded) +
                                  " s a REFRESH condition of the chain allows");
        } else {
            usable.push_back(&l);
        }
    }
    // Walk from the top down, collecting who may revoke: each document's issuer, and the
    // revocation authorities its SLC names, may revoke it and everything under it.
    std::vector<std::vector<std::string>> entitled(path.size());
    std::vector<std::string> above;
    for (std::size_t p = path.size(); p-- > 0;) {
        const auto& d = documents[path[p]];
        if (d.issuer.key) above.push_back(d.issuer.key->fingerprint());
        for (const auto& r : d.refresh) {
            for (const auto& point : r.points) {
                if (point.object.type == "Revocation" && point.key) above.push_back(point.key->fingerprint());
            }
        }
        entitled[p] = above;
    }
    std::vector<bool> counted(usable.size(), false);
    for (std::size_t p = 0; p < path.size() && !out.revoked(); ++p) {
        for (std::size_t k = 0; k < usable.size(); ++k) {
            const auto& e = entitled[p];
            if (std::find(e.begin(), e.end(), usable[k]->signer_fingerprint) == e.end()) continue;
            counted[k] = true;
            if (auto m = usable[k]->index.find(documents[path[p]])) {
                out.revoked_document = path[p];
                out.match = *m;
                out.list_signer = usable[k]->signer_fingerprint;
                break;
            }
        }
    }
    if (!out.revoked()) {
        for (std::size_t k = 0; k < usable.size(); ++k) {
            if (!counted[k]) {
                out.ignored.push_back(usable[k]->list->document.descriptor.id.value + ": its signer " +
                                      usable[k]->signer_fingerprint.substr(0, 16) +
                                      "… may not revoke anything in this chain");
            }
        }
    }
    return out;
}

}  // namespace xrca::xrml
