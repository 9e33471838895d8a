// The SQLite store on real files: the log's hash chain catches edits, removals and reordering
// made directly in the database; a newer schema is refused; no private key is stored in clear.
#include "support/authority_fixture.h"
#include "support/store_records.h"
#include "support/test_keys.h"

#include "store/certificate_listing.h"
#include "store/log_chain.h"
#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"
#include "xrml/enabling_bits.h"
#include "xrml/raw_document.h"
#include "xrml/reader.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <botan/pkcs8.h>
#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace xrca::store {
namespace {

class LogTampering : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-store-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_path = m_dir + "/xrca.db";
        SqliteStore s(m_path);
        for (int i = 0; i < 5; ++i) {
            LogEntry e;
            e.request_id = "r" + std::to_string(i);
            e.time = "2026-01-01T00:0" + std::to_string(i) + ":00Z";
            e.operation = "Certify";
            e.caller = "test";
            e.outcome = i % 2 ? "refused" : "accepted";
            e.reason = "reason " + std::to_string(i);
            s.append_log(e);
        }
        ASSERT_TRUE(s.verify_log().ok);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    void sql(const std::string& statement) {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE);
        db.exec(statement);
    }
    LogCheck check() { return SqliteStore(m_path).verify_log(); }
    std::string m_dir, m_path;
};

TEST_F(LogTampering, AnEditedEntryIsDetected) {
    sql("UPDATE enrollment_log SET reason = 'nothing to see' WHERE seq = 3");
    const auto c = check();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.problem.find("entry 3"), std::string::npos) << c.problem;
    EXPECT_NE(c.problem.find("changed"), std::string::npos) << c.problem;
}

TEST_F(LogTampering, AnEditedOutcomeWithRecomputedHashBreaksTheNextLink) {
    // Even recomputing the edited entry's own hash does not help: the next entry names the old one.
    {
        SqliteStore s(m_path);
        auto entries = s.read_log("");
        auto e = entries[1];
        e.outcome = "accepted";
        const auto forged = log_entry_hash(e.prev_hash, e);
        sql("UPDATE enrollment_log SET outcome = 'accepted', hash = '" + forged + "' WHERE seq = 2");
    }
    const auto c = check();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.problem.find("entry 3"), std::string::npos) << c.problem;
}

TEST_F(LogTampering, ARemovedEntryIsDetected) {
    sql("DELETE FROM enrollment_log WHERE seq = 2");
    EXPECT_FALSE(check().ok);
}

TEST_F(LogTampering, RemovingTheNewestEntryIsDetected) {
    sql("DELETE FROM enrollment_log WHERE seq = 5");
    const auto c = check();
    EXPECT_FALSE(c.ok);
    EXPECT_NE(c.problem.find("removed from the end"), std::string::npos) << c.problem;
}

TEST_F(LogTampering, ReorderedEntriesAreDetected) {
    sql("UPDATE enrollment_log SET seq = 100 WHERE seq = 2; UPDATE enrollment_log SET seq = 2 WHERE seq = 3; "
        "UPDATE enrollment_log SET seq = 3 WHERE seq = 100");
    EXPECT_FALSE(check().ok);
}

TEST(Schema, ADatabaseFromANewerXrcaIsRefusedUntouched) {
    char tmpl[] = "/tmp/xrca-schema-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const auto path = dir + "/xrca.db";
    {
        SqliteStore s(path);
        EXPECT_EQ(s.schema_version(), SqliteStore::latest_schema_version());
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("UPDATE schema_version SET version = 99");
    }
    try {
        SqliteStore s(path);
        FAIL() << "a newer schema was opened";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("newer xrca"), std::string::npos) << e.what();
    }
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT version FROM schema_version").getInt(), 99);
    std::filesystem::remove_all(dir);
}

// Schema 14 keeps counts in rows (for `xrca status`): it starts them from the rows already there.
TEST(Schema, TheCountsMigrationCountsTheRowsAlreadyStored) {
    char tmpl[] = "/tmp/xrca-schema-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const auto path = dir + "/xrca.db";
    SchemaOptions at_thirteen;
    at_thirteen.stop_at = 13;
    { SqliteStore s(path, at_thirteen); }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) "
            "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, body, "
            "request_id) SELECT 'old-' || i, CASE WHEN i % 3 = 0 THEN 'clc' ELSE 'rac' END, "
            "CASE WHEN i % 5 = 0 THEN 'pending' ELSE 'issued' END, 's', 'f', 'k', '2026-01-01T00:00:00Z', '', 'r' "
            "FROM n");
        db.exec(
            "INSERT INTO user_keys (user_id, email, fingerprint, encrypted, created) VALUES "
            "('u1', 'e', 'f', x'01', 't'), ('u2', 'e', 'f', x'01', 't')");
    }
    SqliteStore s(path);
    const auto c = s.counts();
    // 30 rows: i % 5 == 0 pending (6); of the other 24, i % 3 == 0 are clc (8), the rest rac (16).
    EXPECT_EQ(c.pending, 6);
    EXPECT_EQ(c.issued_by_kind, (std::map<std::string, std::int64_t>{{"clc", 8}, {"rac", 16}}));
    EXPECT_EQ(c.user_keys, 2);
    std::filesystem::remove_all(dir);
}

