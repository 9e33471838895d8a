// Schema upgrades (docs/store.md): a database an older xrca left is copied to backups/ beside it
// and the upgrade announced before the first migration runs; without that copy, nothing changes.
#include "store/sqlite_store.h"
#include "support/command.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace xrca::store {
namespace {

// A database at schema 1, with a row, as an xrca of that time left it; opened by this build.
class OlderSchema : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-upgrade-XXXXXX";
        dir = ::mkdtemp(tmpl);
        path = dir + "/xrca.db";
        SchemaOptions at_one;
        at_one.stop_at = 1;
        at_one.notice = [&](const xrca::store::SchemaUpgrade&) { ADD_FAILURE() << "a new database was announced"; };
        { SqliteStore old(path, at_one); }
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(
            "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, body, "
            "request_id) VALUES ('{c1}', 'rac', 'issued', 'alice', 'aa', 'bb', '2026-01-01T00:00:00Z', '', 'r1')");
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::vector<std::string> backups() const {
        std::vector<std::string> out;
        if (!std::filesystem::exists(dir + "/backups")) return out;
        for (const auto& e : std::filesystem::directory_iterator(dir + "/backups")) out.push_back(e.path().string());
        return out;
    }

    std::string dir;
    std::string path;
};

TEST_F(OlderSchema, IsAnnouncedAfterABackupOfTheOldDatabase) {
    std::vector<xrca::store::SchemaUpgrade> told;
    SchemaOptions options;
    options.notice = [&](const xrca::store::SchemaUpgrade& u) { told.push_back(u); };
    {
        SqliteStore s(path, options);
        EXPECT_EQ(s.schema_version(), SqliteStore::latest_schema_version());
        ASSERT_TRUE(s.find_certificate("{c1}").has_value());
    }
    ASSERT_EQ(told.size(), 1u);
    EXPECT_EQ(told[0].from, 1);
    EXPECT_EQ(told[0].to, SqliteStore::latest_schema_version());
    const auto files = backups();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(told[0].backup, files[0]);
    EXPECT_NE(files[0].find("/backups/xrca-before-schema-" + std::to_string(told[0].to) + "-"), std::string::npos);
    const auto line = describe_upgrade(told[0]);
    EXPECT_NE(line.find("from version 1 to " + std::to_string(told[0].to)), std::string::npos) << line;
    EXPECT_NE(line.find(files[0]), std::string::npos) << line;
    struct stat st {};
    ASSERT_EQ(::stat(files[0].c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // The backup is the database as it was: schema 1, the same row, one file on its own.
    SQLite::Database backup(files[0], SQLite::OPEN_READONLY);
    EXPECT_EQ(backup.execAndGet("SELECT version FROM schema_version").getInt(), 1);
    EXPECT_EQ(backup.execAndGet("SELECT count(*) FROM certificates WHERE id = '{c1}'").getInt(), 1);
    EXPECT_FALSE(backup.tableExists("principals"));  // 003's table: nothing of the upgrade in it
    // Opening again finds nothing to upgrade: no second announcement, no second backup.
    { SqliteStore again(path, options); }
    EXPECT_EQ(told.size(), 1u);
    EXPECT_EQ(backups().size(), 1u);
}

TEST_F(OlderSchema, IsRefusedUntouchedWhenTheBackupCannotBeWritten) {
    // A file where the backups directory would be: the backup cannot be made.
    { std::ofstream(dir + "/backups") << "in the way"; }
    bool told = false;
    SchemaOptions options;
    options.notice = [&](const xrca::store::SchemaUpgrade&) { told = true; };
    try {
        SqliteStore s(path, options);
        FAIL() << "upgraded without a backup";
    } catch (const StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("backup"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(dir + "/backups"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(told);
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT version FROM schema_version").getInt(), 1);
    EXPECT_FALSE(db.tableExists("principals"));
}

TEST_F(OlderSchema, TheCommandLineAnnouncesItOnStderr) {
    // Any command that opens the store upgrades it; this one then finds no authority in it.
    const auto r = test::run_command(std::string(XRCA_BINARY) + " --data " + dir + " status");
    const auto files = backups();
    ASSERT_EQ(files.size(), 1u) << r.out;
    const auto latest = std::to_string(SqliteStore::latest_schema_version());
    EXPECT_NE(r.out.find("xrca: upgrading the schema of the SQLite database " + path + " from version 1 to " + latest +
                         "; a backup of it as it was is in " + files[0]),
              std::string::npos)
        << r.out;
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT version FROM schema_version").getInt(), SqliteStore::latest_schema_version());
}

TEST(Schema, ANewDatabaseIsNeitherBackedUpNorAnnounced) {
    char tmpl[] = "/tmp/xrca-schema-XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    SchemaOptions options;
    options.notice = [&](const xrca::store::SchemaUpgrade&) { ADD_FAILURE() << "a new database was announced"; };
    { SqliteStore s(dir + "/xrca.db", options); }
    EXPECT_FALSE(std::filesystem::exists(dir + "/backups"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace xrca::store
