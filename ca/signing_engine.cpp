// The choice of software signing engine (see signing_engine.h).
#include "ca/signing_engine.h"

#include "ca/libcrypto_signer.h"

#include <botan/rsa.h>

namespace xrca::ca {

const char* signing_engine_name(SigningEngine engine) noexcept {
    return engine == SigningEngine::Botan ? "botan" : "libcrypto";
}

std::optional<SigningEngine> parse_signing_engine(std::string_view name) noexcept {
    if (name == "libcrypto") return SigningEngine::Libcrypto;
    if (name == "botan") return SigningEngine::Botan;
    return std::nullopt;
}

std::unique_ptr<Signer> make_software_signer(SigningEngine engine, std::unique_ptr<Botan::RSA_PrivateKey> key,
                                             xrml::DigestAlgorithm algorithm, Botan::RandomNumberGenerator& rng) {
    if (engine == SigningEngine::Libcrypto) return std::make_unique<LibcryptoSigner>(*key, algorithm);
    return std::make_unique<SoftwareSigner>(std::move(key), algorithm, rng);
}

}  // namespace xrca::ca