// Issue 17: schema 12 rebuilds the principals table to allow the admin role. Its grants are
// set aside and put back (dropping principals with foreign keys on would cascade to them).
TEST(Schema, TheAdminRoleMigrationKeepsPrincipalsAndTheirGrants) {
    char tmpl[] = "/tmp/xrca-schema-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const auto path = dir + "/xrca.db";
    { SqliteStore s(path); }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(
            "INSERT INTO principals (name, role, email, user_id, token_hash, created, cluster_guid) VALUES "
            "('portal', 'server', 'p@example.test', 'S-1-5-21-1-2-3-4', 'aa', '2026-12-01T00:00:00Z', '')");
        db.exec(
            "INSERT INTO principal_grants (principal, pattern, added) VALUES ('portal', '*@sales.example.test', "
            "'2026-12-01T00:00:00Z')");
        db.exec("DROP INDEX certificates_by_kind_status");  // as a store of the release before
        db.exec("DROP INDEX certificates_by_id_lower");     // (and schema 13's)
        db.exec("DROP INDEX certificates_by_issuer");
        for (const auto* trigger :
             {"certificates_counted_insert", "certificates_counted_update", "certificates_counted_delete",
              "user_keys_counted_insert", "user_keys_counted_delete"})  // (and schema 14's)
            db.exec(std::string("DROP TRIGGER ") + trigger);
        db.exec("DROP TABLE row_counts");
        db.exec("CREATE INDEX certificates_by_subject ON certificates (subject)");  // (schema 15 dropped it)
        db.exec("UPDATE schema_version SET version = 11");
    }
    {
        SqliteStore s(path);  // applies schema 12 again, to a table that holds a principal and a grant
        EXPECT_EQ(s.schema_version(), SqliteStore::latest_schema_version());
    }
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA foreign_keys=ON");
    EXPECT_EQ(db.execAndGet("SELECT pattern FROM principal_grants WHERE principal = 'portal'").getString(),
              "*@sales.example.test");
    EXPECT_EQ(db.execAndGet("SELECT role FROM principals WHERE name = 'portal'").getString(), "server");
    db.exec(
        "INSERT INTO principals (name, role, email, user_id, token_hash, created) VALUES "
        "('boss', 'admin', '', '', 'bb', '2026-12-01T00:00:00Z')");
    EXPECT_THROW(db.exec("INSERT INTO principals (name, role, email, user_id, token_hash, created) VALUES "
                         "('x', 'root', '', '', 'cc', '2026-12-01T00:00:00Z')"),
                 SQLite::Exception);
    db.exec("DELETE FROM principals WHERE name = 'portal'");  // the grant's foreign key still cascades
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM principal_grants").getInt(), 0);
    std::filesystem::remove_all(dir);
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string& haystack, const Botan::BigInt& n) {
    const auto be = Botan::BigInt::encode(n);
    const std::string big(be.begin(), be.begin() + 24);
    const std::string little(be.rbegin(), be.rbegin() + 24);
    return haystack.find(big) != std::string::npos || haystack.find(little) != std::string::npos;
}

/** The path of a new, empty store's database, in a new temporary directory (removed by the caller). */
std::string new_store_file() {
    char tmpl[] = "/tmp/xrca-plan-XXXXXX";
    std::string path = std::string(::mkdtemp(tmpl)) + "/xrca.db";
    { SqliteStore s(path); }
    return path;
}

/** The steps of the plan SQLite chooses for `sql` with `params`, one a line. */
std::string plan_steps(SQLite::Database& db, const std::string& sql, const std::vector<std::string>& params) {
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN " + sql);
    for (std::size_t i = 0; i < params.size(); ++i) plan.bind(static_cast<int>(i + 1), params[i]);
    std::string steps;
    while (plan.executeStep()) steps += plan.getColumn(3).getString() + "\n";
    return steps;
}

