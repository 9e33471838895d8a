// BODY templates (reference §2.3). Element order follows real documents, not the DTD, where
// the two differ (§2.1).
#include "xrml/templates.h"

#include "xrml/revocation.h"

#include "xrml/builder.h"
#include "xrml/errors.h"

namespace xrca::xrml {
namespace {

void write_object(XmlBuilder& b, const XrmlObject& o) {
    if (o.type.empty()) {
        b.open("OBJECT");
    } else {
        b.open("OBJECT", {{"type", o.type}});
    }
    b.element("ID", {{"type", o.id.type}}, o.id.value);
    if (o.name) b.element("NAME", {}, *o.name);
    for (const auto& a : o.addresses) b.element("ADDRESS", {{"type", a.type}}, a.value);
    b.close();
}

void write_public_key(XmlBuilder& b, const PublicKey& key) {
    b.open("PUBLICKEY");
    b.element("ALGORITHM", {}, "RSA");
    b.open("PARAMETER", {{"name", "public-exponent"}});
    b.element("VALUE", {{"encoding", "integer32"}}, std::to_string(key.exponent()));
    b.close();
    b.open("PARAMETER", {{"name", "modulus"}});
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(key.bits())}},
              base64_encode(key.modulus_little_endian()));
    b.close();
    b.close();
}

void write_digest(XmlBuilder& b, const Digest& d) {
    b.open("DIGEST");
    b.element("ALGORITHM", {}, digest_algorithm_xrml_name(d.algorithm));
    b.open("PARAMETER", {{"name", "codingtype"}});
    b.element("VALUE", {{"encoding", "string"}}, "surface-coding");
    b.close();
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(d.declared_bits.value_or(d.value.size() * 8))}},
              base64_encode(d.value));
    b.close();
}

void write_enabling_bits(XmlBuilder& b, const EnablingBits& e) {
    b.open("ENABLINGBITS", {{"type", e.type}});
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(e.value.size() * 8)}}, base64_encode(e.value));
    b.close();
}

void write_security_levels(XmlBuilder& b, const std::vector<SecurityLevel>& levels) {
    for (const auto& s : levels) b.empty("SECURITYLEVEL", {{"name", s.name}, {"value", s.value}});
}

// The content of a principal: OBJECT, PUBLICKEY, DIGEST, SECURITYLEVELs, ENABLINGBITS.
void write_principal_content(XmlBuilder& b, const Principal& p) {
    write_object(b, p.object);
    if (p.key) write_public_key(b, *p.key);
    if (p.digest) write_digest(b, *p.digest);
    write_security_levels(b, p.security_levels);
    if (p.enabling_bits) write_enabling_bits(b, *p.enabling_bits);
}

void write_issuer(XmlBuilder& b, const Principal& issuer) {
    if (!issuer.key) throw FormatError(FormatReason::MissingElement, "the issuer principal has no PUBLICKEY", "ISSUER");
    b.open("ISSUER");
    write_principal_content(b, issuer);
    b.close();
}

void write_time_range(XmlBuilder& b, const char* name, const TimeRange& r) {
    b.open(name);
    b.element("FROM", {}, r.from.to_xrml());
    b.element("UNTIL", {}, r.until.to_xrml());
    b.close();
}

void write_distribution_point(XmlBuilder& b, const std::string& type, const char* id, const char* name,
                              const std::string& address) {
    b.open("DISTRIBUTIONPOINT");
    write_object(b, XrmlObject{type, {names::guid, id}, std::string(name), {{"URL", address}}});
    b.close();
}

void write_descriptor(XmlBuilder& b, const std::string& type, const std::string& id,
                      const std::optional<std::string>& name = std::nullopt) {
    b.open("DESCRIPTOR");
    write_object(b, XrmlObject{type, {names::guid, id}, name, {}});
    b.close();
}

