// Which library signs with a software key. Both produce the same bytes (RSASSA-PKCS1-v1_5 is
// deterministic); they differ in speed: on the project's 2-core machine OpenSSL 3.0's libcrypto
// signs RSA-2048 about 3-4 times as fast as Botan 2.19 (docs/performance.md has the figures),
// so libcrypto is the default and Botan stays selectable (`--signing-engine botan`).
// Keys held in a PKCS#11 token are signed by the token, whatever is chosen here.
#pragma once

#include "ca/signer.h"
#include "xrml/certificate.h"

#include <memory>
#include <optional>
#include <string_view>

namespace Botan {
class RSA_PrivateKey;
class RandomNumberGenerator;
}  // namespace Botan

namespace xrca::ca {

enum class SigningEngine {
    Libcrypto,  ///< OpenSSL 3 libcrypto: the key converted once, contexts pooled
    Botan,      ///< Botan 2: PK_Signer objects pooled
};

inline constexpr SigningEngine k_default_signing_engine = SigningEngine::Libcrypto;

/** "libcrypto" / "botan". */
const char* signing_engine_name(SigningEngine engine) noexcept;
/** The engine named `name`, or nullopt. */
std::optional<SigningEngine> parse_signing_engine(std::string_view name) noexcept;

/** A signer for an in-process key on `engine`; `rng` is used by Botan only (thread-safe one when shared). */
std::unique_ptr<Signer> make_software_signer(SigningEngine engine, std::unique_ptr<Botan::RSA_PrivateKey> key,
                                             xrml::DigestAlgorithm algorithm, Botan::RandomNumberGenerator& rng);

}  // namespace xrca::ca