// Issue 17: the revoked listing starts from the revocations (store/certificate_listing.cpp). No
// step of its plan reads the whole certificates table, alone or with the other filters and a
// page, without statistics (as stores run) or with ANALYZE's, which show one issuer key shared
// by every row: each led SQLite's planner to a scan of some kind before it was held to its plan.
TEST(Listing, TheRevokedListingReadsNoWholeCertificatesTable) {
    const auto path = new_store_file();
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000) "
        "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, body, "
        "request_id, license_hash) SELECT 'C-' || n, 'Group-Identity-Credential', 'issued', 'S-1-5-21-' || n, "
        "'issuer', 'key-' || n, printf('2026-01-01T00:00:%05d', n), '', 'request-' || n, 'hash-' || n FROM g");
    for (const auto& [type, value] : std::vector<std::pair<std::string, std::string>>{{"license-id", "c-1"},
                                                                                      {"license-hash", "hash-2"},
                                                                                      {"principal-id", "s-1-5-21-3"},
                                                                                      {"principal-key", "key-4"},
                                                                                      {"issuer-key", "other"}}) {
        SQLite::Statement q(db,
                            "INSERT INTO revocations (type, value, object_type, id_type, id, public_key, reason, "
                            "revoked, caller) VALUES (?, ?, '', '', ?, '', '', '2026-03-01T12:00:00Z', 'test')");
        q.bind(1, type);
        q.bind(2, value);
        q.bind(3, value);
        q.exec();
    }
    std::vector<CertificateFilter> filters(5);
    filters[1].kind = "Group-Identity-Credential";
    filters[2].subject = "S-1-5-21-3";
    filters[3].kind = "Group-Identity-Credential";
    filters[3].before = std::make_pair(std::string("2026-01-01T00:00:00100"), std::string("C-100"));
    filters[3].issued_since = "2026-01-01";
    filters[4].id = "C-1";
    for (const bool statistics : {false, true}) {
        if (statistics) db.exec("ANALYZE");
        for (auto& f : filters) {
            f.revoked = true;
            const auto query = detail::certificate_listing_query(f, detail::SqlDialect::Sqlite);
            const auto steps = plan_steps(db, query.sql, query.params);
            EXPECT_EQ(steps.find("SCAN c"), std::string::npos) << statistics << '\n' << steps;
            EXPECT_NE(steps.find("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << steps;
            EXPECT_NE(steps.find("certificates_by_issuer (issuer_fingerprint=?)"), std::string::npos) << steps;
        }
    }
    CertificateFilter f;
    f.revoked = true;
    EXPECT_EQ(SqliteStore(path).list_certificates(f).size(), 4u);
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

// The SLCs of one cluster GUID are read by SubEnroll before each SLC (ca/operations/
// cluster_identity.cpp). Without statistics SQLite's planner preferred the (kind, status, issued)
// index to the NOCASE subject index: every SubEnroll then read every SLC ever issued, and
// `bench_issue rates` fell from 720 to 130 SLCs/s as they accumulated. Schema 15 dropped the plain
// subject index, so exact lookups by subject (revocation by principal ID) go through the NOCASE one.
TEST(SubjectLookups, ReadTheNoCaseSubjectIndexOnlyWithAndWithoutStatistics) {
    const auto path = new_store_file();
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 5000) "
            "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, body, "
            "request_id, xrml) SELECT 'C-' || n, 'Server-Licensor-Certificate', 'issued', "
            "printf('{%08X-0000-4000-8000-00000000000a}', n), 'issuer', 'key', printf('2026-01-01T00:00:%05d', n), "
            "'', 'request-' || n, '<XrML/>' FROM g");
        for (const bool statistics : {false, true}) {
            if (statistics) db.exec("ANALYZE");
            const std::string guid = "{0000002a-0000-4000-8000-00000000000a}";
            for (const auto& steps : {plan_steps(db, sqlite_detail::issued_by_kind_and_subject_ignoring_case_sql(),
                                                 {guid, "Server-Licensor-Certificate"}),
                                      plan_steps(db, sqlite_detail::issued_by_subject_sql(), {guid})}) {
                EXPECT_NE(steps.find("USING INDEX certificates_by_subject_nocase (subject=?)"), std::string::npos)
                    << statistics << '\n'
                    << steps;
                EXPECT_EQ(steps.find("SCAN"), std::string::npos) << statistics << '\n' << steps;
            }
        }
        SQLite::Statement plain(db, "SELECT count(*) FROM sqlite_master WHERE name = 'certificates_by_subject'");
        ASSERT_TRUE(plain.executeStep());
        EXPECT_EQ(plain.getColumn(0).getInt(), 0);
    }
    SqliteStore store(path);
    const std::string upper = "{0000002A-0000-4000-8000-00000000000A}";
    const auto found = store.find_by_kind_and_subject_ignoring_case("Server-Licensor-Certificate", upper);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found.front().id, "C-42");
    EXPECT_TRUE(store.find_by_kind_and_subject_ignoring_case("Machine-Certificate", upper).empty());
    EXPECT_TRUE(store.find_by_subject(upper).empty());  // exact: the stored subject ends in a lower-case a
    ASSERT_EQ(store.find_by_subject(found.front().subject).size(), 1u);
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

