// The SQLite Store, through SQLiteCpp.
//
// Threading model: one connection per SqliteStore, guarded by a mutex; every public method
// takes the lock for its whole transaction, so a SqliteStore may be shared by any number of
// threads. Signing never happens under this lock (the authority signs between
// reserve_issuance and complete_issuance), so the lock is held for microseconds.
//
// The database runs in WAL mode with synchronous=FULL (a commit survives power loss; only a
// reservation, which its completion syncs, commits without a sync), a busy
// timeout set before the first statement, and foreign keys on. Writes use BEGIN IMMEDIATE; a
// call that still meets SQLITE_BUSY is retried whole (sqlite_internal.h), so callers never see
// "database is locked" under ordinary contention. The schema is versioned (schema_version) with append-only
// numbered migrations; a database written by a newer xrca is refused, never touched; an older one
// is copied to DIR/backups first and its upgrade announced (schema_upgrade.h).
#pragma once

#include "store/group_commit.h"
#include "store/schema_upgrade.h"
#include "store/sqlite_checkpointer.h"
#include "store/store.h"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace xrca::store {

class SqliteStore final : public Store {
public:
    /**
     * Opens (creating if absent) the database at `path` and applies any missing migrations; an
     * existing database is first copied to backups/ beside it (StorageError, nothing migrated,
     * when that fails) and the upgrade told to `schema.notice`.
     */
    explicit SqliteStore(const std::string& path, const SchemaOptions& schema = {});
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    /** The schema version this build writes. */
    static int latest_schema_version() noexcept;
    /** The schema version of the open database. */
    int schema_version();

    std::optional<AuthorityRecord> load_authority() override;
    void create_authority(const AuthorityRecord& authority, const std::vector<KeyBlob>& keys,
                          const std::vector<ChainRecord>& chains, const LogEntry& entry) override;
    std::optional<KeyBlob> load_key(const std::string& name) override;
    std::vector<KeyBlob> list_keys() override;
    KeyBlob save_key_if_absent(const KeyBlob& key) override;
    std::vector<std::string> load_chain(const std::string& purpose) override;
    void apply(const AuthorityChange& change) override;
    [[nodiscard]] std::string describe() const override;

    void reserve_issuance(const CertificateRecord& r, const LogEntry& entry) override;
    void complete_issuance(const std::string& id, const std::string& xrml) override;
    void abandon_issuance(const std::string& id, const LogEntry& entry) override;
    std::vector<CertificateRecord> abandon_stale_pending(
        const std::string& reserved_before,
        const std::function<LogEntry(const CertificateRecord&)>& entry_for) override;
    std::optional<CertificateRecord> find_certificate(const std::string& id) override;
    std::vector<CertificateRecord> find_by_key(const std::string& fp) override;
    StoreCounts counts() override;

    std::optional<CertificateRecord> find_issued_by_request(const std::string& request_id) override;
    std::optional<OfflineRequestRecord> find_offline_request(const std::string& request_id) override;
    std::optional<OfflineRequestRecord> pending_offline_request() override;

    std::vector<CertificateRecord> find_by_license_hash(const std::string& hash) override;
    std::vector<CertificateRecord> find_by_subject(const std::string& subject) override;
    std::vector<CertificateRecord> find_by_kind_and_subject_ignoring_case(const std::string& kind,
                                                                          const std::string& subject) override;
    std::vector<ListedCertificate> list_certificates(const CertificateFilter& filter) override;

    std::int64_t add_revocation(const RevocationRecord& revocation, const LogEntry& entry) override;
    std::vector<RevocationRecord> list_revocations() override;
    std::optional<PublishedListHead> published_revocation_list_head() override;
    std::optional<PublishedList> load_published_revocation_list() override;
    PublishedListHead publish_revocation_list(const std::optional<std::string>& expected,
                                              const PublishedList& candidate, const LogEntry& entry) override;
    void set_exclusion(const ExclusionRecord& x, const LogEntry& entry) override;
    bool remove_exclusion(const std::string& kind, const std::string& value, const LogEntry& entry) override;
    std::vector<ExclusionRecord> list_exclusions() override;
    std::int64_t policy_revision() override;

    std::optional<UserKeyRecord> find_user_key(const std::string& user_id) override;
    UserKeyRecord insert_user_key_if_absent(const UserKeyRecord& key) override;

