// What the store keeps of a key held in a PKCS#11 token (store::KeyCustody::Pkcs11): where to find
// it again, never the key. Written by the PKCS#11 key ring, read back strictly: a reference that is
// not exactly in this form is refused, not guessed at.
//
//   xrca-pkcs11-key 1
//   module /usr/lib/softhsm/libsofthsm2.so
//   token xrca
//   object xrca-cluster-3f0c9a5e71d2b4c8
//   id 8c1f…(lower-case hex of CKA_ID)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace xrca::ca {

/** A key (or secret) in a token: the module that reaches it, the token, its CKA_LABEL and CKA_ID. */
struct Pkcs11Reference {
    std::string module;            ///< absolute path of the PKCS#11 module
    std::string token;             ///< the token's label (at most 32 bytes)
    std::string object;            ///< the object's CKA_LABEL
    std::vector<std::uint8_t> id;  ///< the object's CKA_ID (1..64 bytes)

    friend bool operator==(const Pkcs11Reference& a, const Pkcs11Reference& b) {
        return a.module == b.module && a.token == b.token && a.object == b.object && a.id == b.id;
    }
};

/** The store's name for the AES key in the token that user keys are escrowed under. */
inline constexpr const char* k_pkcs11_escrow_key = "escrow-key";

/** The longest token label PKCS#11 can hold (CK_TOKEN_INFO.label). */
inline constexpr std::size_t k_max_token_label = 32;

/** Error(Usage) naming what is wrong with a module path or token label an administrator gave. */
void check_module_path(const std::string& path);
void check_token_label(const std::string& label);

/** The stored form. Error(Internal) for a reference that would not read back (a bug). */
std::vector<std::uint8_t> write_pkcs11_reference(const Pkcs11Reference& reference);
/** Reads the stored form of the key `key_name`; Error(Storage) naming the key if it is not exactly that form. */
Pkcs11Reference read_pkcs11_reference(const std::vector<std::uint8_t>& stored, const std::string& key_name);

}  // namespace xrca::ca
