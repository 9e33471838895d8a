// ENABLINGBITS: a private key sealed to a recipient's public key (reference §2.7). A RAC carries
// the user's key sealed to the machine key; a CLC carries its own key sealed to the user key.
// The public record leaves parts of the layout open; every choice made here is written down
// in docs/enabling-bits.md.
#pragma once

#include "xrml/certificate.h"

#include <memory>
#include <string_view>

namespace Botan {
class RSA_PrivateKey;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::xrml {

/** "sealed-key" (mode 1: PKCS#1 v1.5, SHA-1) or "sealed-key-v2" (mode 2: OAEP, SHA-256). */
enum class SealVersion { V1, V2 };

const char* seal_type_name(SealVersion version) noexcept;

/**
 * Seals `payload` to `recipient`. `issuer_element` is the exact `<ISSUER>…</ISSUER>` text of
 * the document that will carry the bits; its hash is sealed with the key, binding the two.
 */
EnablingBits seal_private_key(const Botan::RSA_PrivateKey& payload, const PublicKey& recipient, SealVersion version,
                              std::string_view issuer_element, Botan::RandomNumberGenerator& rng);

/**
 * Opens ENABLINGBITS with the recipient's private key and checks the sealed hash against
 * `issuer_element`. Throws FormatError(BadValue) naming what did not match.
 */
std::unique_ptr<Botan::RSA_PrivateKey> unseal_private_key(const EnablingBits& bits,
                                                          const Botan::RSA_PrivateKey& recipient,
                                                          std::string_view issuer_element,
                                                          Botan::RandomNumberGenerator& rng);

}  // namespace xrca::xrml
