// Records the store tests write: a log entry and a pending certificate with every field set, so
// that a back end that drops or mangles a field fails the comparison. Shared by the contract
// suite and the back ends' own tests.
#pragma once

#include "store/records.h"

#include <string>

namespace xrca::test {

inline store::LogEntry entry(const std::string& operation, const std::string& request_id = "r") {
    store::LogEntry e;
    e.request_id = request_id;
    e.time = "2026-03-01T12:00:00Z";
    e.operation = operation;
    e.caller = "contract";
    e.inputs = "in";
    e.outcome = "accepted";
    e.reason = "because";
    return e;
}

inline store::CertificateRecord pending(const std::string& id, const std::string& subject = "subject",
                                        const std::string& key = "k1") {
    store::CertificateRecord r;
    r.id = id;
    r.kind = "Rights-Account-Certificate";
    r.status = "pending";
    r.subject = subject;
    r.issuer_fingerprint = std::string(64, 'b');
    r.key_fingerprint = key;
    r.issued = "2026-03-01T12:00:00Z";
    r.valid_from = "2026-03-01T11:45:00Z";
    r.valid_until = "2027-03-01T12:00:00Z";
    r.body = "<BODY type=\"LICENSE\">" + id + "</BODY>";
    r.request_id = "req-" + id;
    r.license_hash = std::string(40, id.back());
    return r;
}

}  // namespace xrca::test
