// The policy snapshot (docs/policy.md): revocations, exclusions, trust lists and the
// authority's state, read once per request and re-read only when another process changed them.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/revocation.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace xrca::ca {

namespace {

constexpr const char* k_own_revocations = "this authority's revocations";

}  // namespace

// Dotted versions ("5.2.3790.134") compared part by part as numbers; missing parts are 0.
std::vector<std::uint64_t> parse_version(const std::string& text) {
    std::vector<std::uint64_t> parts;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const auto dot = std::min(text.find('.', pos), text.size());
        const auto part = text.substr(pos, dot - pos);
        if (part.empty() || part.size() > 9 ||
            !std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); })) {
            throw Error(ErrorKind::Malformed,
                        "'" + text.substr(0, 64) + "' is not a dotted version such as 5.2.3790.134");
        }
        parts.push_back(std::stoull(part));
        pos = dot + 1;
        if (dot == text.size()) break;
    }
    if (parts.size() > 4) throw Error(ErrorKind::Malformed, "'" + text.substr(0, 64) + "' has more than four parts");
    parts.resize(4, 0);
    return parts;
}

std::shared_ptr<const Authority::Policy> Authority::policy() {
    // One cheap read per request: another process (`xrca revoke` or `xrca trust add` beside
    // `xrca serve`) may have changed what is revoked, excluded, trusted or decommissioned.
    const auto revision = m_store.policy_revision();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_policy && m_policy->revision == revision) return m_policy;
    }
    auto p = std::make_shared<Policy>();
    p->revision = revision;
    for (const auto& r : m_store.list_revocations()) {
        if (const auto type = xrml::parse_revoke_type(r.type)) p->revoked.add(*type, r.value, k_own_revocations);
    }
    for (const auto& x : m_store.list_exclusions()) {
        if (x.kind == exclusion_kind_name(ExclusionKind::RacKey)) p->excluded_rac_keys.insert(x.value);
        if (x.kind == exclusion_kind_name(ExclusionKind::MinSpcVersion)) {
            p->min_spc_version = parse_version(x.value);
            p->min_spc_version_text = x.value;
        }
    }
    const auto record = m_store.load_authority();
    p->decommissioned = is_decommissioned(m_record.state, record);
    if (record) p->extranet_url = record->extranet_url;
    const auto trust = m_store.list_trust();
    p->spc_issuers = read_spc_issuers(trust);
    p->rac_issuers = read_rac_issuers(trust);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_policy = std::move(p);
    return m_policy;
}

std::shared_ptr<const Authority::Policy> Authority::require_active() {
    if (m_record.state == "awaiting-response") {
        throw Error(ErrorKind::WrongState,
                    "this cluster is awaiting enrollment: it issues nothing until its SLC response is imported");
    }
    auto p = policy();
    if (p->decommissioned) {
        throw Error(ErrorKind::PolicyDenied, "this cluster is decommissioned", RmsFault::ClusterDecommissioned);
    }
    return p;
}

bool Authority::decommissioned() { return policy()->decommissioned; }

void Authority::check_not_revoked(const Policy& p, const std::vector<xrml::Certificate>& docs, RmsFault fault,
                                  const char* what) {
    for (const auto& d : docs) {
        if (const auto m = p.revoked.find(d)) {
            throw Error(ErrorKind::Revoked,
                        std::string(what) + " is revoked: its " + d.description() + " " + d.id_text() +
                            " matches the " + xrml::revoke_type_name(m->type) + " revocation of " + m->value,
                        fault);
        }
    }
}

void Authority::check_cluster_not_revoked(const Policy& p, const xrml::PublicKey& key, const std::string& guid) {
    const auto& fp = key.fingerprint();
    std::optional<xrml::RevocationMatch> m;
    for (const auto type : {xrml::RevokeType::PrincipalKey, xrml::RevokeType::IssuerKey}) {
        if (!m) m = p.revoked.find_value(type, fp);
    }
    for (const auto type : {xrml::RevokeType::PrincipalId, xrml::RevokeType::IssuerId}) {
        if (!m) m = p.revoked.find_value(type, xrml::revocation_id_value(guid));
    }
    if (m) {
        throw Error(ErrorKind::Revoked,
                    std::string("the cluster is revoked here (") + xrml::revoke_type_name(m->type) + " " + m->value +
                        "): it is not certified again",
                    RmsFault::UnauthorizedAccess);
    }
}

void Authority::check_machine_key_not_revoked(const Policy& p, const xrml::PublicKey& key) {
    if (const auto m = p.revoked.find_value(xrml::RevokeType::PrincipalKey, key.fingerprint())) {
        throw Error(ErrorKind::Revoked, "the machine key " + m->value + " is revoked",
                    RmsFault::VerifyMachineCertificateChainFailed);
    }
}

void Authority::check_user_not_revoked(const Policy& p, const std::string& user_id) {
    if (p.revoked.find_value(xrml::RevokeType::PrincipalId, xrml::revocation_id_value(user_id))) {
        throw Error(ErrorKind::Revoked, "the user " + user_id.substr(0, 64) + " is revoked",
                    RmsFault::UnauthorizedAccess);
    }
}

std::string four_part_version(const std::string& text) {
    const auto parts = parse_version(text);
    std::string out;
    for (const auto part : parts) out += (out.empty() ? "" : ".") + std::to_string(part);
    return out;
}

std::optional<std::vector<std::uint64_t>> trailing_version(const std::string& text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t end = text.size();
    while (end > 0 && is_space(text[end - 1])) --end;
    std::size_t begin = end;
    while (begin > 0 && !is_space(text[begin - 1])) --begin;
    try {
        return parse_version(text.substr(begin, end - begin));
    } catch (const Error&) {
        return std::nullopt;
    }
}

void Authority::check_spc_version(const Policy& p, const std::string& repository) {
    if (!p.min_spc_version) return;
    // Real SPCs write prose ending in the version ("… secure repository 6.1.7600.16385").
    const auto version = trailing_version(repository);
    if (!version) {
        // An unreadable version is not shown to be new enough.
        throw Error(ErrorKind::Revoked,
                    "the machine's security processor (Repository '" + repository.substr(0, 96) +
                        "') does not end in a dotted version such as 6.1.7600.16385, so it is not shown to meet the "
                        "minimum " +
                        p.min_spc_version_text + " this cluster accepts",
                    RmsFault::BlackBoxIsInvalid);
    }
    if (*version < *p.min_spc_version) {
        throw Error(ErrorKind::Revoked,
                    "the machine's security processor version (Repository '" + repository.substr(0, 96) +
                        "') is below the minimum " + p.min_spc_version_text + " this cluster accepts",
                    RmsFault::BlackBoxIsInvalid);
    }
}

void Authority::check_rac_key_not_excluded(const Policy& p, const xrml::PublicKey& key) {
    if (p.excluded_rac_keys.count(key.fingerprint()) != 0) {
        throw Error(ErrorKind::Revoked, "the RAC key " + key.fingerprint() + " is excluded by this cluster",
                    RmsFault::DrmacIsExcluded);
    }
}

}  // namespace xrca::ca
