// The authority's core: opening, the issuance cycle, refusal logging, trust lists and status.
// Issuance of each kind is in issuance.cpp; provisioning in provisioning.cpp.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/signer.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

#include <algorithm>

namespace xrca::ca {

const char* role_name(Role role) noexcept {
    switch (role) {
        case Role::Enrollment: return "enrollment";
        case Role::Root: return "root";
        case Role::Licensing: return "licensing";
    }
    return "unknown";
}

Role parse_role(const std::string& text) {
    if (text == "enrollment") return Role::Enrollment;
    if (text == "root") return Role::Root;
    if (text == "licensing") return Role::Licensing;
    throw Error(ErrorKind::Usage, "role must be enrollment, root or licensing, not '" + text + "'");
}

const char* state_name(AuthorityState state) noexcept {
    switch (state) {
        case AuthorityState::AwaitingResponse: return "awaiting-response";
        case AuthorityState::Active: return "active";
        case AuthorityState::Decommissioned: return "decommissioned";
    }
    return "unknown";
}

AuthorityState parse_state(const std::string& text) {
    for (const auto s : {AuthorityState::AwaitingResponse, AuthorityState::Active, AuthorityState::Decommissioned}) {
        if (text == state_name(s)) return s;
    }
    throw Error(ErrorKind::Internal, "the store holds an unknown authority state '" + text + "'");
}

const char* revocation_mode_name(RevocationMode mode) noexcept {
    return mode == RevocationMode::Custom ? "custom" : "standard";
}

std::optional<RevocationMode> parse_revocation_mode(const std::string& text) {
    if (text == "standard") return RevocationMode::Standard;
    if (text == "custom") return RevocationMode::Custom;
    return std::nullopt;
}

const char* cluster_operation_name(ClusterOperation operation) noexcept {
    return operation == ClusterOperation::SubEnroll ? "SubEnroll" : "Enroll";
}

std::optional<ClusterOperation> parse_cluster_operation(const std::string& text) {
    if (text == "Enroll") return ClusterOperation::Enroll;
    if (text == "SubEnroll") return ClusterOperation::SubEnroll;
    return std::nullopt;
}

std::string IssuedChain::text() const { return chain_text(documents); }

Authority::Authority(const Collaborators& with, AuthorityOptions options)
    : m_store(with.store),
      m_clock(with.clock),
      m_rng(with.rng),
      m_keys(with.keys),
      m_client_keys(with.client_keys),
      m_audit(with.store, with.clock, with.rng),
      m_options(std::move(options)) {
    auto record = detail::storage([&] { return m_store.load_authority(); });
    if (!record) throw Error(ErrorKind::NotFound, "no authority here: run `xrca init` first");
    m_record = *record;
    m_role = parse_role(m_record.role);
}

Authority::~Authority() = default;

std::string Authority::new_id() { return new_guid(m_rng); }

store::LogEntry Authority::log_entry(const std::string& request_id, const char* operation, const Caller& caller,
                                     const std::string& inputs, const std::string& certificate_id,
                                     const std::string& outcome, const std::string& reason) const {
    return m_audit.entry(request_id, operation, caller, inputs, certificate_id, outcome, reason);
}

// The issuance cycle (docs/issuance-cycle.md): 1. record the intent (pending row with the exact
// BODY, and the log entry) in one transaction; 2. sign; 3. mark issued with the signed text.
// Only then does the document leave. A failure after step 1 leaves the pending row as
// evidence and marks it abandoned when it can.
std::string Authority::run_issuance(const Issuance& w) {
    store::CertificateRecord pending;
    pending.id = w.id;
    pending.kind = w.kind;
    pending.subject = w.subject;
    pending.issuer_fingerprint = w.signer->public_key().fingerprint();
    pending.key_fingerprint = w.key_fingerprint;
    pending.issued = w.issued.to_iso8601();
    if (w.validity) {
        pending.valid_from = w.validity->from.to_iso8601();
        pending.valid_until = w.validity->until.to_iso8601();
    }
    pending.body = w.body;
    pending.request_id = w.request_id;
    pending.license_hash = xrml::body_license_hash(w.body);
    detail::storage([&] {
        m_store.reserve_issuance(pending, log_entry(w.request_id, w.operation, *w.caller, w.inputs, w.id, "accepted",
                                                    "issued " + w.kind));
        return 0;
    });
    try {
        auto document = w.signer->sign_document(w.body);
        m_store.complete_issuance(w.id, document);
        return document;
    } catch (const std::exception& e) {
        try {
            m_store.abandon_issuance(w.id, log_entry(w.request_id, w.operation, *w.caller, w.inputs, w.id, "failed",
                                                     std::string("internal: ") + e.what()));
        } catch (const std::exception&) {
        }
        Audit::recorded();  // the entry saying "failed" is this request's outcome: no refusal on top
        throw Error(ErrorKind::Internal, "issuing " + w.kind + " " + w.id + " failed after it was recorded: " + e.what());
    }
}

void Authority::require(bool allowed, const std::string& what) const {
    if (!allowed) {
        throw Error(ErrorKind::PolicyDenied, "a " + m_record.role + " authority does not " + what + " (see docs/policy.md)",
                    RmsFault::UnauthorizedAccess);
    }
}

Signer& Authority::signer(KeyName name) { return m_keys.signer(name, mode().digest()); }

CryptoMode Authority::mode() const {
    const auto mode = CryptoMode::from_number(m_record.crypto_mode);
    if (!mode) throw Error(ErrorKind::Internal, "the store holds an unknown crypto mode " + std::to_string(m_record.crypto_mode));
    return *mode;
}

std::shared_ptr<const Botan::RSA_PrivateKey> Authority::user_key(const std::string& user_id, const std::string& email) {
    static constexpr std::size_t k_cached_user_keys = 4096;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_user_keys.find(user_id);
        if (it != m_user_keys.end()) return it->second;
    }
    std::shared_ptr<const Botan::RSA_PrivateKey> key;
    if (auto existing = detail::storage([&] { return m_store.find_user_key(user_id); })) {
        key = m_keys.recover_user_key(existing->encrypted, user_id);
    } else {
        auto fresh = m_client_keys.take();
        store::UserKeyRecord record{user_id, email, xrml::PublicKey::from_botan(*fresh).fingerprint(),
                                    m_keys.escrow_user_key(*fresh, user_id), m_clock.now().to_iso8601()};
        const auto stored = detail::storage([&] { return m_store.insert_user_key_if_absent(record); });
        // Another request may have won the race: the stored key is the user's key.
        key = stored.fingerprint == record.fingerprint ? std::move(fresh) : m_keys.recover_user_key(stored.encrypted, user_id);
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_user_keys.size() >= k_cached_user_keys) m_user_keys.clear();
    return m_user_keys.emplace(user_id, key).first->second;
}

