// Signing BODY text with an RSA key that stays in a PKCS#11 token.
//
// The digest is computed here (XrML hashes the UTF-16LE form of the BODY, which no token would
// do), wrapped in its DER DigestInfo, and the token applies PKCS#1 v1.5 padding and the private
// key (CKM_RSA_PKCS): the same signature SoftwareSigner makes with EMSA3(Raw, hash).
#pragma once

#include "ca/pkcs11_token.h"
#include "ca/signer.h"

#include <memory>

namespace xrca::ca {

class Pkcs11Signer final : public DigestSigner {
public:
    /** `key` is the private key object's handle in `token`; `public_key` is its public half. */
    Pkcs11Signer(std::shared_ptr<Pkcs11Token> token, CK_OBJECT_HANDLE key, xrml::PublicKey public_key,
                 xrml::DigestAlgorithm algorithm);

private:
    std::vector<std::uint8_t> sign_digest(const std::vector<std::uint8_t>& digest) override;

    std::shared_ptr<Pkcs11Token> m_token;
    CK_OBJECT_HANDLE m_key;
    std::vector<std::uint8_t> m_digest_info_prefix;  ///< DER DigestInfo up to the digest's bytes
};

}  // namespace xrca::ca
