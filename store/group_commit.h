// Group commit: concurrent calls of one kind, on one process, share one transaction. The first
// caller that finds no batch in progress leads: it takes every call queued so far (its own
// among them), commits them together, and hands each its outcome; the others wait for theirs,
// and queue up meanwhile for the next batch. Under load a batch costs the database one
// transaction (its round trips, its commit, its locks) for many calls; alone, a call is a batch
// of one and waits for nobody.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <mutex>
#include <vector>

namespace xrca::store {

template <typename Item>
class GroupCommit {
public:
    /** A call waiting in a batch: what it asks, and what became of it (`error` null: done). */
    struct Queued {
        const Item* item;
        std::exception_ptr error;
        bool done = false;
        // Its caller waits here, for its batch's end or for its turn to lead the next batch.
        // One condition per call: a batch's end wakes its own callers and the next leader only,
        // not every call queued behind it (under load, 50 threads woken to find nothing to do).
        std::condition_variable woken;
    };

    /**
     * Runs `item` in a batch: `commit(batch)` (on the leading caller's thread) sets the `error`
     * of each Queued it could not commit (what it throws is every one's). Rethrows this item's
     * error.
     */
    template <typename Commit>
    void submit(const Item& item, Commit&& commit) {
        Queued mine{&item, nullptr};
        std::unique_lock<std::mutex> lock(m_mutex);
        m_queue.push_back(&mine);
        for (;;) {
            mine.woken.wait(lock, [&] { return mine.done || !m_leading; });
            if (mine.done) break;
            // Nobody is committing: this caller leads. At most k_most at once, so that what one
            // transaction holds (and one flush sends) stays bounded; a caller left out of its own
            // batch leads again.
            m_leading = true;
            std::vector<Queued*> batch;
            const auto n = std::min(m_queue.size(), k_most);
            batch.assign(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(n));
            m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(n));
            lock.unlock();
            try {
                commit(batch);
            } catch (...) {  // not expected of `commit`; the batch's callers must not wait forever
                for (auto* q : batch) q->error = std::current_exception();
            }
            lock.lock();
            m_leading = false;
            // Notified under the lock: a woken caller returns (and its Queued ends) only once
            // this thread let go of the lock, so nothing here touches a call that is gone.
            for (auto* q : batch) {
                q->done = true;
                if (q != &mine) q->woken.notify_one();
            }
            if (!m_queue.empty()) m_queue.front()->woken.notify_one();  // queued meanwhile: it may lead next
        }
        lock.unlock();
        if (mine.error) std::rethrow_exception(mine.error);
    }

private:
    static constexpr std::size_t k_most = 64;
    std::mutex m_mutex;
    std::vector<Queued*> m_queue;  ///< guarded by m_mutex
    bool m_leading = false;        ///< guarded by m_mutex
};

}  // namespace xrca::store
