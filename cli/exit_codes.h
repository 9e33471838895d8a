// The one mapping from ErrorKind to process exit codes (CLI.md "Conventions").
#pragma once

#include "ca/errors.h"

namespace xrca::cli {

enum ExitCode : int {
    k_exit_ok = 0,
    k_exit_refused = 1,  ///< checked and refused
    k_exit_usage = 2,
    k_exit_state = 3,    ///< wrong state or not found
    k_exit_storage = 4,  ///< storage or I/O error
    k_exit_internal = 5,
};

constexpr int exit_code_for(ErrorKind kind) noexcept {
    switch (kind) {
        case ErrorKind::Malformed:
        case ErrorKind::Unauthorized:
        case ErrorKind::Conflict:
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked:
        case ErrorKind::UnsupportedVersion:
        case ErrorKind::KeyUnavailable: return k_exit_refused;
        case ErrorKind::Usage: return k_exit_usage;
        case ErrorKind::NotFound:
        case ErrorKind::WrongState: return k_exit_state;
        case ErrorKind::Storage:
        case ErrorKind::Busy:
        case ErrorKind::Unavailable: return k_exit_storage;
        case ErrorKind::Internal: return k_exit_internal;
    }
    return k_exit_internal;
}

}  // namespace xrca::cli