    void add_trust(const TrustRecord& r, const LogEntry& entry) override;
    bool remove_trust(const std::string& fingerprint, const LogEntry& entry) override;
    std::vector<TrustRecord> list_trust() override;

    void add_principal(const PrincipalRecord& principal, const LogEntry& entry) override;
    bool remove_principal(const std::string& name, const LogEntry& entry) override;
    std::vector<PrincipalRecord> list_principals() override;
    std::optional<PrincipalRecord> find_principal(const std::string& name) override;
    std::optional<PrincipalRecord> find_principal_by_token_hash(const std::string& token_hash) override;
    std::optional<std::string> bind_principal_cluster(const std::string& name,
                                                      const std::string& cluster_guid) override;
    bool set_principal_cluster(const std::string& name, const std::string& cluster_guid,
                               const LogEntry& entry) override;
    bool add_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) override;
    bool remove_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) override;

    void append_log(const LogEntry& entry) override;
    void for_each_log(const std::string& since, const LogVisitor& visit) override;
    LogCheck verify_log() override;
    LogHead log_checkpoint() override;
    std::optional<LogArchiveCut> archive_log(const std::string& before, const LogArchiveWriter& write) override;

private:
    void insert_keys_and_chains_locked(const std::vector<KeyBlob>& keys, const std::vector<ChainRecord>& chains,
                                       const std::string& created);
    void append_log_locked(const LogEntry& in);
    LogHead log_checkpoint_locked();
    void bump_policy_revision_locked();
    void migrate(const SchemaOptions& schema);
    std::optional<int> schema_version_if_any();
    std::vector<CertificateRecord> issued_where_locked(const char* column, const std::string& value);
    /** A prepared statement kept for the connection's life (reset before use); lock held. */
    SQLite::Statement& prepared(const char* sql);
    /** Returns once every commit up to `generation` is on disk (group commit; m_mutex not held). */
    void make_durable(std::uint64_t generation);
    struct BatchedWrite {
        const char* what;
        const std::function<void()>* write;
        std::uint64_t* generation;  ///< set to the commit's generation
    };
    /**
     * Runs `write` (statements only, no transaction of its own; m_mutex held while it runs) in a
     * transaction shared with the writes other threads queued meanwhile, each in a savepoint of
     * its own: one failing write rolls back alone and throws to its caller only. Returns, once
     * committed (not synced), the commit's generation for make_durable().
     */
    std::uint64_t write_batched(const char* what, const std::function<void()>& write);
    void commit_batch(const std::vector<GroupCommit<BatchedWrite>::Queued*>& batch);
    void sync_wal_file();
    std::string m_path;
    std::mutex m_mutex;
    // Group commit of completions (docs/issuance-cycle.md): commits counted under m_mutex; one
    // thread at a time syncs the WAL for every commit counted so far, under m_sync_mutex.
    std::uint64_t m_committed = 0;  ///< guarded by m_mutex
    std::mutex m_sync_mutex;
    std::uint64_t m_synced = 0;  ///< guarded by m_sync_mutex
    int m_wal_fd = -1;           ///< guarded by m_sync_mutex
    // Batched issuance writes: the first thread to queue while no batch is being written leads,
    // takes the queue and writes it; the others wait (store/group_commit.h).
    GroupCommit<BatchedWrite> m_batches;
    std::unique_ptr<SQLite::Database> m_db;
    std::map<const char*, std::unique_ptr<SQLite::Statement>> m_statements;
    // The reads every request of the service makes (its token, the policy revision) run on a
    // connection of their own: in WAL mode it reads the last commit without waiting for m_mutex,
    // which a batch of issuance writes holds while it writes its pages.
    std::mutex m_read_mutex;
    std::unique_ptr<SQLite::Database> m_reader;  ///< opened at the first read; guarded by m_read_mutex
    std::map<const char*, std::unique_ptr<SQLite::Statement>> m_read_statements;  ///< m_read_mutex
    /** prepared() for m_reader; m_read_mutex held. */
    SQLite::Statement& read_prepared(const char* sql);
    /** Called by SQLite after each commit of m_db (m_mutex held): hands the WAL to m_checkpointer. */
    static int on_wal_commit(void* store, sqlite3* db, const char* schema, int pages) noexcept;
    std::unique_ptr<WalCheckpointer> m_checkpointer;  ///< stopped before m_db closes (destructor)
};

}  // namespace xrca::store
