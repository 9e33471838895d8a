// SQLite implementation of Store (see sqlite_store.h for the threading model).
#include "store/sqlite_store.h"

#include "store/migrations.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_internal.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

namespace xrca::store {
namespace {

using namespace sqlite_detail;

constexpr const char* k_key_columns = "name, fingerprint, encrypted, custody";

const char* custody_name(KeyCustody custody) noexcept { return custody == KeyCustody::Pkcs11 ? "pkcs11" : "software"; }

// A private_keys row (k_key_columns). The column's CHECK admits only the two names.
KeyBlob key_blob(SQLite::Statement& q) {
    const auto custody = q.getColumn(3).getString();
    if (custody != "software" && custody != "pkcs11")
        throw StorageError("the key " + q.getColumn(0).getString() + " has an unknown custody");
    return KeyBlob{q.getColumn(0).getString(), q.getColumn(1).getString(), blob(q.getColumn(2)),
                   custody == "pkcs11" ? KeyCustody::Pkcs11 : KeyCustody::Software};
}

// A new file for the backup taken before upgrading from `from` to `to`: in DIR/backups beside the
// database (made 0700), mode 0600 from its creation (it holds the encrypted keys and the tokens'
// hashes), never an existing file or a link. StorageError when it cannot be made.
std::string create_upgrade_backup_file(const std::string& database, int to) {
    const auto slash = database.rfind('/');
    const auto dir = (slash == std::string::npos ? std::string(".") : database.substr(0, slash)) + "/backups";
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        const int err = errno;
        throw StorageError("cannot create " + dir + ": " + std::generic_category().message(err));
    }
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    ::gmtime_r(&now, &utc);
    char stamp[32] = "";
    (void)std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);  // 17 characters always fit
    const auto stem = dir + "/xrca-before-schema-" + std::to_string(to) + "-" + stamp;
    for (int n = 1;; ++n) {
        auto path = stem + (n == 1 ? "" : "-" + std::to_string(n)) + ".db";
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ::close(fd);
            return path;
        }
        const int err = errno;
        if (err != EEXIST || n == 100)
            throw StorageError("cannot create " + path + ": " + std::generic_category().message(err));
    }
}

// The new backup's name is on disk before the upgrade it protects begins.
void sync_directory_of(const std::string& path) {
    const auto dir = path.substr(0, path.rfind('/'));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    const bool synced = fd >= 0 && ::fsync(fd) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!synced) throw StorageError("cannot sync " + dir + ": " + std::generic_category().message(err));
}

// A checkpoint writes each page once however often the WAL holds it, and the tails of the
// table, the log and the indexes are rewritten by every transaction: every 4,000 pages (16 MB)
// instead of SQLite's 1,000 wrote less (docs/performance.md).
constexpr int k_checkpoint_pages = 4000;

}  // namespace

int SqliteStore::latest_schema_version() noexcept { return static_cast<int>(k_migrations.size()); }

