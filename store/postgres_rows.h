// Private to the PostgreSQL store's translation units: row readers and column lists shared by
// more than one file.
#pragma once

#include "store/postgres_connection.h"
#include "store/records.h"

#include <string>

namespace xrca::store::pg_detail {

inline constexpr const char* k_certificate_columns =
    "id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, valid_from, valid_until, body, xrml, "
    "request_id, license_hash, machine";

/**
 * The reservations made before $1 that are still pending, oldest first: found in
 * unissued_certificates (certificates has no index on status, 008_hot_completion.sql), then each
 * read by its ID.
 */
inline std::string stale_pending_query() {
    return std::string("SELECT ") + k_certificate_columns +
           " FROM certificates WHERE id IN (SELECT u.id FROM unissued_certificates u WHERE u.status = 'pending' AND "
           "u.issued COLLATE \"C\" < $1) AND status = 'pending' ORDER BY issued COLLATE \"C\", id COLLATE \"C\"";
}

inline constexpr const char* k_log_columns =
    "seq, request_id, time, operation, caller, inputs, certificate_id, outcome, reason, prev_hash, hash";

inline CertificateRecord read_certificate(const Result& q, int row) {
    CertificateRecord r;
    r.id = q.text(row, 0);
    r.kind = q.text(row, 1);
    r.status = q.text(row, 2);
    r.subject = q.text(row, 3);
    r.issuer_fingerprint = q.text(row, 4);
    r.key_fingerprint = q.text(row, 5);
    r.issued = q.text(row, 6);
    r.valid_from = q.optional_text(row, 7);
    r.valid_until = q.optional_text(row, 8);
    r.body = q.text(row, 9);
    r.xrml = q.optional_text(row, 10);
    r.request_id = q.text(row, 11);
    r.license_hash = q.optional_text(row, 12).value_or("");
    r.machine = q.optional_text(row, 13);
    return r;
}

inline std::vector<CertificateRecord> read_certificates(const Result& q) {
    std::vector<CertificateRecord> out;
    out.reserve(static_cast<std::size_t>(q.rows()));
    for (int i = 0; i < q.rows(); ++i) out.push_back(read_certificate(q, i));
    return out;
}

inline LogEntry read_log_entry(const Result& q, int row) {
    LogEntry e;
    e.seq = q.int64(row, 0);
    e.request_id = q.text(row, 1);
    e.time = q.text(row, 2);
    e.operation = q.text(row, 3);
    e.caller = q.text(row, 4);
    e.inputs = q.text(row, 5);
    e.certificate_id = q.text(row, 6);
    e.outcome = q.text(row, 7);
    e.reason = q.text(row, 8);
    e.prev_hash = q.text(row, 9);
    e.hash = q.text(row, 10);
    return e;
}

}  // namespace xrca::store::pg_detail
