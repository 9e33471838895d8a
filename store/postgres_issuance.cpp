// PostgreSQL implementation of the issuance cycle (docs/issuance-cycle.md): reserving a
// certificate before it is signed, completing or abandoning it after, and reconciling what an
// interrupted process left. Each call is its own transaction; concurrent issuances from every
// process meet only at the log's head row.
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

namespace xrca::store {

using namespace pg_detail;

void PostgresStore::reserve_issuance(const CertificateRecord& r, const LogEntry& entry) {
    run(*m_pool, "recording an issuance", Tx::Write, [&](Connection& c) {
        // As in the SQLite store, the reservation commits without waiting for its WAL flush:
        // nothing leaves before the completion (or abandonment) commits synchronously, and the
        // WAL is flushed in order, so that commit puts this one on disk too. A server crash in
        // between loses both, and nobody received anything. The log's head row, locked by the
        // append below until COMMIT, is then held for microseconds instead of a disk sync,
        // which every node's reservations used to wait for in turn (docs/performance.md).
        c.exec("SET LOCAL synchronous_commit TO off");
        c.query(
            std::string("INSERT INTO certificates (") + k_certificate_columns +
                ") VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12)",
            {r.id, r.kind, r.subject, r.issuer_fingerprint, r.key_fingerprint, r.issued, r.valid_from, r.valid_until,
             r.body, r.request_id, r.license_hash.empty() ? Param() : Param(r.license_hash), r.machine});
        append_log_locked(c, entry);
    });
}

void PostgresStore::complete_issuance(const std::string& id, const std::string& xrml) {
    // The signed document contains the exact BODY: it replaces the pending copy rather than
    // storing the same text twice. The commit is durable when this returns (synchronous_commit).
    run(*m_pool, "completing an issuance", Tx::Write, [&](Connection& c) {
        const auto q = c.query(
            "UPDATE certificates SET status = 'issued', xrml = $1, body = '' WHERE id = $2 AND status = 'pending'",
            {xrml, id});
        if (q.affected() != 1) throw StorageError("certificate " + id + " is not pending");
    });
}

void PostgresStore::abandon_issuance(const std::string& id, const LogEntry& entry) {
    run(*m_pool, "abandoning an issuance", Tx::Write, [&](Connection& c) {
        c.query("UPDATE certificates SET status = 'abandoned' WHERE id = $1 AND status = 'pending'", {id});
        append_log_locked(c, entry);
    });
}

std::vector<CertificateRecord> PostgresStore::abandon_stale_pending(
    const std::string& reserved_before, const std::function<LogEntry(const CertificateRecord&)>& entry_for) {
    // The sweep runs once a minute on every node: it also keeps the count changes short.
    fold_row_counts();
    // The scan reads through the partial index of pending rows without locking; only when it
    // found something does a transaction re-check each row (another process may have completed
    // or reconciled it meanwhile: its UPDATE then changes nothing and the row is left).
    auto found = run(*m_pool, "finding stale pending issuances", Tx::None, [&](Connection& c) {
        return read_certificates(
            c.query(std::string("SELECT ") + k_certificate_columns +
                        " FROM certificates WHERE status = 'pending' AND issued COLLATE \"C\" < $1 ORDER BY "
                        "issued COLLATE \"C\", id COLLATE \"C\"",
                    {reserved_before}));
    });
    if (found.empty()) return {};
    return run(*m_pool, "abandoning stale pending issuances", Tx::Write, [&](Connection& c) {
        std::vector<CertificateRecord> abandoned;
        for (const auto& r : found) {
            const auto q =
                c.query("UPDATE certificates SET status = 'abandoned' WHERE id = $1 AND status = 'pending'", {r.id});
            if (q.affected() != 1) continue;
            append_log_locked(c, entry_for(r));
            abandoned.push_back(r);
        }
        return abandoned;
    });
}

}  // namespace xrca::store
