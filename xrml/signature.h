// The exact bytes XrML signs and how they are signed (reference §2.4, §2.5): the BODY text as
// UTF-16LE, hashed with SHA-1 or SHA-256, RSASSA-PKCS1-v1_5, big-endian signature value.
#pragma once

#include "xrml/certificate.h"
#include "xrml/verification.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace Botan {
class Private_Key;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::xrml {

/** Hash of the UTF-16LE encoding of `body_utf8` (the whole `<BODY …>…</BODY>` text). */
std::vector<std::uint8_t> body_digest(std::string_view body_utf8, DigestAlgorithm algorithm);

/**
 * Verifies one document's signature with its own ISSUER key: the DIGEST must equal the hash
 * of the exact BODY text (or, failing that, of the whitespace-normalised text, which only
 * pretty-printed copies need), the signature size must equal the key size, and the RSA
 * signature must verify. Uses the process-wide cache of parsed keys.
 */
SignatureVerdict verify_signature(const Certificate& document);

/**
 * Completes a document from a BODY built by xrca: `<XrML xmlns="" version="1.2">`, the body,
 * and a SIGNATURE with DIGEST first as RMS servers write it. `signature` is big-endian.
 */
std::string assemble_document(std::string_view body, DigestAlgorithm algorithm, const std::vector<std::uint8_t>& digest,
                              const std::vector<std::uint8_t>& signature, std::size_t key_bits);

/**
 * Signs `body` with an RSA private key (PKCS#1 v1.5 over the UTF-16LE digest) and returns the
 * whole document. The body is used exactly as given: it is what gets hashed and stored.
 */
std::string sign_document(std::string_view body, const Botan::Private_Key& key, DigestAlgorithm algorithm,
                          Botan::RandomNumberGenerator& rng);

}  // namespace xrca::xrml
