// GetClientLicensorCert (reference §3.5): a RAC chain in, a CLC chain out, with a fresh key
// sealed to the RAC key.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/chain.h"
#include "xrml/enabling_bits.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

#include <functional>

namespace xrca::ca {

using xrml::Failure;

namespace {

/**
 * The RAC chain of a CLC request (reference §3.5): a RAC first, signed correctly, in time at
 * `now`, by a RAC issuer in `trusted`. `describe` puts the RAC's IDs into the log entry.
 */
void check_rac_chain(const std::vector<xrml::Certificate>& docs, xrml::Time now,
                     const std::vector<std::string>& trusted,
                     const std::function<void(const xrml::Certificate&)>& describe) {
    const auto& rac = docs.front();
    if (rac.kind() != xrml::names::rights_account_certificate || !rac.principal || !rac.principal->key ||
        !rac.validity) {
        throw Error(ErrorKind::PolicyDenied, "the first document is a " + rac.description() + ", not a RAC",
                    RmsFault::UnexpectedPersonaCert);
    }
    describe(rac);
    xrml::ChainOptions options{std::nullopt, now, trusted};
    const auto verdict = xrml::verify_ordered_chain(docs, options);
    if (!verdict.ok()) {
        switch (verdict.failure) {
            case Failure::DigestMismatch:
            case Failure::BadSignature:
            case Failure::SignatureSize:
                throw Error(ErrorKind::PolicyDenied, "the RAC chain has a bad signature: " + verdict.detail,
                            RmsFault::InvalidPersonaCertSignature);
            case Failure::Expired:
            case Failure::NotYetValid:
                throw Error(ErrorKind::PolicyDenied, "the RAC is not valid now: " + verdict.detail,
                            RmsFault::InvalidPersonaCertTime);
            case Failure::UntrustedAnchor:
                throw Error(ErrorKind::PolicyDenied,
                            "the RAC was not issued by a RAC issuer this cluster trusts: " + verdict.detail,
                            RmsFault::UntrustedPersonaCert);
            case Failure::None:
            case Failure::IssuerMismatch:
            case Failure::NoIssueRight:
            case Failure::IssuedOutsideIssuerRange:
            case Failure::ChainLoop:
                throw Error(ErrorKind::PolicyDenied, "the RAC chain is not acceptable: " + verdict.detail,
                            RmsFault::UnexpectedPersonaCert);
        }
    }
}

}  // namespace

IssuedChain Authority::issue_clc(const ClcRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs;
    return logged("GetClientLicensorCert", caller, inputs, [&] {
        // 1. Root and licensing clusters issue CLCs.
        require(Action::IssueClcs, "issue client licensor certificates (CLCs)");
        const auto policy = require_active();
        // 2. The RAC chain (reference §3.5): a RAC first, signed correctly, in time, by a trusted RAC issuer.
        bool described = false;  // the chain's IDs go into the log entry, also when it is refused
        const auto describe = [&](const xrml::Certificate& rac) {
            inputs = "rac=" + rac.id_text() + "; user=" + rac.principal->object.id.value +
                     "; user-key=" + rac.principal->key->fingerprint();
            described = true;
        };
        const auto chain = verified_chain("rac", r.rac_chain, policy, m_clock.now(), [&] {
            auto docs = read_chain(r.rac_chain, RmsFault::UnexpectedPersonaCert, "the RAC chain");
            check_rac_chain(docs, m_clock.now(), policy->rac_issuers, describe);
            return docs;
        });
        const auto& docs = chain->documents;
        const auto& rac = docs.front();
        if (!described) describe(rac);
        // 3. Online, the RAC must be the caller's own (reference §3.5 leaves this to HTTP auth).
        if (!r.caller_user_id.empty() && rac.principal->object.id.value != r.caller_user_id) {
            throw Error(ErrorKind::PolicyDenied,
                        "the RAC names user " + rac.principal->object.id.value.substr(0, 64) + ", not the caller",
                        RmsFault::UnauthorizedAccess);
        }
        // 4. Nothing in the chain revoked (the RAC, its user, its key, its issuers), the key not excluded (§5.5).
        check_not_revoked(*policy, docs, RmsFault::DrmacIsExcluded, "the RAC chain");
        check_rac_key_not_excluded(*policy, *rac.principal->key);
        // 5. Crypto mode: the RAC key and its signature must be of this authority's mode.
        check_key_for_mode(*rac.principal->key, mode(), "the RAC key");
        if (rac.signature.digest_algorithm != mode().digest()) {
            throw Error(ErrorKind::PolicyDenied, "the RAC is signed with a hash not allowed in this crypto mode",
                        RmsFault::UnsupportedCryptographicSet);
        }
        // 6. A fresh signing key from the pool, sealed to the RAC key; the ISSUE range is the RAC's validity.
        const auto clc_key = m_client_keys.take();
        const auto now = m_clock.now().floor_minute();
        xrml::ClientLicensorCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.issuer = own_principal();
        t.licensing_url = m_record.base_url + "/licensing";
        if (!policy->extranet_url.empty()) t.extranet_licensing_url = policy->extranet_url + "/licensing";
        t.user = rac.principal->object;
        t.clc_key = xrml::PublicKey::from_botan(*clc_key);
        t.issue_range = *rac.validity;
        const auto version = mode().seal_version();
        t.sealed_clc_key =
            xrml::seal_private_key(*clc_key, *rac.principal->key, version, xrml::build_issuer_element(t.issuer), m_rng);
        // 7. Record, sign, complete; return with this cluster's SLC chain.
        Intent is{request_id,
                  "GetClientLicensorCert",
                  &caller,
                  inputs,
                  t.id,
                  xrml::names::client_licensor_certificate,
                  rac.principal->object.id.value,
                  t.clc_key.fingerprint(),
                  now,
                  t.issue_range,
                  xrml::build_client_licensor_certificate_body(t),
                  &signer(KeyName::Cluster)};
        return issue_with_chain(is, own_chain());
    });
}

}  // namespace xrca::ca