SqliteStore::SqliteStore(const std::string& path, const SchemaOptions& schema) : m_path(path) {
    guarded("opening the database", [&] {
        const bool existed = ::access(path.c_str(), F_OK) == 0;
        // The busy timeout is given to the constructor, so that it holds before the first
        // statement: switching to WAL and migrating take locks another process may hold.
        m_db = std::make_unique<SQLite::Database>(
            path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX, k_busy_timeout_ms);
        if (!existed) ::chmod(path.c_str(), 0600);  // keys are encrypted, but nobody else needs to read them
        return 0;
    });
    // Each step on its own try: a BUSY retried by guarded() repeats only the step that failed.
    guarded("switching the database to WAL", [&] { return m_db->exec("PRAGMA journal_mode=WAL"); });
    // FULL: in WAL mode every commit syncs the WAL, so a commit a client saw survives a power
    // loss (NORMAL syncs only at checkpoints and may lose the last commits). docs/issuance-cycle.md.
    guarded("setting the connection's options", [&] {
        m_db->exec("PRAGMA synchronous=FULL");
        m_db->exec("PRAGMA foreign_keys=ON");
        // Measured under a Certify load (docs/performance.md, "Where serve's time goes"):
        // - batched writes each run in a savepoint (sqlite_issuance.cpp), whose undo journal
        //   SQLite otherwise spills to a temporary file: a third of what serve wrote;
        // - checkpoints every k_checkpoint_pages (below);
        // - a page cache of 8 MiB instead of 2 keeps the indexes' inner pages, which random
        //   inserts (IDs, license hashes) read again otherwise. Larger caches did not read
        //   less, and cost memory and time (SQLite walks the whole cache on some commits).
        m_db->exec("PRAGMA temp_store=MEMORY");
        m_db->exec("PRAGMA cache_size=-8192");
        return 0;
    });
    // In place of SQLite's automatic checkpoint, which ran inside a commit with the store held
    // (sqlite_checkpointer.h); the hook replaces it.
    m_checkpointer = std::make_unique<WalCheckpointer>(path, m_mutex, k_checkpoint_pages);
    sqlite3_wal_hook(m_db->getHandle(), &SqliteStore::on_wal_commit, this);
    guarded("migrating the database", [&] {
        migrate(schema);
        return 0;
    });
}

// Brings the schema to this build's version. Two processes may open a new or old database at
// once: the version is read again inside the write transaction, so the second waits for the
// first and then finds nothing left to do. Upgrading an existing database first copies it (the
// write lock held, so the copy is exactly what gets migrated) and announces the upgrade; when
// the copy cannot be made, nothing is migrated.
void SqliteStore::migrate(const SchemaOptions& schema) {
    const int target = schema.stop_at > 0 ? schema.stop_at : latest_schema_version();
    const auto refuse_newer = [&](int current) {
        if (current > latest_schema_version()) {
            throw StorageError("the database " + m_path + " has schema version " + std::to_string(current) +
                               ", written by a newer xrca than this one (which knows up to " +
                               std::to_string(latest_schema_version()) + "); upgrade xrca to use it");
        }
    };
    if (const auto current = schema_version_if_any()) {
        refuse_newer(*current);
        if (*current >= target) return;  // the usual case: no write lock needed
    }
    SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
    m_db->exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const int current = schema_version();
    refuse_newer(current);
    if (current >= target) return;
    if (current > 0) {
        SchemaUpgrade upgrade{describe(), current, target, ""};
        if (schema.backup_first) {
            try {
                upgrade.backup = create_upgrade_backup_file(m_path, target);
                sqlite_snapshot(m_path, upgrade.backup);
                sync_directory_of(upgrade.backup);
            } catch (const StorageError& e) {
                if (!upgrade.backup.empty()) ::unlink(upgrade.backup.c_str());
                throw StorageError("not upgrading the schema of " + m_path + " from version " +
                                   std::to_string(current) + " to " + std::to_string(target) +
                                   ", as the backup to take first failed: " + e.what());
            }
        }
        if (schema.notice) schema.notice(upgrade);
    }
    for (int v = current + 1; v <= target; ++v) {
        m_db->exec(k_migrations[static_cast<std::size_t>(v - 1)]);
        m_db->exec("DELETE FROM schema_version");
        SQLite::Statement q(*m_db, "INSERT INTO schema_version (version) VALUES (?)");
        q.bind(1, v);
        q.exec();
    }
    t.commit();
}

std::string SqliteStore::describe() const { return "SQLite database " + m_path; }

int SqliteStore::on_wal_commit(void* store, sqlite3* db, const char* schema, int pages) noexcept {
    auto* self = static_cast<SqliteStore*>(store);
    // The checkpointer could not start: this commit copies the WAL back, as SQLite's own would.
    if (!self->m_checkpointer->wal_grew(pages)) static_cast<void>(sqlite3_wal_checkpoint(db, schema));
    return SQLITE_OK;
}

