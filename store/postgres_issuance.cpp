// PostgreSQL implementation of the issuance cycle (docs/issuance-cycle.md): reserving a
// certificate before it is signed, completing or abandoning it after, and reconciling what an
// interrupted process left. Concurrent reservations (and completions) of one process share a
// transaction (group commit); the processes' transactions meet only at the log's head row.
#include "store/postgres_rows.h"
#include "store/postgres_store.h"

#include <set>

namespace xrca::store {

using namespace pg_detail;

namespace {

// A batch that failed as a whole: an outage, or an outcome unknown, is every call's; anything
// else (a call refused: a duplicate, a certificate not pending) was rolled back, and each call
// runs again alone, so that it gets its own verdict. False when it should not be tried alone.
template <typename Queued>
bool blame_all(const std::vector<Queued*>& batch) {
    try {
        throw;
    } catch (const StoreUnavailable&) {
    } catch (const CommitOutcomeUnknown&) {
    } catch (const StorageError&) {
        if (batch.size() > 1) return false;
    } catch (...) {
    }
    for (auto* q : batch) q->error = std::current_exception();
    return true;
}

// Commits `batch` with `together`; if that fails, as blame_all says.
template <typename Queued, typename Together>
void commit_batch(const std::vector<Queued*>& batch, Together&& together) {
    try {
        together(batch);
        return;
    } catch (...) {
        if (blame_all(batch)) return;
    }
    for (auto* q : batch) {
        try {
            together(std::vector<Queued*>{q});
        } catch (...) {
            q->error = std::current_exception();
        }
    }
}

// The statements below keep unissued_certificates and the count of issued certificates beside
// certificates, in the same statement (009_derived_rows_in_statements.sql: no trigger does it
// any more; the rows not issued are counted in unissued_certificates).

// The batch's rows as one array per column ($1 … $12: k_certificate_columns without status
// and xrml), each with its line in the unissued list, pending; then the log's head, read and
// locked for the batch's entries (append_log_after). The head is locked after the rows are
// written (the condition on `reserved` runs the insert first), so that it is held as briefly as
// before, when the lock was a statement of its own after the inserts. The reservation commits
// without waiting for its WAL flush (set_config … true is SET LOCAL: see reserve_together).
const std::string& reserve_statement() {
    static const std::string sql =
        std::string("WITH reserved AS (INSERT INTO certificates (") + k_certificate_columns +
        ") SELECT id, kind, 'pending', subject, issuer_fingerprint, key_fingerprint, issued, valid_from, valid_until, "
        "body, NULL, request_id, license_hash, machine FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
        "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[]) AS r (id, "
        "kind, subject, issuer_fingerprint, key_fingerprint, issued, valid_from, valid_until, body, request_id, "
        "license_hash, machine) RETURNING id, issued), "
        "listed AS (INSERT INTO unissued_certificates (id, status, issued) SELECT id, 'pending', issued FROM reserved) "
        "SELECT seq, hash, set_config('synchronous_commit', 'off', true) FROM log_head "
        "WHERE id = 1 AND (SELECT count(*) FROM reserved) > 0 FOR UPDATE";
    return sql;
}

// Completes the certificates $1 (an array of IDs, each once) with the XrML of the same place in
// $2: their lines in the unissued list go, their kinds' counts of issued certificates go up.
// Its rows are the IDs completed (those not pending are not). The IDs are looked up as
// `id = ANY`, not joined with unnest, so that the plan is an index scan whatever the planner
// guesses of the arrays' length.
const std::string& complete_statement() {
    static const std::string sql =
        "WITH completed AS (UPDATE certificates SET status = 'issued', xrml = ($2::text[])[array_position($1::text[], "
        "id)], body = '' WHERE id = ANY ($1::text[]) AND status = 'pending' RETURNING id, kind), "
        "listed AS (DELETE FROM unissued_certificates u USING completed c WHERE u.id = c.id), "
        "counted AS (INSERT INTO row_count_changes (tbl, kind, status, n) "
        "SELECT 'certificates', kind, 'issued', count(*) FROM completed GROUP BY kind) "
        "SELECT id FROM completed";
    return sql;
}

// Abandons certificate $1 if it is pending (rare: its line is upserted, as the trigger of
// schema 8 did); its one row tells how many changed (0 or 1).
const std::string& abandon_statement() {
    static const std::string sql =
        "WITH abandoned AS (UPDATE certificates SET status = 'abandoned' WHERE id = $1 AND status = 'pending' "
        "RETURNING id, issued), "
        "listed AS (INSERT INTO unissued_certificates (id, status, issued) SELECT id, 'abandoned', issued FROM "
        "abandoned ON CONFLICT (id) DO UPDATE SET status = excluded.status) "
        "SELECT count(*) FROM abandoned";
    return sql;
}

}  // namespace

void PostgresStore::reserve_issuance(const CertificateRecord& r, const LogEntry& entry) {
    // Concurrent reservations of this process share one transaction (group commit): one lock of
    // the log's head, two round trips, for the batch.
    m_reservations.submit(Reservation{&r, &entry}, [&](const std::vector<GroupCommit<Reservation>::Queued*>& batch) {
        commit_batch(batch, [&](const std::vector<GroupCommit<Reservation>::Queued*>& b) { reserve_together(b); });
    });
}

void PostgresStore::reserve_together(const std::vector<GroupCommit<Reservation>::Queued*>& reservations) {
    // Two round trips, three statements: BEGIN and the batch's rows with the head's lock in one
    // flush; the log's rows with the head's move, and COMMIT, in the next (docs/store.md,
    // "Round trips").
    run(*m_batches, "recording an issuance", Tx::Write, [&](Connection& c) {
        // As in the SQLite store, the reservation commits without waiting for its WAL flush
        // (synchronous_commit off, for this transaction, in reserve_statement): nothing leaves
        // before the completion (or abandonment) commits synchronously, and the WAL is flushed
        // in order, so that commit puts this one on disk too. A server crash in between loses
        // both, and nobody received anything. The log's head row, locked until COMMIT, is then
        // held for microseconds instead of a disk sync, which every node's reservations used to
        // wait for in turn (docs/performance.md).
        std::vector<Params> rows;
        std::vector<const LogEntry*> entries;
        for (const auto* queued : reservations) {
            const auto& r = *queued->item->record;
            rows.push_back(Params{r.id, r.kind, r.subject, r.issuer_fingerprint, r.key_fingerprint, r.issued,
                                  r.valid_from, r.valid_until, r.body, r.request_id,
                                  r.license_hash.empty() ? Param() : Param(r.license_hash), r.machine});
            entries.push_back(queued->item->entry);
        }
        const auto locked = c.query(reserve_statement(), column_arrays(rows, 12));
        if (locked.rows() == 0) throw StorageError("the enrollment log's head row is missing");
        append_log_after(c, LogHead{locked.int64(0, 0), locked.text(0, 1)}, entries);
    });
}

void PostgresStore::complete_issuance(const std::string& id, const std::string& xrml) {
    // Concurrent completions of this process share one statement and one synchronous commit
    // (group commit).
    m_completions.submit(Completion{&id, &xrml}, [&](const std::vector<GroupCommit<Completion>::Queued*>& batch) {
        commit_batch(batch, [&](const std::vector<GroupCommit<Completion>::Queued*>& b) { complete_together(b); });
    });
}

void PostgresStore::complete_together(const std::vector<GroupCommit<Completion>::Queued*>& completions) {
    // The signed document contains the exact BODY: it replaces the pending copy rather than
    // storing the same text twice. One statement without BEGIN: the server commits it by itself,
    // durable when this returns (synchronous_commit). One round trip. No index names status,
    // xrml or body (008_hot_completion.sql): PostgreSQL rewrites each row on its own page (a HOT
    // update) without a new entry in any index; the same statement deletes the rows' lines in
    // unissued_certificates and records the counts' change. An ID twice in a batch is sent once:
    // the later call finds it no longer pending, as it would have in a batch of its own.
    std::vector<Param> ids, xrmls;
    std::set<std::string> sent;
    for (const auto* q : completions) {
        if (!sent.insert(*q->item->id).second) continue;
        ids.push_back(*q->item->id);
        xrmls.push_back(*q->item->xrml);
    }
    const auto updated = run(*m_batches, "completing an issuance", Tx::Single, [&](Connection& c) {
        const auto q = c.query(complete_statement(), {text_array_param(ids), text_array_param(xrmls)});
        std::set<std::string> out;
        for (int i = 0; i < q.rows(); ++i) out.insert(q.text(i, 0));
        return out;
    });
    std::set<std::string> answered;
    for (auto* q : completions) {
        const auto& id = *q->item->id;
        if (updated.count(id) == 0 || !answered.insert(id).second) {
            q->error = std::make_exception_ptr(StorageError("certificate " + id + " is not pending"));
        }
    }
}

void PostgresStore::abandon_issuance(const std::string& id, const LogEntry& entry) {
    run(*m_pool, "abandoning an issuance", Tx::Write, [&](Connection& c) {
        c.query(abandon_statement(), {id});
        append_log_locked(c, entry);
    });
}

std::vector<CertificateRecord> PostgresStore::abandon_stale_pending(
    const std::string& reserved_before, const std::function<LogEntry(const CertificateRecord&)>& entry_for) {
    // The sweep runs once a minute on every node: it also keeps the count changes short.
    fold_row_counts();
    // The scan reads the few unissued rows without locking; only when it found something does a
    // transaction re-check each row (another process may have completed or reconciled it
    // meanwhile: its UPDATE then changes nothing and the row is left).
    auto found = run(*m_pool, "finding stale pending issuances", Tx::None, [&](Connection& c) {
        return read_certificates(c.query(stale_pending_query(), {reserved_before}));
    });
    if (found.empty()) return {};
    return run(*m_pool, "abandoning stale pending issuances", Tx::Write, [&](Connection& c) {
        std::vector<CertificateRecord> abandoned;
        for (const auto& r : found) {
            if (c.query(abandon_statement(), {r.id}).int64(0, 0) != 1) continue;
            append_log_locked(c, entry_for(r));
            abandoned.push_back(r);
        }
        return abandoned;
    });
}

}  // namespace xrca::store
