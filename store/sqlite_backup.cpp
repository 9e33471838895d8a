// The SQLite side of backup and restore (see sqlite_backup.h).
#include "store/sqlite_backup.h"

#include "store/sqlite_internal.h"
#include "store/sqlite_store.h"

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>

#include <sys/stat.h>
#include <array>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <system_error>
#include <thread>

namespace xrca::store {
namespace {

using namespace sqlite_detail;

std::optional<int> schema_version_of(SQLite::Database& db) {
    if (!db.tableExists("schema_version")) return std::nullopt;
    SQLite::Statement q(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    q.executeStep();
    return q.getColumn(0).getInt();
}

std::string newer_schema(const std::string& path, int version) {
    return path + " has schema version " + std::to_string(version) + ", written by a newer xrca than this one (which " +
           "knows up to " + std::to_string(SqliteStore::latest_schema_version()) + "); use that xrca or a newer one";
}

bool starts_like_sqlite(const std::string& path) {
    static constexpr std::array<char, 16> k_magic = {'S', 'Q', 'L', 'i', 't', 'e', ' ', 'f',
                                                     'o', 'r', 'm', 'a', 't', ' ', '3', '\0'};
    std::array<char, 16> head{};
    std::ifstream in(path, std::ios::binary);
    return in.read(head.data(), head.size()) && head == k_magic;
}

std::int64_t count(SQLite::Database& db, const char* table) {
    SQLite::Statement q(db, std::string("SELECT count(*) FROM ") + table);
    q.executeStep();
    return q.getColumn(0).getInt64();
}

}  // namespace

void sqlite_snapshot(const std::string& source, const std::string& target) {
    guarded("taking a snapshot of the database", [&] {
        SQLite::Database from(source, SQLite::OPEN_READONLY, k_busy_timeout_ms);
        if (const auto version = schema_version_of(from); version && *version > SqliteStore::latest_schema_version())
            throw StorageError(newer_schema(source, *version));
        SQLite::Database to(target, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, k_busy_timeout_ms);
        {
            SQLite::Backup backup(to, from);
            // All pages in one step: one read transaction on the source, so one snapshot. Writers
            // go on in WAL mode; BUSY only while another connection recovers the WAL, and then
            // the step is simply taken again.
            const auto give_up = std::chrono::steady_clock::now() + k_busy_give_up;
            for (;;) {
                const int rc = backup.executeStep(-1);
                if (rc == SQLITE_DONE) break;
                if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() >= give_up)
                    throw StorageError("copying " + source + " stopped: " + sqlite3_errstr(rc));
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        }
        // The copy's header says WAL, as the source's does; a backup is one file on its own.
        to.exec("PRAGMA journal_mode=DELETE");
        return 0;
    });
}

BackupInfo inspect_sqlite_backup(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT || err == ENOTDIR) throw BackupMissing("there is no backup " + path);
        throw NotABackup("cannot read the backup " + path + ": " + std::generic_category().message(err));
    }
    if (!S_ISREG(st.st_mode)) throw NotABackup(path + " is not a regular file, so not an xrca backup");
    if (!starts_like_sqlite(path)) throw NotABackup(path + " is not an xrca backup (not a SQLite database)");
    BackupInfo info;
    info.bytes = static_cast<std::int64_t>(st.st_size);
    try {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        {
            SQLite::Statement q(db, "PRAGMA integrity_check");
            std::string verdict;
            while (q.executeStep()) verdict += (verdict.empty() ? "" : "; ") + q.getColumn(0).getString();
            if (verdict != "ok") throw NotABackup("the backup " + path + " is damaged: " + verdict);
        }
        const auto version = schema_version_of(db);
        if (!version || *version < 1 || !db.tableExists("authority"))
            throw NotABackup(path + " is a SQLite database but not an xrca backup (no xrca schema in it)");
        if (*version > SqliteStore::latest_schema_version()) throw NotABackup(newer_schema(path, *version));
        info.schema_version = *version;
        SQLite::Statement q(db, "SELECT role, name, guid FROM authority WHERE id = 1");
        if (!q.executeStep()) throw NotABackup("the backup " + path + " holds no authority");
        info.role = q.getColumn(0).getString();
        info.name = q.getColumn(1).getString();
        info.guid = q.getColumn(2).getString();
        info.certificates = count(db, "certificates");
        info.log_entries = count(db, "enrollment_log");
    } catch (const SQLite::Exception& e) {
        throw NotABackup("the backup " + path + " cannot be read as an xrca database: " + e.what());
    }
    return info;
}

struct SqliteTableWriter::Open {
    explicit Open(const std::string& path) : db(path, SQLite::OPEN_READWRITE, k_busy_timeout_ms) {}
    SQLite::Database db;
    std::unique_ptr<SQLite::Statement> insert;
    std::string table;
};

SqliteTableWriter::SqliteTableWriter(const std::string& path) {
    guarded("opening the database to fill", [&] {
        m_open = std::make_unique<Open>(path);
        // The source's tables come in any order; its rows satisfied the keys where they were kept.
        m_open->db.exec("PRAGMA foreign_keys=OFF");
        m_open->db.exec("BEGIN IMMEDIATE");
        return 0;
    });
}

SqliteTableWriter::~SqliteTableWriter() = default;  // an open transaction rolls back as the connection closes

void SqliteTableWriter::begin_table(const std::string& table, const std::vector<std::string>& columns) {
    guarded("filling the database", [&] {
        if (!m_open->db.tableExists(table))
            throw StorageError("the source has a table " + table + " that this xrca's schema does not know");
        const auto quoted = [](const std::string& name) {
            std::string out = "\"";
            for (const char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
            return out + "\"";
        };
        // Rows the new schema seeds (the log's genesis head, the policy revision) give way to the source's.
        m_open->db.exec("DELETE FROM " + quoted(table));
        std::string names;
        std::string marks;
        for (const auto& column : columns) {
            names += (names.empty() ? "" : ", ") + quoted(column);
            marks += marks.empty() ? "?" : ", ?";
        }
        m_open->insert = std::make_unique<SQLite::Statement>(
            m_open->db, "INSERT INTO " + quoted(table) + " (" + names + ") VALUES (" + marks + ")");
        m_open->table = table;
        return 0;
    });
}

void SqliteTableWriter::row(const std::vector<Cell>& cells) {
    guarded("filling the database", [&] {
        auto& q = *m_open->insert;
        (void)q.tryReset();
        q.clearBindings();
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const int index = static_cast<int>(i) + 1;
            const auto& cell = cells[i];
            switch (cell.kind) {
                case Cell::Kind::Null: q.bind(index); break;
                case Cell::Kind::Integer: q.bind(index, cell.integer); break;
                case Cell::Kind::Text: q.bind(index, cell.text); break;
                case Cell::Kind::Bytes: q.bind(index, cell.bytes.data(), static_cast<int>(cell.bytes.size())); break;
            }
        }
        q.exec();
        return 0;
    });
}

void SqliteTableWriter::end_table() { m_open->insert.reset(); }

void SqliteTableWriter::commit() {
    guarded("committing the filled database", [&] {
        m_open->db.exec("COMMIT");
        // One file on its own, like a snapshot (sqlite_snapshot).
        return m_open->db.exec("PRAGMA journal_mode=DELETE");
    });
}

}  // namespace xrca::store
