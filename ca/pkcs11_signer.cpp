// PKCS#1 v1.5 signatures made by a token (see pkcs11_signer.h).
#include "ca/pkcs11_signer.h"

#include <botan/hash_id.h>

namespace xrca::ca {

Pkcs11Signer::Pkcs11Signer(std::shared_ptr<Pkcs11Token> token, CK_OBJECT_HANDLE key, xrml::PublicKey public_key,
                           xrml::DigestAlgorithm algorithm)
    : DigestSigner(std::move(public_key), algorithm),
      m_token(std::move(token)),
      m_key(key),
      m_digest_info_prefix(Botan::pkcs_hash_id(xrml::digest_algorithm_botan_name(algorithm))) {}

std::vector<std::uint8_t> Pkcs11Signer::sign_digest(const std::vector<std::uint8_t>& digest) {
    std::vector<std::uint8_t> digest_info(m_digest_info_prefix);
    digest_info.insert(digest_info.end(), digest.begin(), digest.end());
    std::vector<std::uint8_t> signature((public_key().bits() + 7) / 8);
    CK_ULONG size = signature.size();
    CK_MECHANISM mechanism{CKM_RSA_PKCS, nullptr, 0};
    auto session = m_token->session();
    m_token->check(m_token->api().C_SignInit(session.handle(), &mechanism, m_key), "C_SignInit");
    m_token->check(
        m_token->api().C_Sign(session.handle(), digest_info.data(), digest_info.size(), signature.data(), &size),
        "C_Sign");
    signature.resize(size);
    return signature;
}

}  // namespace xrca::ca
