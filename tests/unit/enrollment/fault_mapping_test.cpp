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
 * What a client should read of a server's Error(sent, …, fault). The status tells the kind apart,
 * except at HTTP 500 (refusals, version problems, the server's own failures), where only the
 * fault can; what the wire does not carry (usage against malformed, revoked against
 * policy-denied, storage against internal) reads as the first of each pair.
 */
ErrorKind client_reads(ErrorKind sent, RmsFault fault) {
    switch (sent) {
        case ErrorKind::Malformed:
        case ErrorKind::Usage: return ErrorKind::Malformed;
        case ErrorKind::Unauthorized: return ErrorKind::Unauthorized;
        case ErrorKind::NotFound: return ErrorKind::NotFound;
        case ErrorKind::Conflict: return ErrorKind::Conflict;
        case ErrorKind::WrongState:
        case ErrorKind::Busy:
        case ErrorKind::Unavailable: return ErrorKind::WrongState;
        case ErrorKind::PolicyDenied:
        case ErrorKind::Revoked:
            if (fault == RmsFault::UnauthorizedAccess) return ErrorKind::Unauthorized;  // 403: a role the caller lacks
            break;
        case ErrorKind::UnsupportedVersion:
        case ErrorKind::Storage:
        case ErrorKind::Internal: break;
    }
    switch (fault) {
        case RmsFault::None: break;
        case RmsFault::MalformedDataVersion:
        case RmsFault::UnsupportedDataVersion: return ErrorKind::UnsupportedVersion;
        case RmsFault::UnspecifiedError: return ErrorKind::Internal;
        case RmsFault::Argument:
        case RmsFault::ArgumentNull:
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
        case RmsFault::VerifyEmailAddressFailed: return ErrorKind::PolicyDenied;
    }
    // No fault named: the kind's own was sent.
    if (sent == ErrorKind::UnsupportedVersion) return ErrorKind::UnsupportedVersion;
    if (sent == ErrorKind::Storage || sent == ErrorKind::Internal) return ErrorKind::Internal;
    return ErrorKind::PolicyDenied;
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
            // for its kind, whose faultstring is the same when named. (Not always its status: a
            // refusal naming UnauthorizedAccess is a role refused, 403; one naming none is 500.)
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

TEST(FaultMapping, FaultsFromOtherServersAreReadByStatusAndName) {
    const auto read = [](int status, const std::string& faultstring) { return read_fault({status, faultstring}); };
    // A .NET server wrapping the exception: the RMS name further in still counts.
    const auto wrapped = read(500,
                              "System.Web.Services.Protocols.SoapException: Server was unable to process request. ---> "
                              "Microsoft.DigitalRightsManagement.Core.UnsupportedDataVersionException: 9.0.0.0");
    EXPECT_EQ(wrapped.kind, ErrorKind::UnsupportedVersion);
    EXPECT_EQ(wrapped.fault, RmsFault::UnsupportedDataVersion);
    // A name xrca does not know, or none: a refusal at 500, and the status elsewhere.
    EXPECT_EQ(read(500, "System.InvalidOperationException: no").kind, ErrorKind::PolicyDenied);
    EXPECT_EQ(read(500, "System.InvalidOperationException: no").fault, RmsFault::None);
    EXPECT_EQ(read(401, "(no faultstring)").kind, ErrorKind::Unauthorized);
    EXPECT_EQ(read(404, "").kind, ErrorKind::NotFound);
    // The service's own 413 for an oversized body; a status map_error never sends is read as 500.
    EXPECT_EQ(read(413, "System.ArgumentException: the request body is larger than 1 MiB").kind, ErrorKind::Malformed);
    EXPECT_EQ(read(502, "Microsoft.DigitalRightsManagement.Utilities.UnspecifiedErrorException: x").kind,
              ErrorKind::Internal);
    EXPECT_EQ(read(502, "System.ArgumentException: x").kind, ErrorKind::PolicyDenied);
    // The message does not decide: only the name in front (or a wrapped one) does.
    EXPECT_EQ(read(500, "System.UnauthorizedAccessException: not a DataVersionException").kind,
              ErrorKind::PolicyDenied);
}

}  // namespace
}  // namespace xrca::enrollment
