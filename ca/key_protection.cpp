// Encryption of private keys at rest (see key_protection.h).
#include "ca/key_protection.h"

#include "ca/errors.h"

#include <botan/aead.h>
#include <botan/data_src.h>
#include <botan/pbkdf.h>
#include <botan/pkcs8.h>
#include <botan/rng.h>
#include <botan/rsa.h>

#include <chrono>
#include <cstring>

namespace xrca::ca {
namespace {

// Ownership of a loaded key as an RSA key, or nullptr when it is another kind of key.
std::unique_ptr<Botan::RSA_PrivateKey> as_rsa(std::unique_ptr<Botan::Private_Key> key) {
    if (dynamic_cast<Botan::RSA_PrivateKey*>(key.get()) == nullptr) return nullptr;
    return std::unique_ptr<Botan::RSA_PrivateKey>(static_cast<Botan::RSA_PrivateKey*>(key.release()));
}

}  // namespace

std::unique_ptr<Botan::RSA_PrivateKey> generate_rsa_key(std::size_t bits, Botan::RandomNumberGenerator& rng) {
    return std::make_unique<Botan::RSA_PrivateKey>(rng, bits, 65537);
}

std::vector<std::uint8_t> encrypt_private_key(const Botan::RSA_PrivateKey& key, const Password& password,
                                              Botan::RandomNumberGenerator& rng, std::size_t iterations) {
    if (password.empty()) throw Error(ErrorKind::Usage, "the key password must not be empty");
    return Botan::PKCS8::BER_encode_encrypted_pbkdf_iter(key, rng, password.str(), iterations, "AES-256/CBC",
                                                         "SHA-512");
}

std::unique_ptr<Botan::RSA_PrivateKey> decrypt_private_key(const std::vector<std::uint8_t>& blob,
                                                           const Password& password, const std::string& key_name) {
    std::unique_ptr<Botan::Private_Key> key;
    try {
        Botan::DataSource_Memory source(blob);
        key = Botan::PKCS8::load_key(source, password.str());
    } catch (const std::exception&) {
        throw Error(ErrorKind::KeyUnavailable,
                    "the key password does not open the " + key_name + " key (wrong password?); nothing was changed");
    }
    auto rsa = as_rsa(std::move(key));
    if (!rsa) throw Error(ErrorKind::Internal, "the stored " + key_name + " key is not an RSA key");
    return rsa;
}

Botan::secure_vector<std::uint8_t> derive_escrow_key(const Password& password, const std::vector<std::uint8_t>& salt,
                                                     std::size_t iterations) {
    const auto pbkdf = Botan::PBKDF::create_or_throw("PBKDF2(SHA-512)");
    const Botan::OctetString key = pbkdf->derive_key(32, password.str(), salt.data(), salt.size(), iterations);
    return key.bits_of();
}

std::vector<std::uint8_t> wrap_user_key(const Botan::RSA_PrivateKey& key,
                                        const Botan::secure_vector<std::uint8_t>& escrow_key,
                                        const std::string& user_id, Botan::RandomNumberGenerator& rng) {
    auto plain = Botan::PKCS8::BER_encode(key);
    const auto nonce = rng.random_vec(12);
    auto gcm = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::ENCRYPTION);
    gcm->set_key(escrow_key);
    gcm->set_associated_data(reinterpret_cast<const std::uint8_t*>(user_id.data()), user_id.size());
    gcm->start(nonce);
    gcm->finish(plain);
    // Assembled with memcpy: GCC 12 reports false -Wstringop-overflow for vector::insert here.
    std::vector<std::uint8_t> out(nonce.size() + plain.size());
    std::memcpy(out.data(), nonce.data(), nonce.size());
    std::memcpy(out.data() + nonce.size(), plain.data(), plain.size());
    return out;
}

std::unique_ptr<Botan::RSA_PrivateKey> unwrap_user_key(const std::vector<std::uint8_t>& blob,
                                                       const Botan::secure_vector<std::uint8_t>& escrow_key,
                                                       const std::string& user_id) {
    if (blob.size() < 12 + 16) throw Error(ErrorKind::Internal, "escrowed key of " + user_id + " is truncated");
    Botan::secure_vector<std::uint8_t> data(blob.begin() + 12, blob.end());
    auto gcm = Botan::AEAD_Mode::create_or_throw("AES-256/GCM", Botan::DECRYPTION);
    gcm->set_key(escrow_key);
    gcm->set_associated_data(reinterpret_cast<const std::uint8_t*>(user_id.data()), user_id.size());
    try {
        gcm->start(blob.data(), 12);
        gcm->finish(data);
        Botan::DataSource_Memory source(data);
        auto rsa = as_rsa(Botan::PKCS8::load_key(source));
        if (!rsa) throw std::runtime_error("not RSA");
        return rsa;
    } catch (const std::exception&) {
        throw Error(ErrorKind::Unauthorized,
                    "the escrowed key of user " + user_id + " does not open with this password or was altered");
    }
}

}  // namespace xrca::ca
