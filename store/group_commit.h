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
        while (!mine.done) {
            if (m_leading) {
                m_changed.wait(lock);
                continue;
            }
            m_leading = true;
            // At most k_most at once: what one transaction holds (and one flush sends) stays bounded.
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
            for (auto* q : batch) q->done = true;
            m_leading = false;
            m_changed.notify_all();
        }
        if (mine.error) std::rethrow_exception(mine.error);
    }

private:
    static constexpr std::size_t k_most = 64;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Queued*> m_queue;  ///< guarded by m_mutex
    bool m_leading = false;        ///< guarded by m_mutex
};

}  // namespace xrca::store
