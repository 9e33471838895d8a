// PostgreSQL implementation of the enrollment log (docs/logging.md): one hash chain for every
// process that shares the database. An append locks the head row (SELECT … FOR UPDATE) in its
// transaction, so that appends from every process and connection take turns at the head; reads
// and checks stream the entries a page at a time.
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

#include <limits>

namespace xrca::store {

using namespace pg_detail;

namespace {

/** Entries read per round trip when streaming. */
constexpr int k_page = 512;

LogHead read_head(const Result& q) { return LogHead{q.int64(0, 0), q.text(0, 1)}; }

// Visits the entries with from < seq <= to, oldest first, a page at a time, on `c` (in the
// caller's transaction, so that every page is of one snapshot). Returns false if `visit` stopped.
bool visit_range(Connection& c, std::int64_t from, std::int64_t to, const LogVisitor& visit) {
    for (auto after = from;;) {
        const auto q = c.query(std::string("SELECT ") + k_log_columns +
                                   " FROM enrollment_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3",
                               {param(after), param(to), param(k_page)});
        for (int i = 0; i < q.rows(); ++i) {
            const auto e = read_log_entry(q, i);
            if (!visit(e)) return false;
            after = e.seq;
        }
        if (q.rows() < k_page) return true;
    }
}

}  // namespace

void PostgresStore::append_log(const LogEntry& entry) {
    run(*m_pool, "appending to the enrollment log", Tx::Write, [&](Connection& c) { append_log_locked(c, entry); });
}

void PostgresStore::append_log_locked(Connection& c, const LogEntry& in) { append_log_locked(c, {&in}); }

void PostgresStore::append_log_locked(Connection& c, const std::vector<const LogEntry*>& in) {
    if (in.empty()) return;
    // The lock is held to COMMIT: a concurrent append (any process) waits here and then reads
    // the head this one moved (read committed re-reads a locked row once it is released). The
    // head's read goes with whatever the caller queued before it (BEGIN, its own writes).
    const auto locked = c.query("SELECT seq, hash FROM log_head WHERE id = 1 FOR UPDATE");
    if (locked.rows() == 0) throw StorageError("the enrollment log's head row is missing");
    append_log_after(c, read_head(locked), in);
}

void PostgresStore::append_log_after(Connection& c, const LogHead& locked, const std::vector<const LogEntry*>& in) {
    // The rows and the head's move are one statement, queued: it goes with the caller's COMMIT
    // (or its next statement), so that the lock is held for one round trip after the read.
    // The rows come as one array per column, so that a batch is one statement too.
    std::vector<Params> rows;
    auto head = locked;
    for (const auto* entry : in) {
        const LogEntry e = chain_log_entry(head, *entry);
        rows.push_back(Params{param(e.seq), e.request_id, e.time, e.operation, e.caller, e.inputs, e.certificate_id,
                              e.outcome, e.reason, e.prev_hash, e.hash});
        head = LogHead{e.seq, e.hash};
    }
    auto arrays = column_arrays(rows, 11);
    arrays.push_back(param(head.seq));
    arrays.push_back(head.hash);
    c.queue(std::string("WITH appended AS (INSERT INTO enrollment_log (") + k_log_columns +
                ") SELECT seq::bigint, request_id, time, operation, caller, inputs, certificate_id, outcome, reason, "
                "prev_hash, hash FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
                "$7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) AS r (" +
                k_log_columns +
                ")) "
                "UPDATE log_head SET seq = $12, hash = $13 WHERE id = 1",
            std::move(arrays));
}

void PostgresStore::for_each_log(const std::string& since, const LogVisitor& visit) {
    // A page per statement, no connection held between pages: a slow reader (a pipe) holds
    // nothing, and entries are only appended (and archived from the oldest), so continuing after
    // the last seq seen misses none.
    for (std::int64_t after = 0;;) {
        auto page = run(*m_pool, "reading the enrollment log", Tx::None, [&](Connection& c) {
            const auto q =
                c.query(std::string("SELECT ") + k_log_columns +
                            " FROM enrollment_log WHERE seq > $1 AND time COLLATE \"C\" >= $2 ORDER BY seq LIMIT $3",
                        {param(after), since, param(k_page)});
            std::vector<LogEntry> out;
            out.reserve(static_cast<std::size_t>(q.rows()));
            for (int i = 0; i < q.rows(); ++i) out.push_back(read_log_entry(q, i));
            return out;
        });
        for (const auto& e : page) {
            if (!visit(e)) return;
        }
        if (page.size() < static_cast<std::size_t>(k_page)) return;
        after = page.back().seq;
    }
}

LogHead PostgresStore::log_checkpoint_in(Connection& c) {
    const auto q = c.query("SELECT seq, hash FROM log_checkpoint WHERE id = 1");
    return q.rows() == 0 ? LogHead{} : read_head(q);
}

LogHead PostgresStore::log_checkpoint() {
    return run(*m_pool, "reading the log checkpoint", Tx::None, [&](Connection& c) { return log_checkpoint_in(c); });
}

LogCheck PostgresStore::verify_log() {
    return run(*m_pool, "verifying the enrollment log", Tx::Snapshot, [&](Connection& c) {
        // One snapshot: the rows, the checkpoint and the head agree even while other processes
        // append or archive. Rows are checked as they are read, a page at a time.
        const auto start = log_checkpoint_in(c);
        const auto head = read_head(c.query("SELECT seq, hash FROM log_head WHERE id = 1"));
        LogChainCheck check(start);
        // Every row after the checkpoint, not only up to the head: a row beyond it breaks the end.
        visit_range(c, start.seq, std::numeric_limits<std::int64_t>::max(),
                    [&](const LogEntry& e) { return check.add(e); });
        return check.finish(head);
    });
}

std::optional<LogArchiveCut> PostgresStore::archive_log(const std::string& before, const LogArchiveWriter& write) {
    // Two transactions, so that other writers wait only for the deletion: the archive is written
    // from a read-only snapshot (which blocks no writer); then a write transaction takes the
    // head's lock (ordering it with every append and archive), re-checks that nobody archived
    // meanwhile, and makes the cut.
    LogArchiveCut cut;
    const auto recorded =
        run(*m_pool, "archiving the enrollment log", Tx::Snapshot, [&](Connection& c) -> std::optional<LogEntry> {
            cut.from = log_checkpoint_in(c);
            // A prefix of the chain: it ends before the first entry that is
            // not older than `before`, even if a later one is.
            const auto q = c.query(
                "SELECT seq, hash FROM enrollment_log WHERE seq > $1 AND seq < COALESCE("
                "(SELECT MIN(seq) FROM enrollment_log WHERE seq > $1 AND time COLLATE \"C\" >= "
                "$2), 9223372036854775807) ORDER BY seq DESC LIMIT 1",
                {param(cut.from.seq), before});
            if (q.rows() == 0) return std::nullopt;
            cut.to = read_head(q);
            cut.entries = cut.to.seq - cut.from.seq;
            return write(cut, [&](const LogVisitor& visit) { visit_range(c, cut.from.seq, cut.to.seq, visit); });
        });
    if (!recorded) return std::nullopt;
    run(*m_pool, "archiving the enrollment log", Tx::Write, [&](Connection& c) {
        c.query("SELECT seq FROM log_head WHERE id = 1 FOR UPDATE");
        const auto now = log_checkpoint_in(c);
        const auto last = c.query("SELECT hash FROM enrollment_log WHERE seq = $1", {param(cut.to.seq)});
        if (now.seq != cut.from.seq || now.hash != cut.from.hash || last.rows() == 0 ||
            last.text(0, 0) != cut.to.hash) {
            throw ConflictError("the enrollment log was archived by another process while this archive was written");
        }
        c.query("DELETE FROM enrollment_log WHERE seq <= $1", {param(cut.to.seq)});
        c.query(
            "INSERT INTO log_checkpoint (id, seq, hash) VALUES (1, $1, $2) "
            "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            {param(cut.to.seq), cut.to.hash});
        append_log_locked(c, *recorded);
    });
    return cut;
}

}  // namespace xrca::store
