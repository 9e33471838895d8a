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

class LibcryptoSigner final : public DigestSigner {
public:
    LibcryptoSigner(const Botan::RSA_PrivateKey& key, xrml::DigestAlgorithm algorithm);
    ~LibcryptoSigner() override;
    LibcryptoSigner(const LibcryptoSigner&) = delete;
    LibcryptoSigner& operator=(const LibcryptoSigner&) = delete;

private:
    struct Key;
    struct Context;
    std::vector<std::uint8_t> sign_digest(const std::vector<std::uint8_t>& digest) override;

    std::unique_ptr<Key> m_key;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Context>> m_idle;
};

}  // namespace xrca::ca
