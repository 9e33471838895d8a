// ErrorKind <-> HTTP status and SOAP faultstring: one switch (-Wswitch-enum keeps it complete)
// that map_error sends by and read_fault reads back by.
#include "enrollment/fault_mapping.h"

#include <optional>

namespace xrca::enrollment {
namespace {

/** How a kind goes over the wire. */
struct WireForm {
    int http_status = 500;
    RmsFault fallback = RmsFault::UnspecifiedError;  ///< sent when the error names no fault
    bool show_detail = false;                        ///< false: the message stays in the enrollment log
    RmsFault also = RmsFault::None;  ///< another fault only this kind is sent with: a client tells the kind by it
};

constexpr WireForm wire_form(ErrorKind kind) {
    switch (kind) {
        // SOAP 1.1 §6.2 and ASP.NET's .asmx services: a fault is HTTP 500, whatever caused it.
        case ErrorKind::Malformed:
        case ErrorKind::Usage:
        case ErrorKind::NotFound:
        case ErrorKind::Conflict: return {500, RmsFault::Argument, true, RmsFault::ArgumentNull};
        // Not authenticated is the HTTP layer's answer (401 and a challenge), as IIS gives it before
        // the service runs; a caller known but refused is a SOAP fault like any other refusal.
        case ErrorKind::Unauthorized: return {401, RmsFault::UnauthorizedAccess, true};
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked: return {500, RmsFault::UnauthorizedAccess, true};
        case ErrorKind::UnsupportedVersion:
            return {500, RmsFault::UnsupportedDataVersion, true, RmsFault::MalformedDataVersion};
        case ErrorKind::WrongState: return {500, RmsFault::UnspecifiedError, true};
        // Too many requests, or a database outage: not a fault of the request but of the moment,
        // so 503 with Retry-After (at this node or another). What failed in the store is the
        // store's business (and may name its host): it goes to the log and the node's stderr only.
        case ErrorKind::Busy: return {503, RmsFault::UnspecifiedError, true};
        case ErrorKind::Unavailable: return {503, RmsFault::UnspecifiedError, false};
        // A key that does not open (a wrong password or PIN at the server) is the server's fault:
        // a 401 would send the client chasing its token, and the detail is the operator's.
        case ErrorKind::Storage:
        case ErrorKind::KeyUnavailable:
        case ErrorKind::Internal: return {500, RmsFault::UnspecifiedError, false};
    }
    return {500, RmsFault::UnspecifiedError, false};
}

/**
 * The kinds a client can tell apart, in the order read_fault tries them: of kinds sent with the
 * same status, the one whose own fault was received, else the first. At HTTP 500 only the fault
 * tells: an argument fault is malformed input, a DataVersion fault an unsupported version,
 * UnspecifiedError the server's own failure, and any other (or none) a refusal. Usage, NotFound
 * and Conflict read as Malformed, Revoked as PolicyDenied, WrongState and Storage as Internal,
 * Busy as Unavailable (a client tells those two apart by nothing but the wait).
 */
constexpr ErrorKind k_readable_kinds[] = {
    ErrorKind::Unauthorized,       ErrorKind::PolicyDenied, ErrorKind::Malformed,
    ErrorKind::UnsupportedVersion, ErrorKind::Internal,     ErrorKind::Unavailable,
};

std::optional<ErrorKind> kind_sent_as(int http_status, RmsFault fault) {
    std::optional<ErrorKind> first;
    for (const auto kind : k_readable_kinds) {
        const auto form = wire_form(kind);
        if (form.http_status != http_status) continue;
        if (fault != RmsFault::None && (fault == form.fallback || fault == form.also)) return kind;
        if (!first) first = kind;
    }
    return first;
}

/**
 * The RmsFault a faultstring names: map_error writes "<name>: <message>", but the name may also
 * stand further in (.NET writes a wrapped exception as "<outer>: … ---> <name>: …"), so the known
 * name that comes first wins. None when it names no RMS exception xrca knows.
 */
RmsFault fault_named(const std::string& faultstring) {
    RmsFault found = RmsFault::None;
    auto first = std::string::npos;
    // RmsFault's values are consecutive from None and rms_fault_name (complete by -Wswitch-enum)
    // answers "" past the last, so a fault added later is recognised without a list to update.
    for (int i = 1; *rms_fault_name(static_cast<RmsFault>(i)) != '\0'; ++i) {
        const auto at = faultstring.find(rms_fault_name(static_cast<RmsFault>(i)));
        if (at < first) {
            first = at;
            found = static_cast<RmsFault>(i);
        }
    }
    return found;
}

}  // namespace

FaultResponse map_error(const Error& e) {
    const auto form = wire_form(e.kind());
    FaultResponse r;
    r.http_status = form.http_status;
    const RmsFault fault = e.fault() == RmsFault::None ? form.fallback : e.fault();
    r.faultstring = rms_fault_name(fault);
    r.faultstring +=
        form.show_detail ? std::string(": ") + e.what() : std::string(": the server could not complete the request");
    // Busy's wait depends on the caller's bucket: the service that refused it sets the header.
    if (e.kind() == ErrorKind::Unavailable) r.retry_after_seconds = k_unavailable_retry_after_seconds;
    return r;
}

FaultReading read_fault(const FaultResponse& received) {
    FaultReading out;
    out.fault = fault_named(received.faultstring);
    // 403 (a server that answers a role refused so) is refused for who the caller is, as 401.
    const int status = received.http_status == 403 ? 401 : received.http_status;
    auto kind = kind_sent_as(status, out.fault);
    // Any other status map_error never sends (the service's 413 for a body too large to read, a
    // proxy passing a fault on with 502) is read as RMS sends faults: as HTTP 500, by its fault.
    if (!kind) kind = kind_sent_as(500, out.fault);
    out.kind = kind.value_or(ErrorKind::PolicyDenied);
    return out;
}

}  // namespace xrca::enrollment