SqliteStore::~SqliteStore() {
    m_checkpointer.reset();  // its thread takes m_mutex and opened this database
    m_statements.clear();    // statements before their database
    m_read_statements.clear();
    if (m_wal_fd >= 0) ::close(m_wal_fd);
}

// The WAL is one file that SQLite writes in order, so syncing it makes every commit written so
// far durable — ours and the ones that queued behind the last sync. The file is opened by path
// (it exists while this connection is open) and opened again if SQLite replaced it.
void SqliteStore::sync_wal_file() {
    const auto wal = m_path + "-wal";
    struct stat on_disk {};
    struct stat held {};
    if (m_wal_fd >= 0 && (::stat(wal.c_str(), &on_disk) != 0 || ::fstat(m_wal_fd, &held) != 0 ||
                          on_disk.st_ino != held.st_ino || on_disk.st_dev != held.st_dev)) {
        ::close(m_wal_fd);
        m_wal_fd = -1;
    }
    if (m_wal_fd < 0) m_wal_fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (m_wal_fd < 0 || ::fdatasync(m_wal_fd) != 0) {
        throw StorageError("syncing " + wal + " failed: " + std::generic_category().message(errno));
    }
}

void SqliteStore::make_durable(std::uint64_t generation) {
    std::lock_guard<std::mutex> sync(m_sync_mutex);
    if (m_synced >= generation) return;  // the sync another completion made covered this one
    std::uint64_t target = 0;
    {
        Lock lock(m_mutex);
        target = m_committed;  // every commit made so far goes to disk with this sync
    }
    sync_wal_file();
    m_synced = target;
}

