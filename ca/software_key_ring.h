// The software key ring: keys as encrypted PKCS#8 blobs in the store, opened with the cluster's
// key password, signing in process (docs/key-protection.md). User keys are escrowed under a key
// derived from the same password and a stored salt.
//
// Thread safety: every method may be called concurrently; a key is decrypted once, lazily.
#pragma once

#include "ca/key_protection.h"
#include "ca/key_ring.h"
#include "ca/signing_engine.h"
#include "store/store.h"

#include <map>
#include <mutex>
#include <optional>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::ca {

class SoftwareKeyRing final : public KeyRing {
public:
    /**
     * `keys` holds the blobs; `rng` must be thread-safe when the ring is shared (Botan::System_RNG).
     * `kdf_iterations` is the PBKDF2 cost of keys it encrypts and of the escrow key; `engine` signs.
     */
    SoftwareKeyRing(store::KeyStore& keys, Password password, Botan::RandomNumberGenerator& rng,
                    std::size_t kdf_iterations = k_key_kdf_iterations, SigningEngine engine = k_default_signing_engine);
    ~SoftwareKeyRing() override;
    SoftwareKeyRing(const SoftwareKeyRing&) = delete;
    SoftwareKeyRing& operator=(const SoftwareKeyRing&) = delete;

    Signer& signer(KeyName name, xrml::DigestAlgorithm digest) override;
    /** Error(Usage) if the password is shorter than 8 characters: a new key must be well protected. */
    NewKey generate(KeyName name, std::size_t bits, xrml::DigestAlgorithm digest) override;
    void forget() override;
    std::unique_ptr<Botan::RSA_PrivateKey> extract(KeyName name) override;
    /** Error(Usage) if the password is shorter than 8 characters, as for generate(). */
    NewKey adopt(KeyName name, const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm digest) override;
    std::vector<std::uint8_t> escrow_user_key(const Botan::RSA_PrivateKey& key, const std::string& user_id) override;
    std::unique_ptr<Botan::RSA_PrivateKey> recover_user_key(const std::vector<std::uint8_t>& sealed,
                                                            const std::string& user_id) override;
    std::vector<store::KeyBlob> provisioning_secrets() override;

private:
    const Botan::secure_vector<std::uint8_t>& escrow_key();

    store::KeyStore& m_keys;
    Password m_password;
    Botan::RandomNumberGenerator& m_rng;
    std::size_t m_kdf_iterations;
    SigningEngine m_engine;
    std::mutex m_mutex;
    std::map<std::pair<KeyName, xrml::DigestAlgorithm>, std::unique_ptr<Signer>> m_signers;
    std::optional<Botan::secure_vector<std::uint8_t>> m_escrow_key;
};

}  // namespace xrca::ca
