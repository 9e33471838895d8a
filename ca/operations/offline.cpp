// A cluster's own enrollment: writing its offline request, importing the response, and
// becoming active on an SLC chain (online or by file).
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::ca {

void Authority::set_trust_anchor(const std::string& fingerprint, const Caller& caller) {
    logged("SetTrustAnchor", caller, "anchor=" + fingerprint.substr(0, 64), [&] {
        if (m_role == Role::Enrollment)
            throw Error(ErrorKind::Usage, "an enrollment service is the trust anchor itself");
        // Once active, the anchor is what the installed chain was verified to: changing it would
        // re-point the cluster's trust without a new chain.
        if (m_record.state != state_name(AuthorityState::AwaitingResponse)) {
            throw Error(
                ErrorKind::WrongState,
                "the trust anchor is set only while the cluster awaits its response (it is " + m_record.state + ")");
        }
        if (!xrml::looks_like_fingerprint(fingerprint))
            throw Error(ErrorKind::Usage, "a trust anchor is a 64-digit key fingerprint");
        store::AuthorityChange change;
        change.anchor_fingerprint = fingerprint;
        change.entry =
            log_entry(new_id(), "SetTrustAnchor", caller, "anchor=" + fingerprint, "", "accepted",
                      m_record.anchor_fingerprint.empty()
                          ? "the SLC chain will be verified to " + fingerprint
                          : "replaced the trust anchor " + m_record.anchor_fingerprint + " by " + fingerprint);
        m_store.apply(change);
        m_record.anchor_fingerprint = fingerprint;
        return 0;
    });
}

// What an SLC chain must show to be installed on this cluster.
struct Authority::SlcCheck {
    std::string key_fingerprint;
    std::optional<std::vector<std::string>> revocation_authorities;  ///< checked when set (Enroll)
};

// A check, nothing more: it reads and verifies, and changes nothing.
void Authority::check_slc_chain(const std::vector<xrml::Certificate>& docs, const SlcCheck& expected) {
    // 1. The chain verifies to the anchor this cluster was initialised with.
    if (m_record.anchor_fingerprint.empty()) {
        throw Error(
            ErrorKind::WrongState,
            "this cluster has no trust anchor: set the one its SLC chain must verify to with `xrca anchor "
            "--set ANCHOR.pub.xml` (the issuer's `xrca anchor -o` file, or its fingerprint), then import again");
    }
    const auto& slc = docs.front();
    const auto verdict = xrml::verify_ordered_chain(docs, {m_record.anchor_fingerprint, m_clock.now(), {}});
    if (!verdict.ok())
        throw Error(ErrorKind::PolicyDenied,
                    "the SLC chain does not verify to this cluster's trust anchor: " + verdict.detail);
    // 2. The SLC certifies exactly this cluster: its key, its GUID, its URL, its revocation authorities.
    if (slc.kind() != xrml::names::server_licensor_certificate || !slc.principal || !slc.principal->key) {
        throw Error(ErrorKind::PolicyDenied,
                    "the first document is a " + slc.description() + ", not a server licensor certificate");
    }
    if (slc.principal->key->fingerprint() != expected.key_fingerprint) {
        throw Error(ErrorKind::PolicyDenied, "the SLC certifies key " + slc.principal->key->fingerprint() +
                                                 ", not this cluster's key " + expected.key_fingerprint);
    }
    if (!slc.principal->object.id.same_as({xrml::names::guid, m_record.guid})) {
        throw Error(ErrorKind::PolicyDenied,
                    "the SLC is for cluster " + slc.principal->object.id.value + ", not " + m_record.guid);
    }
    const auto& addresses = slc.principal->object.addresses;
    if (addresses.empty() || addresses.front().value != m_record.base_url) {
        throw Error(ErrorKind::PolicyDenied, "the SLC does not carry this cluster's URL " + m_record.base_url);
    }
    if (expected.revocation_authorities) {
        std::vector<std::string> found;
        for (const auto& refresh : slc.refresh) {
            for (std::size_t i = 1; i < refresh.points.size(); ++i) {  // point 0 is the SLC issuer's own key
                if (refresh.points[i].key) found.push_back(refresh.points[i].key->fingerprint());
            }
        }
        if (found != *expected.revocation_authorities) {
            throw Error(ErrorKind::PolicyDenied,
                        "the SLC's revocation authorities are not the ones this cluster asked for");
        }
    }
}

// The chains to store for an accepted SLC chain. A root cluster's first SLC gets the machine
// activation issuer, certified under it: a new key, and a certificate issued (and recorded)
// now, as part of the request that installs the SLC.
std::vector<store::ChainRecord> Authority::chains_for_slc(const std::vector<xrml::Certificate>& docs,
                                                          const std::string& request_id, const Caller& caller,
                                                          const std::string& inputs,
                                                          std::vector<store::KeyBlob>& keys) {
    const auto& slc = docs.front();
    std::vector<store::ChainRecord> chains{{detail::k_slc_chain, {}}};
    for (const auto& d : docs) chains[0].documents.push_back(d.raw.text);
    const bool has_activation = m_store.load_key(key_name(KeyName::Activation)).has_value();
    if (m_role == Role::Root && !has_activation) {
        auto activation = m_keys.generate(KeyName::Activation, mode().key_bits(), mode().digest());
        const auto& activation_public = activation.public_key;
        const auto now = m_clock.now().floor_minute();
        xrml::IssuingCertificateTemplate t;
        t.kind = xrml::IssuingKind::ActivationIssuer;
        t.id = new_id();
        t.issued = now;
        t.issuer = as_issuer(slc);
        t.subject.object = xrml::XrmlObject{xrml::names::security_processor,
                                            {xrml::names::guid, new_id()},
                                            "xrca Activation Issuer - " + m_record.name,
                                            {}};
        t.subject.key = activation_public;
        t.issue_range = slc.issue_right && slc.issue_right->range ? *slc.issue_right->range
                                                                  : days_from(now, m_options.slc_validity_days);
        // The SLC's key signs the activation issuer: the key the SLC certifies, which may be
        // the renewal key not yet installed as 'cluster'.
        const bool current = slc.principal->key->fingerprint() == signer(KeyName::Cluster).public_key().fingerprint();
        if (!current && !m_store.load_key(key_name(KeyName::ClusterNext))) {
            throw Error(ErrorKind::WrongState, "the key this SLC certifies is not held here");
        }
        Signer* slc_signer = &signer(current ? KeyName::Cluster : KeyName::ClusterNext);
        Intent is{request_id,
                  "ActivateCluster",
                  &caller,
                  inputs,
                  t.id,
                  "Activation-Issuer",
                  t.subject.object.id.value,
                  activation_public.fingerprint(),
                  now,
                  t.issue_range,
                  xrml::build_issuing_certificate_body(t),
                  slc_signer};
        std::vector<std::string> activation_chain{m_issuer.issue(is)};
        activation_chain.insert(activation_chain.end(), chains[0].documents.begin(), chains[0].documents.end());
        chains.push_back({detail::k_activation_chain, activation_chain});
        keys.push_back(activation.record);
    }
    return chains;
}

void Authority::forget_cached_chains() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_own_slc.reset();
    m_own_chain.reset();
    m_activation.reset();
    m_policy.reset();  // the trusted RAC and SPC issuers include this cluster's own keys
    m_keys.forget();   // a renewal may have installed a new key
    m_verified_chains.clear();
}

