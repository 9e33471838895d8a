// Handler threads that take requests in the order they arrived (see HttpServer).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace xrca::enrollment {

/**
 * A fixed set of threads running posted jobs first come, first served.
 *
 * Why a queue of its own: each libmicrohttpd pool thread serves the connections it accepted one
 * request at a time, so a thread that happened to accept three busy keep-alive connections kept
 * each waiting on the other two while other threads sat idle (under `wrk -c50` on 64 threads the
 * 90th percentile was 2.5 times the median). libmicrohttpd's threads now only read and write;
 * the requests wait here, each behind only those that came before it.
 */
class HandlerPool {
public:
    /** Starts `threads` threads (at least one). */
    explicit HandlerPool(unsigned threads);
    /** finish() */
    ~HandlerPool();
    HandlerPool(const HandlerPool&) = delete;
    HandlerPool& operator=(const HandlerPool&) = delete;

    /** Queues `job`, which must not throw. Returns false, not running it, once finish() began. */
    [[nodiscard]] bool post(std::function<void()> job);
    /** Runs every job queued so far, then joins the threads. Idempotent. */
    void finish() noexcept;

private:
    void work() noexcept;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::function<void()>> m_jobs;
    bool m_finishing = false;
    std::vector<std::thread> m_threads;
};

}  // namespace xrca::enrollment
