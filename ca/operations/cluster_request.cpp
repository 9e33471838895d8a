// What Enroll and SubEnroll share: the checks of a cluster's request (crypto mode, key size,
// proof of possession, fields) and the issuance of an SLC under a given issuer.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>

namespace xrca::ca {

// Shared by Enroll (at an enrollment service), self-enrollment and SubEnroll (at a root).
IssuedChain Authority::issue_slc(const SlcIssue& w) {
    const auto now = m_clock.now().floor_minute();
    // 1. The SLC may not outlive what its issuer may issue.
    auto range = days_from(now, m_options.slc_validity_days);
    if (w.issuer_certificate.issue_right && w.issuer_certificate.issue_right->range &&
        w.issuer_certificate.issue_right->range->until < range.until) {
        range.until = w.issuer_certificate.issue_right->range->until;
    }
    // 2. Build the BODY (reference §2.3.1), with the REFRESH points of custom revocation (§5.3).
    xrml::IssuingCertificateTemplate t;
    t.kind = xrml::IssuingKind::ServerLicensor;
    t.id = new_id();
    t.issued = now;
    t.validity = range;
    t.issuer = as_issuer(w.issuer_certificate);
    t.subject = cluster_principal(w.cluster_guid, w.name_in_slc, w.url, w.cluster_key, w.version, w.sku);
    t.issue_range = range;
    if (!w.revocation_authorities.empty()) {
        xrml::DistributionPoint own;
        own.object = xrml::XrmlObject{"Revocation", t.issuer.object.id, t.issuer.object.name, {}};
        own.key = t.issuer.key;
        t.revocation_points.push_back(own);
        for (const auto& k : w.revocation_authorities) {
            xrml::DistributionPoint dp;
            dp.object = xrml::XrmlObject{
                "Revocation", {xrml::names::ascii_tag, xrml::names::external_revocation_authority}, std::nullopt, {}};
            dp.key = k;
            t.revocation_points.push_back(dp);
        }
    }
    // 3. Record, sign, complete; 4. return the SLC with the issuer's chain.
    Intent is{w.request_id,
              w.operation,
              w.caller,
              w.inputs,
              t.id,
              xrml::names::server_licensor_certificate,
              w.cluster_guid,
              w.cluster_key.fingerprint(),
              now,
              range,
              xrml::build_issuing_certificate_body(t),
              w.signer};
    return issue_with_chain(is, w.issuer_chain);
}

// The checks Enroll and SubEnroll share: the cluster is active, the requester's key and GUID are not revoked, the
// requester's crypto mode and key size, the proof of possession (required for offline requests), the fields' form. A
// request ID that was already answered returns the SLC issued then, so that processing a request twice issues one SLC.
std::optional<IssuedChain> Authority::check_cluster_request(const ClusterRequest& r) {
    const auto policy = require_active();
    check_cluster_not_revoked(*policy, r.cluster_key, r.cluster_guid);
    const auto& key = r.cluster_key;
    const auto& guid = r.cluster_guid;
    const auto& crypto_mode = r.crypto_mode;
    if (crypto_mode && *crypto_mode != mode()) {
        throw Error(ErrorKind::PolicyDenied,
                    "the request is for crypto mode " + std::to_string(crypto_mode->number()) + ", this " +
                        m_record.role + " authority runs mode " + std::to_string(mode().number()),
                    RmsFault::UnsupportedCryptographicSet);
    }
    check_key_for_mode(key, mode(), "the cluster key");
    check_proof(r.proof, key, !r.request_id.empty());
    if (auto same = already_issued(r.request_id, key, guid)) return same;
    if (!is_braced_guid(guid))
        throw Error(ErrorKind::Malformed, "cluster GUID '" + guid + "' is not a braced GUID", RmsFault::Argument);
    // [MS-RMPR] 3.6.4.2.4.3: Version is the one EnrolleeInformation field checked; Name may be absent.
    if (r.version.empty()) throw Error(ErrorKind::Malformed, "a Version is required", RmsFault::Argument);
    check_url(r.url);
    return std::nullopt;
}

bool proof_verifies(const ProofOfPossession& proof, const xrml::PublicKey& key) noexcept {
    try {
        const auto digest = xrml::body_digest(proof.signed_text, proof.digest);
        Botan::PK_Verifier verifier(*key.botan_key(),
                                    std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(proof.digest) + ")");
        return verifier.verify_message(digest, proof.signature);
    } catch (const std::exception&) {
        return false;
    }
}

void Authority::check_proof(const std::optional<ProofOfPossession>& proof, const xrml::PublicKey& key, bool required) {
    if (!proof) {
        if (required)
            throw Error(ErrorKind::Malformed, "the request carries no proof of possession", RmsFault::Argument);
        return;
    }
    if (!proof_verifies(*proof, key)) {
        throw Error(ErrorKind::PolicyDenied,
                    "the proof of possession does not verify with the key to be certified (" +
                        key.fingerprint().substr(0, 16) +
                        "…): the request was changed after it was signed, or signed by another key",
                    RmsFault::Argument);
    }
}

std::optional<IssuedChain> Authority::already_issued(const std::string& request_id, const xrml::PublicKey& key,
                                                     const std::string& guid) {
    if (request_id.empty()) return std::nullopt;
    const auto record = m_store.find_issued_by_request(request_id);
    if (!record || !record->xrml) return std::nullopt;
    const auto slc = xrml::read_documents(*record->xrml).documents.front();
    if (!slc.principal || !slc.principal->key || *slc.principal->key != key ||
        !slc.principal->object.id.same_as({xrml::names::guid, guid})) {
        throw Error(ErrorKind::Conflict, "request ID " + request_id + " was already used for another key or cluster");
    }
    IssuedChain out{record->id, record->kind, {*record->xrml}};
    const auto chain = m_role == Role::Enrollment ? m_store.load_chain(detail::k_enrollment_chain) : own_chain();
    out.documents.insert(out.documents.end(), chain.begin(), chain.end());
    return out;
}

}  // namespace xrca::ca
