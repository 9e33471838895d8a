// The store factory (see factory.h).
#include "store/factory.h"

#include "store/postgres_locator.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <system_error>

namespace xrca::store {

std::string sqlite_database_path(const std::string& data_dir) { return data_dir + "/xrca.db"; }

bool is_postgresql_locator(const std::string& locator) { return is_postgresql_uri(locator); }

std::function<void()> store_probe(Store& store, const std::string& locator) {
    // On PostgreSQL the log's head, not the policy revision: a serving process remembers the
    // revision between requests, and the probe must reach the server.
    if (is_postgresql_locator(locator)) return [&store] { (void)store.log_checkpoint(); };
    const auto path = sqlite_database_path(locator);
    struct stat opened {};
    if (::stat(path.c_str(), &opened) != 0)
        throw StorageError("cannot stat " + path + ": " + std::generic_category().message(errno));
    return [&store, path, device = opened.st_dev, inode = opened.st_ino] {
        struct stat now {};
        if (::stat(path.c_str(), &now) != 0)
            throw StorageError(path + " is gone: " + std::generic_category().message(errno));
        if (now.st_dev != device || now.st_ino != inode) throw StorageError(path + " was replaced");
        if (::access(path.c_str(), R_OK | W_OK) != 0)
            throw StorageError(path + " cannot be read and written: " + std::generic_category().message(errno));
        (void)store.policy_revision();
    };
}

bool locator_holds_password(const std::string& locator) {
    if (!is_postgresql_locator(locator)) return false;
    try {
        return pg_detail::holds_password(pg_detail::parse_locator(locator));
    } catch (const StorageError&) {
        return locator.find("password") != std::string::npos;  // unreadable: err on the safe side
    }
}

std::string staging_locator(const std::string& locator, const std::string& tag) {
    if (is_postgresql_locator(locator)) return postgres_staging_locator(locator, tag);
    return locator + "/.init-" + tag;
}

std::unique_ptr<Store> open_store(const std::string& locator, OpenMode mode, const SchemaOptions& schema) {
    if (locator.empty()) throw StorageError("no store given: name a data directory or a postgresql:// URI");
    if (is_postgresql_locator(locator))
        return std::make_unique<PostgresStore>(locator, mode == OpenMode::Create, schema);
    const auto path = sqlite_database_path(locator);
    struct stat st {};
    if (mode == OpenMode::Existing && ::stat(path.c_str(), &st) != 0) {
        throw StoreMissing("no authority in " + locator);
    }
    return std::make_unique<SqliteStore>(path, schema);
}

void publish_store(const std::string& staging, const std::string& locator) {
    if (is_postgresql_locator(staging) != is_postgresql_locator(locator)) {
        throw StorageError("a store is published within one back end only");
    }
    if (is_postgresql_locator(locator)) return publish_postgres_store(staging, locator);
    const auto from = sqlite_database_path(staging);
    const auto to = sqlite_database_path(locator);
    // A closed WAL database has no -wal file left (the last connection checkpoints and deletes
    // it); one still there holds commits the main file lacks, and moving the file alone would lose them.
    struct stat st {};
    if (::stat((from + "-wal").c_str(), &st) == 0 && st.st_size > 0)
        throw StorageError("the store at " + staging + " is still open or was not closed cleanly");
    // link() refuses an existing target (rename() would replace it), then the staging name goes.
    if (::link(from.c_str(), to.c_str()) != 0) {
        const int err = errno;
        if (err == EEXIST) throw StoreExists("there is a store in " + locator + " already");
        throw StorageError("cannot move the store from " + staging + " to " + locator + ": " +
                           std::generic_category().message(err));
    }
    ::unlink(from.c_str());
    ::unlink((from + "-wal").c_str());
    ::unlink((from + "-shm").c_str());
    // The new name must survive a power loss too.
    const int dir = ::open(locator.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
}

void remove_store(const std::string& locator) {
    if (is_postgresql_locator(locator)) return remove_postgres_store(locator);
    const auto path = sqlite_database_path(locator);
    for (const auto& file : {path + "-wal", path + "-shm", path}) {
        if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
            throw StorageError("cannot remove " + file + ": " + std::generic_category().message(errno));
        }
    }
}

}  // namespace xrca::store