// WORK with the ISSUE right bound to principal 1, optionally with ENABLINGBITS (CLC).
void write_issue_work(XmlBuilder& b, const XrmlObject& object, const TimeRange& range, const EnablingBits* sealed) {
    b.open("WORK");
    write_object(b, object);
    b.open("RIGHTSGROUP", {{"name", "Main-Rights"}});
    b.open("RIGHTSLIST");
    b.open("RIGHT", {{"name", "ISSUE"}});
    b.open("CONDITIONLIST");
    b.open("TIME");
    write_time_range(b, "RANGETIME", range);
    b.close();
    b.open("ACCESS");
    if (sealed) {
        b.open("PRINCIPAL", {{"internal-id", "1"}});
        write_enabling_bits(b, *sealed);
        b.close();
    } else {
        b.empty("PRINCIPAL", {{"internal-id", "1"}});
    }
    b.close();  // ACCESS
    b.close();  // CONDITIONLIST
    b.close();  // RIGHT
    b.close();  // RIGHTSLIST
    b.close();  // RIGHTSGROUP
    b.close();  // WORK
}

void open_body(XmlBuilder& b, Time issued) {
    b.open("BODY", {{"type", "LICENSE"}, {"version", "3.0"}});
    b.element("ISSUEDTIME", {}, issued.to_xrml());
}

void require_guid(const std::string& id, const char* what) {
    const bool ok = id.size() == 38 && id.front() == '{' && id.back() == '}';
    if (!ok) throw FormatError(FormatReason::BadValue, std::string(what) + " '" + id + "' is not a braced GUID");
}

}  // namespace

const char* descriptor_type(IssuingKind kind) noexcept {
    switch (kind) {
        case IssuingKind::CaCertificate:
        case IssuingKind::EnrollmentCa: return names::ca_certificate;
        case IssuingKind::EnrollmentService:
        case IssuingKind::ServerLicensor:
        case IssuingKind::ActivationIssuer: return names::server_licensor_certificate;
    }
    return names::server_licensor_certificate;
}

std::string build_issuing_certificate_body(const IssuingCertificateTemplate& t) {
    require_guid(t.id, "certificate ID");
    if (!t.subject.key)
        throw FormatError(FormatReason::MissingElement, "the subject has no PUBLICKEY", "ISSUEDPRINCIPALS");
    XmlBuilder b;
    open_body(b, t.issued);
    if (t.validity) write_time_range(b, "VALIDITYTIME", *t.validity);
    const XrmlObject descriptor{descriptor_type(t.kind), {names::guid, t.id}, std::nullopt, {}};
    b.open("DESCRIPTOR");
    write_object(b, descriptor);
    b.close();
    write_issuer(b, t.issuer);
    b.open("ISSUEDPRINCIPALS");
    b.open("PRINCIPAL", {{"internal-id", "1"}});
    write_principal_content(b, t.subject);
    b.close();
    b.close();
    write_issue_work(b, descriptor, t.issue_range, nullptr);
    if (!t.revocation_points.empty()) {
        // Custom revocation (§5.3): the signers allowed to revoke this SLC; the empty
        // INTERVALTIME authorises them without forcing a download.
        b.open("CONDITIONLIST");
        b.open("REFRESH");
        for (const auto& dp : t.revocation_points) {
            b.open("DISTRIBUTIONPOINT");
            write_object(b, dp.object);
            if (dp.key) write_public_key(b, *dp.key);
            b.close();
        }
        b.empty("INTERVALTIME");
        b.close();
        b.close();
    }
    b.close();  // BODY
    return std::move(b).str();
}

std::string build_machine_certificate_body(const MachineCertificateTemplate& t) {
    require_guid(t.id, "certificate ID");
    require_guid(t.machine_id, "machine ID");
    XmlBuilder b;
    open_body(b, t.issued);
    write_descriptor(b, names::machine_certificate, t.id, std::string("Microsoft Machine-Certificate"));
    write_issuer(b, t.issuer);
    write_distribution_point(b, "Activation", names::activation_point_id, "Microsoft Activation", t.activation_address);
    b.open("ISSUEDPRINCIPALS");
    b.open("PRINCIPAL");
    write_object(b, XrmlObject{names::machine_identifier, {names::guid, t.machine_id}, std::string("Machine"), {}});
    write_public_key(b, t.machine_key);
    write_digest(b, t.hardware_id);
    write_security_levels(b, t.security_levels);
    b.close();
    b.close();
    b.close();  // BODY
    return std::move(b).str();
}

