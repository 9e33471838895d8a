// Signing with OpenSSL 3.0's libcrypto: the private key is handed over once, as PKCS#8 DER in
// zeroised memory, and held by OpenSSL from then on (its BIGNUMs are cleared when freed).
// EVP_PKEY_CTX objects are not thread-safe and costly to set up (a provider fetch), so idle
// ones are pooled, as SoftwareSigner pools Botan's signers.
#pragma once

#include "ca/signer.h"

#include <memory>
#include <mutex>
#include <vector>

namespace Botan {
class RSA_PrivateKey;
}

namespace xrca::ca {

class LibcryptoSigner final : public Signer {
public:
    LibcryptoSigner(const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm algorithm);
    ~LibcryptoSigner() override;
    LibcryptoSigner(const LibcryptoSigner&) = delete;
    LibcryptoSigner& operator=(const LibcryptoSigner&) = delete;

    [[nodiscard]] std::string sign_document(std::string_view body) override;
    [[nodiscard]] std::vector<std::uint8_t> sign_text(std::string_view text) override;
    [[nodiscard]] const xrml::PublicKey& public_key() const override { return m_public; }
    [[nodiscard]] xrml::DigestAlgorithm digest_algorithm() const override { return m_algorithm; }

private:
    struct Key;
    struct Context;
    std::vector<std::uint8_t> sign_digest(const std::vector<std::uint8_t>& digest);

    std::unique_ptr<Key> m_key;
    xrml::DigestAlgorithm m_algorithm;
    xrml::PublicKey m_public;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Context>> m_idle;
};

}  // namespace xrca::ca
