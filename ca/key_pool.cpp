// Background RSA key generation (see key_pool.h).
#include "ca/key_pool.h"

#include "ca/key_protection.h"

#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace xrca::ca {

KeyPool::KeyPool(std::size_t bits, std::size_t capacity, std::size_t threads)
    : m_bits(bits), m_capacity(capacity), m_thread_count(capacity > 0 ? threads : 0) {}

void KeyPool::start() {
    std::call_once(m_started, [this] {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (std::size_t i = 0; i < m_thread_count; ++i) m_threads.emplace_back([this] { refill(); });
    });
}

KeyPool::~KeyPool() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
    for (auto& t : m_threads) t.join();
}

void KeyPool::refill() {
    // Refilling must not compete with requests for the CPU: on Linux a thread's nice value is
    // its own, so lower only this thread's priority. Failure to do so is harmless.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
    Botan::System_RNG rng;
    while (true) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_changed.wait(lock, [&] { return m_stopping || m_keys.size() < m_capacity; });
            // Busy and not low: let the requests have the CPU; look again shortly.
            constexpr auto quiet = std::chrono::milliseconds(200);
            while (!m_stopping && m_keys.size() >= m_capacity / 4 &&
                   std::chrono::steady_clock::now() - m_last_take < quiet) {
                m_changed.wait_for(lock, quiet);
            }
            if (m_stopping) return;
        }
        auto key = generate_rsa_key(m_bits, rng);  // outside the lock: this is the slow part
        ++m_generated;
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_stopping) return;
            if (m_keys.size() < m_capacity) m_keys.push_back(std::move(key));
        }
        m_changed.notify_all();
    }
}

std::unique_ptr<Botan::RSA_PrivateKey> KeyPool::take() {
    start();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_last_take = std::chrono::steady_clock::now();
        if (!m_keys.empty()) {
            auto key = std::move(m_keys.front());
            m_keys.pop_front();
            m_changed.notify_all();
            return key;
        }
    }
    ++m_misses;
    Botan::System_RNG rng;
    return generate_rsa_key(m_bits, rng);
}

void KeyPool::wait_until_filled(std::size_t count) {
    start();
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [&] { return m_keys.size() >= std::min(count, m_capacity) || m_thread_count == 0; });
}

std::size_t KeyPool::size() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_keys.size();
}

}  // namespace xrca::ca
