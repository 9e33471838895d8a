// The store seam: role-shaped interfaces (STYLE.md §9), one per thing the authority keeps, with
// explicit writes and no domain rules. What a cluster's key rotation means, when a request is
// superseded or a cluster becomes active is decided in ca/ and arrives here as an explicit
// AuthorityChange; the log's hash chaining is one shared helper (store/log_chain.h) that every
// back end calls inside the transaction that appends.
//
// Back ends: SQLite (store/sqlite_store.h, the embedded default) and PostgreSQL
// (store/postgres_store.h, one authority shared by several processes; docs/store.md). A back end implements Store,
// passes the contract suite (tests/unit/store/contract_test.cpp) and is opened by the factory
// (store/factory.h) from a locator.
//
// Every method is atomic: it commits entirely or changes nothing. Implementations must be safe
// to call from many threads at once.
#pragma once

#include "store/log_chain.h"
#include "store/records.h"

#include <functional>
#include <stdexcept>
#include <string>

namespace xrca::store {

/** The store could not do what was asked (I/O, corruption, a newer schema, …). */
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/**
 * The database cannot be reached now: the server refuses connections, is shutting down or
 * restarting, or the connection to it was lost and a new one could not be made. Nothing was
 * changed (or, if the connection was lost while committing, CommitOutcomeUnknown says the outcome is
 * unknown instead). Transient: the service answers 503 and a later call may succeed. Only a
 * back end with a database server (PostgreSQL) throws it; SQLite never does.
 */
class StoreUnavailable final : public StorageError {
public:
    using StorageError::StorageError;
};

/**
 * The connection to the database was lost while a transaction was committing: the change may or
 * may not have been made (a later read tells). Like StoreUnavailable it is transient for the
 * caller, who may retry; only a back end with a database server throws it.
 */
class CommitOutcomeUnknown final : public StorageError {
public:
    using StorageError::StorageError;
};

/** What was to be created exists already, or a state change found another state than it expected. */
class ConflictError final : public StorageError {
public:
    using StorageError::StorageError;
};

/** The authority's record, its own chains, its offline requests, and every change of its state. */
class AuthorityStore {
public:
    virtual ~AuthorityStore() = default;
    virtual std::optional<AuthorityRecord> load_authority() = 0;
    /** Creates the authority with its keys, its chains and a log entry, in one transaction. */
    virtual void create_authority(const AuthorityRecord& authority, const std::vector<KeyBlob>& keys,
                                  const std::vector<ChainRecord>& chains, const LogEntry& entry) = 0;
    virtual std::vector<std::string> load_chain(const std::string& purpose) = 0;
    /**
     * Applies `change` in one transaction, in the order its fields are declared (see
     * AuthorityChange). ConflictError, and nothing changed, when a request is not in the state
     * the change expects.
     */
    virtual void apply(const AuthorityChange& change) = 0;
    virtual std::optional<OfflineRequestRecord> find_offline_request(const std::string& request_id) = 0;
    /** The newest request in state pending, if any. */
    virtual std::optional<OfflineRequestRecord> pending_offline_request() = 0;

protected:
    AuthorityStore() = default;
};

/** Protected private keys (or references to keys held elsewhere) and escrowed user keys. */
class KeyStore {
public:
    virtual ~KeyStore() = default;
    virtual std::optional<KeyBlob> load_key(const std::string& name) = 0;
    /** Every stored key, by name: one read where a listing (`xrca status`) would make one per name. */
    virtual std::vector<KeyBlob> list_keys() = 0;
    /** Stores a key unless one of that name exists; returns the stored one either way. */
    virtual KeyBlob save_key_if_absent(const KeyBlob& key) = 0;
    virtual std::optional<UserKeyRecord> find_user_key(const std::string& user_id) = 0;
    /** Inserts unless the user has a key already; returns the stored record (first writer wins). */
    virtual UserKeyRecord insert_user_key_if_absent(const UserKeyRecord& key) = 0;

protected:
    KeyStore() = default;
};

/** The issuance cycle's records (docs/issuance-cycle.md) and the lookups of what was issued. */
class IssuanceStore {
public:
    virtual ~IssuanceStore() = default;
    /** Records a pending certificate (ID, exact BODY) and its log entry in one transaction. */
    virtual void reserve_issuance(const CertificateRecord& pending, const LogEntry& entry) = 0;
    /** Marks a pending certificate issued with its signed text. */
    virtual void complete_issuance(const std::string& id, const std::string& xrml) = 0;
    /** Marks a pending certificate abandoned (signing failed) and logs why. */
    virtual void abandon_issuance(const std::string& id, const LogEntry& entry) = 0;
    /**
     * Reconciles what an interrupted process left behind: marks abandoned every certificate
     * still pending whose `issued` time is before `reserved_before` (ISO 8601), and appends for
     * each the entry `entry_for` makes of its record, all in one transaction. Returns those
     * records (status still "pending", as found). `entry_for` must not call the store.
     */
    virtual std::vector<CertificateRecord> abandon_stale_pending(
        const std::string& reserved_before, const std::function<LogEntry(const CertificateRecord&)>& entry_for) = 0;
    virtual std::optional<CertificateRecord> find_certificate(const std::string& id) = 0;
    virtual std::vector<CertificateRecord> find_by_key(const std::string& key_fingerprint) = 0;
    /** The issued certificate recorded under `request_id`, if any (offline requests are idempotent). */
    virtual std::optional<CertificateRecord> find_issued_by_request(const std::string& request_id) = 0;
    /** Issued certificates whose BODY has that SHA-1 (lower-case hex). */
    virtual std::vector<CertificateRecord> find_by_license_hash(const std::string& hash) = 0;
    /** Issued certificates whose subject (cluster GUID, user ID, machine ID …) is `subject`. */
    virtual std::vector<CertificateRecord> find_by_subject(const std::string& subject) = 0;
    /**
     * Issued certificates of `kind` whose subject equals `subject` ignoring ASCII case (a cluster's
     * GUID may be written in either case), oldest first.
     */
    virtual std::vector<CertificateRecord> find_by_kind_and_subject_ignoring_case(const std::string& kind,
                                                                                  const std::string& subject) = 0;
    /** The certificates `filter` selects, newest first, at most filter.limit; without their documents. */
    virtual std::vector<ListedCertificate> list_certificates(const CertificateFilter& filter) = 0;
    virtual StoreCounts counts() = 0;

protected:
    IssuanceStore() = default;
};

/** Revocations this authority recorded, and the one list it publishes (docs/revocation.md). */
class RevocationStore {
public:
    virtual ~RevocationStore() = default;
    /**
     * Records a revocation with its log entry and bumps the policy revision, in one transaction.
     * ConflictError if the same type and value are revoked already. Returns the record's seq.
     */
    virtual std::int64_t add_revocation(const RevocationRecord& revocation, const LogEntry& entry) = 0;
    /** Every revocation, oldest first. */
    virtual std::vector<RevocationRecord> list_revocations() = 0;
    /**
     * The head of the list every process serving this authority publishes; nullopt until the
     * first is published. One small row: cheap enough to read on every request.
     */
    virtual std::optional<PublishedListHead> published_revocation_list_head() = 0;
    /** The published list with its text (possibly newer than a head read before); nullopt if none. */
    virtual std::optional<PublishedList> load_published_revocation_list() = 0;
    /**
     * Compare and set: publishes `candidate` and appends `entry`, in one transaction, if the list
     * published now is the one whose ID is `expected` (nullopt: none yet); otherwise changes and
     * logs nothing. Of several processes that saw the same list and each signed a successor,
     * exactly one publishes. Returns the head published afterwards: `candidate`'s when it won,
     * the winner's when it lost (then load_published_revocation_list() has the winner's text).
     */
    virtual PublishedListHead publish_revocation_list(const std::optional<std::string>& expected,
                                                      const PublishedList& candidate, const LogEntry& entry) = 0;

protected:
    RevocationStore() = default;
};

/** What requests are checked against besides revocations: exclusions, trust lists, the revision. */
class PolicyStore {
public:
    virtual ~PolicyStore() = default;
    /** Adds (or, for min-spc-version, replaces) an exclusion with its log entry; bumps the revision. */
    virtual void set_exclusion(const ExclusionRecord& exclusion, const LogEntry& entry) = 0;
    /** Removes an exclusion; false if there was none (then nothing is logged). */
    virtual bool remove_exclusion(const std::string& kind, const std::string& value, const LogEntry& entry) = 0;
    virtual std::vector<ExclusionRecord> list_exclusions() = 0;
    /** ConflictError if that key is trusted for that purpose already. */
    virtual void add_trust(const TrustRecord& trust, const LogEntry& entry) = 0;
    /** Removes every entry with that fingerprint; false if there was none (then nothing is logged). */
    virtual bool remove_trust(const std::string& fingerprint, const LogEntry& entry) = 0;
    virtual std::vector<TrustRecord> list_trust() = 0;
    /**
     * A counter that grows with every change to revocations, exclusions, trust lists or the
     * authority's state (a change with bump_policy_revision): a process compares it to notice
     * what another process recorded.
     */
    virtual std::int64_t policy_revision() = 0;

protected:
    PolicyStore() = default;
};

/**
 * Callers of the online service; only the SHA-256 of a token is ever stored. A principal's record
 * comes back with its cluster binding and its grants (PrincipalRecord).
 */
class PrincipalStore {
public:
    virtual ~PrincipalStore() = default;
    /**
     * Adds a principal, with its grants (`may_certify`) and binding, and its log entry;
     * ConflictError if the name (or token hash) exists.
     */
    virtual void add_principal(const PrincipalRecord& principal, const LogEntry& entry) = 0;
    /** Removes a principal and its grants; false if there was none (then nothing is logged). */
    virtual bool remove_principal(const std::string& name, const LogEntry& entry) = 0;
    virtual std::vector<PrincipalRecord> list_principals() = 0;
    virtual std::optional<PrincipalRecord> find_principal(const std::string& name) = 0;
    virtual std::optional<PrincipalRecord> find_principal_by_token_hash(const std::string& token_hash) = 0;
    /**
     * Binds the principal to `cluster_guid` unless it is bound already, and returns the GUID it is
     * bound to now (the first writer wins, even under a race); nullopt if there is no such principal.
     * Not logged here: the request that binds is logged by its operation.
     */
    virtual std::optional<std::string> bind_principal_cluster(const std::string& name,
                                                              const std::string& cluster_guid) = 0;
    /** Sets (or with "" clears) the binding with its log entry; false if there is no such principal. */
    virtual bool set_principal_cluster(const std::string& name, const std::string& cluster_guid,
                                       const LogEntry& entry) = 0;
    /**
     * Adds a grant with its log entry; false if there is no such principal (nothing logged),
     * ConflictError if it holds that grant already.
     */
    virtual bool add_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) = 0;
    /** Removes a grant with its log entry; false if the principal holds no such grant (nothing logged). */
    virtual bool remove_principal_grant(const std::string& name, const std::string& pattern, const LogEntry& entry) = 0;

protected:
    PrincipalStore() = default;
};

