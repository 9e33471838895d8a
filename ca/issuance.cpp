// Issuance of every certificate kind, and activation of a cluster on its SLC chain. Each public
// operation is written as numbered steps; see docs/issuance-cycle.md and docs/policy.md.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/signer.h"
#include "xrml/chain.h"
#include "xrml/enabling_bits.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/hash.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/rng.h>

namespace xrca::ca {

using xrml::Failure;

namespace {

std::string fingerprints(const std::vector<xrml::PublicKey>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ",") + k.fingerprint();
    return out;
}

std::vector<xrml::Certificate> read_chain(const std::string& text, RmsFault fault, const char* what) {
    try {
        auto docs = xrml::read_documents(text).documents;
        if (docs.empty()) throw Error(ErrorKind::Malformed, std::string(what) + " is empty", fault);
        return docs;
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, std::string(what) + " is not valid XrML: " + e.what(), fault);
    }
}

void check_url(const std::string& url) {
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        throw Error(ErrorKind::Malformed, "URL '" + url + "' must start with https:// or http://", RmsFault::Argument);
    }
}

void check_key_for_mode(const xrml::PublicKey& key, CryptoMode mode, const char* what) {
    if (key.bits() != mode.key_bits()) {
        throw Error(ErrorKind::PolicyDenied,
                    std::string(what) + " is RSA-" + std::to_string(key.bits()) + ", but this authority runs crypto mode " +
                        std::to_string(mode.number()) + " (RSA-" + std::to_string(mode.key_bits()) + ")",
                    RmsFault::UnsupportedCryptographicSet);
    }
}

void check_machine_key_for_mode(const xrml::PublicKey& key, CryptoMode mode) {
    if (!mode.accepts_machine_key(key.bits())) {
        throw Error(ErrorKind::PolicyDenied, "a RSA-" + std::to_string(key.bits()) + " machine key is not allowed in crypto mode " +
                                                 std::to_string(mode.number()), RmsFault::UnsupportedCryptographicSet);
    }
}

xrml::XrmlObject user_object(const std::string& user_id, const std::string& email) {
    const bool windows = user_id.rfind("S-1-", 0) == 0;
    xrml::XrmlObject o{xrml::names::group_identity, {windows ? "Windows" : "Federation", user_id}, email, {}};
    if (!windows) o.addresses.push_back({"email_alias", email});
    return o;
}

bool plausible_email(const std::string& e) {
    const auto at = e.find('@');
    return at != std::string::npos && at > 0 && at + 1 < e.size() && e.find('@', at + 1) == std::string::npos &&
           e.find_first_of(" \t\r\n<>\"") == std::string::npos && e.size() <= 254;
}

}  // namespace

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
            dp.object = xrml::XrmlObject{"Revocation", {xrml::names::ascii_tag, "External revocation authority"}, std::nullopt, {}};
            dp.key = k;
            t.revocation_points.push_back(dp);
        }
    }
    // 3. Record, sign, complete; 4. return the SLC with the issuer's chain.
    Issuance is{w.request_id, w.operation, w.caller, w.inputs, t.id, xrml::names::server_licensor_certificate,
                w.cluster_guid, w.cluster_key.fingerprint(), now, range, xrml::build_issuing_certificate_body(t), w.signer};
    IssuedChain out{t.id, is.kind, {run_issuance(is)}};
    out.documents.insert(out.documents.end(), w.issuer_chain.begin(), w.issuer_chain.end());
    return out;
}

// The checks Enroll and SubEnroll share: the requester's crypto mode and key size, the proof of
// possession (required for offline requests), the fields' form. A request ID that was already
// answered returns the SLC issued then, so that processing a request twice issues one SLC.
std::optional<IssuedChain> Authority::check_cluster_request(const xrml::PublicKey& key, const std::string& guid,
                                                            const std::string& name, const std::string& version,
                                                            const std::string& url, const std::string& request_id,
                                                            const std::optional<ProofOfPossession>& proof,
                                                            std::optional<CryptoMode> crypto_mode) {
    if (crypto_mode && *crypto_mode != mode()) {
        throw Error(ErrorKind::PolicyDenied, "the request is for crypto mode " + std::to_string(crypto_mode->number()) + ", this " +
                                                 m_record.role + " authority runs mode " + std::to_string(mode().number()),
                    RmsFault::UnsupportedCryptographicSet);
    }
    check_key_for_mode(key, mode(), "the cluster key");
    check_proof(proof, key, !request_id.empty());
    if (auto same = already_issued(request_id, key, guid)) return same;
    if (!is_braced_guid(guid)) throw Error(ErrorKind::Malformed, "cluster GUID '" + guid + "' is not a braced GUID", RmsFault::Argument);
    if (name.empty() || version.empty()) throw Error(ErrorKind::Malformed, "name and version are required", RmsFault::Argument);
    check_url(url);
    return std::nullopt;
}

