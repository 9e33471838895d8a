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
        case ErrorKind::Busy: return "busy";
        case ErrorKind::Unavailable: return "unavailable";
        case ErrorKind::Internal: return "internal";
        case ErrorKind::KeyUnavailable: return "key-unavailable";
    }
    return "unknown";
}

const char* rms_fault_name(RmsFault fault) noexcept {
    switch (fault) {
        case RmsFault::None: return "";
        case RmsFault::Argument: return "System.ArgumentException";
        case RmsFault::ArgumentNull: return "System.ArgumentNullException";
        case RmsFault::UnauthorizedAccess: return "System.UnauthorizedAccessException";
        case RmsFault::ClusterDecommissioned:
            return "Microsoft.RightsManagementServices.ClusterDecommissionedException";
        case RmsFault::VerifyMachineCertificateChainFailed:
            return "Microsoft.DigitalRightsManagement.Core.VerifyMachineCertificateChainFailedException";
        case RmsFault::BlackBoxIsInvalid:
            return "Microsoft.DigitalRightsManagement.Licensing.BlackBoxIsInvalidException";
        case RmsFault::UnsupportedCryptographicSet:
            return "Microsoft.DigitalRightsManagement.Cryptography.UnsupportedCryptographicSetException";
        case RmsFault::InvalidPersonaCertSignature:
            return "Microsoft.DigitalRightsManagement.Licensing.InvalidPersonaCertSignatureException";
        case RmsFault::InvalidPersonaCertTime:
            return "Microsoft.DigitalRightsManagement.Licensing.InvalidPersonaCertTimeException";
        case RmsFault::UntrustedPersonaCert:
            return "Microsoft.DigitalRightsManagement.Licensing.UntrustedPersonaCertException";
        case RmsFault::UnexpectedPersonaCert:
            return "Microsoft.DigitalRightsManagement.Licensing.UnexpectedPersonaCertException";
        case RmsFault::DrmacIsExcluded: return "Microsoft.DigitalRightsManagement.Licensing.DrmacIsExcludedException";
        case RmsFault::VerifyEmailAddressFailed:
            return "Microsoft.DigitalRightsManagement.Core.VerifyEmailAddressFailedException";
        case RmsFault::MalformedDataVersion:
            return "Microsoft.DigitalRightsManagement.Core.MalformedDataVersionException";
        case RmsFault::UnsupportedDataVersion:
            return "Microsoft.DigitalRightsManagement.Core.UnsupportedDataVersionException";
        case RmsFault::UnspecifiedError: return "Microsoft.DigitalRightsManagement.Utilities.UnspecifiedErrorException";
        case RmsFault::InvalidOperation: return "System.InvalidOperationException";
    }
    return "";
}

}  // namespace xrca
