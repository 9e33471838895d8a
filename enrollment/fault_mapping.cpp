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
        case ErrorKind::Malformed:
        case ErrorKind::Usage: return {400, RmsFault::Argument, true};
        case ErrorKind::Unauthorized: return {401, RmsFault::UnauthorizedAccess, true};
        case ErrorKind::NotFound: return {404, RmsFault::Argument, true};
        case ErrorKind::Conflict: return {409, RmsFault::Argument, true};
        // RMS answers refusals with a SOAP fault (HTTP 500); a role the caller lacks is 403 (map_error).
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked: return {500, RmsFault::UnauthorizedAccess, true};
        case ErrorKind::UnsupportedVersion:
            return {500, RmsFault::UnsupportedDataVersion, true, RmsFault::MalformedDataVersion};
        case ErrorKind::WrongState:
        case ErrorKind::Busy: return {503, RmsFault::UnspecifiedError, true};
        // A database outage: retry later, at this node or another. What failed is the store's
        // business (and may name its host), so it goes to the log and the node's stderr only.
        case ErrorKind::Unavailable: return {503, RmsFault::UnspecifiedError, false};
        case ErrorKind::Storage:
        case ErrorKind::Internal: return {500, RmsFault::UnspecifiedError, false};
    }
    return {500, RmsFault::UnspecifiedError, false};
}

/**
 * The kinds a client can tell apart, in the order read_fault tries them: of kinds sent with the
 * same status, the one whose own fault was received, else the first. Usage, Revoked, Storage,
 * Busy and Unavailable are sent exactly as Malformed, PolicyDenied, Internal and WrongState are,
 * so they are not among them (a client tells Busy and Unavailable by the Retry-After header).
 */
constexpr ErrorKind k_readable_kinds[] = {
    ErrorKind::Malformed,  ErrorKind::Unauthorized, ErrorKind::NotFound,           ErrorKind::Conflict,
    ErrorKind::WrongState, ErrorKind::PolicyDenied, ErrorKind::UnsupportedVersion, ErrorKind::Internal,
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
    // A refusal for want of a role is 403 Forbidden; other refusals are RMS's SOAP fault at 500.
    const bool refusal = e.kind() == ErrorKind::PolicyDenied || e.kind() == ErrorKind::Revoked;
    if (refusal && e.fault() == RmsFault::UnauthorizedAccess) r.http_status = 403;
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
    // 403 is map_error's answer to a role the caller lacks, 413 the service's to a body too large to
    // read: to a client, refused for who it is (as 401) and for what it sent (as 400).
    const int status = received.http_status == 403 ? 401 : received.http_status == 413 ? 400 : received.http_status;
    auto kind = kind_sent_as(status, out.fault);
    // A status map_error never sends (a proxy passing a fault on with 502, say) is read the way RMS
    // sends refusals: as HTTP 500, by its fault.
    if (!kind) kind = kind_sent_as(500, out.fault);
    out.kind = kind.value_or(ErrorKind::PolicyDenied);
    return out;
}

}  // namespace xrca::enrollment
