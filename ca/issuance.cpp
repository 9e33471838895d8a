// Issuance of every certificate kind, and activation of a cluster on its SLC chain. Each public
// operation is written as numbered steps; see docs/issuance-cycle.md and docs/policy.md.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/key_pool.h"
#include "ca/signer.h"
#include "xrml/chain.h"
#include "xrml/enabling_bits.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/hash.h>
#include <botan/rsa.h>

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

void check_key_for_mode(const xrml::PublicKey& key, int mode, const char* what) {
    if (key.bits() != mode_key_bits(mode)) {
        throw Error(ErrorKind::PolicyDenied,
                    std::string(what) + " is RSA-" + std::to_string(key.bits()) + ", but this authority runs crypto mode " +
                        std::to_string(mode) + " (RSA-" + std::to_string(mode_key_bits(mode)) + ")",
                    RmsFault::UnsupportedCryptographicSet);
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

IssuedChain Authority::enroll(const EnrollRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                               "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version +
                               "; revocation=" + r.revocation + "; authorities=" + fingerprints(r.revocation_authorities);
    return logged("Enroll", caller, inputs, [&] {
        // 1. Only an enrollment service issues root-cluster SLCs.
        require(m_role == Role::Enrollment, "issue root-cluster SLCs (Enroll); only an enrollment service does");
        require_active();
        // 2. Check the request against the crypto mode and the Enroll schema (reference §3.1).
        check_key_for_mode(r.cluster_key, m_record.crypto_mode, "the cluster key");
        if (!is_braced_guid(r.cluster_guid)) throw Error(ErrorKind::Malformed, "cluster GUID '" + r.cluster_guid + "' is not a braced GUID", RmsFault::Argument);
        if (r.name.empty() || r.version.empty()) throw Error(ErrorKind::Malformed, "name and version are required", RmsFault::Argument);
        check_url(r.url);
        if (r.revocation != "standard" && r.revocation != "custom") {
            throw Error(ErrorKind::Malformed, "revocation must be standard or custom", RmsFault::Argument);
        }
        if ((r.revocation == "custom") != !r.revocation_authorities.empty()) {
            throw Error(ErrorKind::Malformed, "custom revocation needs at least one revocation authority key, and "
                                              "standard revocation takes none", RmsFault::Argument);
        }
        // 3. Issue under the enrollment service key, with the enrollment chain behind it.
        const auto chain = detail::storage([&] { return m_store.load_chain(detail::k_enrollment_chain); });
        return issue_slc({request_id, "Enroll", &caller, inputs, r.cluster_key, r.cluster_guid, std::nullopt, r.url,
                          r.sku, r.version, r.revocation_authorities, &signer(detail::k_enrollment_service_key),
                          own_slc(), chain});
    });
}

IssuedChain Authority::sub_enroll(const SubEnrollRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                               "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version;
    return logged("SubEnroll", caller, inputs, [&] {
        require(m_role == Role::Root, "issue licensing-cluster SLCs (SubEnroll); only a root cluster does");
        require_active();
        check_key_for_mode(r.cluster_key, m_record.crypto_mode, "the licensing cluster key");
        if (!is_braced_guid(r.cluster_guid)) throw Error(ErrorKind::Malformed, "cluster GUID '" + r.cluster_guid + "' is not a braced GUID", RmsFault::Argument);
        if (r.name.empty() || r.version.empty()) throw Error(ErrorKind::Malformed, "name and version are required", RmsFault::Argument);
        check_url(r.url);
        // SubEnroll stamps the name into the SLC and carries no revocation information (§3.2).
        return issue_slc({request_id, "SubEnroll", &caller, inputs, r.cluster_key, r.cluster_guid, r.name, r.url, r.sku,
                          r.version, {}, &signer(detail::k_cluster_key), own_slc(), own_chain()});
    });
}

IssuedChain Authority::certify_machine(const MachineRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "machine-key=" + r.machine_key.fingerprint();
    return logged("Activate", caller, inputs, [&] {
        // 1. Only a root cluster activates machines, through its activation issuer.
        require(m_role == Role::Root, "issue machine certificates; only a root cluster does");
        require_active();
        // 2. Mode 2 takes RSA-2048 machine keys only; mode 1 takes RSA-1024 or RSA-2048 (§1.5).
        const auto bits = r.machine_key.bits();
        if (!(bits == 2048 || (bits == 1024 && m_record.crypto_mode == 1))) {
            throw Error(ErrorKind::PolicyDenied, "a RSA-" + std::to_string(bits) + " machine key is not allowed in crypto mode " +
                                                     std::to_string(m_record.crypto_mode), RmsFault::UnsupportedCryptographicSet);
        }
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
                    &signer(detail::k_activation_key)};
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
        require_active();
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
        // 3. Crypto mode and identity.
        const auto& machine_key = *spc.principal->key;
        if (!(machine_key.bits() == 2048 || (machine_key.bits() == 1024 && m_record.crypto_mode == 1))) {
            throw Error(ErrorKind::PolicyDenied, "a RSA-" + std::to_string(machine_key.bits()) + " machine key is not allowed in crypto mode " +
                                                     std::to_string(m_record.crypto_mode), RmsFault::UnsupportedCryptographicSet);
        }
        if (r.user_id.empty() || r.user_id.size() > 256) throw Error(ErrorKind::Malformed, "a user ID is required", RmsFault::Argument);
        if (!plausible_email(r.email)) {
            throw Error(ErrorKind::Malformed, "'" + r.email + "' is not an email address", RmsFault::VerifyEmailAddressFailed);
        }
        // 4. The user's key pair: one per user, reused on every machine, escrowed.
        const auto key = user_key(r.user_id, r.email);
        const auto user_public = xrml::PublicKey::from_botan(*key);
        // 5. Validity: back-dated by the tolerance; 365 days persistent or 15 minutes temporary.
        const auto now = m_clock.now().floor_minute();
        const xrml::TimeRange validity{now.plus_seconds(-60 * m_options.backdate_minutes),
                                       r.temporary ? now.plus_seconds(60 * m_options.temporary_rac_validity_minutes)
                                                   : now.plus_seconds(86400 * m_options.rac_validity_days)};
        // 6. Build the RAC (§2.3.3) with the user key sealed to the machine key (§2.7).
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
        const auto version = m_record.crypto_mode == 2 ? xrml::SealVersion::V2 : xrml::SealVersion::V1;
        t.sealed_user_key = xrml::seal_private_key(*key, machine_key, version, xrml::build_issuer_element(t.issuer), m_rng);
        // 7. Record, sign, complete; return with the SLC chain.
        Issuance is{request_id, "Certify", &caller, inputs, t.id, xrml::names::rights_account_certificate, r.user_id,
                    user_public.fingerprint(), now, validity, xrml::build_rights_account_certificate_body(t),
                    &signer(detail::k_cluster_key)};
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
        require_active();
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
        // 3. Crypto mode: the RAC key and its signature must be of this authority's mode.
        check_key_for_mode(*rac.principal->key, m_record.crypto_mode, "the RAC key");
        if (rac.signature.digest_algorithm != mode_digest(m_record.crypto_mode)) {
            throw Error(ErrorKind::PolicyDenied, "the RAC is signed with a hash not allowed in this crypto mode",
                        RmsFault::UnsupportedCryptographicSet);
        }
        // 4. A fresh signing key from the pool, sealed to the RAC key; the ISSUE range is the RAC's validity.
        const auto clc_key = key_pool().take();
        const auto now = m_clock.now().floor_minute();
        xrml::ClientLicensorCertificateTemplate t;
        t.id = new_id();
        t.issued = now;
        t.issuer = own_principal();
        t.licensing_url = m_record.base_url + "/licensing";
        t.user = rac.principal->object;
        t.clc_key = xrml::PublicKey::from_botan(*clc_key);
        t.issue_range = *rac.validity;
        const auto version = m_record.crypto_mode == 2 ? xrml::SealVersion::V2 : xrml::SealVersion::V1;
        t.sealed_clc_key = xrml::seal_private_key(*clc_key, *rac.principal->key, version,
                                                  xrml::build_issuer_element(t.issuer), m_rng);
        // 5. Record, sign, complete; return with this cluster's SLC chain.
        Issuance is{request_id, "GetClientLicensorCert", &caller, inputs, t.id, xrml::names::client_licensor_certificate,
                    rac.principal->object.id.value, t.clc_key.fingerprint(), now, t.issue_range,
                    xrml::build_client_licensor_certificate_body(t), &signer(detail::k_cluster_key)};
        IssuedChain out{t.id, is.kind, {run_issuance(is)}};
        const auto chain = own_chain();
        out.documents.insert(out.documents.end(), chain.begin(), chain.end());
        return out;
    });
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
        if (m_record.anchor_fingerprint.empty()) {
            throw Error(ErrorKind::WrongState, "this cluster has no trust anchor: initialise it with --trust-anchor");
        }
        // 2. The chain verifies to the anchor it was initialised with.
        const auto docs = read_chain(slc_chain, RmsFault::Argument, "the SLC chain");
        const auto& slc = docs.front();
        inputs = "slc=" + slc.descriptor.id.value;
        xrml::ChainOptions options{m_record.anchor_fingerprint, m_clock.now(), {}};
        const auto verdict = xrml::verify_ordered_chain(docs, options);
        if (!verdict.ok()) throw Error(ErrorKind::PolicyDenied, "the SLC chain does not verify: " + verdict.detail);
        // 3. The SLC certifies exactly this cluster: its key, its GUID, its URL.
        const auto cluster_key = signer(detail::k_cluster_key).public_key();
        if (slc.kind() != xrml::names::server_licensor_certificate || !slc.principal || !slc.principal->key ||
            *slc.principal->key != cluster_key) {
            throw Error(ErrorKind::PolicyDenied, "the SLC does not carry this cluster's public key " + cluster_key.fingerprint());
        }
        if (!slc.principal->object.id.same_as({xrml::names::guid, m_record.guid})) {
            throw Error(ErrorKind::PolicyDenied, "the SLC is for cluster " + slc.principal->object.id.value + ", not " + m_record.guid);
        }
        const auto& addresses = slc.principal->object.addresses;
        if (addresses.empty() || addresses.front().value != m_record.base_url) {
            throw Error(ErrorKind::PolicyDenied, "the SLC does not carry this cluster's URL " + m_record.base_url);
        }
        // 4. A root cluster gets its machine activation issuer, certified under the new SLC.
        std::vector<store::KeyBlob> keys;
        std::vector<store::ChainRecord> chains{{detail::k_slc_chain, {}}};
        for (const auto& d : docs) chains[0].documents.push_back(d.raw.text);
        if (m_role == Role::Root) {
            auto activation = generate_rsa_key(mode_key_bits(m_record.crypto_mode), m_rng);
            const auto activation_public = xrml::PublicKey::from_botan(*activation);
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
            Issuance is{request_id, "ActivateCluster", &caller, inputs, t.id, "Activation-Issuer", t.subject.object.id.value,
                        activation_public.fingerprint(), now, t.issue_range, xrml::build_issuing_certificate_body(t),
                        &signer(detail::k_cluster_key)};
            std::vector<std::string> activation_chain{run_issuance(is)};
            activation_chain.insert(activation_chain.end(), chains[0].documents.begin(), chains[0].documents.end());
            chains.push_back({detail::k_activation_chain, activation_chain});
            keys.push_back({detail::k_activation_key, activation_public.fingerprint(),
                            encrypt_private_key(*activation, m_password, m_rng, m_options.key_kdf_iterations)});
        }
        // 5. One transaction: chains, keys, state, log entry.
        detail::storage([&] {
            m_store.activate_authority("active", keys, chains,
                                       log_entry(request_id, "ActivateCluster", caller, inputs, slc.descriptor.id.value,
                                                 "accepted", "cluster active on SLC " + slc.descriptor.id.value));
            return 0;
        });
        m_record.state = "active";
        std::lock_guard<std::mutex> lock(m_mutex);
        m_own_slc.reset();
        m_own_chain.reset();
        m_activation.reset();
        return 0;
    });
}

}  // namespace xrca::ca
