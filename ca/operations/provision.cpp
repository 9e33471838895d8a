// Provisioning (`xrca init`): keys, identity and — for an enrollment service or a self-enrolling
// root cluster — the three-level issuing hierarchy in the RMS shape under our own names.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "ca/issuer.h"
#include "ca/signer.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/rng.h>
#include <botan/rsa.h>

namespace xrca::ca {
namespace {

struct BuiltCertificate {
    std::string id;
    std::string kind;
    std::string subject;
    std::string key_fingerprint;
    xrml::Time issued;
    xrml::TimeRange range;
    std::string body;
    std::string document;
};

BuiltCertificate build_issuing(xrml::IssuingKind kind, const xrml::Principal& issuer, const xrml::Principal& subject,
                               xrml::Time now, const xrml::TimeRange& range, Signer& issuer_key,
                               Botan::RandomNumberGenerator& rng) {
    xrml::IssuingCertificateTemplate t;
    t.kind = kind;
    t.id = new_guid(rng);
    t.issued = now;
    t.validity = range;
    t.issuer = issuer;
    t.subject = subject;
    t.issue_range = range;
    BuiltCertificate c{t.id,
                       xrml::descriptor_type(kind),
                       subject.object.id.value,
                       subject.key->fingerprint(),
                       now,
                       range,
                       xrml::build_issuing_certificate_body(t),
                       {}};
    c.document = issuer_key.sign_document(c.body);
    return c;
}

void validate(const ProvisionRequest& r) {
    if (r.name.empty() || r.name.size() > 200)
        throw Error(ErrorKind::Usage, "--name is required (at most 200 characters)");
    if (r.role != Role::Enrollment) {
        if (r.base_url.rfind("https://", 0) != 0 && r.base_url.rfind("http://", 0) != 0) {
            throw Error(ErrorKind::Usage, "--url must be the cluster's base URL, e.g. https://rms.example.com/_wmcs");
        }
    }
    if (!r.extranet_url.empty()) {
        if (r.role == Role::Enrollment) throw Error(ErrorKind::Usage, "an enrollment service has no extranet URL");
        (void)checked_base_url(r.extranet_url, "--extranet-url");
    }
    if (r.role != Role::Root && (r.revocation != RevocationMode::Standard || !r.revocation_authorities.empty())) {
        throw Error(ErrorKind::Usage, "revocation options are for root clusters only");
    }
    if ((r.revocation == RevocationMode::Custom) != !r.revocation_authorities.empty()) {
        throw Error(ErrorKind::Usage,
                    "--revocation custom needs at least one --revocation-authority, and only it takes them");
    }
    if (r.self_enroll && r.role != Role::Root) throw Error(ErrorKind::Usage, "--self-enroll is for root clusters");
    if (r.self_enroll && r.trust_anchor)
        throw Error(ErrorKind::Usage, "a self-enrolled root is its own trust anchor: drop --trust-anchor");
    if (r.role == Role::Enrollment && r.trust_anchor)
        throw Error(ErrorKind::Usage, "an enrollment service is the trust anchor: drop --trust-anchor");
}

}  // namespace

void Authority::provision(const Collaborators& with, const ProvisionRequest& r, const Caller& caller,
                          const AuthorityOptions& options) {
    auto& store = with.store;
    auto& rng = with.rng;
    const auto& clock = with.clock;
    validate(r);
    if (auto existing = store.load_authority()) {
        throw Error(ErrorKind::Conflict, "this data directory already holds the " + existing->role + " authority '" +
                                             existing->name + "'; use another --data directory");
    }
    const auto now = clock.now().floor_minute();
    const CryptoMode mode = r.crypto_mode;
    store::AuthorityRecord record;
    record.role = role_name(r.role);
    record.name = r.name;
    record.guid = new_guid(rng);
    record.base_url = r.base_url;
    record.extranet_url = r.extranet_url.empty() ? "" : checked_base_url(r.extranet_url, "--extranet-url");
    record.crypto_mode = mode.number();
    record.state = state_name(r.role == Role::Enrollment ? AuthorityState::Active : AuthorityState::AwaitingResponse);
    record.revocation = revocation_mode_name(r.revocation);
    record.anchor_fingerprint = r.trust_anchor.value_or("");
    record.sku = r.sku;
    record.version = four_part_version(r.version);
    record.created = now.to_iso8601();

    std::vector<store::KeyBlob> keys;
    std::vector<store::ChainRecord> chains;
    std::vector<BuiltCertificate> issued;
    const auto make_key = [&](KeyName name, std::size_t bits) {
        auto key = with.keys.generate(name, bits, mode.digest());
        keys.push_back(key.record);
        return key;
    };

    // 1. The issuing hierarchy: root key (the anchor) -> CA -> enrollment CA -> enrollment service.
    if (r.role == Role::Enrollment || r.self_enroll) {
        const auto root = make_key(KeyName::Root, 2048);
        const auto ca = make_key(KeyName::Ca, 2048);
        const auto eca = make_key(KeyName::EnrollmentCa, mode.key_bits());
        const auto es = make_key(KeyName::EnrollmentService, mode.key_bits());
        const auto range = days_from(now, options.hierarchy_validity_days);
        const auto root_p = authority_principal("xrca Root - " + r.name, root.public_key);
        const auto ca_p = authority_principal("xrca CA - " + r.name, ca.public_key);
        const auto eca_p = authority_principal("xrca Enrollment CA - " + r.name, eca.public_key);
        xrml::Principal es_p;
        const auto es_name =
            std::string(r.self_enroll ? "xrca Self Enrollment Service - " : "xrca Enrollment Service - ") + r.name;
        es_p.object = xrml::XrmlObject{
            xrml::names::drm_server, {xrml::names::guid, r.self_enroll ? new_guid(rng) : record.guid}, es_name, {}};
        es_p.key = es.public_key;
        issued.push_back(build_issuing(xrml::IssuingKind::CaCertificate, root_p, ca_p, now, range, *root.signer, rng));
        issued.push_back(build_issuing(xrml::IssuingKind::EnrollmentCa, ca_p, eca_p, now, range, *ca.signer, rng));
        issued.push_back(
            build_issuing(xrml::IssuingKind::EnrollmentService, eca_p, es_p, now, range, *eca.signer, rng));
        chains.push_back({detail::k_enrollment_chain, {issued[2].document, issued[1].document, issued[0].document}});
        record.anchor_fingerprint = root.public_key.fingerprint();
    }
    // 2. A cluster key for root and licensing clusters; an escrow salt for root clusters' user keys.
    if (r.role != Role::Enrollment) (void)make_key(KeyName::Cluster, mode.key_bits());
    if (!r.revocation_authorities.empty()) {
        store::ChainRecord authorities{detail::k_revocation_authorities, {}};
        for (const auto& k : r.revocation_authorities)
            authorities.documents.push_back(xrml::build_public_key_element(k));
        chains.push_back(authorities);
    }
    if (r.role == Role::Root) {
        for (auto& secret : with.keys.provisioning_secrets()) keys.push_back(std::move(secret));
    }

    // 3. One transaction: the authority, its keys, its chains, the log entry; then the records
    //    of the hierarchy certificates.
    Audit audit(store, clock, rng);
    Issuer issuer(store, audit);
    const auto inputs = "role=" + record.role + "; name=" + r.name + "; url=" + r.base_url +
                        "; mode=" + std::to_string(mode.number()) + (r.self_enroll ? "; self-enroll" : "") +
                        "; revocation=" + revocation_mode_name(r.revocation);
    const auto entry = audit.entry(new_guid(rng), "Provision", caller, inputs, "", "accepted",
                                   "provisioned " + record.role + " authority " + record.guid);
    store.create_authority(record, keys, chains, entry);
    for (const auto& c : issued) {
        issuer.record_signed({entry.request_id, "ProvisionHierarchy", &caller, inputs, c.id, c.kind, c.subject,
                              c.key_fingerprint, c.issued, c.range, c.body, nullptr},
                             c.document);
    }

    // 4. Self-enrollment: the root cluster's first SLC from its private enrollment service.
    if (r.self_enroll) {
        Authority self(with, options);
        self.self_enroll(r, caller);
    }
}

void Authority::self_enroll(const ProvisionRequest& r, const Caller& caller) {
    const auto request_id = new_id();
    const std::string inputs = "guid=" + m_record.guid + "; self-enroll";
    const auto chain = m_store.load_chain(detail::k_enrollment_chain);
    const auto es_certificate = xrml::read_documents(chain.front()).documents.at(0);
    const auto slc = logged("Enroll", caller, inputs, [&] {
        return issue_slc({request_id, "Enroll", &caller, inputs, signer(KeyName::Cluster).public_key(), m_record.guid,
                          m_record.name, m_record.base_url, m_record.sku, four_part_version(m_record.version),
                          r.revocation_authorities, &signer(KeyName::EnrollmentService), es_certificate, chain});
    });
    activate(slc.documents, caller);
}

}  // namespace xrca::ca
