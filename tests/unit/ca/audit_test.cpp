// The one audit path: every request leaves exactly one entry, whoever refused it.
#include "ca/audit.h"
#include "store/factory.h"
#include "support/forwarding_store.h"

#include <botan/system_rng.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace xrca::ca {
namespace {

class AuditPath : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-audit-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_store = store::open_store(m_dir, store::OpenMode::Create);
    }
    void TearDown() override {
        m_store.reset();
        std::filesystem::remove_all(m_dir);
    }
    std::vector<store::LogEntry> log() { return m_store->read_log(""); }

    std::string m_dir;
    std::unique_ptr<store::Store> m_store;
    FixedClock m_clock{xrml::Time::parse("2026-03-01T12:00")};
    Botan::System_RNG m_rng;
    Caller m_caller{"test", "127.0.0.1", "gtest", false};
};

/** A database outage: every append is refused as the PostgreSQL store refuses it (issue 14). */
class OutageStore final : public test::ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    void append_log(const store::LogEntry& /*entry*/) override {
        throw store::StoreUnavailable("appending to the log: the database system is shutting down");
    }
};

TEST_F(AuditPath, DuringAStoreOutageTheRequestIsUnavailableAndItsEntryGoesToTheSink) {
    OutageStore outage(*m_store);
    Audit audit(outage, m_clock, m_rng);
    std::vector<std::pair<store::LogEntry, std::string>> unwritten;
    audit.on_unwritten([&](const store::LogEntry& e, const std::string& why) { unwritten.emplace_back(e, why); });
    // A store call that fails for the outage: Unavailable (503 at the SOAP boundary), and the
    // refusal the log could not take is handed to the sink whole.
    try {
        audit.run("Certify", m_caller, "user=kim",
                  []() -> int { throw store::StoreUnavailable("reading a principal"); });
        ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << e.what();
    }
    ASSERT_EQ(unwritten.size(), 1u);
    EXPECT_EQ(unwritten[0].first.operation, "Certify");
    EXPECT_EQ(unwritten[0].first.outcome, "refused");
    EXPECT_EQ(unwritten[0].first.inputs, "user=kim");
    EXPECT_NE(unwritten[0].second.find("shutting down"), std::string::npos) << unwritten[0].second;
    // An entry appended directly (an accepted read) fails the same way, and reaches the sink too.
    const auto read = audit.entry("r-1", "GetLicensorCertificate", m_caller, "", "", "accepted", "");
    try {
        audit.append(read);
        ADD_FAILURE() << "appended";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << e.what();
    }
    ASSERT_EQ(unwritten.size(), 2u);
    EXPECT_EQ(unwritten[1].first.request_id, "r-1");
    // A commit whose outcome is unknown is transient for the caller as well.
    EXPECT_THROW(
        try {
            audit.run("Certify", m_caller, "", []() -> int { throw store::CommitOutcomeUnknown("committing"); });
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
            throw;
        },
        Error);
    EXPECT_TRUE(log().empty()) << "nothing reached the real store behind the outage";
}

TEST_F(AuditPath, ARefusalBeforeAnyOperationIsLoggedOnceByTheTransport) {
    Audit audit(*m_store, m_clock, m_rng);
    const char* operation = "SOAP";
    EXPECT_THROW(audit.run(operation, m_caller, "path=/x",
                           [&]() -> int {
                               operation = "Certify";  // the transport learned what was asked
                               throw Error(ErrorKind::Unauthorized, "no token", RmsFault::UnauthorizedAccess);
                           }),
                 Error);
    const auto entries = log();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].operation, "Certify");
    EXPECT_EQ(entries[0].outcome, "refused");
    EXPECT_EQ(entries[0].inputs, "path=/x");
    EXPECT_NE(entries[0].reason.find("UnauthorizedAccessException: no token"), std::string::npos) << entries[0].reason;
}

TEST_F(AuditPath, ARefusalInsideAnOperationIsLoggedOnceWithTheOperationsInputs) {
    Audit audit(*m_store, m_clock, m_rng);
    EXPECT_THROW(audit.run("SOAP", m_caller, "path=/x",
                           [&] {
                               return audit.run("Certify", m_caller, "user=kim", [&]() -> int {
                                   throw Error(ErrorKind::PolicyDenied, "revoked",
                                               RmsFault::VerifyMachineCertificateChainFailed);
                               });
                           }),
                 Error);
    const auto entries = log();
    ASSERT_EQ(entries.size(), 1u) << "the transport around the operation logs nothing more";
    EXPECT_EQ(entries[0].operation, "Certify");
    EXPECT_EQ(entries[0].inputs, "user=kim");
}

TEST_F(AuditPath, ARequestWhoseOutcomeIsRecordedIsNotAlsoRefused) {
    Audit audit(*m_store, m_clock, m_rng);
    EXPECT_THROW(audit.run("SOAP", m_caller, "",
                           [&] {
                               return audit.run("Certify", m_caller, "", [&]() -> int {
                                   audit.append(audit.entry("r1", "Certify", m_caller, "", "c1", "failed",
                                                            "signing failed after the intent"));
                                   throw Error(ErrorKind::Internal, "signing failed");
                               });
                           }),
                 Error);
    const auto entries = log();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].outcome, "failed");
}

TEST_F(AuditPath, LowerLayersErrorsAreMappedOnceIntoKinds) {
    Audit audit(*m_store, m_clock, m_rng);
    try {
        audit.run("TrustAdd", m_caller, "", []() -> int { throw store::ConflictError("exists"); });
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Conflict);
    }
    try {
        audit.run("Revoke", m_caller, "", []() -> int { throw store::StorageError("disk full"); });
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Storage);
    }
    EXPECT_EQ(log().size(), 2u);
    EXPECT_TRUE(m_store->verify_log().ok);
}

TEST_F(AuditPath, AnAcceptedRequestLeavesOnlyItsOwnEntry) {
    Audit audit(*m_store, m_clock, m_rng);
    const int value = audit.run("GetLicensorCertificate", m_caller, "", [&] {
        audit.append(audit.entry("r2", "GetLicensorCertificate", m_caller, "", "", "accepted", "returned"));
        return 7;
    });
    EXPECT_EQ(value, 7);
    ASSERT_EQ(log().size(), 1u);
    EXPECT_EQ(log()[0].outcome, "accepted");
}

}  // namespace
}  // namespace xrca::ca
