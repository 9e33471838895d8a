// The sample hierarchy (see sample_chain.h).
#include "support/sample_chain.h"

#include "support/test_keys.h"
#include "xrml/signature.h"

namespace xrca::test {

using namespace xrml;

Principal make_principal(const std::string& type, const std::string& id_type, const std::string& id,
                         const std::optional<std::string>& name, const PublicKey& key) {
    Principal p;
    p.object = XrmlObject{type, {id_type, id}, name, {}};
    p.key = key;
    return p;
}

namespace {

Principal activation_principal(Mode mode) {
    return make_principal(names::security_processor, names::guid, "{5e7f1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b}",
                          std::string("xrca Test Activation Issuer"), PublicKey::from_botan(test_key(mode.bits(), 7)));
}

MachineCertificateTemplate machine_template(Mode mode, Time issued) {
    MachineCertificateTemplate m;
    m.id = "{11111111-2222-4333-8444-555555555507}";
    m.issued = issued;
    m.issuer = activation_principal(mode);
    m.activation_address = "https://rms.example.test/_wmcs/certification/Activation.asmx";
    m.machine_id = "{7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d}";
    m.machine_key = PublicKey::from_botan(test_key(mode.bits(), 8));
    m.hardware_id = Digest{DigestAlgorithm::Sha256, std::vector<uint8_t>(32, 0x11), std::nullopt};
    m.security_levels = {{"Platform", "Linux"}, {"Manufacturer", "xrca"}, {"Repository", "1.0.0.0"}};
    return m;
}

}  // namespace

std::string build_sample_spc(Mode mode, const Digest& hardware_id, const std::string& repository) {
    auto m = machine_template(mode, Time::parse("2026-01-15T10:30"));
    m.hardware_id = hardware_id;
    m.security_levels.back().value = repository;
    return sign_document(build_machine_certificate_body(m), test_key(mode.bits(), 7), mode.digest(), test_rng());
}

SampleHierarchy build_sample_hierarchy(Mode mode, bool custom_revocation) {
    const auto bits = mode.bits();
    const auto& root = test_key(2048, 0);
    const auto& ca = test_key(2048, 1);
    const auto& enrollment_ca = test_key(bits, 2);
    const auto& enrollment_service = test_key(bits, 3);
    const auto& slc = test_key(bits, 4);
    const auto& user = test_key(bits, 5);
    const auto& clc = test_key(bits, 6);
    const auto& activation = test_key(bits, 7);
    const auto& revocation_authority = test_key(bits, 9);
    const auto key = [](const Botan::RSA_PrivateKey& k) { return PublicKey::from_botan(k); };

    SampleHierarchy h;
    h.issued = Time::parse("2026-01-15T10:30");
    const TimeRange forever{Time::parse("2020-01-01T00:00"), Time::parse("2255-01-01T00:00")};
    h.anchor_fingerprint = key(root).fingerprint();

    const auto sign = [&](const std::string& body, const Botan::RSA_PrivateKey& k) {
        h.bodies.push_back(body);
        return sign_document(body, k, mode.digest(), test_rng());
    };

    const auto root_p = make_principal(names::certificate_authority, names::ascii_tag, "xrca Test Root",
                                       std::string("xrca Test Root"), key(root));
    const auto ca_p = make_principal(names::certificate_authority, names::ascii_tag, "xrca Test CA",
                                     std::string("xrca Test CA"), key(ca));
    const auto eca_p = make_principal(names::certificate_authority, names::ascii_tag, "xrca Test Enrollment CA",
                                      std::string("xrca Test Enrollment CA"), key(enrollment_ca));
    const auto es_p = make_principal(names::drm_server, names::guid, "{6c1a3b1e-0f55-4b53-9d0e-0b7c3c1f2a01}",
                                     std::string("xrca Test Enrollment Service"), key(enrollment_service));
    auto slc_p = make_principal(names::drm_server, names::guid, "{0d3b8f7a-93c4-4e0c-8a34-6f1f2d7b9c11}", std::nullopt,
                                key(slc));
    slc_p.object.addresses.push_back({"URL", "https://rms.example.test/_wmcs"});
    slc_p.security_levels = {{"Server-Version", "0.1.0"}, {"Server-SKU", "xrca"}};

    IssuingCertificateTemplate t;
    t.issued = h.issued;
    t.issue_range = forever;

    t.kind = IssuingKind::CaCertificate;
    t.id = "{11111111-2222-4333-8444-555555555501}";
    t.issuer = root_p;
    t.subject = ca_p;
    h.ca = sign(build_issuing_certificate_body(t), root);

    t.kind = IssuingKind::EnrollmentCa;
    t.id = "{11111111-2222-4333-8444-555555555502}";
    t.issuer = ca_p;
    t.subject = eca_p;
    h.enrollment_ca = sign(build_issuing_certificate_body(t), ca);

    t.kind = IssuingKind::EnrollmentService;
    t.id = "{11111111-2222-4333-8444-555555555503}";
    t.issuer = eca_p;
    t.subject = es_p;
    h.enrollment_service = sign(build_issuing_certificate_body(t), enrollment_ca);

    t.kind = IssuingKind::ServerLicensor;
    t.id = "{11111111-2222-4333-8444-555555555504}";
    t.issuer = es_p;
    t.subject = slc_p;
    t.validity = TimeRange{Time::parse("2026-01-15T10:30"), Time::parse("2027-01-15T10:30")};
    t.issue_range = TimeRange{Time::parse("2026-01-15T10:30"), Time::parse("2027-01-15T10:30")};
    if (custom_revocation) {
        DistributionPoint dp;
        dp.object = XrmlObject{"Revocation", {names::ascii_tag, "External revocation authority"}, std::nullopt, {}};
        dp.key = key(revocation_authority);
        t.revocation_points.push_back(dp);
    }
    h.slc = sign(build_issuing_certificate_body(t), enrollment_service);

    ClientLicensorCertificateTemplate c;
    c.id = "{11111111-2222-4333-8444-555555555505}";
    c.issued = h.issued;
    c.issuer = slc_p;
    c.licensing_url = "https://rms.example.test/_wmcs/licensing";
    c.user = XrmlObject{names::group_identity,
                        {"Federation", "{9a0c3e55-7d0e-4e8f-9b7a-1c2d3e4f5a6b}"},
                        std::string("alice@example.test"),
                        {}};
    c.clc_key = key(clc);
    c.issue_range = TimeRange{Time::parse("2026-01-14T10:30"), Time::parse("2027-01-15T10:30")};
    c.sealed_clc_key =
        EnablingBits{mode.number == 2 ? "sealed-key-v2" : "sealed-key", std::vector<uint8_t>(64, 0xA5), 512};
    h.clc = sign(build_client_licensor_certificate_body(c), slc);

    t.kind = IssuingKind::ActivationIssuer;
    t.id = "{11111111-2222-4333-8444-555555555506}";
    t.issuer = slc_p;
    t.subject = activation_principal(mode);
    t.validity.reset();
    t.revocation_points.clear();
    h.activation_issuer = sign(build_issuing_certificate_body(t), slc);

    const auto m = machine_template(mode, h.issued);
    h.spc = sign(build_machine_certificate_body(m), activation);

    RightsAccountCertificateTemplate r;
    r.id = "{11111111-2222-4333-8444-555555555508}";
    r.issued = h.issued;
    r.validity = TimeRange{Time::parse("2026-01-15T10:15"), Time::parse("2027-01-15T10:30")};
    r.issuer = slc_p;
    r.certification_url = "https://rms.example.test/_wmcs/certification";
    r.user = c.user;
    r.user_key = key(user);
    r.machine = XrmlObject{names::machine_identifier, {names::guid, m.machine_id}, std::string("Machine"), {}};
    r.sealed_user_key =
        EnablingBits{mode.number == 2 ? "sealed-key-v2" : "sealed-key", std::vector<uint8_t>(64, 0x5A), 512};
    r.machine_security_levels = m.security_levels;
    h.rac = sign(build_rights_account_certificate_body(r), slc);
    return h;
}

}  // namespace xrca::test
