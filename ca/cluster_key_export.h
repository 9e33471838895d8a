// The cluster key export (docs/backup.md), after AD RMS's trusted publishing domain export: a
// cluster's key with what another installation needs to take its place — the SLC chain, the
// cluster GUID, name, URL, role, crypto mode, trust anchor and revocation settings — in one
// text file protected by a password of its own (not the key password).
//
// The file is "name: value" lines. The private keys are encrypted PKCS#8 (PBES2: PBKDF2-HMAC-
// SHA-512 and AES-256/CBC, as keys in the store are), base64 on one line each; documents are
// base64 too, so that no value can break a line. The last line is an HMAC-SHA-256 over every
// byte before it, keyed by PBKDF2-HMAC-SHA-512 of the export password and a salt of its own:
// any change to any field is found before anything is imported, and before any key is
// decrypted. A password-check field (an HMAC of a fixed text under the same key) tells a wrong
// password from a changed file.
#pragma once

#include "ca/key_protection.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace Botan {
class RSA_PrivateKey;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::ca {

/** The first line of an export file: what it is, and its version. */
inline constexpr const char* k_cluster_key_export_format = "xrca-cluster-key-export-v1";

/** What an export holds, the keys in clear (only ever in memory, in secure_vector inside Botan). */
struct ClusterKeyExport {
    std::string role;  ///< root or licensing
    std::string guid;
    std::string name;
    std::string base_url;
    int crypto_mode = 2;
    std::string revocation;                           ///< standard or custom
    std::vector<std::string> revocation_authorities;  ///< <PUBLICKEY> elements (custom revocation)
    std::string anchor_fingerprint;                   ///< the root key the SLC chain verifies to
    std::string sku;
    std::string version;
    std::string exported;                                       ///< when (ISO 8601)
    std::vector<std::string> slc_chain;                         ///< the SLC chain's documents, leaf first
    std::shared_ptr<const Botan::RSA_PrivateKey> key;           ///< the cluster key the SLC certifies
    std::shared_ptr<const Botan::RSA_PrivateKey> previous_key;  ///< the key before the last renewal, if any
};

/** The PBKDF2 cost of an export's key encryption and HMAC: the same as stored keys'. */
inline constexpr std::size_t k_export_kdf_iterations = k_key_kdf_iterations;

/** The text of an export file, keys encrypted and everything authenticated under `password`. */
std::string write_cluster_key_export(const ClusterKeyExport& e, const Password& password,
                                     Botan::RandomNumberGenerator& rng,
                                     std::size_t iterations = k_export_kdf_iterations);

/**
 * Reads an export file. Error(Malformed) for a file that is not one or was changed after it was
 * written (its HMAC does not match); Error(Unauthorized) when `password` does not open it.
 */
ClusterKeyExport read_cluster_key_export(const std::string& text, const Password& password);

}  // namespace xrca::ca
