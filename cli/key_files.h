// Private keys the CLI keeps outside a data directory (a client's machine key, a custom
// revocation authority's key): encrypted PKCS#8 under the key password, readable by the owner only.
#pragma once

#include "ca/key_protection.h"

#include <memory>
#include <string>

namespace Botan {
class RandomNumberGenerator;
class RSA_PrivateKey;
}  // namespace Botan

namespace xrca::cli {

/** DIR/NAME.key */
std::string key_file_path(const std::string& dir, const char* name);

/** Reads and decrypts DIR/NAME.key; Error(NotFound) naming the file when it is missing. */
std::unique_ptr<Botan::RSA_PrivateKey> load_key_file(const std::string& dir, const char* name,
                                                     const ca::Password& password);

/** Encrypts `key` into DIR/NAME.key (mode 0600, written atomically). */
void save_key_file(const std::string& dir, const char* name, const Botan::RSA_PrivateKey& key,
                   const ca::Password& password, Botan::RandomNumberGenerator& rng);

/** Creates DIR (0700) unless it exists; Error(Conflict) if DIR/NAME.key exists already. */
void prepare_key_directory(const std::string& dir, const char* name, const char* what);

}  // namespace xrca::cli
