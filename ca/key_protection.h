// Private keys at rest (ARCHITECTURE.md invariant 5, docs/key-protection.md):
//  - authority keys: encrypted PKCS#8, Botan PBES2 with PBKDF2-HMAC-SHA-512 and AES-256/CBC;
//  - escrowed user keys: PKCS#8 under AES-256/GCM with an escrow key derived once per process
//    from the same password (PBKDF2-HMAC-SHA-512, a stored random salt), the user ID as
//    associated data, so a user's key cannot be swapped for another's.
// Plaintext key bytes only ever live in Botan::secure_vector, which zeroises on release.
#pragma once

#include <botan/secmem.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Botan {
class RSA_PrivateKey;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::ca {

/** A key password, held in locked, zeroised memory. */
class Password {
public:
    explicit Password(std::string_view text) : m_bytes(text.begin(), text.end()) {}
    [[nodiscard]] std::string str() const { return std::string(m_bytes.begin(), m_bytes.end()); }
    [[nodiscard]] bool empty() const noexcept { return m_bytes.empty(); }
    [[nodiscard]] const Botan::secure_vector<char>& bytes() const noexcept { return m_bytes; }

private:
    Botan::secure_vector<char> m_bytes;
};

/** PBKDF2 iterations for authority keys: ~0.1 s per key on this class of machine (see docs). */
inline constexpr std::size_t k_key_kdf_iterations = 150000;

/** Generates an RSA key of `bits` (1024 in mode 1, 2048 in mode 2), e = 65537. */
std::unique_ptr<Botan::RSA_PrivateKey> generate_rsa_key(std::size_t bits, Botan::RandomNumberGenerator& rng);

/** Encrypted PKCS#8 (DER) of `key` under `password`. */
std::vector<std::uint8_t> encrypt_private_key(const Botan::RSA_PrivateKey& key, const Password& password,
                                              Botan::RandomNumberGenerator& rng,
                                              std::size_t iterations = k_key_kdf_iterations);

/** Decrypts what encrypt_private_key wrote. A wrong password is Error(KeyUnavailable) saying so. */
std::unique_ptr<Botan::RSA_PrivateKey> decrypt_private_key(const std::vector<std::uint8_t>& blob,
                                                           const Password& password, const std::string& key_name);

/** The escrow key for user keys, derived from the password and a stored salt. */
Botan::secure_vector<std::uint8_t> derive_escrow_key(const Password& password, const std::vector<std::uint8_t>& salt,
                                                     std::size_t iterations = k_key_kdf_iterations);

/** Seals a user key for the escrow table: nonce || AES-256/GCM(PKCS#8), AD = user ID. */
std::vector<std::uint8_t> wrap_user_key(const Botan::RSA_PrivateKey& key,
                                        const Botan::secure_vector<std::uint8_t>& escrow_key,
                                        const std::string& user_id, Botan::RandomNumberGenerator& rng);
std::unique_ptr<Botan::RSA_PrivateKey> unwrap_user_key(const std::vector<std::uint8_t>& blob,
                                                       const Botan::secure_vector<std::uint8_t>& escrow_key,
                                                       const std::string& user_id);

}  // namespace xrca::ca