// What this process has written to files so far (/proc/self/io, wchar).
std::uintmax_t bytes_written() {
    std::ifstream io("/proc/self/io");
    std::string name;
    std::uintmax_t value = 0;
    while (io >> name >> value) {
        if (name == "wchar:") return value;
    }
    return 0;
}

// The WAL is copied back on a thread of its own (store/sqlite_checkpointer.h), not inside a
// commit. Writes from several threads without a pause still let it start over, so it stays near
// the checkpoint size (4,000 pages, 16 MB) while many times that goes through it.
TEST(WalCheckpoints, WritesWithoutAPauseKeepTheWalNearTheCheckpointSize) {
    char tmpl[] = "/tmp/xrca-wal-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    const auto path = dir + "/xrca.db";
    constexpr std::uintmax_t k_bound = 48U << 20;  // three checkpoints' worth
    const auto written_before = bytes_written();
    std::atomic<std::uintmax_t> largest{0};
    {
        SqliteStore store(path);
        std::vector<std::thread> writers;
        for (int t = 0; t < 4; ++t) {
            writers.emplace_back([&, t] {
                for (int i = 0; i < 300; ++i) {
                    auto r = test::pending("c-" + std::to_string(t) + "-" + std::to_string(i));
                    r.body = "<BODY>" + std::string(30000, static_cast<char>('a' + t)) + "</BODY>";
                    store.reserve_issuance(r, test::entry("Certify", r.request_id));
                    store.complete_issuance(r.id,
                                            "<XrML>" + std::string(30000, static_cast<char>('k' + t)) + "</XrML>");
                    std::error_code ec;
                    const auto size = std::filesystem::file_size(path + "-wal", ec);
                    for (auto seen = largest.load();
                         !ec && size > seen && !largest.compare_exchange_weak(seen, size);) {
                    }
                }
            });
        }
        for (auto& w : writers) w.join();
        CertificateFilter issued;
        issued.status = "issued";
        issued.limit = k_max_listed_certificates;
        EXPECT_EQ(store.list_certificates(issued).size(), 1000u);  // the listing's cap: 1,200 were issued
        EXPECT_TRUE(store.verify_log().ok);
    }
    // Without checkpoints the WAL would have held all of it.
    EXPECT_GT(bytes_written() - written_before, 3 * k_bound);
    EXPECT_LT(largest.load(), k_bound);
    EXPECT_EQ(SqliteStore(path).counts().issued_by_kind.at("Rights-Account-Certificate"), 1200);
    std::filesystem::remove_all(dir);
}

TEST(KeysAtRest, TheDatabaseHoldsNoPrivateKeyInClear) {
    test::Hierarchy h(2);
    const auto& machine = test::test_key(2048, 8);
    const auto rac_chain =
        h.root.authority->issue_rac({{h.machine_spc_chain(machine)}, "", "kim@example.test", false}, h.caller);
    const auto rac = xrml::read_documents(rac_chain.documents.front()).documents.front();
    const auto user = xrml::unseal_private_key(*rac.federation_principal->enabling_bits, machine,
                                               xrml::body_child_text(rac.raw, "ISSUER"), h.rng);
    // Every byte SQLite has written: the database, its WAL and shared memory.
    std::string bytes;
    for (const char* suffix : {"", "-wal", "-shm"}) bytes += file_bytes(h.root.dir + "/xrca.db" + suffix);
    ASSERT_GT(bytes.size(), 10000u);
    EXPECT_FALSE(contains(bytes, user->get_p())) << "the escrowed user key's prime is in clear";
    EXPECT_FALSE(contains(bytes, user->get_d())) << "the escrowed user key's private exponent is in clear";
    // Plain PKCS#8 of the user key would start with this DER; it must not appear either.
    const auto der = Botan::PKCS8::BER_encode(*user);
    EXPECT_EQ(bytes.find(std::string(der.begin(), der.begin() + 64)), std::string::npos);
    EXPECT_EQ(bytes.find("PRIVATE KEY"), std::string::npos);
}

}  // namespace
}  // namespace xrca::store
