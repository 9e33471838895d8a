// Keys encrypted under the key password, in the store (see software_key_ring.h).
#include "ca/software_key_ring.h"

#include "ca/errors.h"

#include <botan/rng.h>
#include <botan/rsa.h>

namespace xrca::ca {
namespace {

constexpr const char* k_escrow_salt = "escrow-salt";

std::optional<store::KeyBlob> stored(store::KeyStore& keys, const char* name) {
    try {
        return keys.load_key(name);
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}

store::KeyBlob load(store::KeyStore& keys, const char* name) {
    auto blob = stored(keys, name);
    if (!blob) throw Error(ErrorKind::WrongState, std::string("this authority has no ") + name + " key");
    return std::move(*blob);
}

}  // namespace

SoftwareKeyRing::SoftwareKeyRing(store::KeyStore& keys, Password password, Botan::RandomNumberGenerator& rng,
                                 std::size_t kdf_iterations, SigningEngine engine)
    : m_keys(keys), m_password(std::move(password)), m_rng(rng), m_kdf_iterations(kdf_iterations), m_engine(engine) {}

SoftwareKeyRing::~SoftwareKeyRing() = default;

Signer& SoftwareKeyRing::signer(KeyName name, xrml::DigestAlgorithm digest) {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto& slot = m_signers[{name, digest}];
    if (!slot) {
        const auto blob = load(m_keys, key_name(name));
        slot = make_software_signer(m_engine, decrypt_private_key(blob.encrypted, m_password, key_name(name)), digest,
                                    m_rng);
    }
    return *slot;
}

NewKey SoftwareKeyRing::generate(KeyName name, std::size_t bits, xrml::DigestAlgorithm digest) {
    if (m_password.bytes().size() < 8)
        throw Error(ErrorKind::Usage, "the key password must have at least 8 characters");
    auto key = generate_rsa_key(bits, m_rng);
    const auto public_key = xrml::PublicKey::from_botan(*key);
    store::KeyBlob record{key_name(name), public_key.fingerprint(),
                          encrypt_private_key(*key, m_password, m_rng, m_kdf_iterations)};
    return {public_key, std::move(record),
            std::shared_ptr<Signer>(make_software_signer(m_engine, std::move(key), digest, m_rng))};
}

std::unique_ptr<Botan::RSA_PrivateKey> SoftwareKeyRing::extract(KeyName name) {
    return decrypt_private_key(load(m_keys, key_name(name)).encrypted, m_password, key_name(name));
}

NewKey SoftwareKeyRing::adopt(KeyName name, const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm digest) {
    if (m_password.bytes().size() < 8)
        throw Error(ErrorKind::Usage, "the key password must have at least 8 characters");
    // A copy of its own for the signer, made from the key's parts (no encoding in between).
    auto own = std::make_unique<Botan::RSA_PrivateKey>(key.get_p(), key.get_q(), key.get_e(), key.get_d(), key.get_n());
    const auto public_key = xrml::PublicKey::from_botan(*own);
    store::KeyBlob record{key_name(name), public_key.fingerprint(),
                          encrypt_private_key(*own, m_password, m_rng, m_kdf_iterations)};
    return {public_key, std::move(record),
            std::shared_ptr<Signer>(make_software_signer(m_engine, std::move(own), digest, m_rng))};
}

void SoftwareKeyRing::forget() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_signers.clear();
}

const Botan::secure_vector<std::uint8_t>& SoftwareKeyRing::escrow_key() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_escrow_key) {
        const auto salt = stored(m_keys, k_escrow_salt);
        if (!salt) throw Error(ErrorKind::WrongState, "this authority holds no user keys (no escrow salt)");
        // The password is checked against a real key first, so that a wrong password is
        // reported as such rather than as a corrupt escrow entry.
        if (const auto check = stored(m_keys, key_name(KeyName::Cluster))) {
            (void)decrypt_private_key(check->encrypted, m_password, key_name(KeyName::Cluster));
        }
        m_escrow_key = derive_escrow_key(m_password, salt->encrypted, m_kdf_iterations);
    }
    return *m_escrow_key;
}

std::vector<std::uint8_t> SoftwareKeyRing::escrow_user_key(const Botan::RSA_PrivateKey& key,
                                                           const std::string& user_id) {
    return wrap_user_key(key, escrow_key(), user_id, m_rng);
}

std::unique_ptr<Botan::RSA_PrivateKey> SoftwareKeyRing::recover_user_key(const std::vector<std::uint8_t>& sealed,
                                                                         const std::string& user_id) {
    return unwrap_user_key(sealed, escrow_key(), user_id);
}

std::vector<store::KeyBlob> SoftwareKeyRing::provisioning_secrets() {
    const auto salt = m_rng.random_vec(32);
    return {{k_escrow_salt, "", std::vector<std::uint8_t>(salt.begin(), salt.end())}};
}

}  // namespace xrca::ca
