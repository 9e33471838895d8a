// Private to the SQLite store's translation units: the lock, the mapping of SQLite errors to
// StorageError/ConflictError, and row readers shared by more than one file.
#pragma once

#include "store/store.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <sqlite3.h>

#include <mutex>

namespace xrca::store::sqlite_detail {

using Lock = std::lock_guard<std::mutex>;

template <typename Fn>
auto guarded(const char* what, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
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
    return r;
}

inline constexpr const char* k_certificate_columns =
    "id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, valid_from, valid_until, body, xrml, "
    "request_id, "
    "license_hash";

}  // namespace xrca::store::sqlite_detail