/** Visits one log entry; returns false to stop the walk. */
using LogVisitor = std::function<bool(const LogEntry&)>;

/** The stretch of the log an archive takes: the entries after `from` up to and including `to`. */
struct LogArchiveCut {
    LogHead from;  ///< the checkpoint before the first archived entry (the previous archive's end, or the genesis)
    LogHead to;    ///< the last archived entry: the live log's checkpoint afterwards
    std::int64_t entries = 0;
};

/**
 * Writes the archive of `cut` while the store holds it (ca/ signs and publishes the file) and
 * returns the log entry that records the archive. It reads the entries through `entries` (a
 * walk oldest first) and must not call the store. Throwing changes nothing.
 */
using LogArchiveWriter =
    std::function<LogEntry(const LogArchiveCut& cut, const std::function<void(const LogVisitor&)>& entries)>;

/** The hash-chained enrollment log (docs/logging.md). */
class LogStore {
public:
    virtual ~LogStore() = default;
    virtual void append_log(const LogEntry& entry) = 0;
    /**
     * Visits the entries at or after `since` (ISO time; empty for all), oldest first, holding at
     * most one page of them in memory; the store is not locked while `visit` runs.
     */
    virtual void for_each_log(const std::string& since, const LogVisitor& visit) = 0;
    /** Every entry at or after `since`, oldest first (for tests and small logs: for_each_log streams). */
    std::vector<LogEntry> read_log(const std::string& since) {
        std::vector<LogEntry> out;
        for_each_log(since, [&](const LogEntry& e) {
            out.push_back(e);
            return true;
        });
        return out;
    }
    /**
     * Recomputes the hash chain (store/log_chain.h) from the archived checkpoint, one entry at a
     * time, and compares its end with the pinned head.
     */
    virtual LogCheck verify_log() = 0;
    /** The last archived entry the live log continues from; the genesis (seq 0) if none was archived. */
    virtual LogHead log_checkpoint() = 0;
    /**
     * Archives the oldest entries: the entries after the checkpoint whose time is before
     * `before` (ISO), up to the first that is not, are handed to `write`, from one snapshot;
     * then, in one transaction, they are deleted, the checkpoint moves to the last of them and
     * the entry `write` returned is appended. Returns the cut, or nullopt (and `write` is not
     * called, nothing changes) when the oldest kept entry is not before `before`. Whatever
     * `write` throws leaves the log as it was, and is rethrown. ConflictError, and nothing
     * deleted, if another archive moved the checkpoint after `write` began (its file then holds
     * entries the log still has). Other writers wait only for the deletion, not for `write`.
     */
    virtual std::optional<LogArchiveCut> archive_log(const std::string& before, const LogArchiveWriter& write) = 0;

protected:
    LogStore() = default;
};

/** Everything one authority keeps: what a back end implements and the factory opens. */
class Store : public AuthorityStore,
              public KeyStore,
              public IssuanceStore,
              public RevocationStore,
              public PolicyStore,
              public PrincipalStore,
              public LogStore {
public:
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;
    ~Store() override = default;
    /** What kind of back end this is, for messages ("SQLite database /path/xrca.db"). */
    [[nodiscard]] virtual std::string describe() const = 0;
};

}  // namespace xrca::store