void Authority::activate(const std::vector<std::string>& slc_chain, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs;
    logged("ActivateCluster", caller, inputs, [&] {
        // 1. Only a cluster awaiting its SLC is activated this way.
        require(Action::RequestEnrollment, "import SLCs");
        if (m_record.state != "awaiting-response") {
            throw Error(ErrorKind::WrongState, "this cluster is " + m_record.state + ", not awaiting enrollment");
        }
        // 2. Check the chain and the SLC against this cluster; 3. one transaction.
        const auto docs = read_chain(slc_chain, RmsFault::Argument, "the SLC chain");
        inputs = "slc=" + docs.front().id_text();
        std::vector<store::KeyBlob> keys;
        check_slc_chain(docs, {signer(KeyName::Cluster).public_key().fingerprint(), std::nullopt});
        const auto chains = chains_for_slc(docs, request_id, caller, inputs, keys);
        store::AuthorityChange change;
        change.add_keys = keys;
        change.chains = chains;
        change.state = state_name(AuthorityState::Active);
        change.bump_policy_revision = true;  // other processes re-read the trusted issuers
        change.entry = log_entry(request_id, "ActivateCluster", caller, inputs, docs.front().id_text(), "accepted",
                                 "cluster active on SLC " + docs.front().id_text());
        m_store.apply(change);
        m_record.state = "active";
        forget_cached_chains();
        return 0;
    });
}

