// The cluster key export and its import (docs/backup.md): AD RMS's trusted publishing domain,
// for disaster recovery and for moving a cluster to another installation.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"

#include <botan/rsa.h>

namespace xrca::ca {

void Authority::check_cluster_key_exportable() {
    if (m_role == Role::Enrollment)
        throw Error(ErrorKind::WrongState, "an enrollment service has no cluster key to export; back it up instead");
    if (m_record.state != state_name(AuthorityState::Active))
        throw Error(ErrorKind::WrongState, "this cluster is " + m_record.state +
                                               ": only a cluster with its SLC can be exported (back it up instead)");
    const auto blob = m_store.load_key(key_name(KeyName::Cluster));
    if (!blob) throw Error(ErrorKind::WrongState, "this cluster holds no cluster key");
    if (blob->custody == store::KeyCustody::Pkcs11) {
        throw Error(ErrorKind::PolicyDenied,
                    "the cluster key is held in a PKCS#11 token and cannot leave it: back the token up with its own "
                    "tools, and the store with `xrca backup`");
    }
}

std::string Authority::export_cluster_key(const Password& export_password, const Caller& caller) {
    std::string inputs = "guid=" + m_record.guid;
    return logged("ClusterKeyExport", caller, inputs, [&] {
        check_cluster_key_exportable();
        ClusterKeyExport e;
        e.role = m_record.role;
        e.guid = m_record.guid;
        e.name = m_record.name;
        e.base_url = m_record.base_url;
        e.crypto_mode = m_record.crypto_mode;
        e.revocation = m_record.revocation;
        e.revocation_authorities = m_store.load_chain(detail::k_revocation_authorities);
        e.anchor_fingerprint = m_record.anchor_fingerprint;
        e.sku = m_record.sku;
        e.version = m_record.version;
        e.exported = m_clock.now().to_iso8601();
        e.slc_chain = m_store.load_chain(detail::k_slc_chain);
        e.key = m_keys.extract(KeyName::Cluster);
        if (m_store.load_key(key_name(KeyName::ClusterPrevious)))
            e.previous_key = m_keys.extract(KeyName::ClusterPrevious);
        const auto slc = own_slc().id_text();
        inputs += "; slc=" + slc + (e.previous_key ? "; with the previous key" : "");
        auto text = write_cluster_key_export(e, export_password, m_rng);
        // Only fingerprints and IDs reach the log, never the export or its password.
        m_store.append_log(log_entry(
            new_id(), "ClusterKeyExport", caller, inputs, slc, "accepted",
            "exported cluster key " + signer(KeyName::Cluster).public_key().fingerprint() + " with SLC " + slc));
        return text;
    });
}

void Authority::provision_from_export(const Collaborators& with, const ClusterKeyExport& e, const Caller& caller,
                                      const AuthorityOptions& options) {
    const auto role = parse_role(e.role);
    if (role == Role::Enrollment) throw Error(ErrorKind::Malformed, "the export is of an enrollment service");
    const auto mode = CryptoMode::from_number(e.crypto_mode);
    if (!mode) throw Error(ErrorKind::Malformed, "the export names an unknown crypto mode");
    const auto revocation = parse_revocation_mode(e.revocation);
    if (!revocation) throw Error(ErrorKind::Malformed, "the export names an unknown revocation mode " + e.revocation);
    if (e.anchor_fingerprint.empty()) throw Error(ErrorKind::Malformed, "the export names no trust anchor");
    if (auto existing = with.store.load_authority()) {
        throw Error(ErrorKind::Conflict, "this store already holds the " + existing->role + " authority '" +
                                             existing->name + "'; import into an empty one");
    }
    store::AuthorityRecord record;
    record.role = role_name(role);
    record.name = e.name;
    record.guid = e.guid;
    record.base_url = e.base_url;
    record.crypto_mode = mode->number();
    record.state = state_name(AuthorityState::AwaitingResponse);  // until the SLC chain is checked and installed
    record.revocation = revocation_mode_name(*revocation);
    record.anchor_fingerprint = e.anchor_fingerprint;
    record.sku = e.sku;
    record.version = e.version;
    record.created = with.clock.now().floor_minute().to_iso8601();

    const auto cluster = with.keys.adopt(KeyName::Cluster, *e.key, mode->digest());
    check_key_for_mode(cluster.public_key, *mode, "the exported cluster key");
    std::vector<store::KeyBlob> keys{cluster.record};
    if (e.previous_key)
        keys.push_back(with.keys.adopt(KeyName::ClusterPrevious, *e.previous_key, mode->digest()).record);
    if (role == Role::Root) {
        for (auto& secret : with.keys.provisioning_secrets()) keys.push_back(std::move(secret));
    }
    std::vector<store::ChainRecord> chains;
    if (!e.revocation_authorities.empty())
        chains.push_back({detail::k_revocation_authorities, e.revocation_authorities});

    Audit audit(with.store, with.clock, with.rng);
    const auto inputs = "guid=" + e.guid + "; role=" + record.role + "; key=" + cluster.public_key.fingerprint() +
                        "; exported=" + e.exported + (e.previous_key ? "; with the previous key" : "");
    const auto entry = audit.entry(new_guid(with.rng), "ClusterKeyImport", caller, inputs, "", "accepted",
                                   "imported the cluster key of " + record.role + " cluster " + e.guid);
    with.store.create_authority(record, keys, chains, entry);
    // The SLC chain is checked as an imported response is: to the anchor, for this key, GUID and URL.
    Authority imported(with, options);
    imported.activate(e.slc_chain, caller);
}

}  // namespace xrca::ca
