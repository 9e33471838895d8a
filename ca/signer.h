// Signing BODY text with an authority key. The Signer is the only thing in ca/ that touches a
// private key for signing; an HSM-backed one can replace SoftwareSigner behind this interface.
#pragma once

#include "ca/requests.h"
#include "xrml/certificate.h"

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace Botan {
class PK_Signer;
class RSA_PrivateKey;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::ca {

class Signer {
public:
    virtual ~Signer() = default;
    /** The complete signed document for `body`: the exact body, then SIGNATURE. Thread-safe. */
    [[nodiscard]] virtual std::string sign_document(std::string_view body) = 0;
    /** The PKCS#1 v1.5 signature over `text` hashed as UTF-16LE, as BODY text is. Thread-safe. */
    [[nodiscard]] virtual std::vector<std::uint8_t> sign_text(std::string_view text) = 0;
    [[nodiscard]] virtual const xrml::PublicKey& public_key() const = 0;
    [[nodiscard]] virtual xrml::DigestAlgorithm digest_algorithm() const = 0;
};

/**
 * A signer that signs a digest: the XrML digest (over the UTF-16LE BODY text) is computed here,
 * once for every kind of key; what differs between engines and tokens is only sign_digest().
 */
class DigestSigner : public Signer {
public:
    DigestSigner(xrml::PublicKey public_key, xrml::DigestAlgorithm algorithm)
        : m_public(std::move(public_key)), m_algorithm(algorithm) {}
    [[nodiscard]] std::string sign_document(std::string_view body) final;
    [[nodiscard]] std::vector<std::uint8_t> sign_text(std::string_view text) final;
    [[nodiscard]] const xrml::PublicKey& public_key() const final { return m_public; }
    [[nodiscard]] xrml::DigestAlgorithm digest_algorithm() const final { return m_algorithm; }

protected:
    /** The PKCS#1 v1.5 signature (big-endian) over `digest`, a hash with digest_algorithm(). Thread-safe. */
    virtual std::vector<std::uint8_t> sign_digest(const std::vector<std::uint8_t>& digest) = 0;

private:
    xrml::PublicKey m_public;
    xrml::DigestAlgorithm m_algorithm;
};

/**
 * An in-process RSA key. Botan's PK_Signer is not thread-safe and costly to create (it sets up
 * blinding), so idle signers are pooled: concurrent callers each take one.
 * `rng` must be thread-safe (Botan::System_RNG) when signing from several threads.
 */
class SoftwareSigner final : public DigestSigner {
public:
    SoftwareSigner(std::unique_ptr<Botan::RSA_PrivateKey> key, xrml::DigestAlgorithm algorithm,
                   Botan::RandomNumberGenerator& rng);
    ~SoftwareSigner() override;
    SoftwareSigner(const SoftwareSigner&) = delete;
    SoftwareSigner& operator=(const SoftwareSigner&) = delete;

private:
    std::vector<std::uint8_t> sign_digest(const std::vector<std::uint8_t>& digest) override;
    std::unique_ptr<Botan::RSA_PrivateKey> m_key;
    Botan::RandomNumberGenerator& m_rng;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Botan::PK_Signer>> m_idle;
};

/**
 * A proof of possession of the signer's key (xrca's addition to enrollment and activation): a
 * PKCS#1 v1.5 signature over `text` hashed as UTF-16LE, the way XrML BODY text is.
 */
ProofOfPossession prove_possession(Signer& signer, const std::string& text);
/** The same for a key a client holds in memory (its machine key). */
ProofOfPossession prove_possession(const Botan::RSA_PrivateKey& key, const std::string& text,
                                   xrml::DigestAlgorithm digest, Botan::RandomNumberGenerator& rng);

}  // namespace xrca::ca