SQLite::Statement& SqliteStore::prepared(const char* sql) {
    auto& slot = m_statements[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(*m_db, sql);
    // sqlite3_reset returns the error of the statement's last step: a statement that failed
    // once (a constraint, a full disk) would throw that old error again on every later use.
    // The reset itself always succeeds, so its return value is not an error of this use.
    (void)slot->tryReset();
    slot->clearBindings();
    return *slot;
}

SQLite::Statement& SqliteStore::read_prepared(const char* sql) {
    // Opened at the first read (the schema is migrated by then): most commands never make one.
    if (!m_reader) m_reader = std::make_unique<SQLite::Database>(m_path, SQLite::OPEN_READWRITE, k_busy_timeout_ms);
    auto& slot = m_read_statements[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(*m_reader, sql);
    (void)slot->tryReset();  // as in prepared()
    slot->clearBindings();
    return *slot;
}

int SqliteStore::schema_version() {
    SQLite::Statement q(*m_db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    q.executeStep();
    return q.getColumn(0).getInt();
}

std::optional<int> SqliteStore::schema_version_if_any() {
    if (!m_db->tableExists("schema_version")) return std::nullopt;
    return schema_version();
}

std::optional<AuthorityRecord> SqliteStore::load_authority() {
    Lock lock(m_mutex);
    return guarded("reading the authority", [&]() -> std::optional<AuthorityRecord> {
        SQLite::Statement q(
            *m_db,
            "SELECT role, name, guid, base_url, crypto_mode, state, revocation, anchor_fingerprint, sku, "
            "version, created, extranet_url FROM authority WHERE id = 1");
        if (!q.executeStep()) return std::nullopt;
        AuthorityRecord a;
        a.role = q.getColumn(0).getString();
        a.name = q.getColumn(1).getString();
        a.guid = q.getColumn(2).getString();
        a.base_url = q.getColumn(3).getString();
        a.crypto_mode = q.getColumn(4).getInt();
        a.state = q.getColumn(5).getString();
        a.revocation = q.getColumn(6).getString();
        a.anchor_fingerprint = q.getColumn(7).getString();
        a.sku = q.getColumn(8).getString();
        a.version = q.getColumn(9).getString();
        a.created = q.getColumn(10).getString();
        a.extranet_url = q.getColumn(11).getString();
        return a;
    });
}

void SqliteStore::create_authority(const AuthorityRecord& a, const std::vector<KeyBlob>& keys,
                                   const std::vector<ChainRecord>& chains, const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("creating the authority", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db,
                            "INSERT INTO authority (id, role, name, guid, base_url, crypto_mode, state, revocation, "
                            "anchor_fingerprint, sku, version, created, extranet_url) "
                            "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        q.bind(1, a.role);
        q.bind(2, a.name);
        q.bind(3, a.guid);
        q.bind(4, a.base_url);
        q.bind(5, a.crypto_mode);
        q.bind(6, a.state);
        q.bind(7, a.revocation);
        q.bind(8, a.anchor_fingerprint);
        q.bind(9, a.sku);
        q.bind(10, a.version);
        q.bind(11, a.created);
        q.bind(12, a.extranet_url);
        q.exec();
        insert_keys_and_chains_locked(keys, chains, a.created);
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

void SqliteStore::insert_keys_and_chains_locked(const std::vector<KeyBlob>& keys,
                                                const std::vector<ChainRecord>& chains, const std::string& created) {
    for (const auto& k : keys) {
        SQLite::Statement kq(
            *m_db, "INSERT INTO private_keys (name, fingerprint, encrypted, created, custody) VALUES (?, ?, ?, ?, ?)");
        kq.bind(1, k.name);
        kq.bind(2, k.fingerprint);
        kq.bind(3, k.encrypted.data(), static_cast<int>(k.encrypted.size()));
        kq.bind(4, created);
        kq.bind(5, custody_name(k.custody));
        kq.exec();
    }
    for (const auto& c : chains) {
        SQLite::Statement del(*m_db, "DELETE FROM own_chains WHERE purpose = ?");
        del.bind(1, c.purpose);
        del.exec();
        for (std::size_t i = 0; i < c.documents.size(); ++i) {
            SQLite::Statement cq(*m_db, "INSERT INTO own_chains (purpose, position, xrml) VALUES (?, ?, ?)");
            cq.bind(1, c.purpose);
            cq.bind(2, static_cast<int>(i));
            cq.bind(3, c.documents[i]);
            cq.exec();
        }
    }
}

std::optional<KeyBlob> SqliteStore::load_key(const std::string& name) {
    Lock lock(m_mutex);
    return guarded("reading a key", [&]() -> std::optional<KeyBlob> {
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_key_columns + " FROM private_keys WHERE name = ?");
        q.bind(1, name);
        if (!q.executeStep()) return std::nullopt;
        return key_blob(q);
    });
}

std::vector<KeyBlob> SqliteStore::list_keys() {
    Lock lock(m_mutex);
    return guarded("reading the keys", [&] {
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_key_columns + " FROM private_keys ORDER BY name");
        std::vector<KeyBlob> out;
        while (q.executeStep()) out.push_back(key_blob(q));
        return out;
    });
}

KeyBlob SqliteStore::save_key_if_absent(const KeyBlob& key) {
    Lock lock(m_mutex);
    return guarded("saving a key", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement ins(*m_db,
                              "INSERT OR IGNORE INTO private_keys (name, fingerprint, encrypted, created, custody) "
                              "VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)");
        ins.bind(1, key.name);
        ins.bind(2, key.fingerprint);
        ins.bind(3, key.encrypted.data(), static_cast<int>(key.encrypted.size()));
        ins.bind(4, custody_name(key.custody));
        ins.exec();
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_key_columns + " FROM private_keys WHERE name = ?");
        q.bind(1, key.name);
        q.executeStep();
        auto stored = key_blob(q);
        t.commit();
        return stored;
    });
}

std::vector<std::string> SqliteStore::load_chain(const std::string& purpose) {
    Lock lock(m_mutex);
    return guarded("reading a chain", [&] {
        std::vector<std::string> out;
        SQLite::Statement q(*m_db, "SELECT xrml FROM own_chains WHERE purpose = ? ORDER BY position");
        q.bind(1, purpose);
        while (q.executeStep()) out.push_back(q.getColumn(0).getString());
        return out;
    });
}

void SqliteStore::abandon_issuance(const std::string& id, const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("abandoning an issuance", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db, "UPDATE certificates SET status = 'abandoned' WHERE id = ? AND status = 'pending'");
        q.bind(1, id);
        q.exec();
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

std::vector<CertificateRecord> SqliteStore::abandon_stale_pending(
    const std::string& reserved_before, const std::function<LogEntry(const CertificateRecord&)>& entry_for) {
    Lock lock(m_mutex);
    return guarded("abandoning stale pending issuances", [&] {
        // The scan reads without the write lock (through the partial index of migration 007);
        // the write transaction is taken only when something was found, and each row is
        // re-checked in it, so a row another process completed or reconciled meanwhile is left.
        std::vector<CertificateRecord> found;
        {
            SQLite::Statement q(*m_db,
                                std::string("SELECT ") + k_certificate_columns +
                                    " FROM certificates WHERE status = 'pending' AND issued < ? ORDER BY issued");
            q.bind(1, reserved_before);
            while (q.executeStep()) found.push_back(read_certificate_row(q));
        }
        std::vector<CertificateRecord> abandoned;
        if (found.empty()) return abandoned;
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        for (auto& r : found) {
            SQLite::Statement q(*m_db,
                                "UPDATE certificates SET status = 'abandoned' WHERE id = ? AND status = 'pending'");
            q.bind(1, r.id);
            if (q.exec() != 1) continue;
            append_log_locked(entry_for(r));
            abandoned.push_back(std::move(r));
        }
        t.commit();
        return abandoned;
    });
}

std::optional<CertificateRecord> SqliteStore::find_certificate(const std::string& id) {
    Lock lock(m_mutex);
    return guarded("finding a certificate", [&]() -> std::optional<CertificateRecord> {
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_certificate_columns + " FROM certificates WHERE id = ?");
        q.bind(1, id);
        if (!q.executeStep()) return std::nullopt;
        return read_certificate_row(q);
    });
}

std::vector<CertificateRecord> SqliteStore::find_by_key(const std::string& fp) {
    Lock lock(m_mutex);
    return guarded("finding certificates by key", [&] {
        std::vector<CertificateRecord> out;
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_certificate_columns +
                                       " FROM certificates WHERE key_fingerprint = ? ORDER BY issued");
        q.bind(1, fp);
        while (q.executeStep()) out.push_back(read_certificate_row(q));
        return out;
    });
}

