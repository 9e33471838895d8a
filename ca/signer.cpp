// Software RSA signing with a pool of Botan signers.
#include "ca/signer.h"

#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>

namespace xrca::ca {

SoftwareSigner::SoftwareSigner(std::unique_ptr<Botan::RSA_PrivateKey> key, xrml::DigestAlgorithm algorithm,
                               Botan::RandomNumberGenerator& rng)
    : m_key(std::move(key)), m_algorithm(algorithm), m_rng(rng), m_public(xrml::PublicKey::from_botan(*m_key)) {}

SoftwareSigner::~SoftwareSigner() = default;

std::string SoftwareSigner::sign_document(std::string_view body) {
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
            *m_key, m_rng, std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(m_algorithm) + ")");
    }
    const auto digest = xrml::body_digest(body, m_algorithm);
    const auto signature = signer->sign_message(digest, m_rng);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(std::move(signer));
    }
    return xrml::assemble_document(body, m_algorithm, digest, signature, m_public.bits());
}

ProofOfPossession prove_possession(const Botan::RSA_PrivateKey& key, const std::string& text, xrml::DigestAlgorithm digest,
                                   Botan::RandomNumberGenerator& rng) {
    ProofOfPossession proof;
    proof.signed_text = text;
    proof.digest = digest;
    Botan::PK_Signer signer(key, rng, std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(digest) + ")");
    proof.signature = signer.sign_message(xrml::body_digest(text, digest), rng);
    return proof;
}

}  // namespace xrca::ca
