// SQLite implementation of the issuance cycle's two hot writes (docs/issuance-cycle.md):
// reserving a certificate before it is signed and completing it after, batched across threads
// into shared transactions, with completions synced by group commit.
#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"

#include <exception>

namespace xrca::store {

using namespace sqlite_detail;

namespace {

// Runs `fn` (one whole transaction) with synchronous=NORMAL, no sync at its commit, and puts
// FULL back after it, whether it committed or threw. The pragma is changed outside any
// transaction; it does no I/O.
template <typename Fn>
void without_sync_at_commit(SQLite::Database& db, Fn&& fn) {
    db.exec("PRAGMA synchronous=NORMAL");
    try {
        fn();
    } catch (...) {
        db.exec("PRAGMA synchronous=FULL");
        throw;
    }
    db.exec("PRAGMA synchronous=FULL");
}

}  // namespace

std::uint64_t SqliteStore::write_batched(const char* what, const std::function<void()>& write) {
    std::uint64_t generation = 0;
    m_batches.submit(BatchedWrite{what, &write, &generation},
                     [&](const std::vector<GroupCommit<BatchedWrite>::Queued*>& batch) { commit_batch(batch); });
    return generation;
}

void SqliteStore::commit_batch(const std::vector<GroupCommit<BatchedWrite>::Queued*>& batch) {
    Lock lock(m_mutex);
    try {
        retry_busy([&] {
            // Not synced at its commit: a reservation needs no sync (nothing has left the process
            // yet), and a completion syncs in make_durable(), with every commit made meanwhile.
            without_sync_at_commit(*m_db, [&] {
                SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
                for (auto* w : batch) {
                    w->error = nullptr;  // retry_busy may run the batch again
                    m_db->exec("SAVEPOINT queued_write");
                    try {
                        guarded(w->item->what, [&] {
                            (*w->item->write)();
                            return 0;
                        });
                        m_db->exec("RELEASE queued_write");
                    } catch (...) {  // StorageError, ConflictError (guarded mapped SQLite's errors)
                        w->error = std::current_exception();
                        m_db->exec("ROLLBACK TO queued_write");
                        m_db->exec("RELEASE queued_write");
                    }
                }
                t.commit();
            });
            return 0;
        });
        ++m_committed;
        for (auto* w : batch) *w->item->generation = m_committed;
    } catch (const SQLite::Exception& e) {
        // The transaction itself failed (a full disk, an I/O error): no write of it happened.
        for (auto* w : batch) {
            w->error = std::make_exception_ptr(StorageError(std::string(w->item->what) + ": " + e.what()));
        }
    } catch (...) {
        for (auto* w : batch) w->error = std::current_exception();
    }
}

void SqliteStore::reserve_issuance(const CertificateRecord& r, const LogEntry& entry) {
    // Batched with concurrent issuances (write_batched): one transaction for many certificates.
    write_batched("recording an issuance", [&] {
        static const std::string sql = std::string("INSERT INTO certificates (") + k_certificate_columns +
                                       ") VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)";
        auto& q = prepared(sql.c_str());
        q.bind(1, r.id);
        q.bind(2, r.kind);
        q.bind(3, r.subject);
        q.bind(4, r.issuer_fingerprint);
        q.bind(5, r.key_fingerprint);
        q.bind(6, r.issued);
        bind_optional(q, 7, r.valid_from);
        bind_optional(q, 8, r.valid_until);
        q.bind(9, r.body);
        q.bind(10, r.request_id);
        bind_optional(q, 11, r.license_hash.empty() ? std::nullopt : std::optional<std::string>(r.license_hash));
        bind_optional(q, 12, r.machine);
        q.exec();
        append_log_locked(entry);
    });
}

void SqliteStore::complete_issuance(const std::string& id, const std::string& xrml) {
    const auto generation = write_batched("completing an issuance", [&] {
        // The signed document contains the exact BODY: it replaces the pending copy rather than
        // storing the same text twice.
        auto& q = prepared(
            "UPDATE certificates SET status = 'issued', xrml = ?, body = '' WHERE id = ? AND status = 'pending'");
        q.bind(1, xrml);
        q.bind(2, id);
        if (q.exec() != 1) throw StorageError("certificate " + id + " is not pending");
    });
    // Nothing is handed out before this returns: a certificate a client holds is on disk.
    guarded("syncing a completed issuance", [&] {
        make_durable(generation);
        return 0;
    });
}

}  // namespace xrca::store
