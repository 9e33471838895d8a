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
    Internal,            ///< a bug; details go to the log only
};

/** Stable kebab-case name of a kind. */
const char* error_kind_name(ErrorKind kind) noexcept;

/** The exception every xrca layer above xrml throws: a kind and a message that says what to do. */
class Error final : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& detail) : std::runtime_error(detail), m_kind(kind) {}
    [[nodiscard]] ErrorKind kind() const noexcept { return m_kind; }

private:
    ErrorKind m_kind;
};

}  // namespace xrca
