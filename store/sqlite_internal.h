// Private to the SQLite store's translation units: the lock, the mapping of SQLite errors to
// StorageError/ConflictError, and row readers shared by more than one file.
#pragma once

#include "store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <string>
#include <thread>

namespace xrca::store::sqlite_detail {

using Lock = std::lock_guard<std::mutex>;

/** How long a connection waits for another's lock before SQLite answers SQLITE_BUSY. */
inline constexpr int k_busy_timeout_ms = 10000;
/** How long one store call keeps retrying SQLITE_BUSY in all (each try waits up to the timeout). */
inline constexpr std::chrono::seconds k_busy_give_up{60};

/** Whether SQLite refused for a lock another connection holds (any SQLITE_BUSY_* extended code). */
inline bool is_busy(const SQLite::Exception& e) noexcept { return (e.getErrorCode() & 0xFF) == SQLITE_BUSY; }

/**
 * Runs `fn` until it does not fail with SQLITE_BUSY, or k_busy_give_up has passed. `fn` must be
 * one whole transaction (or statements outside any), so that a failed try changed nothing: a
 * SQLite::Transaction rolls back when the exception leaves it. SQLite answers BUSY after its
 * busy timeout, and sometimes without waiting at all (a stale WAL snapshot, a connection
 * recovering the WAL): a short randomised pause lets the holder finish.
 */
template <typename Fn>
auto retry_busy(Fn&& fn) -> decltype(fn()) {
    const auto give_up = std::chrono::steady_clock::now() + k_busy_give_up;
    thread_local std::minstd_rand jitter(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
        try {
            return fn();
        } catch (const SQLite::Exception& e) {
            if (!is_busy(e) || std::chrono::steady_clock::now() >= give_up) throw;
            const auto pause_ms = 1 + jitter() % static_cast<unsigned>(std::min(attempt, 10) * 5);
            std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
        }
    }
}

/** Runs one store call (see retry_busy) and maps SQLite's errors to StorageError or ConflictError. */
template <typename Fn>
auto guarded(const char* what, Fn&& fn) -> decltype(fn()) {
    try {
        return retry_busy(fn);
    } catch (const StorageError&) {
        throw;
    } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() & 0xFF) == SQLITE_CONSTRAINT) throw ConflictError(std::string(what) + ": " + e.what());
        throw StorageError(std::string(what) + ": " + e.what());
    }
}

inline std::optional<std::string> optional_text(const SQLite::Column& c) {
    if (c.isNull()) return std::nullopt;
    return c.getString();
}

inline std::vector<std::uint8_t> blob(const SQLite::Column& c) {
    const auto* p = static_cast<const std::uint8_t*>(c.getBlob());
    return std::vector<std::uint8_t>(p, p + c.getBytes());
}

inline void bind_optional(SQLite::Statement& q, int index, const std::optional<std::string>& v) {
    if (v) {
        q.bind(index, *v);
    } else {
        q.bind(index);
    }
}

inline CertificateRecord read_certificate_row(SQLite::Statement& q) {
    CertificateRecord r;
    r.id = q.getColumn(0).getString();
    r.kind = q.getColumn(1).getString();
    r.status = q.getColumn(2).getString();
    r.subject = q.getColumn(3).getString();
    r.issuer_fingerprint = q.getColumn(4).getString();
    r.key_fingerprint = q.getColumn(5).getString();
    r.issued = q.getColumn(6).getString();
    r.valid_from = optional_text(q.getColumn(7));
    r.valid_until = optional_text(q.getColumn(8));
    r.body = q.getColumn(9).getString();
    r.xrml = optional_text(q.getColumn(10));
    r.request_id = q.getColumn(11).getString();
    r.license_hash = optional_text(q.getColumn(12)).value_or("");
    r.machine = optional_text(q.getColumn(13));
    return r;
}

inline constexpr const char* k_certificate_columns =
    "id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, valid_from, valid_until, body, xrml, "
    "request_id, license_hash, machine";

/**
 * The issued certificates whose subject is exactly ?1, oldest first: through the NOCASE subject
 * index (schema 15 dropped the plain one), the case compared again on the rows it finds.
 */
inline std::string issued_by_subject_sql() {
    return std::string("SELECT ") + k_certificate_columns +
           " FROM certificates INDEXED BY certificates_by_subject_nocase WHERE subject = ?1 COLLATE NOCASE AND "
           "subject = ?1 AND status = 'issued' ORDER BY issued";
}

/**
 * The issued certificates of one kind (?2) whose subject is ?1 but for ASCII case, oldest first:
 * the SLCs a cluster GUID holds. Held to the NOCASE subject index (COLLATE NOCASE folds ASCII
 * only, which is all a braced GUID holds): without statistics, as stores run, SQLite's planner
 * took the (kind, status, issued, id) index instead, which spares the sort but reads every issued
 * certificate of the kind, so each SubEnroll read every SLC ever issued.
 */
inline std::string issued_by_kind_and_subject_ignoring_case_sql() {
    return std::string("SELECT ") + k_certificate_columns +
           " FROM certificates INDEXED BY certificates_by_subject_nocase WHERE subject = ?1 COLLATE NOCASE AND "
           "kind = ?2 AND status = 'issued' ORDER BY issued";
}

}  // namespace xrca::store::sqlite_detail
