// Digest, RSA PKCS#1 v1.5 verification with cached keys, and document assembly.
#include "xrml/signature.h"

#include "xrml/builder.h"
#include "xrml/encoding.h"
#include "xrml/raw_document.h"

#include <botan/hash.h>
#include <botan/pk_keys.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

namespace xrca::xrml {
namespace {

std::string raw_emsa(DigestAlgorithm algorithm) {
    // The digest is computed (and compared with DIGEST) by us; Botan only adds the DigestInfo.
    return std::string("EMSA3(Raw,") + digest_algorithm_botan_name(algorithm) + ")";
}

bool rsa_verify(const Certificate& doc, const std::vector<std::uint8_t>& digest) {
    const auto key = doc.issuer.key->botan_key();
    try {
        Botan::PK_Verifier verifier(*key, raw_emsa(doc.signature.digest_algorithm));
        return verifier.verify_message(digest, doc.signature.value);
    } catch (const std::exception&) {
        // Botan throws for a signature value not below the modulus: that is a bad signature too.
        return false;
    }
}

}  // namespace

const char* failure_name(Failure failure) noexcept {
    switch (failure) {
        case Failure::None: return "none";
        case Failure::DigestMismatch: return "digest-mismatch";
        case Failure::BadSignature: return "bad-signature";
        case Failure::SignatureSize: return "signature-size";
        case Failure::UntrustedAnchor: return "untrusted-anchor";
        case Failure::IssuerMismatch: return "issuer-mismatch";
        case Failure::NoIssueRight: return "no-issue-right";
        case Failure::IssuedOutsideIssuerRange: return "issued-outside-issuer-range";
        case Failure::NotYetValid: return "not-yet-valid";
        case Failure::Expired: return "expired";
        case Failure::ChainLoop: return "chain-loop";
    }
    return "unknown";
}

const char* body_form_name(BodyForm form) noexcept {
    return form == BodyForm::Exact ? "exact" : "whitespace-normalised";
}

std::vector<std::uint8_t> body_digest(std::string_view body_utf8, DigestAlgorithm algorithm) {
    // One hash object per thread and algorithm (creating one allocates), fed in chunks so the
    // UTF-16LE text is never materialised.
    thread_local const std::unique_ptr<Botan::HashFunction> sha1 = Botan::HashFunction::create_or_throw("SHA-1");
    thread_local const std::unique_ptr<Botan::HashFunction> sha256 = Botan::HashFunction::create_or_throw("SHA-256");
    Botan::HashFunction& hash = algorithm == DigestAlgorithm::Sha1 ? *sha1 : *sha256;
    hash.clear();
    std::uint8_t buf[4096];
    for (std::size_t pos = 0; pos < body_utf8.size();) {
        hash.update(buf, utf16le_chunk(body_utf8, pos, buf, sizeof buf));
    }
    std::vector<std::uint8_t> out(hash.output_length());
    hash.final(out.data());
    return out;
}

SignatureVerdict verify_signature(const Certificate& doc) {
    SignatureVerdict v;
    const auto& key = *doc.issuer.key;
    if (doc.signature.value_size_bits != key.bits() || doc.signature.value.size() != (key.bits() + 7) / 8) {
        v.failure = Failure::SignatureSize;
        v.detail = "signature is " + std::to_string(doc.signature.value_size_bits) + " bits but the issuer key is " +
                   std::to_string(key.bits());
        return v;
    }
    auto digest = body_digest(doc.raw.body_text(), doc.signature.digest_algorithm);
    if (digest != doc.signature.digest) {
        digest = body_digest(strip_inter_element_whitespace(doc.raw.body_text()), doc.signature.digest_algorithm);
        if (digest != doc.signature.digest) {
            v.failure = Failure::DigestMismatch;
            v.detail =
                std::string(digest_algorithm_xrml_name(doc.signature.digest_algorithm)) +
                " of the BODY text (exact, and with inter-element whitespace removed) differs from the DIGEST value";
            return v;
        }
        v.form = BodyForm::WhitespaceNormalised;
    }
    if (!rsa_verify(doc, digest)) {
        v.failure = Failure::BadSignature;
        v.detail =
            "RSA PKCS#1 v1.5 signature does not verify with the ISSUER key " + key.fingerprint().substr(0, 16) + "…";
        return v;
    }
    v.detail = std::string("signature verified (") + body_form_name(v.form) + " BODY text)";
    return v;
}

std::string assemble_document(std::string_view body, DigestAlgorithm algorithm, const std::vector<std::uint8_t>& digest,
                              const std::vector<std::uint8_t>& signature, std::size_t key_bits) {
    XmlBuilder b;
    b.open("XrML", {{"xmlns", ""}, {"version", "1.2"}});
    b.raw(body);
    b.open("SIGNATURE");
    b.open("DIGEST");
    b.element("ALGORITHM", {}, digest_algorithm_xrml_name(algorithm));
    b.open("PARAMETER", {{"name", "codingtype"}});
    b.element("VALUE", {{"encoding", "string"}}, "surface-coding");
    b.close();
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(digest_bits(algorithm))}},
              base64_encode(digest));
    b.close();
    b.element("ALGORITHM", {}, "RSA PKCS#1-V1.5");
    b.element("VALUE", {{"encoding", "base64"}, {"size", std::to_string(key_bits)}}, base64_encode(signature));
    b.close();
    b.close();
    return std::move(b).str();
}

std::string sign_document(std::string_view body, const Botan::Private_Key& key, DigestAlgorithm algorithm,
                          Botan::RandomNumberGenerator& rng) {
    const auto digest = body_digest(body, algorithm);
    Botan::PK_Signer signer(key, rng, raw_emsa(algorithm));
    const auto signature = signer.sign_message(digest, rng);
    return assemble_document(body, algorithm, digest, signature, key.key_length());
}

}  // namespace xrca::xrml
