// `xrca status`: what the authority is, where it stands, and what it holds.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/key_ring.h"
#include "ca/pkcs11_reference.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <algorithm>

namespace xrca::ca {

AuthorityStatus Authority::status() {
    // What another process may have changed since this one started (a decommission, the
    // extranet URL) is read again, as policy() would; but from the record alone: the policy
    // snapshot's revocations, exclusions and trust lists are four more reads that status shows
    // nothing of.
    const auto current = m_store.load_authority();
    AuthorityStatus s;
    s.role = m_record.role;
    s.name = m_record.name;
    s.guid = m_record.guid;
    s.base_url = m_record.base_url;
    s.extranet_url = current ? current->extranet_url : m_record.extranet_url;
    s.state = is_decommissioned(m_record.state, current) ? state_name(AuthorityState::Decommissioned) : m_record.state;
    s.revocation = m_record.revocation;
    s.anchor_fingerprint = m_record.anchor_fingerprint;
    s.crypto_mode = mode();
    if (!own_chain().empty()) {
        const auto slc = own_slc();
        s.slc_validity = own_certificate_validity();
        if (slc.principal && slc.principal->key) s.slc_key_fingerprint = slc.principal->key->fingerprint();
    }
    if (const auto pending = m_store.pending_offline_request()) {
        s.pending_request_id = pending->request_id;
        s.pending_key_fingerprint = pending->key_fingerprint;
    }
    const auto counts = m_store.counts();
    s.issued_by_kind = counts.issued_by_kind;
    s.pending = counts.pending;
    s.user_keys = counts.user_keys;
    s.log_entries = counts.log_entries;
    s.trusted_keys = counts.trusted_keys;
    // Where each key lives: read from the store, so that status needs no key password or PIN.
    // One read of them all, shown in this order.
    std::vector<std::string> names;
    for (const auto name : {KeyName::Root, KeyName::Ca, KeyName::EnrollmentCa, KeyName::EnrollmentService,
                            KeyName::Cluster, KeyName::ClusterNext, KeyName::ClusterPrevious, KeyName::Activation})
        names.emplace_back(key_name(name));
    names.emplace_back(k_pkcs11_escrow_key);
    const auto stored = m_store.list_keys();
    for (const auto& name : names) {
        const auto blob = std::find_if(stored.begin(), stored.end(), [&](const auto& k) { return k.name == name; });
        if (blob == stored.end()) continue;
        KeyLocation location{name, blob->fingerprint, blob->custody, {}, {}};
        if (blob->custody == store::KeyCustody::Pkcs11) {
            const auto reference = read_pkcs11_reference(blob->encrypted, name);
            location.token = reference.token;
            location.object = reference.object;
        }
        s.keys.push_back(std::move(location));
    }
    return s;
}

}  // namespace xrca::ca
