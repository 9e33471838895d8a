// First-come, first-served handler threads (see handler_pool.h).
#include "enrollment/handler_pool.h"

#include <algorithm>

namespace xrca::enrollment {

HandlerPool::HandlerPool(unsigned threads) {
    m_threads.reserve(std::max(threads, 1U));
    try {
        for (unsigned i = 0; i < std::max(threads, 1U); ++i) m_threads.emplace_back([this] { work(); });
    } catch (...) {  // no thread could be made: those started are joined before the error leaves
        finish();
        throw;
    }
}

HandlerPool::~HandlerPool() { finish(); }

bool HandlerPool::post(std::function<void()> job) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_finishing) return false;
        m_jobs.push_back(std::move(job));
    }
    m_ready.notify_one();
    return true;
}

void HandlerPool::finish() noexcept {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_finishing = true;
    }
    m_ready.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable()) t.join();
    }
}

void HandlerPool::work() noexcept {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_ready.wait(lock, [this] { return m_finishing || !m_jobs.empty(); });
        if (m_jobs.empty()) return;  // finishing, and nothing left to run
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        job = nullptr;  // what the job holds goes before the lock is taken again
        lock.lock();
    }
}

}  // namespace xrca::enrollment
