// The one mapping between xrca::Error and what an RMS client sees over HTTP (STYLE.md §9.6): an
// HTTP status and a SOAP faultstring carrying the .NET exception name. Internal and storage
// details never reach the caller; they are in the enrollment log. The client reads a fault back
// here too, from the same table, so that the two directions cannot drift apart.
#pragma once

#include "ca/errors.h"

#include <string>

namespace xrca::enrollment {

struct FaultResponse {
    int http_status = 500;
    std::string faultstring;  ///< "<.NET exception name>: <message>"
    /** Seconds for a Retry-After header (RFC 9110 §10.2.3) with a 503; 0: none. */
    int retry_after_seconds = 0;
};

/**
 * How long a caller refused during a store outage (ErrorKind::Unavailable) is told to wait: a
 * database restart takes a few seconds, and a shorter hint would only bring the retries sooner.
 */
inline constexpr int k_unavailable_retry_after_seconds = 5;

FaultResponse map_error(const Error& error);

/** What a client can tell of the server's error from a fault it received. */
struct FaultReading {
    ErrorKind kind = ErrorKind::PolicyDenied;
    RmsFault fault = RmsFault::None;  ///< None when the faultstring names no RMS exception xrca knows
};

/**
 * The reverse of map_error: the RmsFault the faultstring names, and the kind the status (401:
 * unauthenticated, 503: unavailable now) or, at HTTP 500, the fault says. The wire does not carry
 * every distinction: usage, not-found and conflict read back as malformed, revoked as
 * policy-denied, wrong-state and storage as internal, busy as unavailable.
 */
FaultReading read_fault(const FaultResponse& received);

}  // namespace xrca::enrollment
