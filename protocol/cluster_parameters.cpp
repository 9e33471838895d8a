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

void write_key(xrml::XmlBuilder& b, const char* element, const xrml::PublicKey& key) {
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

int read_crypto_mode(const xrml::XmlElement& holder) {
    const auto mode = trimmed_text(holder.required("CryptoMode"));
    if (mode != "1" && mode != "2") holder.fail(FormatReason::BadValue, "CryptoMode must be 1 or 2");
    return mode == "1" ? 1 : 2;
}

void write_parameters(xrml::XmlBuilder& b, const ca::PreparedRequest& r) {
    const bool enroll = r.operation == "Enroll";
    if (enroll) {
        b.open("RevocationInformation");
        b.element("RevocationType", {}, r.revocation == "custom" ? "CustomRevocation" : "StandardRevocation");
        if (r.revocation == "custom") {
            b.open("aRevocationAuthorities");
            for (const auto& k : r.revocation_authorities) {
                b.open("RevocationAuthorityInformation");
                write_key(b, "aRevocationAuthorityPublicKey", k);
                b.close();
            }
            b.close();
        }
        b.close();
    }
    b.open("CertificatePublicKey");
    write_key(b, "aPublicKeyBytes", r.cluster_key);
    b.element("Guid", {}, r.cluster_guid);
    b.close();
    b.open("EnrolleeInformation");
    b.element("SKU", {}, r.sku);
    b.element("Version", {}, r.version);
    b.element("Name", {}, r.name);
    b.element("URL", {}, r.url);
    b.close();
}

void read_parameters(const xrml::XmlElement& params, ca::PreparedRequest& r) {
    const bool enroll = r.operation == "Enroll";
    if (enroll) {
        const auto info = params.required("RevocationInformation");
        const auto type = trimmed_text(info.required("RevocationType"));
        if (type == "StandardRevocation") {
            r.revocation = "standard";
            if (info.optional("aRevocationAuthorities")) info.fail(FormatReason::BadValue, "standard revocation names no authorities");
        } else if (type == "CustomRevocation") {
            r.revocation = "custom";
            const auto list = info.required("aRevocationAuthorities");
            for (const auto& a : list.all("RevocationAuthorityInformation")) {
                r.revocation_authorities.push_back(read_key(a.required("aRevocationAuthorityPublicKey")));
            }
            if (r.revocation_authorities.empty()) list.fail(FormatReason::MissingElement, "custom revocation needs at least one authority");
        } else {
            info.fail(FormatReason::Unsupported, "RevocationType must be StandardRevocation or CustomRevocation");
        }
    } else {
        r.revocation = "standard";
        if (params.optional("RevocationInformation")) params.fail(FormatReason::BadValue, "SubEnroll carries no revocation information");
    }
    const auto key = params.required("CertificatePublicKey");
    r.cluster_key = read_key(key.required("aPublicKeyBytes"));
    r.cluster_guid = trimmed_text(key.required("Guid"));
    const auto who = params.required("EnrolleeInformation");
    r.sku = who.required("SKU").text();
    r.version = who.required("Version").text();
    r.name = who.required("Name").text();
    r.url = who.required("URL").text();
}

ca::EnrollRequest to_enroll_request(const ca::PreparedRequest& r,
                                    std::optional<ca::ProofOfPossession> proof) {
    ca::EnrollRequest e;
    e.cluster_key = r.cluster_key;
    e.cluster_guid = r.cluster_guid;
    e.name = r.name;
    e.url = r.url;
    e.sku = r.sku;
    e.version = r.version;
    e.revocation = r.revocation;
    e.revocation_authorities = r.revocation_authorities;
    e.request_id = r.request_id;
    e.proof = std::move(proof);
    e.crypto_mode = r.crypto_mode;
    return e;
}

ca::SubEnrollRequest to_sub_enroll_request(const ca::PreparedRequest& r,
                                           std::optional<ca::ProofOfPossession> proof) {
    ca::SubEnrollRequest s;
    s.cluster_key = r.cluster_key;
    s.cluster_guid = r.cluster_guid;
    s.name = r.name;
    s.url = r.url;
    s.sku = r.sku;
    s.version = r.version;
    s.request_id = r.request_id;
    s.proof = std::move(proof);
    s.crypto_mode = r.crypto_mode;
    return s;
}

}  // namespace xrca::protocol
