// Backup and restore of a whole authority (see backup.h).
#include "store/backup.h"

#include "store/copy.h"
#include "store/factory.h"
#include "store/postgres_copy.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace xrca::store {
namespace {

std::string failure(const std::string& what, int err) { return what + ": " + std::generic_category().message(err); }

std::string parent_of(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

void sync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw StorageError(failure("cannot open " + path + " to sync it", errno));
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) throw StorageError(failure("cannot sync " + path, err));
}

/** A new empty file beside `file`, mode 0600, under a name nobody else can have taken (O_EXCL). */
std::string temporary_beside(const std::string& file) {
    std::string name = file + ".tmp-XXXXXX";
    const int fd = ::mkstemp(name.data());
    if (fd < 0) throw StorageError(failure("cannot create a temporary file beside " + file, errno));
    ::close(fd);
    return name;
}

void remove_database_files(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) (void)::unlink((path + suffix).c_str());
}

/** PostgreSQL into the new SQLite file `target`: this build's schema, then every table of one snapshot. */
void copy_postgres_into(const std::string& locator, const std::string& target) {
    { SqliteStore schema(target); }  // made, then closed: the writer's connection is the only one
    SqliteTableWriter writer(target);
    read_postgres_tables(locator, writer);
    writer.commit();
}

RestoreReport restore_into_directory(const std::string& file, const std::string& dir, const BackupInfo& info);

}  // namespace

BackupInfo inspect_backup(const std::string& file) { return inspect_sqlite_backup(file); }

BackupInfo backup_store(const std::string& locator, const std::string& file) {
    if (locator.empty()) throw StorageError("no store given: name a data directory or a postgresql:// URI");
    const bool postgres = is_postgresql_locator(locator);
    if (!postgres) {
        const auto database = sqlite_database_path(locator);
        struct stat st {};
        if (::stat(database.c_str(), &st) != 0) throw StoreMissing("no authority in " + locator);
        // The rename at the end would put the copy in the store's place (and orphan its WAL).
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::error_code ec;
            if (std::filesystem::equivalent(file, database + suffix, ec)) {
                throw StorageError(file + " is the store's own database file; write the backup elsewhere");
            }
        }
    }
    const auto temporary = temporary_beside(file);
    try {
        if (postgres) {
            copy_postgres_into(locator, temporary);
        } else {
            sqlite_snapshot(sqlite_database_path(locator), temporary);
        }
        BackupInfo info;
        try {
            info = inspect_sqlite_backup(temporary);
        } catch (const NotABackup& e) {
            // The copy is checked like any backup file; what it lacks, the source lacked.
            throw StoreMissing("no usable authority in " + locator + ": " + e.what());
        }
        sync_path(temporary, O_RDONLY);
        if (::rename(temporary.c_str(), file.c_str()) != 0)
            throw StorageError(failure("cannot rename " + temporary + " to " + file, errno));
        sync_path(parent_of(file), O_RDONLY | O_DIRECTORY);
        return info;
    } catch (...) {
        remove_database_files(temporary);
        throw;
    }
}

RestoreReport restore_store(const std::string& file, const std::string& locator) {
    if (locator.empty()) throw StorageError("no store given: name a data directory or a postgresql:// URI");
    const auto info = inspect_sqlite_backup(file);
    if (!is_postgresql_locator(locator)) return restore_into_directory(file, locator, info);
    // Into PostgreSQL: rebuilt as a data directory first (schema, log checked), then copied
    // across in one transaction as migrate-store does.
    char pattern[] = "/tmp/xrca-restore-XXXXXX";
    const char* staging = ::mkdtemp(pattern);
    if (!staging) throw StorageError(failure("cannot create a temporary directory for the restore", errno));
    const std::string dir = std::string(staging) + "/data";
    try {
        (void)restore_into_directory(file, dir, info);
        const auto copied = copy_store(dir, locator);
        std::filesystem::remove_all(staging);
        return RestoreReport{info, copied.to, copied.log};
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(staging, ignored);
        throw;
    }
}

namespace {

RestoreReport restore_into_directory(const std::string& file, const std::string& dir, const BackupInfo& info) {
    bool created = false;
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0) {
        std::error_code ec;
        if (!S_ISDIR(st.st_mode)) throw StoreExists(dir + " exists and is not a directory; nothing was changed");
        if (!std::filesystem::is_empty(dir, ec) || ec) {
            throw StoreExists(dir +
                              " is not empty: a backup is restored only into an empty or new directory; "
                              "nothing was changed");
        }
    } else {
        if (::mkdir(dir.c_str(), 0700) != 0) throw StorageError(failure("cannot create the directory " + dir, errno));
        created = true;
    }
    const auto staging = dir + "/.restore-" + std::to_string(::getpid());
    try {
        if (::mkdir(staging.c_str(), 0700) != 0) throw StorageError(failure("cannot create " + staging, errno));
        const auto database = sqlite_database_path(staging);
        const int fd = ::open(database.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) throw StorageError(failure("cannot create " + database, errno));
        ::close(fd);
        sqlite_snapshot(file, database);
        RestoreReport report{info, {}, {}};
        {
            // Opening brings an older backup to this build's schema; the log must verify before
            // the authority appears anywhere. The backup file itself is the copy at the older
            // schema, so none is taken into the staging directory.
            SchemaOptions upgrade;
            upgrade.backup_first = false;
            upgrade.notice = [&](SchemaUpgrade u) {
                u.store = "restored database";
                u.backup = file;
                announce_on_stderr(u);
            };
            auto store = open_store(staging, OpenMode::Existing, upgrade);
            report.log = store->verify_log();
            if (!report.log.ok)
                throw StorageError("the log in the backup " + file + " does not verify: " + report.log.problem);
        }
        publish_store(staging, dir);
        (void)::rmdir(staging.c_str());
        report.target = "SQLite database " + sqlite_database_path(dir);
        return report;
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(staging, ignored);
        if (created) (void)::rmdir(dir.c_str());
        throw;
    }
}

}  // namespace

}  // namespace xrca::store
