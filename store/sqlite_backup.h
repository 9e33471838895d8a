// The SQLite side of backup and restore (store/backup.h): snapshots of a live database with
// SQLite's online backup API, the checks a backup file must pass, and a table writer that fills
// a new database from another back end's rows.
#pragma once

#include "store/backup.h"
#include "store/table_rows.h"

#include <memory>
#include <string>

namespace SQLite {
class Database;
}

namespace xrca::store {

/**
 * Copies the database `source` (a live store in WAL mode; others may write meanwhile) into
 * `target` (an existing empty file, or absent) page by page from one read snapshot, with
 * sqlite3_backup_*: what was committed when the snapshot began, nothing later, never a torn
 * transaction. The copy ends in rollback-journal mode: one file, no -wal beside it. `source` is
 * opened read-only and never migrated. StorageError when either cannot be read or written, or
 * when `source` has a schema newer than this build's.
 */
void sqlite_snapshot(const std::string& source, const std::string& target);

/** Reads and checks a backup file (see inspect_backup()); NotABackup saying what is wrong. */
BackupInfo inspect_sqlite_backup(const std::string& path);

/**
 * Fills the SQLite database at `path` (made with this build's schema, holding no authority) with
 * the tables a source sends, replacing the rows the schema seeds, all in one transaction that
 * commit() ends (leaving the file in rollback-journal mode); destroyed before commit(), it
 * writes nothing.
 */
class SqliteTableWriter final : public RowSink {
public:
    explicit SqliteTableWriter(const std::string& path);
    ~SqliteTableWriter() override;
    SqliteTableWriter(const SqliteTableWriter&) = delete;
    SqliteTableWriter& operator=(const SqliteTableWriter&) = delete;

    void begin_table(const std::string& table, const std::vector<std::string>& columns) override;
    void row(const std::vector<Cell>& cells) override;
    void end_table() override;
    void commit();

private:
    struct Open;
    std::unique_ptr<Open> m_open;
};

}  // namespace xrca::store
