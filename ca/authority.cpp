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

const char* trust_purpose_name(TrustPurpose purpose) noexcept {
    return purpose == TrustPurpose::SpcIssuer ? "spc-issuer" : "rac-issuer";
}

const char* exclusion_kind_name(ExclusionKind kind) noexcept {
    return kind == ExclusionKind::RacKey ? "rac-key" : "min-spc-version";
}

std::string IssuedChain::text() const { return chain_text(documents); }

Authority::Authority(const Collaborators& with, AuthorityOptions options)
    : m_store(with.store),
      m_clock(with.clock),
      m_rng(with.rng),
      m_keys(with.keys),
      m_client_keys(with.client_keys),
      m_audit(with.store, with.clock, with.rng, {options.anonymous_window_seconds, options.anonymous_sources}),
      m_issuer(with.store, m_audit),
      m_options(options),
      m_user_keys(options.cached_user_keys),
      m_verified_chains(options.cached_chains) {
    auto record = m_store.load_authority();
    if (!record) throw Error(ErrorKind::NotFound, "no authority here: run `xrca init` first");
    m_record = *record;
    m_role = parse_role(m_record.role);
}

Authority::~Authority() = default;

std::size_t Authority::abandon_interrupted_issuances(const Caller& caller) {
    const auto before = m_clock.now().plus_seconds(-60 * m_options.stale_pending_minutes);
    return m_issuer.abandon_interrupted(before, caller).size();
}

std::string Authority::new_id() { return new_guid(m_rng); }

store::LogEntry Authority::log_entry(const std::string& request_id, const char* operation, const Caller& caller,
                                     const std::string& inputs, const std::string& certificate_id,
                                     const std::string& outcome, const std::string& reason) const {
    return m_audit.entry(request_id, operation, caller, inputs, certificate_id, outcome, reason);
}

void Authority::require(Action action, const std::string& what) const {
    if (!role_may(m_role, action)) {
        throw Error(ErrorKind::PolicyDenied,
                    "a " + m_record.role + " authority does not " + what + " (see docs/policy.md)",
                    RmsFault::UnauthorizedAccess);
    }
}

IssuedChain Authority::issue_with_chain(const Intent& intent, const std::vector<std::string>& issuer_chain) {
    IssuedChain out{intent.id, intent.kind, {m_issuer.issue(intent)}};
    out.documents.insert(out.documents.end(), issuer_chain.begin(), issuer_chain.end());
    return out;
}

Signer& Authority::signer(KeyName name) { return m_keys.signer(name, mode().digest()); }

CryptoMode Authority::mode() const {
    const auto mode = CryptoMode::from_number(m_record.crypto_mode);
    if (!mode)
        throw Error(ErrorKind::Internal,
                    "the store holds an unknown crypto mode " + std::to_string(m_record.crypto_mode));
    return *mode;
}

std::shared_ptr<const Botan::RSA_PrivateKey> Authority::user_key(const std::string& user_id, const std::string& email) {
    if (auto cached = m_user_keys.find(user_id)) return cached;
    std::shared_ptr<const Botan::RSA_PrivateKey> key;
    if (auto existing = m_store.find_user_key(user_id)) {
        key = m_keys.recover_user_key(existing->encrypted, user_id);
    } else {
        auto fresh = m_client_keys.take();
        store::UserKeyRecord record{user_id, email, xrml::PublicKey::from_botan(*fresh).fingerprint(),
                                    m_keys.escrow_user_key(*fresh, user_id), m_clock.now().to_iso8601()};
        const auto stored = m_store.insert_user_key_if_absent(record);
        // Another request may have won the race: the stored key is the user's key.
        key = stored.fingerprint == record.fingerprint ? std::move(fresh)
                                                       : m_keys.recover_user_key(stored.encrypted, user_id);
    }
    return m_user_keys.insert(user_id, std::move(key));
}

std::vector<std::string> Authority::own_chain() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_own_chain || m_own_chain->empty()) {
        const char* purpose = m_role == Role::Enrollment ? detail::k_enrollment_chain : detail::k_slc_chain;
        m_own_chain = m_store.load_chain(purpose);
    }
    return *m_own_chain;
}

xrml::Certificate Authority::own_slc() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_own_slc) return *m_own_slc;
    }
    // The chain own_chain() keeps (both are dropped together when a response is imported).
    const auto chain = own_chain();
    if (chain.empty()) throw Error(ErrorKind::WrongState, "this authority has no certificate yet");
    auto slc = xrml::read_documents(chain.front()).documents.at(0);
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_own_slc) m_own_slc = std::move(slc);
    return *m_own_slc;
}

xrml::Principal Authority::own_principal() { return as_issuer(own_slc()); }

xrml::PublicKey Authority::cluster_public_key() { return signer(KeyName::Cluster).public_key(); }

xrml::PublicKey Authority::anchor_public_key() {
    // The root key travels in no document, but it is the ISSUER key of the top of every chain.
    const auto chain = own_chain();
    if (chain.empty()) {
        throw Error(
            ErrorKind::NotFound,
            "this cluster holds no chain yet; its anchor is known only by its fingerprint " +
                (m_record.anchor_fingerprint.empty() ? std::string("(none set)") : m_record.anchor_fingerprint));
    }
    return *xrml::read_documents(chain.back()).documents.at(0).issuer.key;
}

}  // namespace xrca::ca
