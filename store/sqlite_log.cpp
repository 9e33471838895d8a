// SQLite implementation of the enrollment log (docs/logging.md): appends in the writing
// transaction after the head read under SQLite's write lock, so the chain has no gaps; reads and
// checks stream the entries a page at a time; archiving cuts a verified prefix.
#include "store/log_chain.h"
#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace xrca::store {

using namespace sqlite_detail;

namespace {

LogEntry read_log_row(SQLite::Statement& q) {
    LogEntry e;
    e.seq = q.getColumn(0).getInt64();
    e.request_id = q.getColumn(1).getString();
    e.time = q.getColumn(2).getString();
    e.operation = q.getColumn(3).getString();
    e.caller = q.getColumn(4).getString();
    e.inputs = q.getColumn(5).getString();
    e.certificate_id = q.getColumn(6).getString();
    e.outcome = q.getColumn(7).getString();
    e.reason = q.getColumn(8).getString();
    e.prev_hash = q.getColumn(9).getString();
    e.hash = q.getColumn(10).getString();
    return e;
}

}  // namespace

void SqliteStore::append_log(const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("appending to the enrollment log", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

// Inside a write transaction: chains the entry to the head and moves the head.
void SqliteStore::append_log_locked(const LogEntry& in) {
    LogHead head;
    {
        auto& h = prepared("SELECT seq, hash FROM log_head WHERE id = 1");
        if (h.executeStep()) head = {h.getColumn(0).getInt64(), h.getColumn(1).getString()};
        h.reset();
    }
    const LogEntry e = chain_log_entry(head, in);
    auto& q = prepared(
        "INSERT INTO enrollment_log (seq, request_id, time, operation, caller, inputs, certificate_id, "
        "outcome, reason, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, e.seq);
    q.bind(2, e.request_id);
    q.bind(3, e.time);
    q.bind(4, e.operation);
    q.bind(5, e.caller);
    q.bind(6, e.inputs);
    q.bind(7, e.certificate_id);
    q.bind(8, e.outcome);
    q.bind(9, e.reason);
    q.bind(10, e.prev_hash);
    q.bind(11, e.hash);
    q.exec();
    auto& move_head = prepared("INSERT OR REPLACE INTO log_head (id, seq, hash) VALUES (1, ?, ?)");
    move_head.bind(1, e.seq);
    move_head.bind(2, e.hash);
    move_head.exec();
}

void SqliteStore::for_each_log(const std::string& since, const LogVisitor& visit) {
    // A page at a time, the lock released between pages: a log of a million entries is never
    // in memory, and a slow reader (a pipe) never holds the store. Entries are only appended
    // (and archived from the oldest), so continuing after the last seq seen misses none.
    static constexpr int k_page = 512;
    std::vector<LogEntry> page;
    std::int64_t after = 0;
    for (;;) {
        page.clear();
        {
            Lock lock(m_mutex);
            guarded("reading the enrollment log", [&] {
                auto& q = prepared(
                    "SELECT seq, request_id, time, operation, caller, inputs, certificate_id, outcome, reason, "
                    "prev_hash, hash FROM enrollment_log WHERE seq > ? AND time >= ? ORDER BY seq LIMIT ?");
                q.bind(1, after);
                q.bind(2, since);
                q.bind(3, k_page);
                while (q.executeStep()) page.push_back(read_log_row(q));
                q.reset();
                return 0;
            });
        }
        for (const auto& e : page) {
            if (!visit(e)) return;
        }
        if (page.size() < static_cast<std::size_t>(k_page)) return;
        after = page.back().seq;
    }
}

LogHead SqliteStore::log_checkpoint() {
    Lock lock(m_mutex);
    return guarded("reading the log checkpoint", [&] { return log_checkpoint_locked(); });
}

LogHead SqliteStore::log_checkpoint_locked() {
    auto& q = prepared("SELECT seq, hash FROM log_checkpoint WHERE id = 1");
    LogHead out;
    if (q.executeStep()) out = {q.getColumn(0).getInt64(), q.getColumn(1).getString()};
    q.reset();
    return out;
}

LogCheck SqliteStore::verify_log() {
    Lock lock(m_mutex);
    return guarded("verifying the enrollment log", [&] {
        // One read transaction: the rows, the checkpoint and the head are one snapshot even if
        // another process appends or archives meanwhile. Rows are checked as they are read.
        SQLite::Transaction t(*m_db);
        LogChainCheck check(log_checkpoint_locked());
        {
            SQLite::Statement q(*m_db,
                                "SELECT seq, request_id, time, operation, caller, inputs, certificate_id, outcome, "
                                "reason, prev_hash, hash FROM enrollment_log ORDER BY seq");
            while (q.executeStep()) {
                if (!check.add(read_log_row(q))) break;
            }
        }
        SQLite::Statement h(*m_db, "SELECT seq, hash FROM log_head WHERE id = 1");
        std::optional<LogHead> head;
        if (h.executeStep()) head = LogHead{h.getColumn(0).getInt64(), h.getColumn(1).getString()};
        auto verdict = check.finish(head);
        t.commit();
        return verdict;
    });
}

std::optional<LogArchiveCut> SqliteStore::archive_log(const std::string& before, const LogArchiveWriter& write) {
    Lock lock(m_mutex);
    return guarded("archiving the enrollment log", [&]() -> std::optional<LogArchiveCut> {
        // Two steps, so that other processes' writes (the service's issuance) wait only for the
        // deletion: writing and syncing the archive (seconds for a large cut) reads a snapshot,
        // which in WAL mode blocks no writer; the write transaction then re-checks that nobody
        // archived meanwhile and makes the cut.
        LogArchiveCut cut;
        LogEntry recorded;
        {
            SQLite::Transaction snapshot(*m_db);
            cut.from = log_checkpoint_locked();
            // The archived stretch is a prefix of the chain: it ends before the first entry that
            // is not older than `before`, even if a later one is (two writers' clocks may differ).
            {
                SQLite::Statement q(*m_db,
                                    "SELECT seq, hash FROM enrollment_log WHERE seq > ? AND seq < COALESCE("
                                    "(SELECT MIN(seq) FROM enrollment_log WHERE seq > ? AND time >= ?), "
                                    "9223372036854775807) ORDER BY seq DESC LIMIT 1");
                q.bind(1, cut.from.seq);
                q.bind(2, cut.from.seq);
                q.bind(3, before);
                if (!q.executeStep()) return std::nullopt;
                cut.to = {q.getColumn(0).getInt64(), q.getColumn(1).getString()};
            }
            cut.entries = cut.to.seq - cut.from.seq;
            const auto entries = [&](const LogVisitor& visit) {
                SQLite::Statement q(
                    *m_db,
                    "SELECT seq, request_id, time, operation, caller, inputs, certificate_id, outcome, reason, "
                    "prev_hash, hash FROM enrollment_log WHERE seq > ? AND seq <= ? ORDER BY seq");
                q.bind(1, cut.from.seq);
                q.bind(2, cut.to.seq);
                while (q.executeStep()) {
                    if (!visit(read_log_row(q))) return;
                }
            };
            recorded = write(cut, entries);
            snapshot.commit();
        }
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        const auto now = log_checkpoint_locked();
        SQLite::Statement last(*m_db, "SELECT hash FROM enrollment_log WHERE seq = ?");
        last.bind(1, cut.to.seq);
        if (now.seq != cut.from.seq || now.hash != cut.from.hash || !last.executeStep() ||
            last.getColumn(0).getString() != cut.to.hash) {
            throw ConflictError("the enrollment log was archived by another process while this archive was written");
        }
        SQLite::Statement drop(*m_db, "DELETE FROM enrollment_log WHERE seq <= ?");
        drop.bind(1, cut.to.seq);
        drop.exec();
        SQLite::Statement pin(*m_db, "INSERT OR REPLACE INTO log_checkpoint (id, seq, hash) VALUES (1, ?, ?)");
        pin.bind(1, cut.to.seq);
        pin.bind(2, cut.to.hash);
        pin.exec();
        append_log_locked(recorded);
        t.commit();
        return cut;
    });
}

}  // namespace xrca::store
