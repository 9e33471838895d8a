// Checkpoints of the SQLite WAL on a thread of their own, off the request path.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace xrca::store {

/**
 * Copies the WAL back into the database file when it has grown past `pages`, on its own
 * connection and thread.
 *
 * Why: SQLite's automatic checkpoint runs inside the commit that crosses the threshold, and the
 * store's one connection is held meanwhile. Under a Certify load that was a pause of the whole
 * store every few hundred issuances, as long as writing and syncing some megabytes takes (about
 * 160 ms for 16 MB on the project's machine), and it set the 99th percentile of the latency.
 *
 * A checkpoint here runs in two steps: the bulk without holding the store (SQLite lets one
 * connection checkpoint while another writes), then, with the store's writers held, the few pages
 * they wrote meanwhile, so that the WAL is wholly copied and the next write starts it over;
 * otherwise a WAL that is written to without pause would never be copied completely and would
 * grow without bound.
 */
class WalCheckpointer {
public:
    /** `writers`: held by whoever writes through the store's connection. */
    WalCheckpointer(std::string path, std::mutex& writers, int pages);
    /** Stops the thread (a checkpoint under way finishes first). */
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /**
     * Called after each commit with the WAL's size in pages (sqlite3_wal_hook, `writers` held).
     * Returns false when the checkpoint must be made by the caller: this checkpointer could not
     * open its connection (the reason went to stderr once).
     */
    [[nodiscard]] bool wal_grew(int pages) noexcept;

private:
    void run() noexcept;
    void checkpoint(sqlite3* db) noexcept;
    const std::string m_path;
    std::mutex& m_writers;
    const int m_pages;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_due = false;
    bool m_stopping = false;
    bool m_failed = false;
    std::thread m_thread;  ///< started at the first checkpoint due: most commands never need one
};

}  // namespace xrca::store
