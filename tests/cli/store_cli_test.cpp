// The global --store option and `xrca migrate-store`, as an administrator runs them: real data
// directories, a real PostgreSQL cluster this test process starts (tests/support/postgres_cluster.h).
#include "support/command.h"
#include "support/postgres_cluster.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace xrca {
namespace {

using test::CommandResult;
using test::PostgresCluster;

class StoreCli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-store-cli-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        std::ofstream(m_dir + "/pw") << "correct-horse-battery\n";
        std::filesystem::permissions(m_dir + "/pw",
                                     std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        m_database = PostgresCluster::shared().create_database();
        m_uri = PostgresCluster::shared().locator(m_database);
    }
    void TearDown() override {
        std::filesystem::remove_all(m_dir);
        PostgresCluster::shared().drop_database(m_database);
    }
    static CommandResult run(const std::string& args) {
        return test::run_command(std::string(XRCA_BINARY) + " " + args);
    }
    /** A command on `store` (quoted for the shell), with the key password from a file. */
    CommandResult on(const std::string& store, const std::string& args) const {
        return run("--store '" + store + "' " + args + " --password-file " + m_dir + "/pw");
    }
    /** A command that takes no password. */
    static CommandResult read(const std::string& store, const std::string& args) {
        return run("--store '" + store + "' " + args);
    }
    std::string rows(const std::string& sql) const { return PostgresCluster::shared().scalar(m_database, sql); }

    std::string m_dir;
    std::string m_database;
    std::string m_uri;
};

TEST_F(StoreCli, AStoreOptionNamesADataDirectoryAsDataDid) {
    const auto dir = m_dir + "/es";
    auto r = on(dir, "init --role enrollment --name ES");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = run("--data " + dir + " status");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("ES"), std::string::npos) << r.out;
    r = run("--store " + dir + " --data " + m_dir + "/other status");
    EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST_F(StoreCli, APasswordOnTheCommandLineIsRefusedBeforeAnythingIsCreated) {
    auto r = run("--store 'postgresql://xrca:secret@localhost/rms' status");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("pgpass"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
    // As libpq reads it: after a schema fragment too.
    r = run("--store 'postgresql:///rms?user=x&password=secret#schema=other' status");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
    r = run("migrate-store --from " + m_dir + " --to 'postgresql:///rms?password=secret'");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
}

TEST_F(StoreCli, AnAuthorityLivesInPostgreSqlAsInADataDirectory) {
    auto r = on(m_uri, "init --role root --name PgRoot --url https://pg.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = read(m_uri, "status --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"state\":\"active\""), std::string::npos) << r.out;
    EXPECT_EQ(rows("SELECT name FROM xrca.authority"), "PgRoot");
    // A second init on the same store is refused and changes nothing.
    const auto entries = rows("SELECT count(*) FROM xrca.enrollment_log");
    r = on(m_uri, "init --role root --name Other --url https://o.example.test/_wmcs --self-enroll");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_EQ(rows("SELECT count(*) FROM xrca.enrollment_log"), entries);
    EXPECT_EQ(read(m_uri, "log --verify").exit_code, 0);
}