std::string build_rights_account_certificate_body(const RightsAccountCertificateTemplate& t) {
    require_guid(t.id, "certificate ID");
    XmlBuilder b;
    open_body(b, t.issued);
    write_time_range(b, "VALIDITYTIME", t.validity);
    write_descriptor(b, names::rights_account_certificate, t.id);
    write_issuer(b, t.issuer);
    write_distribution_point(b, "Activation", names::certification_point_id, "Microsoft Identity Certification Server",
                             t.certification_url);
    if (t.extranet_certification_url) {
        write_distribution_point(b, "Extranet-Activation", names::certification_point_id,
                                 "Microsoft Identity Certification Server", *t.extranet_certification_url);
    }
    b.open("ISSUEDPRINCIPALS");
    b.open("PRINCIPAL", {{"internal-id", "1"}});
    write_object(b, t.user);
    write_public_key(b, t.user_key);
    write_security_levels(b, {{"Group-Identity-Credential-Type", t.persistent ? "Persistent" : "Temporary"},
                              {"Group-Identity-Type", "Group"},
                              {"Group-Identity-Policy", "Group-Identity-Credential"}});
    b.close();
    b.close();
    b.open("FEDERATIONPRINCIPALS");
    b.open("PRINCIPAL");
    write_object(b, t.machine);
    write_enabling_bits(b, t.sealed_user_key);
    write_security_levels(b, t.machine_security_levels);
    b.close();
    b.close();
    b.close();  // BODY
    return std::move(b).str();
}

std::string build_client_licensor_certificate_body(const ClientLicensorCertificateTemplate& t) {
    require_guid(t.id, "certificate ID");
    XmlBuilder b;
    open_body(b, t.issued);
    const XrmlObject descriptor{names::client_licensor_certificate, {names::guid, t.id}, std::nullopt, {}};
    b.open("DESCRIPTOR");
    write_object(b, descriptor);
    b.close();
    write_issuer(b, t.issuer);
    write_distribution_point(b, "License-Acquisition-URL", names::licensing_point_id, "DRM Server Cluster",
                             t.licensing_url);
    if (t.extranet_licensing_url) {
        write_distribution_point(b, "Extranet-License-Acquisition-URL", names::extranet_licensing_point_id,
                                 "DRM Server Cluster", *t.extranet_licensing_url);
    }
    b.open("ISSUEDPRINCIPALS");
    b.open("PRINCIPAL", {{"internal-id", "1"}});
    write_object(b, t.user);
    write_public_key(b, t.clc_key);
    b.close();
    b.close();
    write_issue_work(b, descriptor, t.issue_range, &t.sealed_clc_key);
    b.close();  // BODY
    return std::move(b).str();
}

std::string build_issuer_element(const Principal& issuer) {
    XmlBuilder b;
    write_issuer(b, issuer);
    return std::move(b).str();
}

std::string build_public_key_element(const PublicKey& key) {
    XmlBuilder b;
    write_public_key(b, key);
    return std::move(b).str();
}

std::string build_revocation_list_body(const RevocationListTemplate& t) {
    XmlBuilder b;
    b.open("BODY", {{"type", "LICENSE"}, {"version", "3.0"}});
    b.element("ISSUEDTIME", {}, t.issued.to_xrml());
    if (t.validity) write_time_range(b, "VALIDITYTIME", *t.validity);
    b.open("DESCRIPTOR");
    write_object(b, {names::revocation_list, {names::guid, t.id}, std::nullopt, {}});
    b.close();
    write_issuer(b, t.issuer);
    b.open("REVOCATIONLIST", {{"type", names::revocation_list_element_type}});
    for (const auto& e : t.entries) {
        b.open("REVOKE", {{"category", revoke_category(e.type)}, {"type", revoke_type_name(e.type)}});
        switch (e.type) {
            case RevokeType::LicenseHash:
                b.open("DIGEST");
                b.element("ALGORITHM", {}, "SHA1");
                b.element("VALUE", {{"encoding", "base64"}, {"size", "160"}}, base64_encode(e.sha1));
                b.close();
                break;
            case RevokeType::IssuerKey:
            case RevokeType::PrincipalKey: write_public_key(b, *e.key); break;
            case RevokeType::LicenseId:
            case RevokeType::IssuerId:
            case RevokeType::ContentId:
            case RevokeType::PrincipalId: write_object(b, e.object); break;
        }
        b.close();
    }
    b.close();
    b.close();
    return std::move(b).str();
}

}  // namespace xrca::xrml
