// Software RSA signing with a pool of Botan signers.
#include "ca/signer.h"

#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>

namespace xrca::ca {

std::string DigestSigner::sign_document(std::string_view body) {
    const auto digest = xrml::body_digest(body, m_algorithm);
    return xrml::assemble_document(body, m_algorithm, digest, sign_digest(digest), m_public.bits());
}

std::vector<std::uint8_t> DigestSigner::sign_text(std::string_view text) {
    return sign_digest(xrml::body_digest(text, m_algorithm));
}

SoftwareSigner::SoftwareSigner(std::unique_ptr<Botan::RSA_PrivateKey> key, xrml::DigestAlgorithm algorithm,
                               Botan::RandomNumberGenerator& rng)
    : DigestSigner(xrml::PublicKey::from_botan(*key), algorithm), m_key(std::move(key)), m_rng(rng) {}

SoftwareSigner::~SoftwareSigner() = default;

std::vector<std::uint8_t> SoftwareSigner::sign_digest(const std::vector<std::uint8_t>& digest) {
    std::unique_ptr<Botan::PK_Signer> signer;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_idle.empty()) {
            signer = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    if (!signer) {
        signer = std::make_unique<Botan::PK_Signer>(
            *m_key, m_rng, std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(digest_algorithm()) + ")");
    }
    auto signature = signer->sign_message(digest, m_rng);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(std::move(signer));
    }
    return signature;
}

ProofOfPossession prove_possession(Signer& signer, const std::string& text) {
    return {text, signer.digest_algorithm(), signer.sign_text(text)};
}

ProofOfPossession prove_possession(const Botan::RSA_PrivateKey& key, const std::string& text,
                                   xrml::DigestAlgorithm digest, Botan::RandomNumberGenerator& rng) {
    ProofOfPossession proof;
    proof.signed_text = text;
    proof.digest = digest;
    Botan::PK_Signer signer(key, rng, std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(digest) + ")");
    proof.signature = signer.sign_message(xrml::body_digest(text, digest), rng);
    return proof;
}

}  // namespace xrca::ca
