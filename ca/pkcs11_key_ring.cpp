// Keys generated and used inside a PKCS#11 token (see pkcs11_key_ring.h).
#include "ca/pkcs11_key_ring.h"

#include "ca/errors.h"
#include "ca/pkcs11_reference.h"

#include <botan/bigint.h>
#include <botan/data_src.h>
#include <botan/pkcs8.h>
#include <botan/rng.h>
#include <botan/rsa.h>

#include <array>
#include <cstring>
#include <type_traits>

namespace xrca::ca {
namespace {

constexpr std::size_t k_nonce_bytes = 12;
constexpr std::size_t k_tag_bytes = 16;
constexpr std::size_t k_id_bytes = 16;

CK_BBOOL k_yes = CK_TRUE;
CK_BBOOL k_no = CK_FALSE;

// An attribute pointing at `value` (which must outlive the call it is given to). Only for
// plain values: a std::string or std::vector takes the overloads below, which point at its bytes.
template <typename T, typename = std::enable_if_t<std::is_trivially_copyable_v<T>>>
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, T& value) {
    return {type, &value, sizeof value};
}
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, const std::string& value) {
    return {type, const_cast<char*>(value.data()), value.size()};
}
CK_ATTRIBUTE attribute(CK_ATTRIBUTE_TYPE type, const std::vector<std::uint8_t>& value) {
    return {type, const_cast<std::uint8_t*>(value.data()), value.size()};
}

std::optional<store::KeyBlob> stored(store::KeyStore& keys, const std::string& name) {
    try {
        return keys.load_key(name);
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}

std::vector<std::uint8_t> fresh_id(Botan::RandomNumberGenerator& rng) {
    const auto id = rng.random_vec(k_id_bytes);
    return {id.begin(), id.end()};
}

// The label a key gets in the token: what it is for and its fingerprint's start. The cluster's
// keys share one prefix, as a renewal moves a key from next to current to previous.
std::string object_label(KeyName name, const std::string& fingerprint) {
    const bool cluster = name == KeyName::Cluster || name == KeyName::ClusterNext || name == KeyName::ClusterPrevious;
    return std::string("xrca-") + (cluster ? "cluster" : key_name(name)) + "-" + fingerprint.substr(0, 16);
}

}  // namespace

Pkcs11KeyRing::Pkcs11KeyRing(store::KeyStore& keys, std::shared_ptr<Pkcs11Token> token,
                             Botan::RandomNumberGenerator& rng)
    : m_keys(keys), m_token(std::move(token)), m_rng(rng) {}

Pkcs11KeyRing::~Pkcs11KeyRing() = default;

CK_OBJECT_HANDLE Pkcs11KeyRing::find_object(Pkcs11Token::Session& session, CK_OBJECT_CLASS kind,
                                            const store::KeyBlob& blob) const {
    if (blob.custody != store::KeyCustody::Pkcs11) {
        throw Error(ErrorKind::WrongState, "the " + blob.name +
                                               " key is a software key, but this authority's keys are in PKCS#11 "
                                               "token '" +
                                               m_token->label() + "'");
    }
    const auto ref = read_pkcs11_reference(blob.encrypted, blob.name);
    if (ref.module != m_token->module_path() || ref.token != m_token->label()) {
        throw Error(ErrorKind::WrongState, "the " + blob.name + " key is in token '" + ref.token + "' of " +
                                               ref.module + ", not in token '" + m_token->label() + "' of " +
                                               m_token->module_path());
    }
    auto match = std::vector<CK_ATTRIBUTE>{attribute(CKA_CLASS, kind), attribute(CKA_ID, ref.id),
                                           attribute(CKA_LABEL, ref.object)};
    const auto found = m_token->find(session, match);
    if (found.empty()) {
        throw Error(ErrorKind::NotFound, "token '" + m_token->label() + "' holds no object '" + ref.object +
                                             "' with the stored ID (the " + blob.name + " key): was it deleted?");
    }
    if (found.size() > 1) {
        throw Error(ErrorKind::Storage, "token '" + m_token->label() + "' holds several objects '" + ref.object +
                                            "' with the ID of the " + blob.name + " key");
    }
    return found.front();
}

Signer& Pkcs11KeyRing::signer(KeyName name, xrml::DigestAlgorithm digest) {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto& slot = m_signers[{name, digest}];
    if (!slot) {
        const auto blob = stored(m_keys, key_name(name));
        if (!blob) throw Error(ErrorKind::WrongState, std::string("this authority has no ") + key_name(name) + " key");
        auto session = m_token->session();
        const auto key = find_object(session, CKO_PRIVATE_KEY, *blob);
        const Botan::RSA_PublicKey rsa(Botan::BigInt(m_token->attribute(session, key, CKA_MODULUS)),
                                       Botan::BigInt(m_token->attribute(session, key, CKA_PUBLIC_EXPONENT)));
        auto public_key = xrml::PublicKey::from_botan(rsa);
        if (public_key.fingerprint() != blob->fingerprint) {
            throw Error(ErrorKind::Storage, "the object token '" + m_token->label() + "' holds for the " + blob->name +
                                                " key is another key (" + public_key.fingerprint() + ", not " +
                                                blob->fingerprint + ")");
        }
        slot = std::make_unique<Pkcs11Signer>(m_token, key, std::move(public_key), digest);
    }
    return *slot;
}

