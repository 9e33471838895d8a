// Writing and reading offline request files.
#include "offline/request_file.h"

#include "xrml/builder.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/strict_xml.h"
#include "xrml/templates.h"

#include <botan/rsa.h>

namespace xrca::offline {
namespace {

using xrml::FormatError;
using xrml::FormatReason;

void write_key(xrml::XmlBuilder& b, const char* element, const xrml::PublicKey& key) {
    b.open(element);
    b.raw(xrml::build_public_key_element(key));
    b.close();
}

std::string trimmed(const xrml::XmlElement& e) {
    auto t = e.text();
    const auto b = t.find_first_not_of(" \t\r\n");
    const auto last = t.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : t.substr(b, last - b + 1);
}

// xrca writes keys as XrML <PUBLICKEY> elements; RMS clients send base64 PKCS#1 RSAPublicKey.
xrml::PublicKey read_key(const xrml::XmlElement& holder) {
    if (const auto element = holder.optional("PUBLICKEY")) return xrml::read_public_key_element(*element);
    const auto der = xrml::base64_decode(trimmed(holder), "a base64 PKCS#1 public key");
    try {
        return xrml::PublicKey::from_botan(Botan::RSA_PublicKey(Botan::AlgorithmIdentifier(), der));
    } catch (const std::exception&) {
        holder.fail(FormatReason::BadValue, "neither a <PUBLICKEY> nor a base64 PKCS#1 RSA public key");
    }
}


}  // namespace

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

void write_proof(xrml::XmlBuilder& b, const char* element, const ca::ProofOfPossession& proof) {
    b.open(element);
    b.element("ALGORITHM", {}, "RSA PKCS#1-V1.5");
    b.element("DIGEST", {}, xrml::digest_algorithm_xrml_name(proof.digest));
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(proof.signature.size() * 8)}},
              xrml::base64_encode(proof.signature));
    b.close();
}

std::string write_request_body(const ca::PreparedRequest& r) {
    xrml::XmlBuilder b;
    b.open("Body");
    b.element("RequestId", {}, r.request_id);
    b.element("Operation", {}, r.operation);
    b.element("Created", {}, r.created.to_iso8601());
    b.element("CryptoMode", {}, std::to_string(r.crypto_mode));
    b.open(r.operation == "Enroll" ? "EnrollParameters" : "SubEnrollParameters");
    write_parameters(b, r);
    b.close();  // parameters
    b.close();  // Body
    return std::move(b).str();
}

std::string write_request_file(const ca::SignedRequest& s) {
    xrml::XmlBuilder b;
    b.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    b.open("XrcaEnrollmentRequest", {{"format", k_format}});
    b.raw(s.body);
    write_proof(b, "ProofOfPossession", s.proof);
    b.close();
    return std::move(b).str() + "\n";
}

void read_parameters(const xrml::XmlElement& params, ca::PreparedRequest& r) {
    const bool enroll = r.operation == "Enroll";
    if (enroll) {
        const auto info = params.required("RevocationInformation");
        const auto type = trimmed(info.required("RevocationType"));
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
    r.cluster_guid = trimmed(key.required("Guid"));
    const auto who = params.required("EnrolleeInformation");
    r.sku = who.required("SKU").text();
    r.version = who.required("Version").text();
    r.name = who.required("Name").text();
    r.url = who.required("URL").text();
}

ca::ProofOfPossession read_proof(const xrml::XmlElement& proof) {
    ca::ProofOfPossession out;
    if (trimmed(proof.required("ALGORITHM")) != "RSA PKCS#1-V1.5") proof.fail(FormatReason::Unsupported, "only RSA PKCS#1-V1.5 proofs");
    const auto digest = trimmed(proof.required("DIGEST"));
    if (digest == "SHA256" || digest == "SHA-256") {
        out.digest = xrml::DigestAlgorithm::Sha256;
    } else if (digest == "SHA1" || digest == "SHA-1") {
        out.digest = xrml::DigestAlgorithm::Sha1;
    } else {
        proof.fail(FormatReason::Unsupported, "DIGEST must be SHA256 or SHA1");
    }
    const auto value = proof.required("VALUE");
    out.signature = xrml::base64_decode(value.text(), "the proof of possession");
    return out;
}

ReadRequest read_request_file(std::string_view bytes) {
    if (bytes.size() > k_max_request_bytes) {
        throw FormatError(FormatReason::TooLarge, "a request file of " + std::to_string(bytes.size()) +
                                                      " bytes is larger than the " + std::to_string(k_max_request_bytes) + " accepted");
    }
    const auto text = xrml::decode_input(bytes).utf8;
    const auto doc = xrml::XmlDocument::parse(text, k_max_request_bytes, 16, true);
    const auto root = doc.root();
    if (root.name() != "XrcaEnrollmentRequest") {
        throw FormatError(FormatReason::NotXrml, "expected <XrcaEnrollmentRequest>, found <" + root.name() + ">");
    }
    if (root.attr("format") != k_format) root.fail(FormatReason::Unsupported, "unknown format '" + root.attr("format") + "'");

    ReadRequest out;
    auto& r = out.request;
    const auto body = root.required("Body");
    r.request_id = trimmed(body.required("RequestId"));
    r.operation = trimmed(body.required("Operation"));
    if (r.operation != "Enroll" && r.operation != "SubEnroll") {
        body.fail(FormatReason::BadValue, "Operation must be Enroll or SubEnroll, not '" + r.operation.substr(0, 32) + "'");
    }
    const auto created = body.required("Created");
    const auto t = xrml::Time::try_parse(trimmed(created));
    if (!t) created.fail(FormatReason::BadTime, "not a time");
    r.created = *t;
    const auto mode = trimmed(body.required("CryptoMode"));
    if (mode != "1" && mode != "2") body.fail(FormatReason::BadValue, "CryptoMode must be 1 or 2");
    r.crypto_mode = mode == "1" ? 1 : 2;

    read_parameters(body.required(r.operation == "Enroll" ? "EnrollParameters" : "SubEnrollParameters"), r);
    out.proof = read_proof(root.required("ProofOfPossession"));
    // The proof covers the exact characters of <Body>…</Body> as they are in the file.
    out.proof.signed_text = std::string(xrml::first_child_text(xrml::root_element_text(text), "Body"));
    if (out.proof.signed_text.empty()) root.fail(FormatReason::MissingElement, "no Body to verify");
    return out;
}

ca::EnrollRequest to_enroll_request(const ReadRequest& in) {
    const auto& r = in.request;
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
    e.proof = in.proof;
    e.crypto_mode = r.crypto_mode;
    return e;
}

ca::SubEnrollRequest to_sub_enroll_request(const ReadRequest& in) {
    const auto& r = in.request;
    ca::SubEnrollRequest s;
    s.cluster_key = r.cluster_key;
    s.cluster_guid = r.cluster_guid;
    s.name = r.name;
    s.url = r.url;
    s.sku = r.sku;
    s.version = r.version;
    s.request_id = r.request_id;
    s.proof = in.proof;
    s.crypto_mode = r.crypto_mode;
    return s;
}

}  // namespace xrca::offline