IssuedChain Authority::enroll(const ClusterRequest& r, const Caller& caller) {
    const auto request_id = r.request_id.empty() ? new_id() : r.request_id;
    const std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                               "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version +
                               "; revocation=" + revocation_mode_name(r.revocation) + "; authorities=" + fingerprints(r.revocation_authorities);
    return logged("Enroll", caller, inputs, [&] {
        // 1. Only an enrollment service issues root-cluster SLCs.
        require(m_role == Role::Enrollment, "issue root-cluster SLCs (Enroll); only an enrollment service does");
        const auto policy = require_active();
        check_cluster_not_revoked(*policy, r.cluster_key, r.cluster_guid);
        // 2. Check the request against the crypto mode and the Enroll schema (reference §3.1),
        //    and the proof that the requester holds the key (offline requests).
        if (auto same = check_cluster_request(r.cluster_key, r.cluster_guid, r.name, r.version, r.url, r.request_id,
                                              r.proof, r.crypto_mode)) {
            return *same;
        }
        if ((r.revocation == RevocationMode::Custom) != !r.revocation_authorities.empty()) {
            throw Error(ErrorKind::Malformed, "custom revocation needs at least one revocation authority key, and "
                                              "standard revocation takes none", RmsFault::Argument);
        }
        // 3. Issue under the enrollment service key, with the enrollment chain behind it.
        const auto chain = detail::storage([&] { return m_store.load_chain(detail::k_enrollment_chain); });
        return issue_slc({request_id, "Enroll", &caller, inputs, r.cluster_key, r.cluster_guid, std::nullopt, r.url,
                          r.sku, r.version, r.revocation_authorities, &signer(KeyName::EnrollmentService),
                          own_slc(), chain});
    });
}

IssuedChain Authority::sub_enroll(const ClusterRequest& r, const Caller& caller) {
    const auto request_id = r.request_id.empty() ? new_id() : r.request_id;
    const std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                               "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version;
    return logged("SubEnroll", caller, inputs, [&] {
        require(m_role == Role::Root, "issue licensing-cluster SLCs (SubEnroll); only a root cluster does");
        const auto policy = require_active();
        check_cluster_not_revoked(*policy, r.cluster_key, r.cluster_guid);
        if (auto same = check_cluster_request(r.cluster_key, r.cluster_guid, r.name, r.version, r.url, r.request_id,
                                              r.proof, r.crypto_mode)) {
            return *same;
        }
        // SubEnroll stamps the name into the SLC and carries no revocation information (§3.2).
        return issue_slc({request_id, "SubEnroll", &caller, inputs, r.cluster_key, r.cluster_guid, r.name, r.url, r.sku,
                          r.version, {}, &signer(KeyName::Cluster), own_slc(), own_chain()});
    });
}

