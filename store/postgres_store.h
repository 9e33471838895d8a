// The PostgreSQL Store, through libpq: one authority shared by several processes (`xrca serve`
// on several hosts) in one database, in one PostgreSQL schema of it (docs/store.md).
//
// Threading model: a pool of connections (store/postgres_connection.h), one per concurrently
// calling thread, opened on first need and capped at k_max_connections; a caller beyond the cap
// waits for one. Every method is one transaction (BEGIN … COMMIT, read committed) or a single
// statement; reads of several statements run in one repeatable-read snapshot. What must be one
// sequence across every process is serialised by row locks in the database, never in memory:
// the log's head row (SELECT … FOR UPDATE) for the hash chain, the policy revision's row for its
// counter. Failures are mapped once (run()): constraint violations to ConflictError,
// serialization failures and deadlocks retried whole, a connection lost before COMMIT retried
// once on a fresh connection, an unreachable server to StoreUnavailable.
//
// Durability: synchronous_commit as the server has it (on by default): a call that returned has
// its commit on the server's disk.
#pragma once

#include "store/group_commit.h"
#include "store/schema_upgrade.h"
#include "store/store.h"

#include <cstdint>
#include <memory>
#include <string>

namespace xrca::store {

namespace pg_detail {
class Connection;
class Pool;
class PolicyCache;
}  // namespace pg_detail

class PostgresStore final : public Store {
public:
    /** At most this many connections per store. */
    static constexpr std::size_t k_max_connections = 16;

    /**
     * Connects to the database of `locator` (a postgresql:// URI, optionally #schema=NAME) and
     * brings the schema to this build's version (creating it when `create`); StoreMissing when
     * !create and the schema holds no store, StoreUnavailable when the server cannot be reached,
     * StorageError otherwise. Upgrading an existing store's schema is told to `schema.notice` first.
     */
    PostgresStore(const std::string& locator, bool create, const SchemaOptions& schema = {});
    ~PostgresStore() override;
    PostgresStore(const PostgresStore&) = delete;
    PostgresStore& operator=(const PostgresStore&) = delete;

    /** The schema version this build writes. */
    static int latest_schema_version() noexcept;
    /** counts() folds the pending count changes into the totals when it finds more than this many. */
    static constexpr std::int64_t k_fold_threshold = 10000;

    /**
     * Folds the count changes committed so far (at most k_fold_batch of the oldest, skipping any
     * another fold holds) into the totals, in one transaction; returns how many it folded.
     * counts() calls it past k_fold_threshold, and the stale-intent sweep once a minute.
     */
    std::int64_t fold_row_counts();
    static constexpr std::int64_t k_fold_batch = 1000000;

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
    void migrate(bool create, const SchemaOptions& options);
    static void insert_keys_and_chains(pg_detail::Connection& c, const std::vector<KeyBlob>& keys,
                                       const std::vector<ChainRecord>& chains, const std::string& created);
    /** Inside a write transaction: locks the head row, chains the entry to it, moves the head. */
    static void append_log_locked(pg_detail::Connection& c, const LogEntry& in);
    /** The same for several entries, in their order, under one lock of the head. */
    static void append_log_locked(pg_detail::Connection& c, const std::vector<const LogEntry*>& in);
    /** Queues `in` after `locked`, the head the caller's transaction has read and locked. */
    static void append_log_after(pg_detail::Connection& c, const LogHead& locked,
                                 const std::vector<const LogEntry*>& in);

    // Group commit of the issuance cycle's two hot writes (docs/store.md, "Round trips").
    struct Reservation {
        const CertificateRecord* record;
        const LogEntry* entry;
    };
    struct Completion {
        const std::string* id;
        const std::string* xrml;
    };
    void reserve_together(const std::vector<GroupCommit<Reservation>::Queued*>& reservations);
    void complete_together(const std::vector<GroupCommit<Completion>::Queued*>& completions);
    GroupCommit<Reservation> m_reservations;
    GroupCommit<Completion> m_completions;
    static LogHead log_checkpoint_in(pg_detail::Connection& c);
    static void bump_policy_revision(pg_detail::Connection& c);
    std::vector<CertificateRecord> issued_where(const char* what, const char* condition, const std::string& value);
    /** Makes m_cache forget what it remembers when it goes: a method that changes principals or the policy holds one.
     */
    class Forgetting {
    public:
        explicit Forgetting(pg_detail::PolicyCache* cache) noexcept : m_cache(cache) {}
        ~Forgetting();
        Forgetting(const Forgetting&) = delete;
        Forgetting& operator=(const Forgetting&) = delete;

    private:
        pg_detail::PolicyCache* m_cache;
    };
    [[nodiscard]] Forgetting forgetting() const noexcept { return Forgetting(m_cache.get()); }
    std::unique_ptr<pg_detail::Pool> m_pool;
    /**
     * The connections of the issuance cycle's batches (one each for reservations and
     * completions, which run a batch at a time), with generic plans only: PostgreSQL planned
     * the completion anew for every batch, its plan for an array's IDs looking dearer than a
     * plan for the values it was given (docs/store.md, "Round trips").
     */
    std::unique_ptr<pg_detail::Pool> m_batches;
    /** Principals by token and the policy revision between requests; null below schema 10.
        Declared after m_pool, so destroyed before it: its thread listens with the pool's locator. */
    std::unique_ptr<pg_detail::PolicyCache> m_cache;
    std::string m_description;
};

/** Whether `locator` names a PostgreSQL store (postgresql:// or postgres://). */
bool is_postgresql_uri(const std::string& locator) noexcept;

/**
 * Renames the schema of `staging` to the schema of `locator` (both in one database), in one
 * transaction; StoreExists when the target schema holds a store. A target schema that exists
 * without a store (made by an administrator, with its grants) receives the tables instead.
 */
void publish_postgres_store(const std::string& staging, const std::string& locator);

/** Drops the schema of `locator` with everything in it. */
void remove_postgres_store(const std::string& locator);

/** `locator` naming the schema `<its schema>_init_<tag>` instead (`tag`: [a-z0-9_]). */
std::string postgres_staging_locator(const std::string& locator, const std::string& tag);

}  // namespace xrca::store
