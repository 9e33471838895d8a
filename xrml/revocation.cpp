// Revocation lists (see revocation.h).
#include "xrml/revocation.h"

#include "xrml/errors.h"
#include "xrml/signature.h"

#include <botan/hex.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>

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
    // ASCII only, as std::tolower does in the "C" locale xrca runs in (and without its call per
    // character: a million-entry list folds some forty million).
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
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

std::string license_hash(const Certificate& document) { return body_license_hash(document.raw.body_text()); }

std::string body_license_hash(std::string_view body_text) {
    const auto digest = body_digest(body_text, DigestAlgorithm::Sha1);
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

void RevocationIndex::add(const RevocationList& list) {
    reserve(list.entries.size());
    for (const auto& e : list.entries) add(e, list.document.id_text());
}

void RevocationIndex::add(const RevokeEntry& e, const std::string& list_id) { add(e.type, e.match_value(), list_id); }

namespace {

std::string index_key(RevokeType type, std::string_view value) {
    std::string key;
    key.reserve(value.size() + 1);
    key += static_cast<char>('0' + static_cast<int>(type));
    key += value;
    return key;
}

std::uint64_t key_hash(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }

}  // namespace

std::size_t RevocationIndex::probe(std::string_view key, std::uint64_t hash) const noexcept {
    const std::size_t mask = m_slots.size() - 1;
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = static_cast<std::size_t>(hash) & mask;; i = (i + 1) & mask) {
        const Slot& s = m_slots[i];
        if (s.size == 0) return i;
        if (s.tag == tag && std::string_view(m_keys).substr(s.offset, s.size) == key) return i;
    }
}

void RevocationIndex::grow(std::size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(m_slots);
    for (const Slot& s : old) {
        if (s.size == 0) continue;
        const std::string_view key = std::string_view(m_keys).substr(s.offset, s.size);
        m_slots[probe(key, key_hash(key))] = s;
    }
}

void RevocationIndex::reserve(std::size_t entries) {
    std::size_t capacity = m_slots.empty() ? 16 : m_slots.size();
    while (capacity < 2 * (m_count + entries)) capacity *= 2;
    if (capacity != m_slots.size()) grow(capacity);
    m_keys.reserve(m_keys.size() + entries * 48);
}

void RevocationIndex::add(RevokeType type, const std::string& match_value, const std::string& list_id) {
    if (2 * (m_count + 1) > m_slots.size()) grow(m_slots.empty() ? 16 : 2 * m_slots.size());
    const auto key = index_key(type, match_value);
    const auto hash = key_hash(key);
    Slot& s = m_slots[probe(key, hash)];
    m_has[static_cast<std::size_t>(type)] = true;
    if (s.size != 0) return;  // the first list that revoked it is the one named
    // Offsets are 32-bit: four gigabytes of values is some forty times the largest list read.
    if (m_keys.size() + key.size() > UINT32_MAX)
        throw std::length_error("a revocation index holds at most 4 GiB of values");
    if (m_lists.empty() || m_lists.back() != list_id) {
        const auto it = std::find(m_lists.begin(), m_lists.end(), list_id);
        if (it == m_lists.end())
            m_lists.push_back(list_id);
        else
            std::rotate(it, it + 1, m_lists.end());  // keeps the last one used at the back
    }
    s.tag = static_cast<std::uint32_t>(hash >> 32);
    s.offset = static_cast<std::uint32_t>(m_keys.size());
    s.size = static_cast<std::uint32_t>(key.size());
    s.list = static_cast<std::uint32_t>(m_lists.size() - 1);
    m_keys += key;
    ++m_count;
}

std::optional<RevocationMatch> RevocationIndex::lookup(RevokeType type, const std::string& value) const {
    if (value.empty() || m_count == 0) return std::nullopt;
    const auto key = index_key(type, value);
    const Slot& s = m_slots[probe(key, key_hash(key))];
    if (s.size == 0) return std::nullopt;
    return RevocationMatch{type, value, m_lists[s.list]};
}

std::size_t RevocationIndex::memory_bytes() const noexcept {
    std::size_t n = m_slots.capacity() * sizeof(Slot) + m_keys.capacity();
    for (const auto& l : m_lists) n += sizeof(std::string) + l.capacity();
    return n;
}

std::optional<RevocationMatch> RevocationIndex::find(const Certificate& d) const {
    if (m_count == 0) return std::nullopt;
    std::optional<RevocationMatch> m;
    // Values are computed only for types some list revokes by (the hash last: it is the costly one).
    const auto check = [&](RevokeType type, auto&& value) {
        if (!m && has(type)) m = lookup(type, value());
    };
    // A document without DESCRIPTOR has no licence ID: no license-id entry can name it.
    if (d.descriptor) check(RevokeType::LicenseId, [&] { return normalised_id(d.descriptor->id.value); });
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

namespace {

// The checks of a list's document: its signature with its own ISSUER key, and its age.
CheckedList check_document(const Certificate& d, Time at, std::optional<std::int64_t> max_age_seconds) {
    CheckedList c;
    c.list_id = d.id_text();
    c.issued = d.issued;
    c.signer_fingerprint = d.issuer.key ? d.issuer.key->fingerprint() : std::string();
    if (!verify_signature(d).ok()) {
        c.problem = "its signature does not verify with its ISSUER key";
    } else if (d.validity && !d.validity->contains(at)) {
        c.problem = "it is valid " + d.validity->from.to_xrml() + " until " + d.validity->until.to_xrml() +
                    ", not at " + at.to_xrml();
    } else if (max_age_seconds && at.unix_seconds() - d.issued.unix_seconds() > *max_age_seconds) {
        c.problem = "it was issued " + d.issued.to_xrml() + ", more than the allowed age before " + at.to_xrml();
    }
    return c;
}

}  // namespace

CheckedList check_list(const RevocationList& list, Time at, std::optional<std::int64_t> max_age_seconds) {
    auto c = check_document(list.document, at, max_age_seconds);
    if (c.problem.empty()) c.index.add(list);
    return c;
}

CheckedList read_checked_list(std::string text, Time at, std::optional<std::int64_t> max_age_seconds,
                              const RevocationReadOptions& options) {
    CheckedList c;
    read_revocation_list_streaming(
        std::move(text), options,
        [&](const Certificate& d, std::size_t revokes) {
            c = check_document(d, at, max_age_seconds);
            if (!c.problem.empty()) return false;
            c.index.reserve(revokes);
            return true;
        },
        [&](const RevokeEntry& e) { c.index.add(e, c.list_id); });
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
        const auto& id = l.list_id;
        if (!l.problem.empty()) {
            out.ignored.push_back(id + ": " + l.problem);
        } else if (demanded && at.unix_seconds() - l.issued.unix_seconds() > *demanded) {
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
                out.ignored.push_back(usable[k]->list_id + ": its signer " +
                                      usable[k]->signer_fingerprint.substr(0, 16) +
                                      "… may not revoke anything in this chain");
            }
        }
    }
    return out;
}

}  // namespace xrca::xrml
