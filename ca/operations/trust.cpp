// Trust lists (docs/policy.md): the SPC and RAC issuers a cluster accepts besides its own.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::ca {

std::vector<std::string> Authority::trusted_spc_issuers() { return policy()->spc_issuers; }

std::vector<std::string> Authority::trusted_rac_issuers() { return policy()->rac_issuers; }

// Read into each policy snapshot (policy.cpp), so a request reads none of this itself.
std::vector<std::string> Authority::read_spc_issuers(const std::vector<store::TrustRecord>& trust) {
    std::vector<std::string> out;
    const auto activation = m_store.load_key(key_name(KeyName::Activation));
    if (activation) out.push_back(activation->fingerprint);
    for (const auto& t : trust) {
        if (t.purpose == trust_purpose_name(TrustPurpose::SpcIssuer)) out.push_back(t.fingerprint);
    }
    return out;
}

std::vector<std::string> Authority::read_rac_issuers(const std::vector<store::TrustRecord>& trust) {
    std::vector<std::string> out;
    const auto cluster = m_store.load_key(key_name(KeyName::Cluster));
    if (cluster) out.push_back(cluster->fingerprint);
    // RACs issued before a renewal with a new key still chain to the previous SLC key.
    const auto previous = m_store.load_key(key_name(KeyName::ClusterPrevious));
    if (previous) out.push_back(previous->fingerprint);
    if (m_role == Role::Licensing && !own_chain().empty()) {
        // The root cluster's SLC key issued our SLC: RACs it issued are trusted here (reference §3.2).
        const auto slc = own_slc();
        out.push_back(slc.issuer.key->fingerprint());
    }
    for (const auto& t : trust) {
        if (t.purpose == trust_purpose_name(TrustPurpose::RacIssuer)) out.push_back(t.fingerprint);
    }
    return out;
}

void Authority::add_trust(TrustPurpose purpose_value, const xrml::PublicKey& key, const std::string& label,
                          const Caller& caller) {
    const std::string purpose = trust_purpose_name(purpose_value);
    const std::string inputs = "purpose=" + purpose + "; key=" + key.fingerprint();
    logged("TrustAdd", caller, inputs, [&] {
        require(Action::KeepTrustLists, "keep trust lists (it issues only SLCs)");
        if (purpose_value == TrustPurpose::SpcIssuer) require(Action::TrustSpcIssuers, "accept machine certificates");
        store::TrustRecord r{key.fingerprint(), purpose, xrml::build_public_key_element(key), label,
                             m_clock.now().to_iso8601()};
        try {
            m_store.add_trust(r, log_entry(new_id(), "TrustAdd", caller, inputs, "", "accepted", "trusted " + purpose));
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, "key " + key.fingerprint() + " is already trusted as " + purpose);
        }
        return 0;
    });
}

void Authority::remove_trust(const std::string& fingerprint, const Caller& caller) {
    const std::string inputs = "key=" + fingerprint;
    logged("TrustRemove", caller, inputs, [&] {
        const bool removed = m_store.remove_trust(
            fingerprint, log_entry(new_id(), "TrustRemove", caller, inputs, "", "accepted", "removed"));
        if (!removed) throw Error(ErrorKind::NotFound, "no trusted key has the fingerprint " + fingerprint);
        return 0;
    });
}

std::vector<store::TrustRecord> Authority::list_trust() { return m_store.list_trust(); }

}  // namespace xrca::ca