StoreCounts SqliteStore::counts() {
    Lock lock(m_mutex);
    return guarded("counting", [&] {
        // Kept by triggers in the transaction of every change (014_row_counts.sql): a few rows,
        // not a count of every certificate.
        StoreCounts c;
        auto& q = prepared("SELECT tbl, kind, status, n FROM row_counts");
        while (q.executeStep()) {
            const auto table = q.getColumn(0).getString();
            const auto status = q.getColumn(2).getString();
            const auto n = q.getColumn(3).getInt64();
            if (table == "user_keys") c.user_keys += n;
            if (table != "certificates") continue;
            if (status == "issued" && n != 0) c.issued_by_kind[q.getColumn(1).getString()] = n;
            if (status == "pending") c.pending += n;
        }
        q.reset();
        // The log has no gaps and archiving removes only its oldest entries, up to the
        // checkpoint: what it holds is the head's sequence number less the checkpoint's.
        auto& n = prepared(
            "SELECT COALESCE((SELECT seq FROM log_head WHERE id = 1), 0) - "
            "COALESCE((SELECT seq FROM log_checkpoint WHERE id = 1), 0), (SELECT COUNT(*) FROM trust)");
        n.executeStep();
        c.log_entries = n.getColumn(0).getInt64();
        c.trusted_keys = n.getColumn(1).getInt64();
        n.reset();
        return c;
    });
}

