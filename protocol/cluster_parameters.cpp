// Writing and reading the Enroll / SubEnroll parameters.
#include "protocol/cluster_parameters.h"

#include "protocol/fields.h"
#include "xrml/errors.h"
#include "xrml/public_key.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

namespace xrca::protocol {
namespace {

using xrml::FormatReason;

void write_key(xrml::XmlBuilder& b, const char* element, const xrml::PublicKey& key, KeyForm form) {
    if (form == KeyForm::Pkcs1) {
        const auto der = key.botan_key()->public_key_bits();  // RSAPublicKey (RFC 8017 A.1.1), DER
        b.element(element, {}, xrml::base64_encode(std::vector<std::uint8_t>(der.begin(), der.end())));
        return;
    }
    b.open(element);
    b.raw(xrml::build_public_key_element(key));
    b.close();
}

// xrca writes keys as XrML <PUBLICKEY> elements; RMS clients send base64 PKCS#1 RSAPublicKey.
xrml::PublicKey read_key(const xrml::XmlElement& holder) {
    if (const auto element = holder.optional("PUBLICKEY")) return xrml::read_public_key_element(*element);
    const auto der = xrml::base64_decode(trimmed_text(holder), "a base64 PKCS#1 public key");
    try {
        return xrml::PublicKey::from_botan(Botan::RSA_PublicKey(Botan::AlgorithmIdentifier(), der));
    } catch (const std::exception&) {
        holder.fail(FormatReason::BadValue, "neither a <PUBLICKEY> nor a base64 PKCS#1 RSA public key");
    }
}

}  // namespace

ca::CryptoMode read_crypto_mode(const xrml::XmlElement& holder) {
    const auto mode = trimmed_text(holder.required("CryptoMode"));
    if (mode != "1" && mode != "2") holder.fail(FormatReason::BadValue, "CryptoMode must be 1 or 2");
    return mode == "1" ? ca::CryptoMode::mode1() : ca::CryptoMode::mode2();
}

void write_crypto_mode(xrml::XmlBuilder& b, ca::CryptoMode mode) {
    b.element("CryptoMode", {}, std::to_string(mode.number()));
}

void write_parameters(xrml::XmlBuilder& b, const ca::ClusterRequest& r, KeyForm form) {
    const bool enroll = r.operation == ca::ClusterOperation::Enroll;
    if (enroll) {
        b.open("RevocationInformation");
        b.element("RevocationType", {},
                  r.revocation == ca::RevocationMode::Custom ? "CustomRevocation" : "StandardRevocation");
        if (r.revocation == ca::RevocationMode::Custom) {
            b.open("aRevocationAuthorities");
            for (const auto& k : r.revocation_authorities) {
                b.open("RevocationAuthorityInformation");
                write_key(b, "aRevocationAuthorityPublicKey", k, form);
                b.close();
            }
            b.close();
        }
        b.close();
    }
    b.open("CertificatePublicKey");
    write_key(b, "aPublicKeyBytes", r.cluster_key, form);
    b.element("Guid", {}, r.cluster_guid);
    b.close();
    b.open("EnrolleeInformation");
    b.element("SKU", {}, r.sku);
    b.element("Version", {}, r.version);
    b.element("Name", {}, r.name);
    b.element("URL", {}, r.url);
    b.close();
}

void read_parameters(const xrml::XmlElement& params, ca::ClusterRequest& r) {
    const bool enroll = r.operation == ca::ClusterOperation::Enroll;
    if (enroll) {
        const auto info = params.required("RevocationInformation");
        const auto type = trimmed_text(info.required("RevocationType"));
        if (type == "StandardRevocation") {
            r.revocation = ca::RevocationMode::Standard;
            // An empty list is what a serializer writes for an empty array; one naming an authority contradicts the
            // type.
            const auto list = info.optional("aRevocationAuthorities");
            if (list && list->optional("RevocationAuthorityInformation"))
                list->fail(FormatReason::BadValue, "standard revocation names no authorities");
        } else if (type == "CustomRevocation") {
            r.revocation = ca::RevocationMode::Custom;
            const auto list = info.required("aRevocationAuthorities");
            for (const auto& a : list.all("RevocationAuthorityInformation")) {
                r.revocation_authorities.push_back(read_key(a.required("aRevocationAuthorityPublicKey")));
            }
            if (r.revocation_authorities.empty())
                list.fail(FormatReason::MissingElement, "custom revocation needs at least one authority");
        } else {
            info.fail(FormatReason::Unsupported, "RevocationType must be StandardRevocation or CustomRevocation");
        }
    } else {
        r.revocation = ca::RevocationMode::Standard;
        if (params.optional("RevocationInformation"))
            params.fail(FormatReason::BadValue, "SubEnroll carries no revocation information");
    }
    const auto key = params.required("CertificatePublicKey");
    r.cluster_key = read_key(key.required("aPublicKeyBytes"));
    r.cluster_guid = trimmed_text(key.required("Guid"));
    // Every EnrolleeInformation field is optional in the schema ([MS-RMPR] 3.6.4.2.4.3); the authority
    // checks the ones it relies on (Version, and URL, which the SLC carries).
    const auto who = params.required("EnrolleeInformation");
    const auto text_of = [&](const char* name) {
        const auto e = who.optional(name);
        return e ? e->text() : std::string();
    };
    r.sku = text_of("SKU");
    r.version = text_of("Version");
    r.name = text_of("Name");
    r.url = text_of("URL");
}

ca::ClusterRequest with_proof(const ca::ClusterRequest& request, std::optional<ca::ProofOfPossession> proof,
                              std::optional<ca::ProofOfPossession> renewal_proof) {
    ca::ClusterRequest out = request;
    out.proof = std::move(proof);
    out.renewal_proof = std::move(renewal_proof);
    return out;
}

}  // namespace xrca::protocol
