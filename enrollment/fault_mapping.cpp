// ErrorKind -> HTTP status and SOAP faultstring, in one switch (-Wswitch-enum keeps it complete).
#include "enrollment/fault_mapping.h"

namespace xrca::enrollment {

FaultResponse map_error(const Error& e) {
    FaultResponse r;
    RmsFault fallback = RmsFault::UnspecifiedError;
    bool show_detail = true;
    switch (e.kind()) {
        case ErrorKind::Malformed:
        case ErrorKind::Usage:
            r.http_status = 400;
            fallback = RmsFault::Argument;
            break;
        case ErrorKind::Unauthorized:
            r.http_status = 401;
            fallback = RmsFault::UnauthorizedAccess;
            break;
        case ErrorKind::NotFound:
            r.http_status = 404;
            fallback = RmsFault::Argument;
            break;
        case ErrorKind::Conflict:
            r.http_status = 409;
            fallback = RmsFault::Argument;
            break;
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked:
            // RMS answers refusals with a SOAP fault (HTTP 500); a role the caller lacks is 403.
            r.http_status = e.fault() == RmsFault::UnauthorizedAccess ? 403 : 500;
            fallback = RmsFault::UnauthorizedAccess;
            break;
        case ErrorKind::UnsupportedVersion:
            r.http_status = 500;
            fallback = RmsFault::UnsupportedDataVersion;
            break;
        case ErrorKind::WrongState:
            r.http_status = 503;
            break;
        case ErrorKind::Storage:
        case ErrorKind::Internal:
            r.http_status = 500;
            show_detail = false;
            break;
    }
    const RmsFault fault = e.fault() == RmsFault::None ? fallback : e.fault();
    r.faultstring = rms_fault_name(fault);
    r.faultstring += show_detail ? std::string(": ") + e.what() : std::string(": the server could not complete the request");
    return r;
}

}  // namespace xrca::enrollment