std::vector<std::string> Authority::own_chain() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_own_chain || m_own_chain->empty()) {
        const char* purpose = m_role == Role::Enrollment ? detail::k_enrollment_chain : detail::k_slc_chain;
        m_own_chain = detail::storage([&] { return m_store.load_chain(purpose); });
    }
    return *m_own_chain;
}

std::vector<std::string> Authority::get_licensor_certificate(const Caller& caller) {
    return logged("GetLicensorCertificate", caller, "", [&] {
        // A decommissioned cluster still serves its chain, so that what it issued can be verified.
        auto chain = own_chain();
        if (chain.empty()) throw Error(ErrorKind::WrongState, "this cluster is awaiting enrollment and has no chain yet");
        const auto slc_id = xrml::read_documents(chain.front()).documents.at(0).descriptor.id.value;
        m_audit.append(log_entry(new_id(), "GetLicensorCertificate", caller, "", slc_id, "accepted",
                                 "returned the chain of " + std::to_string(chain.size()) + " documents"));
        return chain;
    });
}

xrml::Certificate Authority::own_slc() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_own_slc) {
        const char* purpose = m_role == Role::Enrollment ? detail::k_enrollment_chain : detail::k_slc_chain;
        const auto chain = detail::storage([&] { return m_store.load_chain(purpose); });
        if (chain.empty()) throw Error(ErrorKind::WrongState, "this authority has no certificate yet");
        m_own_slc = xrml::read_documents(chain.front()).documents.at(0);
    }
    return *m_own_slc;
}

xrml::Principal Authority::own_principal() { return as_issuer(own_slc()); }

xrml::PublicKey Authority::cluster_public_key() { return signer(KeyName::Cluster).public_key(); }

