// The raw limit itself, with nothing but Botan: RSA signatures per second with a given key on a
// given number of threads. raw_limits.h adds the authority's own key; bench_raw_sign uses this
// alone, so that it builds without the test support library.
#pragma once

#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
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

}  // namespace xrca::bench