TEST_F(StoreCli, MigrateStoreCopiesTheWholeHistoryAndTheKeysStillSign) {
    const auto dir = m_dir + "/root";
    auto r = on(dir, "init --role root --name Moving --url https://m.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    ASSERT_EQ(read(dir, "principal add alice --role user --email alice@example.test").exit_code, 0);
    ASSERT_EQ(read(dir, "revoke --content-id {11111111-2222-3333-4444-555555555555} --reason test --yes").exit_code, 0);
    ASSERT_EQ(read(dir, "set-url --extranet https://moving.example.org/_wmcs").exit_code, 0);
    const auto before = read(dir, "status --json");
    EXPECT_NE(before.out.find("\"extranet_url\":\"https://moving.example.org/_wmcs\""), std::string::npos)
        << before.out;
    ASSERT_EQ(before.exit_code, 0) << before.out;
    const auto log_before = read(dir, "log --json").out;

    r = run("migrate-store --from " + dir + " --to '" + m_uri + "' --json");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"log_verified\":true"), std::string::npos) << r.out;

    // The same authority, the same counts, the same log, entry for entry.
    const auto after = read(m_uri, "status --json");
    ASSERT_EQ(after.exit_code, 0) << after.out;
    EXPECT_EQ(after.out, before.out);
    EXPECT_EQ(read(m_uri, "log --json").out, log_before);
    EXPECT_NE(read(m_uri, "principal list").out.find("alice"), std::string::npos);
    EXPECT_NE(read(m_uri, "revoke --list").out.find("11111111-2222-3333-4444-555555555555"), std::string::npos);

    // The keys open with the same password: the copied authority issues and logs on.
    ASSERT_EQ(run("client init --dir " + m_dir + "/alice --password-file " + m_dir + "/pw").exit_code, 0);
    r = on(m_uri, "issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(read(m_uri, "log --verify").exit_code, 0);
    // The revocation's sequence goes on after the copied ones.
    EXPECT_EQ(read(m_uri, "revoke --content-id {66666666-2222-3333-4444-555555555555} --yes").exit_code, 0);

    // A second copy into the same store is refused and changes nothing there.
    const auto entries = rows("SELECT count(*) FROM xrca.enrollment_log");
    r = run("migrate-store --from " + dir + " --to '" + m_uri + "'");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("empty store"), std::string::npos) << r.out;
    EXPECT_EQ(rows("SELECT count(*) FROM xrca.enrollment_log"), entries);
}

TEST_F(StoreCli, MigrateStoreSaysWhatIsMissing) {
    auto r = run("migrate-store --from " + m_dir + "/nothing --to '" + m_uri + "'");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("no authority"), std::string::npos) << r.out;
    r = run("migrate-store --to '" + m_uri + "'");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    r = run("migrate-store --from " + m_dir + " --to " + m_dir + "/elsewhere");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("postgresql://"), std::string::npos) << r.out;
}

TEST_F(StoreCli, APostgreSqlStoreIsBackedUpIntoOneFileThatRestoresAnywhere) {
    auto r = on(m_uri, "init --role root --name PgRoot --url https://pg.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    ASSERT_EQ(read(m_uri, "principal add alice --role user --email alice@example.test").exit_code, 0);
    ASSERT_EQ(read(m_uri, "revoke --content-id {11111111-2222-3333-4444-555555555555} --yes").exit_code, 0);
    const auto status = read(m_uri, "status --json").out;
    const auto log = read(m_uri, "log --json").out;

    r = read(m_uri, "backup -o " + m_dir + "/pg.backup");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // Into a data directory: the same authority, counts and log, entry for entry.
    const auto dir = m_dir + "/restored";
    r = read(dir, "restore " + m_dir + "/pg.backup");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(read(dir, "status --json").out, status);
    EXPECT_EQ(read(dir, "log --json").out, log);
    EXPECT_NE(read(dir, "principal list").out.find("alice"), std::string::npos);
    EXPECT_NE(read(dir, "revoke --list").out.find("11111111-2222-3333-4444-555555555555"), std::string::npos);
    // Its keys open with the same password and it issues on.
    ASSERT_EQ(run("client init --dir " + m_dir + "/alice --password-file " + m_dir + "/pw").exit_code, 0);
    r = on(dir, "issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(read(dir, "log --verify").exit_code, 0);

    // Into another, empty PostgreSQL store; a store holding an authority is refused.
    const auto other = PostgresCluster::shared().create_database();
    const auto other_uri = PostgresCluster::shared().locator(other);
    r = read(other_uri, "restore " + m_dir + "/pg.backup");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(read(other_uri, "log --json").out, log);
    EXPECT_EQ(read(other_uri, "log --verify").exit_code, 0);
    r = read(m_uri, "restore " + m_dir + "/pg.backup");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    PostgresCluster::shared().drop_database(other);
}

}  // namespace
}  // namespace xrca