IssuedChain Authority::certify_machine(const MachineRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "machine-key=" + r.machine_key.fingerprint();
    return logged("Activate", caller, inputs, [&] {
        // 1. Only a root cluster activates machines, through its activation issuer.
        require(m_role == Role::Root, "issue machine certificates; only a root cluster does");
        const auto policy = require_active();
        // 2. Mode 2 takes RSA-2048 machine keys only; mode 1 takes RSA-1024 or RSA-2048 (§1.5).
        check_machine_key_for_mode(r.machine_key, mode());
        check_proof(r.proof, r.machine_key, false);
        check_machine_key_not_revoked(*policy, r.machine_key);
        check_spc_version(*policy, r.repository);
        // 3. The hardware-ID digest: given, or the SHA-256 of the machine key's modulus.
        xrml::Digest hid{xrml::DigestAlgorithm::Sha256, r.hardware_id_digest};
        if (hid.value.empty()) {
            const auto h = Botan::HashFunction::create_or_throw("SHA-256")->process(r.machine_key.modulus_big_endian());
            hid.value.assign(h.begin(), h.end());
        }
        if (hid.value.size() != 32) throw Error(ErrorKind::Malformed, "the hardware-ID digest must be 32 bytes (SHA-256)", RmsFault::Argument);
        // 4. Build (reference §2.3.2), record, sign with the activation key, return with its chain.
        std::vector<std::string> chain;
        xrml::Principal issuer;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (!m_activation) {
                auto stored = detail::storage([&] { return m_store.load_chain(detail::k_activation_chain); });
                if (stored.empty()) throw Error(ErrorKind::WrongState, "this root cluster has no activation issuer yet");
                const auto certificate = xrml::read_documents(stored.front()).documents.at(0);
                m_activation.emplace(std::move(stored), as_issuer(certificate));
            }
            chain = m_activation->first;
            issuer = m_activation->second;
        }
        const auto now = m_clock.now().floor_minute();
        xrml::MachineCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.issuer = issuer;
        t.activation_address = m_record.base_url + "/certification/Activation.asmx";
        t.machine_id = new_id();
        t.machine_key = r.machine_key;
        t.hardware_id = hid;
        t.security_levels = {{"Platform", r.platform}, {"Manufacturer", r.manufacturer}, {"Repository", r.repository}};
        Issuance is{request_id, "Activate", &caller, inputs, t.id, xrml::names::machine_certificate, t.machine_id,
                    r.machine_key.fingerprint(), now, std::nullopt, xrml::build_machine_certificate_body(t),
                    &signer(KeyName::Activation)};
        IssuedChain out{t.id, is.kind, {run_issuance(is)}};
        out.documents.insert(out.documents.end(), chain.begin(), chain.end());
        return out;
    });
}

IssuedChain Authority::issue_rac(const RacRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs = "user=" + r.user_id + "; email=" + r.email + (r.temporary ? "; temporary" : "; persistent");
    return logged("Certify", caller, inputs, [&] {
        // 1. Only a root cluster certifies users (licensing clusters forward to their root).
        require(m_role == Role::Root, "issue rights account certificates (RACs); only a root cluster does");
        const auto policy = require_active();
        // 2. The SPC chain: readable, a machine certificate first, every signature and link good,
        //    and signed by an SPC issuer this cluster trusts (reference §3.4 step 3).
        const auto docs = read_chain(r.spc_chain, RmsFault::VerifyMachineCertificateChainFailed, "the machine certificate chain");
        const auto& spc = docs.front();
        if (spc.kind() != xrml::names::machine_certificate || !spc.principal || !spc.principal->key) {
            throw Error(ErrorKind::PolicyDenied, "the first document is a " + spc.kind() + ", not a machine certificate",
                        RmsFault::VerifyMachineCertificateChainFailed);
        }
        inputs += "; spc=" + spc.descriptor.id.value + "; machine-key=" + spc.principal->key->fingerprint();
        xrml::ChainOptions options{std::nullopt, m_clock.now(), trusted_spc_issuers()};
        const auto verdict = xrml::verify_ordered_chain(docs, options);
        if (!verdict.ok()) {
            const bool untrusted = verdict.failure == Failure::UntrustedAnchor;
            throw Error(ErrorKind::PolicyDenied,
                        std::string(untrusted ? "the machine certificate was not issued by a trusted SPC issuer: "
                                              : "the machine certificate chain does not verify: ") + verdict.detail,
                        RmsFault::VerifyMachineCertificateChainFailed);
        }
        // 3. Nothing in it revoked by this cluster, and a security processor recent enough (§5.5).
        check_not_revoked(*policy, docs, RmsFault::VerifyMachineCertificateChainFailed, "the machine certificate chain");
        check_spc_version(*policy, spc.principal->security_level("Repository").value_or(""));
        check_user_not_revoked(*policy, r.user_id);
        // 4. Crypto mode and identity.
        const auto& machine_key = *spc.principal->key;
        check_machine_key_for_mode(machine_key, mode());
        if (r.user_id.empty() || r.user_id.size() > 256) throw Error(ErrorKind::Malformed, "a user ID is required", RmsFault::Argument);
        if (!plausible_email(r.email)) {
            throw Error(ErrorKind::Malformed, "'" + r.email + "' is not an email address", RmsFault::VerifyEmailAddressFailed);
        }
        // 5. The user's key pair: one per user, reused on every machine, escrowed.
        const auto key = user_key(r.user_id, r.email);
        const auto user_public = xrml::PublicKey::from_botan(*key);
        // 6. Validity: back-dated by the tolerance; 365 days persistent or 15 minutes temporary.
        const auto now = m_clock.now().floor_minute();
        const xrml::TimeRange validity{now.plus_seconds(-60 * m_options.backdate_minutes),
                                       r.temporary ? now.plus_seconds(60 * m_options.temporary_rac_validity_minutes)
                                                   : now.plus_seconds(86400 * m_options.rac_validity_days)};
        // 7. Build the RAC (§2.3.3) with the user key sealed to the machine key (§2.7).
        xrml::RightsAccountCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.validity = validity;
        t.issuer = own_principal();
        t.certification_url = m_record.base_url + "/certification";
        t.user = user_object(r.user_id, r.email);
        t.user_key = user_public;
        t.persistent = !r.temporary;
        t.machine = spc.principal->object;
        t.machine_security_levels = spc.principal->security_levels;
        const auto version = mode().seal_version();
        t.sealed_user_key = xrml::seal_private_key(*key, machine_key, version, xrml::build_issuer_element(t.issuer), m_rng);
        // 8. Record, sign, complete; return with the SLC chain.
        Issuance is{request_id, "Certify", &caller, inputs, t.id, xrml::names::rights_account_certificate, r.user_id,
                    user_public.fingerprint(), now, validity, xrml::build_rights_account_certificate_body(t),
                    &signer(KeyName::Cluster)};
        IssuedChain out{t.id, is.kind, {run_issuance(is)}};
        const auto chain = own_chain();
        out.documents.insert(out.documents.end(), chain.begin(), chain.end());
        return out;
    });
}

