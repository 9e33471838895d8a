// WAL checkpoints off the request path (see sqlite_checkpointer.h).
#include "store/sqlite_checkpointer.h"

#include "store/sqlite_internal.h"

#include <sqlite3.h>

#include <cstdio>
#include <utility>

namespace xrca::store {

namespace {
constexpr int k_bulk_passes = 4;
constexpr int k_few_pages = 100;  // 400 KB: a few milliseconds to write and sync
}  // namespace

WalCheckpointer::WalCheckpointer(std::string path, std::mutex& writers, int pages)
    : m_path(std::move(path)), m_writers(writers), m_pages(pages) {}

WalCheckpointer::~WalCheckpointer() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

bool WalCheckpointer::wal_grew(int pages) noexcept {
    if (pages < m_pages) return true;
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_failed) return false;
    if (!m_thread.joinable()) {
        try {
            m_thread = std::thread([this] { run(); });
        } catch (...) {  // no thread to be had: the caller checkpoints, as SQLite would
            return false;
        }
    }
    m_due = true;
    m_wake.notify_one();
    return true;
}

void WalCheckpointer::run() noexcept {
    sqlite3* db = nullptr;
    // A connection finds the database in WAL mode at its first read, and only then can checkpoint.
    if (sqlite3_open_v2(m_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK ||
        sqlite3_busy_timeout(db, sqlite_detail::k_busy_timeout_ms) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK) {
        static_cast<void>(std::fprintf(stderr,
                                       "xrca: cannot open %s to checkpoint its WAL (%s); commits will checkpoint it\n",
                                       m_path.c_str(), db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close(db);
        std::lock_guard<std::mutex> lock(m_mutex);
        m_failed = true;
        return;
    }
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_due || m_stopping; });
        if (m_stopping) break;
        m_due = false;
        lock.unlock();
        checkpoint(db);
        lock.lock();
    }
    lock.unlock();
    sqlite3_close(db);
}

void WalCheckpointer::checkpoint(sqlite3* db) noexcept {
    // PASSIVE: never waits for readers or writers; what it cannot copy now stays for the next.
    // Each pass copies what the writers added during the one before, fewer pages each time.
    int copied_before = 0;
    for (int pass = 0; pass < k_bulk_passes; ++pass) {
        int in_wal = 0;
        int copied = 0;
        if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &in_wal, &copied) != SQLITE_OK) return;
        if (copied - copied_before < k_few_pages) break;
        copied_before = copied;
    }
    // The last few pages with the writers held: then the WAL is wholly copied, and the next
    // write starts it over (nothing is written when there is nothing left).
    std::lock_guard<std::mutex> writers(m_writers);
    static_cast<void>(sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr));
    std::lock_guard<std::mutex> lock(m_mutex);
    m_due = false;  // commits during this checkpoint asked for one: it covered them
}

}  // namespace xrca::store