std::optional<CertificateRecord> SqliteStore::find_issued_by_request(const std::string& request_id) {
    Lock lock(m_mutex);
    return guarded("finding a certificate by request", [&]() -> std::optional<CertificateRecord> {
        SQLite::Statement q(
            *m_db, std::string("SELECT ") + k_certificate_columns +
                       " FROM certificates WHERE request_id = ? AND status = 'issued' ORDER BY issued LIMIT 1");
        q.bind(1, request_id);
        if (!q.executeStep()) return std::nullopt;
        return read_certificate_row(q);
    });
}

namespace {

OfflineRequestRecord read_request_row(SQLite::Statement& q) {
    return {q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
            q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
            q.getColumn(6).getString(), q.getColumn(7).getString()};
}

constexpr const char* k_request_columns =
    "request_id, operation, key_name, key_fingerprint, revocation, authorities, created, state";

}  // namespace

void SqliteStore::apply(const AuthorityChange& c) {
    Lock lock(m_mutex);
    guarded("changing the authority", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        for (const auto& r : c.requests) {
            SQLite::Statement q(*m_db, "UPDATE offline_requests SET state = ? WHERE request_id = ? AND state = ?");
            q.bind(1, r.to);
            q.bind(2, r.request_id);
            q.bind(3, r.from);
            if (q.exec() != 1) throw ConflictError("request " + r.request_id + " is not " + r.from);
        }
        if (c.new_request) {
            const auto& r = *c.new_request;
            SQLite::Statement q(*m_db, std::string("INSERT INTO offline_requests (") + k_request_columns +
                                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
            q.bind(1, r.request_id);
            q.bind(2, r.operation);
            q.bind(3, r.key_name);
            q.bind(4, r.key_fingerprint);
            q.bind(5, r.revocation);
            q.bind(6, r.authorities);
            q.bind(7, r.created);
            q.bind(8, r.state);
            q.exec();
        }
        for (const auto& name : c.delete_keys) {
            SQLite::Statement del(*m_db, "DELETE FROM private_keys WHERE name = ?");
            del.bind(1, name);
            del.exec();
        }
        for (const auto& r : c.rename_keys) {
            SQLite::Statement q(*m_db, "UPDATE private_keys SET name = ? WHERE name = ?");
            q.bind(1, r.to);
            q.bind(2, r.from);
            if (q.exec() != 1) throw StorageError("there is no key named " + r.from + " to rename to " + r.to);
        }
        for (const auto& k : c.add_keys) {
            SQLite::Statement del(*m_db, "DELETE FROM private_keys WHERE name = ?");
            del.bind(1, k.name);
            del.exec();
        }
        insert_keys_and_chains_locked(c.add_keys, c.chains, c.entry.time);
        if (c.state) {
            SQLite::Statement q(*m_db, "UPDATE authority SET state = ? WHERE id = 1");
            q.bind(1, *c.state);
            if (q.exec() != 1) throw StorageError("there is no authority to change");
        }
        if (c.extranet_url) {
            SQLite::Statement q(*m_db, "UPDATE authority SET extranet_url = ? WHERE id = 1");
            q.bind(1, *c.extranet_url);
            if (q.exec() != 1) throw StorageError("there is no authority to change");
        }
        if (c.anchor_fingerprint) {
            SQLite::Statement q(*m_db, "UPDATE authority SET anchor_fingerprint = ? WHERE id = 1");
            q.bind(1, *c.anchor_fingerprint);
            if (q.exec() != 1) throw StorageError("there is no authority to change");
        }
        if (c.bump_policy_revision) bump_policy_revision_locked();
        append_log_locked(c.entry);
        t.commit();
        return 0;
    });
}

std::optional<OfflineRequestRecord> SqliteStore::find_offline_request(const std::string& request_id) {
    Lock lock(m_mutex);
    return guarded("finding an offline request", [&]() -> std::optional<OfflineRequestRecord> {
        SQLite::Statement q(*m_db,
                            std::string("SELECT ") + k_request_columns + " FROM offline_requests WHERE request_id = ?");
        q.bind(1, request_id);
        if (!q.executeStep()) return std::nullopt;
        return read_request_row(q);
    });
}

