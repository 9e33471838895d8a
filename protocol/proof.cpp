// Writing and reading proofs of possession.
#include "protocol/proof.h"

#include "protocol/fields.h"
#include "xrml/certificate.h"
#include "xrml/errors.h"
#include "xrml/public_key.h"

namespace xrca::protocol {

using xrml::FormatReason;

void write_proof(xrml::XmlBuilder& b, const char* element, const ca::ProofOfPossession& proof) {
    b.open(element);
    b.element("ALGORITHM", {}, "RSA PKCS#1-V1.5");
    b.element("DIGEST", {}, xrml::digest_algorithm_xrml_name(proof.digest));
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(proof.signature.size() * 8)}},
              xrml::base64_encode(proof.signature));
    b.close();
}

ca::ProofOfPossession read_proof(const xrml::XmlElement& proof) {
    ca::ProofOfPossession out;
    if (trimmed_text(proof.required("ALGORITHM")) != "RSA PKCS#1-V1.5")
        proof.fail(FormatReason::Unsupported, "only RSA PKCS#1-V1.5 proofs");
    const auto digest = trimmed_text(proof.required("DIGEST"));
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

}  // namespace xrca::protocol
