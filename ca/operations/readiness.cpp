// What `xrca serve` checks before it listens and /healthz watches (see authority.h): cheap
// reads of what the authority holds, and one real signature.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/signer.h"

namespace xrca::ca {
namespace {

// Signed and thrown away: no document, so nothing a relying party could ever be shown.
constexpr const char* k_probe_text = "xrca readiness probe: this key opens and signs";

}  // namespace

void Authority::prove_signing_key() {
    const auto name = m_role == Role::Enrollment ? KeyName::EnrollmentService : KeyName::Cluster;
    Signer& key = signer(name);
    const auto stored = m_store.load_key(key_name(name));
    const auto proof = prove_possession(key, k_probe_text);
    // The signature must verify, and with the key the store says this authority holds: a token
    // object swapped behind the store's back would otherwise sign "successfully".
    if (!proof_verifies(proof, key.public_key()) || !stored || stored->fingerprint != key.public_key().fingerprint()) {
        throw Error(ErrorKind::KeyUnavailable, std::string("the ") + key_name(name) +
                                                   " key signed, but not as the key this authority holds: its "
                                                   "signature does not verify with the stored public key");
    }
}

std::optional<std::int64_t> Authority::own_certificate_seconds_left() {
    const auto validity = own_certificate_validity();
    if (!validity) return std::nullopt;
    return validity->until.unix_seconds() - m_clock.now().unix_seconds();
}

std::optional<xrml::TimeRange> Authority::own_certificate_validity() {
    if (own_chain().empty()) return std::nullopt;
    const auto slc = own_slc();
    return slc.validity ? slc.validity : (slc.issue_right ? slc.issue_right->range : std::nullopt);
}

std::optional<Authority::PublishedListAge> Authority::published_revocation_list_age() {
    const auto head = m_store.published_revocation_list_head();
    if (!head) return std::nullopt;
    const auto signed_at = xrml::Time::try_parse(head->signed_at);
    if (!signed_at) return std::nullopt;
    return PublishedListAge{m_clock.now().unix_seconds() - signed_at->unix_seconds(),
                            m_options.revocation_list_validity_days * 86400};
}

}  // namespace xrca::ca
