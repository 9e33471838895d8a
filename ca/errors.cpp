// Names of error kinds.
#include "ca/errors.h"

namespace xrca {

const char* error_kind_name(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::Malformed: return "malformed";
        case ErrorKind::Unauthorized: return "unauthorized";
        case ErrorKind::NotFound: return "not-found";
        case ErrorKind::Conflict: return "conflict";
        case ErrorKind::WrongState: return "wrong-state";
        case ErrorKind::PolicyDenied: return "policy-denied";
        case ErrorKind::Revoked: return "revoked";
        case ErrorKind::UnsupportedVersion: return "unsupported-version";
        case ErrorKind::Usage: return "usage";
        case ErrorKind::Storage: return "storage";
        case ErrorKind::Internal: return "internal";
    }
    return "unknown";
}

}  // namespace xrca