IssuedChain Authority::issue_clc(const ClcRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs;
    return logged("GetClientLicensorCert", caller, inputs, [&] {
        // 1. Root and licensing clusters issue CLCs.
        require(m_role != Role::Enrollment, "issue client licensor certificates (CLCs)");
        const auto policy = require_active();
        // 2. The RAC chain (reference §3.5): a RAC first, signed correctly, in time, by a trusted RAC issuer.
        const auto docs = read_chain(r.rac_chain, RmsFault::UnexpectedPersonaCert, "the RAC chain");
        const auto& rac = docs.front();
        if (rac.kind() != xrml::names::rights_account_certificate || !rac.principal || !rac.principal->key || !rac.validity) {
            throw Error(ErrorKind::PolicyDenied, "the first document is a " + rac.kind() + ", not a RAC",
                        RmsFault::UnexpectedPersonaCert);
        }
        inputs = "rac=" + rac.descriptor.id.value + "; user=" + rac.principal->object.id.value +
                 "; user-key=" + rac.principal->key->fingerprint();
        xrml::ChainOptions options{std::nullopt, m_clock.now(), trusted_rac_issuers()};
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
                    throw Error(ErrorKind::PolicyDenied, "the RAC is not valid now: " + verdict.detail, RmsFault::InvalidPersonaCertTime);
                case Failure::UntrustedAnchor:
                    throw Error(ErrorKind::PolicyDenied, "the RAC was not issued by a RAC issuer this cluster trusts: " + verdict.detail,
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
        // 3. Online, the RAC must be the caller's own (reference §3.5 leaves this to HTTP auth).
        if (!r.caller_user_id.empty() && rac.principal->object.id.value != r.caller_user_id) {
            throw Error(ErrorKind::PolicyDenied, "the RAC names user " + rac.principal->object.id.value.substr(0, 64) +
                                                     ", not the caller", RmsFault::UnauthorizedAccess);
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
        t.user = rac.principal->object;
        t.clc_key = xrml::PublicKey::from_botan(*clc_key);
        t.issue_range = *rac.validity;
        const auto version = mode().seal_version();
        t.sealed_clc_key = xrml::seal_private_key(*clc_key, *rac.principal->key, version,
                                                  xrml::build_issuer_element(t.issuer), m_rng);
        // 7. Record, sign, complete; return with this cluster's SLC chain.
        Issuance is{request_id, "GetClientLicensorCert", &caller, inputs, t.id, xrml::names::client_licensor_certificate,
                    rac.principal->object.id.value, t.clc_key.fingerprint(), now, t.issue_range,
                    xrml::build_client_licensor_certificate_body(t), &signer(KeyName::Cluster)};
        IssuedChain out{t.id, is.kind, {run_issuance(is)}};
        const auto chain = own_chain();
        out.documents.insert(out.documents.end(), chain.begin(), chain.end());
        return out;
    });
}

// What an SLC chain must show to be installed on this cluster.
struct Authority::SlcCheck {
    std::string key_fingerprint;
    std::optional<std::vector<std::string>> revocation_authorities;  ///< checked when set (Enroll)
};

std::vector<store::ChainRecord> Authority::check_slc_chain(const std::vector<xrml::Certificate>& docs, const SlcCheck& expected,
                                                           const std::string& request_id, const Caller& caller,
                                                           const std::string& inputs, std::vector<store::KeyBlob>& keys) {
    // 1. The chain verifies to the anchor this cluster was initialised with.
    if (m_record.anchor_fingerprint.empty()) {
        throw Error(ErrorKind::WrongState, "this cluster has no trust anchor: initialise it with --trust-anchor");
    }
    const auto& slc = docs.front();
    const auto verdict = xrml::verify_ordered_chain(docs, {m_record.anchor_fingerprint, m_clock.now(), {}});
    if (!verdict.ok()) throw Error(ErrorKind::PolicyDenied, "the SLC chain does not verify to this cluster's trust anchor: " + verdict.detail);
    // 2. The SLC certifies exactly this cluster: its key, its GUID, its URL, its revocation authorities.
    if (slc.kind() != xrml::names::server_licensor_certificate || !slc.principal || !slc.principal->key) {
        throw Error(ErrorKind::PolicyDenied, "the first document is a " + slc.kind() + ", not a server licensor certificate");
    }
    if (slc.principal->key->fingerprint() != expected.key_fingerprint) {
        throw Error(ErrorKind::PolicyDenied, "the SLC certifies key " + slc.principal->key->fingerprint() +
                                                 ", not this cluster's key " + expected.key_fingerprint);
    }
    if (!slc.principal->object.id.same_as({xrml::names::guid, m_record.guid})) {
        throw Error(ErrorKind::PolicyDenied, "the SLC is for cluster " + slc.principal->object.id.value + ", not " + m_record.guid);
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
            throw Error(ErrorKind::PolicyDenied, "the SLC's revocation authorities are not the ones this cluster asked for");
        }
    }
    // 3. A root cluster's first SLC gets the machine activation issuer, certified under it.
    std::vector<store::ChainRecord> chains{{detail::k_slc_chain, {}}};
    for (const auto& d : docs) chains[0].documents.push_back(d.raw.text);
    const bool has_activation = detail::storage([&] { return m_store.load_key(key_name(KeyName::Activation)); }).has_value();
    if (m_role == Role::Root && !has_activation) {
        auto activation = m_keys.generate(KeyName::Activation, mode().key_bits(), mode().digest());
        const auto& activation_public = activation.public_key;
        const auto now = m_clock.now().floor_minute();
        xrml::IssuingCertificateTemplate t;
        t.kind = xrml::IssuingKind::ActivationIssuer;
        t.id = new_id();
        t.issued = now;
        t.issuer = as_issuer(slc);
        t.subject.object = xrml::XrmlObject{xrml::names::security_processor, {xrml::names::guid, new_id()},
                                            "xrca Activation Issuer - " + m_record.name, {}};
        t.subject.key = activation_public;
        t.issue_range = slc.issue_right && slc.issue_right->range ? *slc.issue_right->range
                                                                   : days_from(now, m_options.slc_validity_days);
        // The SLC's key signs the activation issuer: the key the SLC certifies, which may be
        // the renewal key not yet installed as 'cluster'.
        const bool current = slc.principal->key->fingerprint() == signer(KeyName::Cluster).public_key().fingerprint();
        if (!current && !detail::storage([&] { return m_store.load_key(key_name(KeyName::ClusterNext)); })) {
            throw Error(ErrorKind::WrongState, "the key this SLC certifies is not held here");
        }
        Signer* slc_signer = &signer(current ? KeyName::Cluster : KeyName::ClusterNext);
        Issuance is{request_id, "ActivateCluster", &caller, inputs, t.id, "Activation-Issuer", t.subject.object.id.value,
                    activation_public.fingerprint(), now, t.issue_range, xrml::build_issuing_certificate_body(t), slc_signer};
        std::vector<std::string> activation_chain{run_issuance(is)};
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
    m_keys.forget();  // a renewal may have installed a new key
}

void Authority::activate(const std::string& slc_chain, const Caller& caller) {
    const auto request_id = new_id();
    std::string inputs;
    logged("ActivateCluster", caller, inputs, [&] {
        // 1. Only a cluster awaiting its SLC is activated this way.
        require(m_role != Role::Enrollment, "import SLCs");
        if (m_record.state != "awaiting-response") {
            throw Error(ErrorKind::WrongState, "this cluster is " + m_record.state + ", not awaiting enrollment");
        }
        // 2. Check the chain and the SLC against this cluster; 3. one transaction.
        const auto docs = read_chain(slc_chain, RmsFault::Argument, "the SLC chain");
        inputs = "slc=" + docs.front().descriptor.id.value;
        std::vector<store::KeyBlob> keys;
        const auto chains = check_slc_chain(docs, {signer(KeyName::Cluster).public_key().fingerprint(), std::nullopt},
                                            request_id, caller, inputs, keys);
        detail::storage([&] {
            store::AuthorityChange change;
            change.add_keys = keys;
            change.chains = chains;
            change.state = "active";
            change.entry = log_entry(request_id, "ActivateCluster", caller, inputs, docs.front().descriptor.id.value,
                                     "accepted", "cluster active on SLC " + docs.front().descriptor.id.value);
            m_store.apply(change);
            return 0;
        });
        m_record.state = "active";
        forget_cached_chains();
        return 0;
    });
}

void Authority::check_proof(const std::optional<ProofOfPossession>& proof, const xrml::PublicKey& key, bool required) {
    if (!proof) {
        if (required) throw Error(ErrorKind::Malformed, "the request carries no proof of possession", RmsFault::Argument);
        return;
    }
    bool ok = false;
    try {
        const auto digest = xrml::body_digest(proof->signed_text, proof->digest);
        Botan::PK_Verifier verifier(*key.botan_key(), std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(proof->digest) + ")");
        ok = verifier.verify_message(digest, proof->signature);
    } catch (const std::exception&) {
        ok = false;
    }
    if (!ok) {
        throw Error(ErrorKind::PolicyDenied,
                    "the proof of possession does not verify with the key to be certified (" + key.fingerprint().substr(0, 16) +
                        "…): the request was changed after it was signed, or signed by another key",
                    RmsFault::Argument);
    }
}

std::optional<IssuedChain> Authority::already_issued(const std::string& request_id, const xrml::PublicKey& key,
                                                     const std::string& guid) {
    if (request_id.empty()) return std::nullopt;
    const auto record = detail::storage([&] { return m_store.find_issued_by_request(request_id); });
    if (!record || !record->xrml) return std::nullopt;
    const auto slc = xrml::read_documents(*record->xrml).documents.front();
    if (!slc.principal || !slc.principal->key || *slc.principal->key != key || !slc.principal->object.id.same_as({xrml::names::guid, guid})) {
        throw Error(ErrorKind::Conflict, "request ID " + request_id + " was already used for another key or cluster");
    }
    IssuedChain out{record->id, record->kind, {*record->xrml}};
    const auto chain = m_role == Role::Enrollment ? detail::storage([&] { return m_store.load_chain(detail::k_enrollment_chain); })
                                                  : own_chain();
    out.documents.insert(out.documents.end(), chain.begin(), chain.end());
    return out;
}

SignedRequest Authority::create_offline_request(bool renew, bool new_key, const Caller& caller,
                                                const std::function<std::string(const PreparedRequest&)>& write_body) {
    std::string inputs = std::string(renew ? "renew" : "first enrollment") + (new_key ? "; new key" : "");
    return logged("EnrollOffline-Export", caller, inputs, [&] {
        // 1. Clusters ask; an enrollment service is asked.
        require(m_role != Role::Enrollment, "write enrollment requests; it answers them");
        if (new_key && !renew) throw Error(ErrorKind::Usage, "--new-key goes with --renew");
        if (renew && m_record.state != "active") {
            throw Error(ErrorKind::WrongState, "only an active cluster renews; this one is " + m_record.state);
        }
        if (!renew && m_record.state != "awaiting-response") {
            throw Error(ErrorKind::WrongState, "this cluster is already " + m_record.state + ": use --renew for a new SLC");
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
        p.version = m_record.version;
        p.revocation = parse_revocation_mode(m_record.revocation).value_or(RevocationMode::Standard);
        for (const auto& text : detail::storage([&] { return m_store.load_chain(detail::k_revocation_authorities); })) {
            p.revocation_authorities.push_back(xrml::read_public_key_file(text));
        }
        // 3. Render, then sign the exact body with the key being certified.
        out.body = write_body(p);
        out.proof = prove_possession(key, out.body);
        // 4. Record the pending request (and the new key, encrypted) with its log entry.
        const auto authorities = fingerprints(p.revocation_authorities);
        store::OfflineRequestRecord record{p.request_id, cluster_operation_name(p.operation),
                                           key_name(new_key ? KeyName::ClusterNext : KeyName::Cluster), p.cluster_key.fingerprint(),
                                           revocation_mode_name(p.revocation), authorities, p.created.to_iso8601(), "pending"};
        inputs += "; request=" + p.request_id + "; key=" + p.cluster_key.fingerprint();
        // A new request supersedes the one still pending; its new key replaces an unused one.
        store::AuthorityChange change;
        if (const auto earlier = detail::storage([&] { return m_store.pending_offline_request(); })) {
            change.requests.push_back({earlier->request_id, "pending", "superseded"});
        }
        change.new_request = record;
        if (fresh) change.add_keys.push_back(fresh->record);
        change.entry = log_entry(p.request_id, "EnrollOffline-Export", caller, inputs, "", "accepted",
                                 std::string("wrote ") + cluster_operation_name(p.operation) + " request " + p.request_id);
        detail::storage([&] {
            m_store.apply(change);
            return 0;
        });
        return out;
    });
}

void Authority::import_response(const std::string& request_id, const std::string& slc_chain, const Caller& caller) {
    std::string inputs = "request=" + request_id;
    logged("EnrollOffline-Import", caller, inputs, [&] {
        require(m_role != Role::Enrollment, "import SLCs");
        // 1. The response must answer this cluster's pending request, once.
        const auto request = detail::storage([&] { return m_store.find_offline_request(request_id); });
        if (!request) {
            throw Error(ErrorKind::PolicyDenied, "this response answers request " + request_id +
                                                     ", which this cluster never made (a response to another cluster's request?)");
        }
        if (request->state == "imported") throw Error(ErrorKind::Conflict, "the response to request " + request_id + " was already imported (a replay)");
        if (request->state != "pending") throw Error(ErrorKind::Conflict, "request " + request_id + " was superseded by a newer request");
        // 2. The chain and its SLC must be what was asked for.
        const auto docs = read_chain(slc_chain, RmsFault::Argument, "the SLC chain");
        inputs += "; slc=" + docs.front().descriptor.id.value;
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
        const auto chains = check_slc_chain(docs, check, request_id, caller, inputs, keys);
        // 3. One transaction: chain, keys (and the key swap of a renewal), state, log entry.
        //    A request made with a new key promotes it: next -> current -> previous.
        store::AuthorityChange change;
        change.requests.push_back({request_id, "pending", "imported"});
        if (request->key_name == key_name(KeyName::ClusterNext)) add_key_promotion(change);
        change.add_keys = keys;
        change.chains = chains;
        change.state = "active";
        change.entry = log_entry(request_id, "EnrollOffline-Import", caller, inputs, docs.front().descriptor.id.value,
                                 "accepted", "imported SLC " + docs.front().descriptor.id.value + "; cluster active");
        try {
            m_store.apply(change);
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, "the response to request " + request_id + " was already imported (a replay)");
        }
        m_record.state = "active";
        forget_cached_chains();
        return 0;
    });
}


}  // namespace xrca::ca
