// Deterministic RSA keys for tests: generated once per process from a fixed seed, so tests
// never depend on key-generation timing and always see the same keys.
#pragma once

#include <botan/rsa.h>

#include <cstddef>
#include <memory>

namespace xrca::test {

/** The `slot`-th test key of `bits` bits (1024 or 2048), the same for every call. */
const Botan::RSA_PrivateKey& test_key(std::size_t bits, std::size_t slot);

/** A seeded RNG for signing in tests (PKCS#1 v1.5 signing uses it only for blinding). */
Botan::RandomNumberGenerator& test_rng();

}  // namespace xrca::test
