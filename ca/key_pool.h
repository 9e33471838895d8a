// A pool of freshly generated RSA keys for CLCs, kept filled by background threads: RSA-2048
// generation takes ~90 ms median and ~300 ms at p99 here, too slow for a request path. An
// empty pool falls back to generating in place, so take() always returns a key.
//
// Refilling happens in the lulls: while keys are being taken and the pool is above a quarter
// of its capacity, the refill threads wait, so that a burst of requests is not slowed by key
// generation competing for the same cores. Below the low-water mark they refill regardless.
#pragma once

#include "ca/key_ring.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Botan {
class RSA_PrivateKey;
}

namespace xrca::ca {

class KeyPool final : public KeySource {
public:
    /**
     * `capacity` keys of `bits`, refilled by `threads` background threads (0: no refilling).
     * The threads start with the first take() or wait_until_filled(): a command that issues no
     * CLC generates no key.
     */
    KeyPool(std::size_t bits, std::size_t capacity, std::size_t threads);
    ~KeyPool() override;
    KeyPool(const KeyPool&) = delete;
    KeyPool& operator=(const KeyPool&) = delete;

    /** A key never handed out before: from the pool, or generated now if it is empty. */
    std::unique_ptr<Botan::RSA_PrivateKey> take() override;
    /** Blocks until the pool holds `count` keys (for benchmarks and warm start-up). */
    void wait_until_filled(std::size_t count);
    [[nodiscard]] std::size_t size();
    [[nodiscard]] std::size_t ready() override { return size(); }
    [[nodiscard]] std::uint64_t generated() const noexcept { return m_generated.load(); }
    [[nodiscard]] std::uint64_t misses() const noexcept { return m_misses.load(); }

private:
    void start();
    void refill();
    std::size_t m_bits;
    std::size_t m_capacity;
    std::size_t m_thread_count;
    std::once_flag m_started;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<std::unique_ptr<Botan::RSA_PrivateKey>> m_keys;
    bool m_stopping = false;
    std::chrono::steady_clock::time_point m_last_take{};
    std::atomic<std::uint64_t> m_generated{0};
    std::atomic<std::uint64_t> m_misses{0};
    std::vector<std::thread> m_threads;
};

}  // namespace xrca::ca
