// The raw limit itself, with nothing but the signing library (Botan or libcrypto): RSA signatures per second with a
// given key on a given number of threads. raw_limits.h adds the authority's own key; bench_raw_sign uses this alone, so
// that it builds without the test support library.
#pragma once

#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "ca/signing_engine.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace xrca::bench {

using Clock = std::chrono::steady_clock;

// Runs `op` on `threads` threads for `seconds`; returns operations per second.
template <typename Op>
inline double threaded_rate(int threads, double seconds, Op&& op) {
    std::atomic<long> done{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    const auto start = Clock::now();
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            long n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                op(t, n);
                ++n;
            }
            done += n;
        });
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measurement window, not synchronisation
    stop = true;
    for (auto& th : pool) th.join();
    return static_cast<double>(done.load()) / std::chrono::duration<double>(Clock::now() - start).count();
}

// The raw limit: RSA PKCS#1 v1.5 / SHA-256 signatures over a digest with `key`, one signer per thread.
inline double raw_sign_rate(const Botan::RSA_PrivateKey& key, int threads, double seconds) {
    Botan::System_RNG rng;
    std::vector<std::unique_ptr<Botan::PK_Signer>> signers;
    signers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t)
        signers.push_back(std::make_unique<Botan::PK_Signer>(key, rng, "EMSA3(Raw,SHA-256)"));
    const std::vector<uint8_t> digest(32, 0x5A);
    return threaded_rate(threads, seconds,
                         [&](int t, long) { (void)signers[static_cast<std::size_t>(t)]->sign_message(digest, rng); });
}

// The raw limit of libcrypto: EVP_PKEY_sign over a SHA-256 digest, PKCS#1 v1.5, one context per thread.
inline double raw_libcrypto_sign_rate(const Botan::RSA_PrivateKey& key, int threads, double seconds) {
    const Botan::secure_vector<std::uint8_t> der = key.private_key_bits();
    const unsigned char* p = der.data();
    EVP_PKEY* pkey = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
    if (!pkey) throw std::runtime_error("libcrypto could not load the key");
    std::vector<EVP_PKEY_CTX*> contexts;
    for (int t = 0; t < threads; ++t) {
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(pkey, nullptr);
        if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0 ||
            EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) <= 0)
            throw std::runtime_error("libcrypto could not set up signing");
        contexts.push_back(ctx);
    }
    const std::vector<std::uint8_t> digest(32, 0x5A);
    const double rate = threaded_rate(threads, seconds, [&](int t, long) {
        std::array<unsigned char, 1024> signature{};
        std::size_t length = signature.size();
        if (EVP_PKEY_sign(contexts[static_cast<std::size_t>(t)], signature.data(), &length, digest.data(),
                          digest.size()) <= 0)
            throw std::runtime_error("libcrypto could not sign");
    });
    for (auto* ctx : contexts) EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rate;
}

/** The raw limit of `engine` with `key` on `threads` threads. */
inline double raw_sign_rate(ca::SigningEngine engine, const Botan::RSA_PrivateKey& key, int threads, double seconds) {
    return engine == ca::SigningEngine::Libcrypto ? raw_libcrypto_sign_rate(key, threads, seconds)
                                                  : raw_sign_rate(key, threads, seconds);
}

}  // namespace xrca::bench