NewKey Pkcs11KeyRing::generate(KeyName name, std::size_t bits, xrml::DigestAlgorithm digest) {
    const auto id = fresh_id(m_rng);
    std::string label = "xrca-new-" + xrml::to_hex(id);  // until the fingerprint is known
    CK_ULONG modulus_bits = bits;
    std::array<CK_BYTE, 3> exponent{1, 0, 1};  // 65537
    auto public_template = std::vector<CK_ATTRIBUTE>{attribute(CKA_TOKEN, k_yes),
                                                     attribute(CKA_PRIVATE, k_no),
                                                     attribute(CKA_VERIFY, k_yes),
                                                     attribute(CKA_MODULUS_BITS, modulus_bits),
                                                     attribute(CKA_PUBLIC_EXPONENT, exponent),
                                                     attribute(CKA_ID, id),
                                                     attribute(CKA_LABEL, label)};
    auto private_template = std::vector<CK_ATTRIBUTE>{attribute(CKA_TOKEN, k_yes),     attribute(CKA_PRIVATE, k_yes),
                                                      attribute(CKA_SENSITIVE, k_yes), attribute(CKA_EXTRACTABLE, k_no),
                                                      attribute(CKA_SIGN, k_yes),      attribute(CKA_ID, id),
                                                      attribute(CKA_LABEL, label)};
    CK_MECHANISM mechanism{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
    CK_OBJECT_HANDLE public_handle = CK_INVALID_HANDLE, private_handle = CK_INVALID_HANDLE;
    auto session = m_token->session();
    auto& api = m_token->api();
    m_token->check(
        api.C_GenerateKeyPair(session.handle(), &mechanism, public_template.data(), public_template.size(),
                              private_template.data(), private_template.size(), &public_handle, &private_handle),
        "C_GenerateKeyPair");
    try {
        const Botan::RSA_PublicKey rsa(Botan::BigInt(m_token->attribute(session, public_handle, CKA_MODULUS)),
                                       Botan::BigInt(m_token->attribute(session, public_handle, CKA_PUBLIC_EXPONENT)));
        auto public_key = xrml::PublicKey::from_botan(rsa);
        label = object_label(name, public_key.fingerprint());
        auto relabel = attribute(CKA_LABEL, label);
        m_token->check(api.C_SetAttributeValue(session.handle(), public_handle, &relabel, 1), "C_SetAttributeValue");
        m_token->check(api.C_SetAttributeValue(session.handle(), private_handle, &relabel, 1), "C_SetAttributeValue");
        store::KeyBlob record{key_name(name), public_key.fingerprint(),
                              write_pkcs11_reference({m_token->module_path(), m_token->label(), label, id}),
                              store::KeyCustody::Pkcs11};
        auto signer = std::make_shared<Pkcs11Signer>(m_token, private_handle, public_key, digest);
        return {std::move(public_key), std::move(record), std::move(signer)};
    } catch (...) {
        // A key the store will never name is of no use: it goes with the failure.
        (void)api.C_DestroyObject(session.handle(), private_handle);
        (void)api.C_DestroyObject(session.handle(), public_handle);
        throw;
    }
}

void Pkcs11KeyRing::forget() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_signers.clear();
}

std::unique_ptr<Botan::RSA_PrivateKey> Pkcs11KeyRing::extract(KeyName name) {
    throw Error(ErrorKind::PolicyDenied, std::string("the ") + key_name(name) + " key is held in PKCS#11 token '" +
                                             m_token->label() +
                                             "' and cannot leave it: back the token up with its own tools");
}

NewKey Pkcs11KeyRing::adopt(KeyName name, const Botan::RSA_PrivateKey& /*key*/, xrml::DigestAlgorithm /*digest*/) {
    throw Error(ErrorKind::PolicyDenied, std::string("a ") + key_name(name) +
                                             " key cannot be imported into a PKCS#11 token by xrca: import it "
                                             "into software keys (init without --key-store pkcs11)");
}

CK_OBJECT_HANDLE Pkcs11KeyRing::escrow_key() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_escrow_key) {
        const auto blob = stored(m_keys, k_pkcs11_escrow_key);
        if (!blob) throw Error(ErrorKind::WrongState, "this authority holds no user keys (no escrow key in its token)");
        auto session = m_token->session();
        m_escrow_key = find_object(session, CKO_SECRET_KEY, *blob);
    }
    return *m_escrow_key;
}

