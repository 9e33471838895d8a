// Backup and restore of a whole authority (docs/backup.md). A backup is one file: a SQLite
// database in the store's own schema, taken from one snapshot while other processes go on
// writing, and closed in rollback-journal mode so that the file alone holds everything. It is
// the data directory's xrca.db as of that moment: the authority, its keys (encrypted under the
// key password, or references into a PKCS#11 token), escrowed user keys, chains, certificates,
// the log, principals, trust, revocations and exclusions.
#pragma once

#include "store/store.h"

#include <cstdint>
#include <string>

namespace xrca::store {

/** What a backup file holds, read from the file itself. */
struct BackupInfo {
    int schema_version = 0;
    std::string role;
    std::string name;
    std::string guid;
    std::int64_t certificates = 0;  ///< certificate records, any status
    std::int64_t log_entries = 0;   ///< live log entries (after the last archive)
    std::int64_t bytes = 0;         ///< the file's size
};

/** There is no file where the backup was said to be. */
class BackupMissing final : public StorageError {
public:
    using StorageError::StorageError;
};

/** The file given is not a usable xrca backup (not SQLite, damaged, no authority, a newer schema). */
class NotABackup final : public StorageError {
public:
    using StorageError::StorageError;
};

/**
 * Writes a backup of the store at `locator` to `file`: for a data directory, SQLite's online
 * backup of xrca.db from one read snapshot (writers go on meanwhile, and what they commit after
 * the snapshot is not in it); for a PostgreSQL store, every table read in one repeatable-read
 * transaction into a new SQLite database. The copy is made in a temporary file beside `file`
 * (mode 0600), checked (integrity, schema, authority), synced and renamed over `file`: `file`
 * is the whole backup or, on any failure, as it was. The source is never changed (not even
 * migrated). StoreMissing when there is no authority at `locator`.
 */
BackupInfo backup_store(const std::string& locator, const std::string& file);

/**
 * Reads `file` as a backup: a SQLite database that passes PRAGMA integrity_check, whose schema
 * version this xrca knows, holding an authority. BackupMissing when there is no such file;
 * NotABackup saying what is wrong otherwise.
 */
BackupInfo inspect_backup(const std::string& file);

/** What restore_store() rebuilt. */
struct RestoreReport {
    BackupInfo backup;
    std::string target;  ///< the store, described
    LogCheck log;        ///< the restored log, verified
};

/**
 * Rebuilds the authority of backup `file` at `locator`: a data directory that is empty or does
 * not exist yet (its parent must), or an empty PostgreSQL store. The file is inspected first;
 * the copy is brought to this build's schema and its log verified before it appears at
 * `locator`, whole or not at all. StoreExists, and nothing changed, when `locator` is a
 * directory with anything in it or a store holding records; NotABackup for a bad file.
 */
RestoreReport restore_store(const std::string& file, const std::string& locator);

}  // namespace xrca::store
