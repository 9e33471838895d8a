// Backup, restore and the cluster key export (docs/backup.md), with the real `xrca` binary on
// real data directories.
#include "support/command.h"
#include "support/store_records.h"

#include "store/factory.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace xrca {
namespace {

using test::CommandResult;
using test::slurp;

CommandResult run(const std::string& args) { return test::run_command(std::string(XRCA_BINARY) + " " + args); }

std::set<std::string> certificate_ids(const std::string& database) {
    SQLite::Database db(database, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT id FROM certificates");
    std::set<std::string> ids;
    while (q.executeStep()) ids.insert(q.getColumn(0).getString());
    return ids;
}

/** (seq, hash) of every live log entry, oldest first. */
std::vector<std::pair<std::int64_t, std::string>> log_hashes(const std::string& database) {
    SQLite::Database db(database, SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT seq, hash FROM enrollment_log ORDER BY seq");
    std::vector<std::pair<std::int64_t, std::string>> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getString());
    return out;
}

class BackupCli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-backup-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string path(const std::string& name) const { return m_dir + "/" + name; }
    std::string write(const std::string& name, const std::string& content) {
        std::ofstream(path(name), std::ios::binary) << content;
        return path(name);
    }
    /** `xrca --data m_dir/DIR_AND_ARGS --password-file …` with the key password given. */
    CommandResult x(const std::string& args, const std::string& password = "correct-horse-battery") {
        return run("--data " + path(args) + (password.empty() ? "" : " --password-file " + password_file(password)));
    }
    std::string password_file(const std::string& password) { return write("pw-" + password, password + "\n"); }

    void make_root(const std::string& dir) {
        auto r = x(dir + " init --role root --name CorpRights --url https://rms.example.test/_wmcs --self-enroll");
        ASSERT_EQ(r.exit_code, 0) << r.out;
        r = run("client init --dir " + path("alice") + " --password-file " + password_file("client-password"));
        ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    /** A machine certificate and a RAC issued by the authority in `dir`, written to NAME-spc.xml and NAME-rac.xml. */
    void issue_spc_and_rac(const std::string& dir, const std::string& name) {
        auto r =
            x(dir + " issue machine --public-key " + path("alice/machine.pub.xml") + " -o " + path(name + "-spc.xml"));
        ASSERT_EQ(r.exit_code, 0) << r.out;
        r = x(dir + " issue rac --spc-chain " + path(name + "-spc.xml") + " --email alice@example.test -o " +
              path(name + "-rac.xml"));
        ASSERT_EQ(r.exit_code, 0) << r.out;
    }
    std::string m_dir;
};

TEST_F(BackupCli, RestoredElsewhereTheLogVerifiesAndIssuanceGoesOnWithNewIds) {
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    ASSERT_NO_FATAL_FAILURE(issue_spc_and_rac("root", "before"));
    auto r = x("root backup -o " + path("root.backup"), "");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    struct stat st {};
    ASSERT_EQ(::stat(path("root.backup").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // No journal beside it: the file alone is the backup.
    EXPECT_FALSE(std::filesystem::exists(path("root.backup-wal")));
    const auto backed_up = certificate_ids(path("root.backup"));
    // Issued after the backup: the restored authority never learns of these.
    ASSERT_NO_FATAL_FAILURE(issue_spc_and_rac("root", "after"));
    const auto original = certificate_ids(path("root/xrca.db"));

    r = x("restored restore " + path("root.backup"), "");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("hash chain verified"), std::string::npos) << r.out;
    r = x("restored log --verify", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(certificate_ids(path("restored/xrca.db")), backed_up);
    // The restored authority opens with the same key password and issues; its log goes on.
    ASSERT_NO_FATAL_FAILURE(issue_spc_and_rac("restored", "restored"));
    EXPECT_EQ(x("restored log --verify", "").exit_code, 0);
    std::set<std::string> fresh;
    for (const auto& id : certificate_ids(path("restored/xrca.db")))
        if (backed_up.count(id) == 0) fresh.insert(id);
    EXPECT_EQ(fresh.size(), 2u) << "one SPC and one RAC";
    for (const auto& id : fresh) EXPECT_EQ(original.count(id), 0u) << id << " was issued by the original too";
    // Both chains verify to the same anchor as the original's.
    const auto anchor = x("root anchor --fingerprint", "").out.substr(0, 64);
    EXPECT_EQ(x("restored anchor --fingerprint", "").out.substr(0, 64), anchor);
    r = run("verify " + path("restored-rac.xml") + " --anchor " + anchor);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(x("restored log --json", "").out.find("\"outcome\":\"accepted\""), std::string::npos);
}

TEST_F(BackupCli, ABackupTakenWhileAWriterAppendsHoldsAConsistentPrefixOfTheLog) {
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    std::atomic<bool> stop{false};
    std::atomic<int> appended{0};
    std::thread writer([&] {
        // Another process's store on the same data directory, appending as fast as it can.
        auto store = store::open_store(path("root"), store::OpenMode::Existing);
        while (!stop) {
            store->append_log(test::entry("WriterTest", "w" + std::to_string(appended.load())));
            ++appended;
        }
    });
    while (appended < 20) std::this_thread::yield();  // the writer is running before the backup starts
    const auto started_with = log_hashes(path("root/xrca.db")).size();
    const auto r = x("root backup -o " + path("root.backup") + " --json", "");
    const int appended_during = appended;
    stop = true;
    writer.join();
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto live = log_hashes(path("root/xrca.db"));
    const auto copy = log_hashes(path("root.backup"));
    EXPECT_GE(copy.size(), started_with);
    EXPECT_LT(copy.size(), live.size()) << "the writer went on after the snapshot";
    EXPECT_GT(appended_during, 20);
    // A prefix: every entry in the backup is the live log's entry of that seq, byte for byte.
    ASSERT_LE(copy.size(), live.size());
    for (std::size_t i = 0; i < copy.size(); ++i) EXPECT_EQ(copy[i], live[i]) << "entry " << i;
    EXPECT_NE(r.out.find("\"log_entries\":" + std::to_string(copy.size())), std::string::npos) << r.out;
    // And it restores into a log that verifies.
    EXPECT_EQ(x("restored restore " + path("root.backup"), "").exit_code, 0);
    EXPECT_EQ(x("restored log --verify", "").exit_code, 0);
}

TEST_F(BackupCli, ANonEmptyTargetIsRefusedAndLeftUntouched) {
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    ASSERT_EQ(x("root backup -o " + path("root.backup"), "").exit_code, 0);
    std::filesystem::create_directory(path("busy"));
    write("busy/notes.txt", "keep me");
    auto r = x("busy restore " + path("root.backup"), "");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("not empty"), std::string::npos) << r.out;
    EXPECT_EQ(slurp(path("busy/notes.txt")), "keep me");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path("busy"))) ++entries;
    EXPECT_EQ(entries, 1u);
    // An authority in place is not replaced either.
    const auto before = slurp(path("root/xrca.db"));
    r = x("root restore " + path("root.backup"), "");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(slurp(path("root/xrca.db")), before);
}

TEST_F(BackupCli, WhatIsNotABackupIsRefusedWithItsReason) {
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    ASSERT_EQ(x("root backup -o " + path("good.backup"), "").exit_code, 0);
    struct Case {
        std::string file;
        std::string says;
    };
    std::vector<Case> cases;
    cases.push_back({write("text.backup", "hello, this is not a database\n"), "not a SQLite database"});
    {
        SQLite::Database db(path("empty.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE unrelated (x INTEGER)");
    }
    cases.push_back({path("empty.db"), "not an xrca backup"});
    std::filesystem::copy_file(path("good.backup"), path("newer.backup"));
    {
        SQLite::Database db(path("newer.backup"), SQLite::OPEN_READWRITE);
        db.exec("UPDATE schema_version SET version = 999");
    }
    cases.push_back({path("newer.backup"), "newer xrca"});
    // A page of the certificates table overwritten: SQLite's integrity check finds it.
    std::filesystem::copy_file(path("good.backup"), path("damaged.backup"));
    {
        SQLite::Database db(path("damaged.backup"), SQLite::OPEN_READONLY);
        SQLite::Statement q(db, "SELECT rootpage FROM sqlite_master WHERE name = 'certificates'");
        ASSERT_TRUE(q.executeStep());
        const auto page = q.getColumn(0).getInt64();
        SQLite::Statement size(db, "PRAGMA page_size");
        ASSERT_TRUE(size.executeStep());
        const auto page_size = size.getColumn(0).getInt64();
        std::fstream f(path("damaged.backup"), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp((page - 1) * page_size);
        const std::string junk(static_cast<std::size_t>(page_size / 2), '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    cases.push_back({path("damaged.backup"), "damaged"});
    for (const auto& c : cases) {
        const auto r = x("target restore " + c.file, "");
        EXPECT_EQ(r.exit_code, 1) << c.file << ": " << r.out;
        EXPECT_NE(r.out.find(c.says), std::string::npos) << c.file << ": " << r.out;
        EXPECT_FALSE(std::filesystem::exists(path("target"))) << c.file << " left a target behind";
    }
    // The store's own file is never the backup's target.
    const auto live = slurp(path("root/xrca.db"));
    auto r = x("root backup -o " + path("root/xrca.db"), "");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("the store's own database file"), std::string::npos) << r.out;
    EXPECT_EQ(slurp(path("root/xrca.db")), live);
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
    EXPECT_EQ(x("nothing backup -o " + path("none.backup"), "").exit_code, 3);
    EXPECT_FALSE(std::filesystem::exists(path("none.backup")));
}

TEST_F(BackupCli, TheClusterKeyExportMovesTheClusterToAnotherInstallation) {
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    ASSERT_NO_FATAL_FAILURE(issue_spc_and_rac("root", "before"));
    const auto export_pw = " --export-password-file " + password_file("export-secret-42");
    auto r = x("root export-cluster-key -o " + path("root.tpd") + export_pw);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto tpd = slurp(path("root.tpd"));
    struct stat st {};
    ASSERT_EQ(::stat(path("root.tpd").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(tpd.rfind("xrca-cluster-key-export-v1\n", 0), 0u) << tpd.substr(0, 200);
    EXPECT_EQ(tpd.find("PRIVATE KEY"), std::string::npos);
    EXPECT_EQ(tpd.find("export-secret-42"), std::string::npos);
    r = x("root log --json", "");
    EXPECT_NE(r.out.find("\"operation\":\"ClusterKeyExport\""), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("export-secret-42"), std::string::npos);

    // A wrong export password, and a changed file: refused, and no authority is created.
    r = x("other init --from-key-export " + path("root.tpd") + " --export-password-file " +
              password_file("not-the-password"),
          "new-installation-pw");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("export password does not open"), std::string::npos) << r.out;
    auto tampered = tpd;
    const auto at = tampered.find("name: CorpRights");
    ASSERT_NE(at, std::string::npos);
    tampered.replace(at, 16, "name: EvilRights");
    r = x("other init --from-key-export " + write("tampered.tpd", tampered) + export_pw, "new-installation-pw");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("altered"), std::string::npos) << r.out;
    EXPECT_NE(x("other status", "").exit_code, 0) << "no authority may be left by a refused import";

    // The import: the same GUID and SLC, the key under the new installation's password.
    r = x("other init --from-key-export " + path("root.tpd") + export_pw, "new-installation-pw");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("state:        active"), std::string::npos) << r.out;
    const auto original_status = x("root status --json", "").out;
    const auto imported_status = x("other status --json", "").out;
    for (const char* field : {"\"guid\":", "\"slc_key\":", "\"slc_valid_until\":"}) {
        const auto value = [&](const std::string& json) {
            const auto from = json.find(field);
            return from == std::string::npos ? std::string("missing") : json.substr(from, json.find(',', from) - from);
        };
        EXPECT_EQ(value(imported_status), value(original_status)) << field;
    }
    EXPECT_EQ(x("other chain", "").out, x("root chain", "").out);
    // The old key password does not open it; the new one does, and it issues under the same SLC.
    r = x("other issue machine --public-key " + path("alice/machine.pub.xml") + " -o " + path("x.xml"));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    r = x("other issue machine --public-key " + path("alice/machine.pub.xml") + " -o " + path("other-spc.xml"),
          "new-installation-pw");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("other issue rac --spc-chain " + path("other-spc.xml") + " --email alice@example.test -o " +
              path("other-rac.xml"),
          "new-installation-pw");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto anchor = x("root anchor --fingerprint", "").out.substr(0, 64);
    r = run("verify " + path("other-rac.xml") + " --anchor " + anchor);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(x("other log --verify", "").exit_code, 0);
    r = x("other log --json", "");
    EXPECT_NE(r.out.find("\"operation\":\"ClusterKeyImport\""), std::string::npos) << r.out;
}

TEST_F(BackupCli, OnlyAnActiveClusterExportsAndNeverWithoutAnExportPassword) {
    auto r = x("es init --role enrollment --name ExampleES");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("es export-cluster-key -o " + path("es.tpd") + " --export-password-file " + password_file("export-pw-123"));
    EXPECT_EQ(r.exit_code, 3) << r.out;
    r = x("lic init --role licensing --name Lic --url https://lic.example.test/_wmcs --trust-anchor " +
          std::string(64, 'a'));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("lic export-cluster-key -o " + path("lic.tpd") + " --export-password-file " + password_file("export-pw-123"));
    EXPECT_EQ(r.exit_code, 3) << r.out;
    ASSERT_NO_FATAL_FAILURE(make_root("root"));
    // No export password anywhere (stdin is not a terminal): a usage error, nothing written.
    r = test::run_command("XRCA_EXPORT_PASSWORD= " + std::string(XRCA_BINARY) + " --data " + path("root") +
                          " export-cluster-key -o " + path("root.tpd") + " --password-file " +
                          password_file("correct-horse-battery") + " </dev/null");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_FALSE(std::filesystem::exists(path("root.tpd")));
    EXPECT_FALSE(std::filesystem::exists(path("es.tpd")));
    EXPECT_FALSE(std::filesystem::exists(path("lic.tpd")));
}

TEST_F(BackupCli, AnExportAfterAKeyRenewalCarriesThePreviousKeyToo) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    ASSERT_EQ(x("es anchor -o " + path("anchor.pub.xml"), "").exit_code, 0);
    auto r =
        x("root init --role root --name R --url https://r.example.test/_wmcs --trust-anchor " + path("anchor.pub.xml"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    for (const std::string renew : {"", " --renew --new-key"}) {
        ASSERT_EQ(x("root request -o " + path("req.xml") + renew).exit_code, 0) << renew;
        ASSERT_EQ(x("es process " + path("req.xml") + " -o " + path("resp.xml") + " --yes").exit_code, 0) << renew;
        ASSERT_EQ(x("root import " + path("resp.xml")).exit_code, 0) << renew;
    }
    const auto fingerprint_of = [](const std::string& status, const std::string& key) {
        const std::string field = "\"name\":\"" + key + "\",\"fingerprint\":\"";
        const auto at = status.find(field);
        return at == std::string::npos ? std::string("none") : status.substr(at + field.size(), 64);
    };
    const auto original = x("root status --json", "").out;
    ASSERT_NE(fingerprint_of(original, "cluster-previous"), "none") << original;
    const auto export_pw = " --export-password-file " + password_file("export-secret-42");
    r = x("root export-cluster-key -o " + path("root.tpd") + export_pw);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(slurp(path("root.tpd")).find("\nprevious-cluster-key: "), std::string::npos);
    r = x("other init --from-key-export " + path("root.tpd") + export_pw, "new-installation-pw");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto imported = x("other status --json", "").out;
    for (const char* key : {"cluster", "cluster-previous"})
        EXPECT_EQ(fingerprint_of(imported, key), fingerprint_of(original, key)) << key;
    EXPECT_EQ(x("other chain", "").out, x("root chain", "").out);
}

}  // namespace
}  // namespace xrca