xrml::PublicKey Authority::anchor_public_key() {
    // The root key travels in no document, but it is the ISSUER key of the top of every chain.
    const auto chain = own_chain();
    if (chain.empty()) {
        throw Error(ErrorKind::NotFound, "this cluster holds no chain yet; its anchor is known only by its fingerprint " +
                                             (m_record.anchor_fingerprint.empty() ? std::string("(none set)") : m_record.anchor_fingerprint));
    }
    return *xrml::read_documents(chain.back()).documents.at(0).issuer.key;
}

std::vector<std::string> Authority::trusted_spc_issuers() {
    std::vector<std::string> out;
    const auto activation = detail::storage([&] { return m_store.load_key(key_name(KeyName::Activation)); });
    if (activation) out.push_back(activation->fingerprint);
    for (const auto& t : list_trust()) {
        if (t.purpose == "spc-issuer") out.push_back(t.fingerprint);
    }
    return out;
}

std::vector<std::string> Authority::trusted_rac_issuers() {
    std::vector<std::string> out;
    const auto cluster = detail::storage([&] { return m_store.load_key(key_name(KeyName::Cluster)); });
    if (cluster) out.push_back(cluster->fingerprint);
    // RACs issued before a renewal with a new key still chain to the previous SLC key.
    const auto previous = detail::storage([&] { return m_store.load_key(key_name(KeyName::ClusterPrevious)); });
    if (previous) out.push_back(previous->fingerprint);
    if (m_role == Role::Licensing) {
        // The root cluster's SLC key issued our SLC: RACs it issued are trusted here (reference §3.2).
        const auto slc = own_slc();
        out.push_back(slc.issuer.key->fingerprint());
    }
    for (const auto& t : list_trust()) {
        if (t.purpose == "rac-issuer") out.push_back(t.fingerprint);
    }
    return out;
}

void Authority::add_trust(const std::string& purpose, const xrml::PublicKey& key, const std::string& label,
                          const Caller& caller) {
    const std::string inputs = "purpose=" + purpose + "; key=" + key.fingerprint();
    logged("TrustAdd", caller, inputs, [&] {
        if (purpose != "spc-issuer" && purpose != "rac-issuer") {
            throw Error(ErrorKind::Usage, "trust purpose must be spc-issuer or rac-issuer");
        }
        require(m_role != Role::Enrollment, "keep trust lists (it issues only SLCs)");
        require(purpose == "rac-issuer" || m_role == Role::Root, "accept machine certificates");
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
        const bool removed = detail::storage([&] {
            return m_store.remove_trust(fingerprint,
                                        log_entry(new_id(), "TrustRemove", caller, inputs, "", "accepted", "removed"));
        });
        if (!removed) throw Error(ErrorKind::NotFound, "no trusted key has the fingerprint " + fingerprint);
        return 0;
    });
}

std::vector<store::TrustRecord> Authority::list_trust() {
    return detail::storage([&] { return m_store.list_trust(); });
}

AuthorityStatus Authority::status() {
    AuthorityStatus s;
    s.role = m_record.role;
    s.name = m_record.name;
    s.guid = m_record.guid;
    s.base_url = m_record.base_url;
    s.state = decommissioned() ? "decommissioned" : m_record.state;
    s.revocation = m_record.revocation;
    s.anchor_fingerprint = m_record.anchor_fingerprint;
    s.crypto_mode = mode();
    const auto chain = own_chain();
    if (!chain.empty()) {
        const auto slc = own_slc();
        s.slc_validity = slc.validity ? slc.validity : (slc.issue_right ? slc.issue_right->range : std::nullopt);
        if (slc.principal && slc.principal->key) s.slc_key_fingerprint = slc.principal->key->fingerprint();
    }
    if (const auto pending = detail::storage([&] { return m_store.pending_offline_request(); })) {
        s.pending_request_id = pending->request_id;
        s.pending_key_fingerprint = pending->key_fingerprint;
    }
    const auto counts = detail::storage([&] { return m_store.counts(); });
    s.issued_by_kind = counts.issued_by_kind;
    s.pending = counts.pending;
    s.user_keys = counts.user_keys;
    s.log_entries = counts.log_entries;
    s.trusted_keys = counts.trusted_keys;
    return s;
}

}  // namespace xrca::ca
