// The one error vocabulary of xrca (ARCHITECTURE.md invariant 4). Each boundary (CLI exit
// code, HTTP status, SOAP fault) maps ErrorKind in exactly one switch.
#pragma once

#include <stdexcept>
#include <string>

namespace xrca {

/** What went wrong, independent of transport. */
enum class ErrorKind {
    Malformed,           ///< input could not be read (bad XML, bad encoding, bad field)
    Unauthorized,        ///< caller not authenticated or not allowed
    NotFound,            ///< the thing asked for does not exist
    Conflict,            ///< it exists already, or the request was already answered
    WrongState,          ///< the authority is not in a state to do this (e.g. awaiting enrollment)
    PolicyDenied,        ///< checked and refused (untrusted issuer, bad signature, wrong role …)
    Revoked,             ///< something in the input is revoked or excluded
    UnsupportedVersion,  ///< protocol or crypto version not supported
    Usage,               ///< the command line or call was wrong
    Storage,             ///< the store or a file could not be read or written
    Busy,                ///< too many requests from this caller now; it may retry later
    Unavailable,         ///< the store cannot be reached now (a database outage); any caller may retry later
    Internal,            ///< a bug; details go to the log only
    /**
     * A key of the authority cannot be opened (a wrong key password or PIN, a locked token): the
     * operator's to fix, never the caller's, so a client is told only that the server failed.
     */
    KeyUnavailable,
};

/** Stable kebab-case name of a kind. */
const char* error_kind_name(ErrorKind kind) noexcept;

/**
 * The RMS exception a refusal corresponds to (reference §3.0, §3.4, §3.5): RMS clients see the
 * .NET exception name in the SOAP faultstring, so refusals carry it from where they are made.
 */
enum class RmsFault {
    None,
    Argument,               ///< System.ArgumentException
    ArgumentNull,           ///< System.ArgumentNullException (missing required input)
    UnauthorizedAccess,     ///< System.UnauthorizedAccessException
    ClusterDecommissioned,  ///< ...RightsManagementServices.ClusterDecommissionedException
    VerifyMachineCertificateChainFailed,
    BlackBoxIsInvalid,
    UnsupportedCryptographicSet,
    InvalidPersonaCertSignature,
    InvalidPersonaCertTime,
    UntrustedPersonaCert,
    UnexpectedPersonaCert,
    DrmacIsExcluded,
    VerifyEmailAddressFailed,
    MalformedDataVersion,
    UnsupportedDataVersion,
    UnspecifiedError,
    InvalidOperation,  ///< System.InvalidOperationException (e.g. an unknown service type, [MS-RMPR] 3.7.4.2)
};

/** The full .NET exception name RMS uses for `fault` (empty for None). */
const char* rms_fault_name(RmsFault fault) noexcept;

/** The exception every xrca layer above xrml throws: a kind, an RMS fault, and a message that says what to do. */
class Error final : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& detail, RmsFault fault = RmsFault::None)
        : std::runtime_error(detail), m_kind(kind), m_fault(fault) {}
    [[nodiscard]] ErrorKind kind() const noexcept { return m_kind; }
    [[nodiscard]] RmsFault fault() const noexcept { return m_fault; }

private:
    ErrorKind m_kind;
    RmsFault m_fault;
};

}  // namespace xrca