std::vector<std::uint8_t> Pkcs11KeyRing::escrow_user_key(const Botan::RSA_PrivateKey& key, const std::string& user_id) {
    const auto handle = escrow_key();
    const auto plain = Botan::PKCS8::BER_encode(key);
    const auto nonce = m_rng.random_vec(k_nonce_bytes);
    CK_GCM_PARAMS gcm{const_cast<std::uint8_t*>(nonce.data()),
                      nonce.size(),
                      nonce.size() * 8,
                      reinterpret_cast<CK_BYTE*>(const_cast<char*>(user_id.data())),
                      user_id.size(),
                      k_tag_bytes * 8};
    CK_MECHANISM mechanism{CKM_AES_GCM, &gcm, sizeof gcm};
    std::vector<std::uint8_t> out(k_nonce_bytes + plain.size() + k_tag_bytes);
    std::memcpy(out.data(), nonce.data(), k_nonce_bytes);
    CK_ULONG size = out.size() - k_nonce_bytes;
    auto session = m_token->session();
    auto& api = m_token->api();
    m_token->check(api.C_EncryptInit(session.handle(), &mechanism, handle), "C_EncryptInit");
    m_token->check(api.C_Encrypt(session.handle(), const_cast<std::uint8_t*>(plain.data()), plain.size(),
                                 out.data() + k_nonce_bytes, &size),
                   "C_Encrypt");
    out.resize(k_nonce_bytes + size);
    return out;
}

std::unique_ptr<Botan::RSA_PrivateKey> Pkcs11KeyRing::recover_user_key(const std::vector<std::uint8_t>& sealed,
                                                                       const std::string& user_id) {
    if (sealed.size() < k_nonce_bytes + k_tag_bytes)
        throw Error(ErrorKind::Internal, "escrowed key of " + user_id + " is truncated");
    const auto handle = escrow_key();
    CK_GCM_PARAMS gcm{const_cast<std::uint8_t*>(sealed.data()),
                      k_nonce_bytes,
                      k_nonce_bytes * 8,
                      reinterpret_cast<CK_BYTE*>(const_cast<char*>(user_id.data())),
                      user_id.size(),
                      k_tag_bytes * 8};
    CK_MECHANISM mechanism{CKM_AES_GCM, &gcm, sizeof gcm};
    Botan::secure_vector<std::uint8_t> plain(sealed.size() - k_nonce_bytes);
    CK_ULONG size = plain.size();
    auto session = m_token->session();
    auto& api = m_token->api();
    m_token->check(api.C_DecryptInit(session.handle(), &mechanism, handle), "C_DecryptInit");
    const CK_RV rv = api.C_Decrypt(session.handle(), const_cast<std::uint8_t*>(sealed.data()) + k_nonce_bytes,
                                   sealed.size() - k_nonce_bytes, plain.data(), &size);
    // The token answers a failed tag check in its own words (CKR_ENCRYPTED_DATA_INVALID, or a
    // general failure): either way the entry is not this user's as it was sealed.
    if (rv != CKR_OK) {
        throw Error(ErrorKind::Unauthorized, "the escrowed key of user " + user_id +
                                                 " was altered or belongs to another user (token '" + m_token->label() +
                                                 "': " + pkcs11_return_name(rv) + ")");
    }
    plain.resize(size);
    try {
        Botan::DataSource_Memory source(plain);
        auto key = Botan::PKCS8::load_key(source);
        if (auto* rsa = dynamic_cast<Botan::RSA_PrivateKey*>(key.get())) {
            (void)key.release();
            return std::unique_ptr<Botan::RSA_PrivateKey>(rsa);
        }
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::Internal, "the escrowed key of user " + user_id + " does not read as an RSA key");
}

std::vector<store::KeyBlob> Pkcs11KeyRing::provisioning_secrets() {
    const auto id = fresh_id(m_rng);
    const std::string label = "xrca-escrow-" + xrml::to_hex(id).substr(0, 16);
    CK_OBJECT_CLASS kind = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_AES;
    CK_ULONG length = 32;
    auto secret_template = std::vector<CK_ATTRIBUTE>{
        attribute(CKA_CLASS, kind),    attribute(CKA_KEY_TYPE, type),   attribute(CKA_TOKEN, k_yes),
        attribute(CKA_PRIVATE, k_yes), attribute(CKA_SENSITIVE, k_yes), attribute(CKA_EXTRACTABLE, k_no),
        attribute(CKA_ENCRYPT, k_yes), attribute(CKA_DECRYPT, k_yes),   attribute(CKA_VALUE_LEN, length),
        attribute(CKA_ID, id),         attribute(CKA_LABEL, label)};
    CK_MECHANISM mechanism{CKM_AES_KEY_GEN, nullptr, 0};
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    auto session = m_token->session();
    m_token->check(m_token->api().C_GenerateKey(session.handle(), &mechanism, secret_template.data(),
                                                secret_template.size(), &handle),
                   "C_GenerateKey");
    return {{k_pkcs11_escrow_key, "", write_pkcs11_reference({m_token->module_path(), m_token->label(), label, id}),
             store::KeyCustody::Pkcs11}};
}

}  // namespace xrca::ca
