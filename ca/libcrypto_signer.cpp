// RSASSA-PKCS1-v1_5 over the XrML digest with OpenSSL's EVP_PKEY_sign (see libcrypto_signer.h).
#include "ca/libcrypto_signer.h"

#include "ca/errors.h"
#include "xrml/signature.h"

#include <botan/rsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <array>

namespace xrca::ca {
namespace {

/** The oldest queued OpenSSL error, for an Error's detail (never key material: OpenSSL's texts name operations). */
std::string openssl_error(const char* what) {
    std::array<char, 256> text{};
    const auto code = ERR_get_error();
    ERR_clear_error();
    if (code == 0) return what;
    ERR_error_string_n(code, text.data(), text.size());
    return std::string(what) + ": " + text.data();
}

const EVP_MD* message_digest(xrml::DigestAlgorithm algorithm) {
    return algorithm == xrml::DigestAlgorithm::Sha1 ? EVP_sha1() : EVP_sha256();
}

}  // namespace

struct LibcryptoSigner::Key {
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> pkey{nullptr, EVP_PKEY_free};
};

struct LibcryptoSigner::Context {
    std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX*)> ctx{nullptr, EVP_PKEY_CTX_free};
};

LibcryptoSigner::LibcryptoSigner(const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm algorithm)
    : DigestSigner(xrml::PublicKey::from_botan(key), algorithm), m_key(std::make_unique<Key>()) {
    // PKCS#1 RSAPrivateKey DER in a secure_vector: zeroised when it goes out of scope.
    const Botan::secure_vector<std::uint8_t> der = key.private_key_bits();
    const unsigned char* p = der.data();
    m_key->pkey.reset(d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
    if (!m_key->pkey) throw Error(ErrorKind::Internal, openssl_error("libcrypto could not load an RSA key"));
}

LibcryptoSigner::~LibcryptoSigner() = default;

std::vector<std::uint8_t> LibcryptoSigner::sign_digest(const std::vector<std::uint8_t>& digest) {
    std::unique_ptr<Context> context;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_idle.empty()) {
            context = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    if (!context) {
        context = std::make_unique<Context>();
        context->ctx.reset(EVP_PKEY_CTX_new(m_key->pkey.get(), nullptr));
        EVP_PKEY_CTX* ctx = context->ctx.get();
        if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_signature_md(ctx, message_digest(digest_algorithm())) <= 0) {
            throw Error(ErrorKind::Internal, openssl_error("libcrypto could not set up RSA signing"));
        }
    }
    std::vector<std::uint8_t> signature(public_key().bits() / 8 + 1);
    std::size_t length = signature.size();
    if (EVP_PKEY_sign(context->ctx.get(), signature.data(), &length, digest.data(), digest.size()) <= 0)
        throw Error(ErrorKind::Internal, openssl_error("libcrypto could not sign"));
    signature.resize(length);
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_idle.push_back(std::move(context));
    }
    return signature;
}

}  // namespace xrca::ca
