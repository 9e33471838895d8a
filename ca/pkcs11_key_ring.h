// The PKCS#11 key ring (docs/key-protection.md, "Keys in a PKCS#11 token"): the authority's keys
// are generated inside one token (sensitive, not extractable) and sign there; the store keeps
// only a reference to each (ca/pkcs11_reference.h), custody pkcs11.
//
// Escrowed user keys stay software keys (they are sealed to clients inside RACs), but they are
// escrowed under an AES-256 key that is itself generated in the token and never leaves it:
// AES-256/GCM by the token, the user ID as associated data, stored as nonce || ciphertext || tag.
//
// Thread safety: every method may be called concurrently; signers share the token's session pool.
#pragma once

#include "ca/key_ring.h"
#include "ca/pkcs11_signer.h"
#include "ca/pkcs11_token.h"
#include "store/store.h"

#include <map>
#include <mutex>
#include <optional>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::ca {

class Pkcs11KeyRing final : public KeyRing {
public:
    /** Keys of `keys` held in `token` (open and logged in); `rng` makes CKA_IDs and GCM nonces. */
    Pkcs11KeyRing(store::KeyStore& keys, std::shared_ptr<Pkcs11Token> token, Botan::RandomNumberGenerator& rng);
    ~Pkcs11KeyRing() override;
    Pkcs11KeyRing(const Pkcs11KeyRing&) = delete;
    Pkcs11KeyRing& operator=(const Pkcs11KeyRing&) = delete;

    /**
     * Error(WrongState) for a key not held in this token, Error(NotFound) when the token lacks
     * the object the store names, Error(Storage) when the object is not the stored key.
     */
    Signer& signer(KeyName name, xrml::DigestAlgorithm digest) override;
    /** A key pair made by the token (C_GenerateKeyPair): the private half sensitive and not extractable. */
    NewKey generate(KeyName name, std::size_t bits, xrml::DigestAlgorithm digest) override;
    void forget() override;
    /** Refused: the token's keys are not extractable (its own backup is the way). */
    std::unique_ptr<Botan::RSA_PrivateKey> extract(KeyName name) override;
    /** Refused: xrca generates keys in the token, it does not import them. */
    NewKey adopt(KeyName name, const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm digest) override;
    std::vector<std::uint8_t> escrow_user_key(const Botan::RSA_PrivateKey& key, const std::string& user_id) override;
    std::unique_ptr<Botan::RSA_PrivateKey> recover_user_key(const std::vector<std::uint8_t>& sealed,
                                                            const std::string& user_id) override;
    /** The escrow key: an AES-256 key generated in the token, stored as a reference named "escrow-key". */
    std::vector<store::KeyBlob> provisioning_secrets() override;

    /** The token the ring's keys are in (tests and benchmarks look at its objects). */
    [[nodiscard]] Pkcs11Token& token() const noexcept { return *m_token; }

private:
    CK_OBJECT_HANDLE find_object(Pkcs11Token::Session& session, CK_OBJECT_CLASS kind, const store::KeyBlob& blob) const;
    CK_OBJECT_HANDLE escrow_key();

    store::KeyStore& m_keys;
    std::shared_ptr<Pkcs11Token> m_token;
    Botan::RandomNumberGenerator& m_rng;
    std::mutex m_mutex;
    std::map<std::pair<KeyName, xrml::DigestAlgorithm>, std::unique_ptr<Pkcs11Signer>> m_signers;
    std::optional<CK_OBJECT_HANDLE> m_escrow_key;
};

}  // namespace xrca::ca