std::optional<OfflineRequestRecord> SqliteStore::pending_offline_request() {
    Lock lock(m_mutex);
    return guarded("finding the pending request", [&]() -> std::optional<OfflineRequestRecord> {
        SQLite::Statement q(*m_db, std::string("SELECT ") + k_request_columns +
                                       " FROM offline_requests WHERE state = 'pending' ORDER BY created DESC LIMIT 1");
        if (!q.executeStep()) return std::nullopt;
        return read_request_row(q);
    });
}

std::optional<UserKeyRecord> SqliteStore::find_user_key(const std::string& user_id) {
    Lock lock(m_mutex);
    return guarded("finding a user key", [&]() -> std::optional<UserKeyRecord> {
        auto& q = prepared("SELECT user_id, email, fingerprint, encrypted, created FROM user_keys WHERE user_id = ?");
        q.bind(1, user_id);
        if (!q.executeStep()) return std::nullopt;
        UserKeyRecord r{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                        blob(q.getColumn(3)), q.getColumn(4).getString()};
        q.reset();
        return r;
    });
}

UserKeyRecord SqliteStore::insert_user_key_if_absent(const UserKeyRecord& k) {
    Lock lock(m_mutex);
    return guarded("escrowing a user key", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement ins(*m_db,
                              "INSERT OR IGNORE INTO user_keys (user_id, email, fingerprint, encrypted, created) "
                              "VALUES (?, ?, ?, ?, ?)");
        ins.bind(1, k.user_id);
        ins.bind(2, k.email);
        ins.bind(3, k.fingerprint);
        ins.bind(4, k.encrypted.data(), static_cast<int>(k.encrypted.size()));
        ins.bind(5, k.created);
        ins.exec();
        SQLite::Statement q(*m_db,
                            "SELECT user_id, email, fingerprint, encrypted, created FROM user_keys WHERE user_id = ?");
        q.bind(1, k.user_id);
        q.executeStep();
        UserKeyRecord stored{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                             blob(q.getColumn(3)), q.getColumn(4).getString()};
        t.commit();
        return stored;
    });
}

void SqliteStore::add_trust(const TrustRecord& r, const LogEntry& entry) {
    Lock lock(m_mutex);
    guarded("adding a trusted key", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(
            *m_db, "INSERT INTO trust (fingerprint, purpose, public_key, label, added) VALUES (?, ?, ?, ?, ?)");
        q.bind(1, r.fingerprint);
        q.bind(2, r.purpose);
        q.bind(3, r.public_key);
        q.bind(4, r.label);
        q.bind(5, r.added);
        q.exec();
        bump_policy_revision_locked();
        append_log_locked(entry);
        t.commit();
        return 0;
    });
}

bool SqliteStore::remove_trust(const std::string& fingerprint, const LogEntry& entry) {
    Lock lock(m_mutex);
    return guarded("removing a trusted key", [&] {
        SQLite::Transaction t(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement q(*m_db, "DELETE FROM trust WHERE fingerprint = ?");
        q.bind(1, fingerprint);
        if (q.exec() == 0) return false;
        bump_policy_revision_locked();
        append_log_locked(entry);
        t.commit();
        return true;
    });
}

std::vector<TrustRecord> SqliteStore::list_trust() {
    Lock lock(m_mutex);
    return guarded("listing trusted keys", [&] {
        std::vector<TrustRecord> out;
        SQLite::Statement q(
            *m_db, "SELECT fingerprint, purpose, public_key, label, added FROM trust ORDER BY added, fingerprint");
        while (q.executeStep()) {
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                           q.getColumn(3).getString(), q.getColumn(4).getString()});
        }
        return out;
    });
}

}  // namespace xrca::store
