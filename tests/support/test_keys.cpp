// Deterministic test keys.
#include "support/test_keys.h"

#include <botan/chacha_rng.h>
#include <botan/hash.h>

#include <map>
#include <mutex>
#include <string>

namespace xrca::test {

const Botan::RSA_PrivateKey& test_key(std::size_t bits, std::size_t slot) {
    static std::mutex mutex;
    // Leaked on purpose: Botan's locking allocator may be gone before static destructors run.
    static auto* const keys = new std::map<std::pair<std::size_t, std::size_t>, std::unique_ptr<Botan::RSA_PrivateKey>>;
    std::lock_guard<std::mutex> lock(mutex);
    auto& key = (*keys)[{bits, slot}];
    if (!key) {
        const std::string seed = "xrca-test-key-" + std::to_string(bits) + "-" + std::to_string(slot);
        // ChaCha_RNG counts as seeded only with at least 256 bits of input.
        const auto seed_bytes = Botan::HashFunction::create_or_throw("SHA-256")->process(seed);
        Botan::ChaCha_RNG rng(seed_bytes);
        key = std::make_unique<Botan::RSA_PrivateKey>(rng, bits);
    }
    return *key;
}

Botan::RandomNumberGenerator& test_rng() {
    thread_local auto* const rng = new Botan::ChaCha_RNG(Botan::secure_vector<uint8_t>(32, 0x42));
    return *rng;
}

}  // namespace xrca::test