SignedRequest Authority::create_offline_request(bool renew, bool new_key, const Caller& caller,
                                                const std::function<std::string(const PreparedRequest&)>& write_body) {
    std::string inputs = std::string(renew ? "renew" : "first enrollment") + (new_key ? "; new key" : "");
    return logged("EnrollOffline-Export", caller, inputs, [&] {
        // 1. Clusters ask; an enrollment service is asked.
        require(Action::RequestEnrollment, "write enrollment requests; it answers them");
        if (new_key && !renew) throw Error(ErrorKind::Usage, "--new-key goes with --renew");
        if (renew && m_record.state != "active") {
            throw Error(ErrorKind::WrongState, "only an active cluster renews; this one is " + m_record.state);
        }
        if (!renew && m_record.state != "awaiting-response") {
            throw Error(ErrorKind::WrongState,
                        "this cluster is already " + m_record.state + ": use --renew for a new SLC");
        }
        // 2. The key to certify: the cluster key, or a fresh one kept as 'cluster-next'.
        std::optional<NewKey> fresh;
        if (new_key) {
            fresh = m_keys.generate(KeyName::ClusterNext, mode().key_bits(), mode().digest());
        }
        Signer& key = fresh ? *fresh->signer : signer(KeyName::Cluster);
        SignedRequest out;
        auto& p = out.request;
        p.request_id = new_id();
        p.operation = m_role == Role::Root ? ClusterOperation::Enroll : ClusterOperation::SubEnroll;
        p.created = m_clock.now();
        p.crypto_mode = mode();
        p.cluster_key = key.public_key();
        p.cluster_guid = m_record.guid;
        p.name = m_record.name;
        p.url = m_record.base_url;
        p.sku = m_record.sku;
        p.version = four_part_version(m_record.version);  // older data directories hold "0.1.0"
        p.revocation = parse_revocation_mode(m_record.revocation).value_or(RevocationMode::Standard);
        for (const auto& text : m_store.load_chain(detail::k_revocation_authorities)) {
            p.revocation_authorities.push_back(xrml::read_public_key_file(text));
        }
        // 3. Render, then sign the exact body with the key being certified; a new key also signs
        //    it with the current key, the renewal proof that keeps the GUID bound to its keys.
        out.body = write_body(p);
        out.proof = prove_possession(key, out.body);
        if (fresh) out.renewal_proof = prove_possession(signer(KeyName::Cluster), out.body);
        // 4. Record the pending request (and the new key, encrypted) with its log entry.
        const auto authorities = fingerprints(p.revocation_authorities);
        store::OfflineRequestRecord record{p.request_id,
                                           cluster_operation_name(p.operation),
                                           key_name(new_key ? KeyName::ClusterNext : KeyName::Cluster),
                                           p.cluster_key.fingerprint(),
                                           revocation_mode_name(p.revocation),
                                           authorities,
                                           p.created.to_iso8601(),
                                           "pending"};
        inputs += "; request=" + p.request_id + "; key=" + p.cluster_key.fingerprint();
        // A new request supersedes the one still pending; its new key replaces an unused one.
        store::AuthorityChange change;
        if (const auto earlier = m_store.pending_offline_request()) {
            change.requests.push_back({earlier->request_id, "pending", "superseded"});
        }
        change.new_request = record;
        if (fresh) change.add_keys.push_back(fresh->record);
        change.entry =
            log_entry(p.request_id, "EnrollOffline-Export", caller, inputs, "", "accepted",
                      std::string("wrote ") + cluster_operation_name(p.operation) + " request " + p.request_id);
        m_store.apply(change);
        return out;
    });
}

void Authority::import_response(const std::string& request_id, const std::vector<std::string>& slc_chain,
                                const Caller& caller) {
    std::string inputs = "request=" + request_id;
    logged("EnrollOffline-Import", caller, inputs, [&] {
        require(Action::RequestEnrollment, "import SLCs");
        // 1. The response must answer this cluster's pending request, once.
        const auto request = m_store.find_offline_request(request_id);
        if (!request) {
            throw Error(ErrorKind::PolicyDenied,
                        "this response answers request " + request_id +
                            ", which this cluster never made (a response to another cluster's request?)");
        }
        if (request->state == "imported")
            throw Error(ErrorKind::Conflict,
                        "the response to request " + request_id + " was already imported (a replay)");
        if (request->state != "pending")
            throw Error(ErrorKind::Conflict, "request " + request_id + " was superseded by a newer request");
        // 2. The chain and its SLC must be what was asked for.
        const auto docs = read_chain(slc_chain, RmsFault::Argument, "the SLC chain");
        inputs += "; slc=" + docs.front().id_text();
        SlcCheck check{request->key_fingerprint, std::nullopt};
        if (request->operation == cluster_operation_name(ClusterOperation::Enroll)) {
            std::vector<std::string> authorities;
            std::string rest = request->authorities;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                authorities.push_back(rest.substr(0, comma));
                rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
            }
            check.revocation_authorities = authorities;
        }
        std::vector<store::KeyBlob> keys;
        check_slc_chain(docs, check);
        const auto chains = chains_for_slc(docs, request_id, caller, inputs, keys);
        // 3. One transaction: chain, keys (and the key swap of a renewal), state, log entry.
        //    A request made with a new key promotes it: next -> current -> previous.
        store::AuthorityChange change;
        change.requests.push_back({request_id, "pending", "imported"});
        if (request->key_name == key_name(KeyName::ClusterNext)) add_key_promotion(change);
        change.add_keys = keys;
        change.chains = chains;
        change.state = state_name(AuthorityState::Active);
        change.bump_policy_revision = true;  // other processes re-read the trusted issuers
        change.entry = log_entry(request_id, "EnrollOffline-Import", caller, inputs, docs.front().id_text(), "accepted",
                                 "imported SLC " + docs.front().id_text() + "; cluster active");
        try {
            m_store.apply(change);
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict,
                        "the response to request " + request_id + " was already imported (a replay)");
        }
        m_record.state = "active";
        forget_cached_chains();
        return 0;
    });
}

}  // namespace xrca::ca
