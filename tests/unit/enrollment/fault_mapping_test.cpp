// map_error and read_fault as a pair: every ErrorKind with every RmsFault is sent as map_error
// sends it and read back as a client reads it. Both enums are walked through their names
// (error_kind_name and rms_fault_name, complete by -Wswitch-enum), so a value added to either is
// in the round trip at once, and client_reads below must say what a client makes of it.
#include "enrollment/fault_mapping.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

namespace xrca {
// Failures name the kind and the fault, not their bytes.
void PrintTo(ErrorKind kind, std::ostream* os) { *os << error_kind_name(kind); }
void PrintTo(RmsFault fault, std::ostream* os) { *os << (fault == RmsFault::None ? "(none)" : rms_fault_name(fault)); }
}  // namespace xrca

namespace xrca::enrollment {
namespace {

// Both enums are numbered from 0 without gaps; each name function answers its default past the last.
std::vector<ErrorKind> every_kind() {
    std::vector<ErrorKind> out;
    for (int i = 0; std::string(error_kind_name(static_cast<ErrorKind>(i))) != "unknown"; ++i)
        out.push_back(static_cast<ErrorKind>(i));
    return out;
}

std::vector<RmsFault> every_fault() {
    std::vector<RmsFault> out{RmsFault::None};
    for (int i = 1; *rms_fault_name(static_cast<RmsFault>(i)) != '\0'; ++i) out.push_back(static_cast<RmsFault>(i));
    return out;
}

/**
 * What a client should read of a server's Error(sent, …, fault). Only two statuses tell the kind
 * (401: not authenticated; 503: unavailable now); every other fault is HTTP 500 (SOAP 1.1 §6.2),
 * where only the fault can: an argument fault is malformed input, a DataVersion fault an
 * unsupported version, UnspecifiedError the server's own failure, any other a refusal.
 */
ErrorKind client_reads(ErrorKind sent, RmsFault fault) {
    switch (sent) {
        case ErrorKind::Unauthorized: return ErrorKind::Unauthorized;
        case ErrorKind::Busy:
        case ErrorKind::Unavailable: return ErrorKind::Unavailable;
        case ErrorKind::Malformed:
        case ErrorKind::Usage:
        case ErrorKind::NotFound:
        case ErrorKind::Conflict:
        case ErrorKind::WrongState:
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked:
        case ErrorKind::UnsupportedVersion:
        case ErrorKind::Storage:
        case ErrorKind::KeyUnavailable:
        case ErrorKind::Internal: break;
    }
    switch (fault) {
        case RmsFault::None: break;
        case RmsFault::Argument:
        case RmsFault::ArgumentNull: return ErrorKind::Malformed;
        case RmsFault::MalformedDataVersion:
        case RmsFault::UnsupportedDataVersion: return ErrorKind::UnsupportedVersion;
        case RmsFault::UnspecifiedError: return ErrorKind::Internal;
        case RmsFault::UnauthorizedAccess:
        case RmsFault::ClusterDecommissioned:
        case RmsFault::VerifyMachineCertificateChainFailed:
        case RmsFault::BlackBoxIsInvalid:
        case RmsFault::UnsupportedCryptographicSet:
        case RmsFault::InvalidPersonaCertSignature:
        case RmsFault::InvalidPersonaCertTime:
        case RmsFault::UntrustedPersonaCert:
        case RmsFault::UnexpectedPersonaCert:
        case RmsFault::DrmacIsExcluded:
        case RmsFault::VerifyEmailAddressFailed:
        case RmsFault::InvalidOperation: return ErrorKind::PolicyDenied;
    }
    // No fault named: the kind's own was sent.
    switch (sent) {
        case ErrorKind::Malformed:
        case ErrorKind::Usage:
        case ErrorKind::NotFound:
        case ErrorKind::Conflict: return ErrorKind::Malformed;
        case ErrorKind::UnsupportedVersion: return ErrorKind::UnsupportedVersion;
        case ErrorKind::WrongState:
        case ErrorKind::Storage:
        case ErrorKind::KeyUnavailable:
        case ErrorKind::Internal: return ErrorKind::Internal;
        case ErrorKind::Unauthorized:
        case ErrorKind::Busy:
        case ErrorKind::Unavailable:
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked: break;
    }
    return ErrorKind::PolicyDenied;
}

TEST(FaultMapping, EveryFaultIsHttp500ExceptNotAuthenticatedAndUnavailableNow) {
    // SOAP 1.1 §6.2, as ASP.NET answers: the status never depends on which refusal it was.
    for (const auto kind : every_kind()) {
        for (const auto fault : every_fault()) {
            const auto status = map_error(Error(kind, "detail", fault)).http_status;
            const int expected = kind == ErrorKind::Unauthorized                             ? 401
                                 : kind == ErrorKind::Busy || kind == ErrorKind::Unavailable ? 503
                                                                                             : 500;
            EXPECT_EQ(status, expected) << error_kind_name(kind);
        }
    }
}

TEST(FaultMapping, EveryKindWithEveryFaultIsReadBackAsAClientShouldSeeIt) {
    const auto kinds = every_kind();
    const auto faults = every_fault();
    ASSERT_GE(kinds.size(), 11u);
    ASSERT_GE(faults.size(), 17u);
    for (const auto kind : kinds) {
        for (const auto fault : faults) {
            const auto what = std::string(error_kind_name(kind)) + " with " +
                              (fault == RmsFault::None ? "no fault" : rms_fault_name(fault));
            const auto sent = map_error(Error(kind, "detail", fault));
            const auto back = read_fault(sent);
            EXPECT_EQ(back.kind, client_reads(kind, fault)) << what << " -> HTTP " << sent.http_status << " "
                                                            << sent.faultstring << " -> " << error_kind_name(back.kind);
            // The fault comes back exactly: the one the error named, else the one map_error chose
            // for its kind, whose faultstring is the same when named.
            ASSERT_NE(back.fault, RmsFault::None) << what << ": " << sent.faultstring;
            if (fault != RmsFault::None) {
                EXPECT_EQ(back.fault, fault) << what << ": " << sent.faultstring;
            }
            EXPECT_EQ(map_error(Error(kind, "detail", back.fault)).faultstring, sent.faultstring) << what;
        }
    }
}

TEST(FaultMapping, AStoreOutageIs503WithRetryAfterAndNoDetail) {
    // Issue 14: a database outage is transient; its detail (which may name the database host)
    // stays in the node's log and stderr.
    const auto sent = map_error(Error(ErrorKind::Unavailable, "cannot connect to postgresql://db.internal/xrca"));
    EXPECT_EQ(sent.http_status, 503);
    EXPECT_EQ(sent.retry_after_seconds, k_unavailable_retry_after_seconds);
    EXPECT_EQ(sent.faultstring.find("db.internal"), std::string::npos) << sent.faultstring;
    // Other kinds carry no Retry-After of their own (Busy's is set by the service, per caller).
    EXPECT_EQ(map_error(Error(ErrorKind::Storage, "disk")).retry_after_seconds, 0);
    EXPECT_EQ(map_error(Error(ErrorKind::Busy, "slow down")).retry_after_seconds, 0);
}

TEST(FaultMapping, AKeyThatDoesNotOpenIsTheServersFaultWithNoDetail) {
    // Issue 16: a wrong key password at the server was sent as 401 with its message, which sent
    // clients chasing their tokens. It is the server's own failure, told as nothing more.
    const auto sent =
        map_error(Error(ErrorKind::KeyUnavailable, "the key password does not open the cluster key (wrong password?)"));
    EXPECT_EQ(sent.http_status, 500);
    EXPECT_EQ(sent.faultstring,
              std::string(rms_fault_name(RmsFault::UnspecifiedError)) + ": the server could not complete the request");
    EXPECT_EQ(sent.retry_after_seconds, 0);
    EXPECT_EQ(read_fault(sent).kind, ErrorKind::Internal);
}

TEST(FaultMapping, FaultsFromOtherServersAreReadByStatusAndName) {
    const auto read = [](int status, const std::string& faultstring) { return read_fault({status, faultstring}); };
    // A .NET server wrapping the exception: the RMS name further in still counts.
    const auto wrapped = read(500,
                              "System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> "
                              "Microsoft.DigitalRightsManagement.Core.UnsupportedDataVersionException: 9.0.0.0");
    EXPECT_EQ(wrapped.kind, ErrorKind::UnsupportedVersion);
    EXPECT_EQ(wrapped.fault, RmsFault::UnsupportedDataVersion);
    // A name xrca does not know, or none: a refusal at 500; 401 is unauthenticated whatever it says.
    EXPECT_EQ(read(500, "System.NotSupportedException: no").kind, ErrorKind::PolicyDenied);
    EXPECT_EQ(read(500, "System.NotSupportedException: no").fault, RmsFault::None);
    EXPECT_EQ(read(401, "(no faultstring)").kind, ErrorKind::Unauthorized);
    EXPECT_EQ(read(403, "").kind, ErrorKind::Unauthorized);
    EXPECT_EQ(read(500, "System.ArgumentNullException: VersionData").kind, ErrorKind::Malformed);
    // A status map_error never sends (the service's 413 for an oversized body, a proxy's 502, a 404)
    // is read as a fault at 500, by its name.
    EXPECT_EQ(read(413, "System.ArgumentException: the request body is larger than 1 MiB").kind, ErrorKind::Malformed);
    EXPECT_EQ(read(502, "Microsoft.DigitalRightsManagement.Utilities.UnspecifiedErrorException: x").kind,
              ErrorKind::Internal);
    EXPECT_EQ(read(502, "System.ArgumentException: x").kind, ErrorKind::Malformed);
    EXPECT_EQ(read(404, "").kind, ErrorKind::PolicyDenied);
    EXPECT_EQ(read(503, "Microsoft.DigitalRightsManagement.Utilities.UnspecifiedErrorException: later").kind,
              ErrorKind::Unavailable);
    // The message does not decide: only the name in front (or a wrapped one) does.
    EXPECT_EQ(read(500, "System.UnauthorizedAccessException: not a DataVersionException").kind,
              ErrorKind::PolicyDenied);
}

}  // namespace
}  // namespace xrca::enrollment
