// The abstract Store, shaped by the authority's use cases (STYLE.md §9), not by tables. One
// implementation today (SqliteStore); a PostgreSQL one for multi-node clusters can sit beside it.
//
// Every method is atomic: it commits entirely or changes nothing. Implementations must be safe
// to call from many threads at once.
#pragma once

#include "store/records.h"

#include <stdexcept>
#include <string>

namespace xrca::store {

/** The store could not do what was asked (I/O, corruption, a newer schema, …). */
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** What was to be created exists already (an authority, a certificate ID, a trust entry). */
class ConflictError final : public StorageError {
public:
    using StorageError::StorageError;
};

class Store {
public:
    virtual ~Store() = default;
    Store() = default;
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // --- the authority -------------------------------------------------------------------
    virtual std::optional<AuthorityRecord> load_authority() = 0;
    /** Creates the authority with its keys, its chains and a log entry, in one transaction. */
    virtual void create_authority(const AuthorityRecord& authority, const std::vector<KeyBlob>& keys,
                                  const std::vector<ChainRecord>& chains, const LogEntry& entry) = 0;
    virtual std::optional<KeyBlob> load_key(const std::string& name) = 0;
    /** Stores a key unless one of that name exists; returns the stored one either way. */
    virtual KeyBlob save_key_if_absent(const KeyBlob& key) = 0;
    virtual std::vector<std::string> load_chain(const std::string& purpose) = 0;
    /**
     * Moves the authority to `state`, adding `keys` and replacing the chains of the purposes in
     * `chains`, with a log entry, in one transaction (a cluster becoming active on its SLC).
     */
    virtual void activate_authority(const std::string& state, const std::vector<KeyBlob>& keys,
                                    const std::vector<ChainRecord>& chains, const LogEntry& entry) = 0;

    // --- the issuance cycle (docs/issuance-cycle.md) --------------------------------------
    /** Records a pending certificate (ID, exact BODY) and its log entry in one transaction. */
    virtual void reserve_issuance(const CertificateRecord& pending, const LogEntry& entry) = 0;
    /** Marks a pending certificate issued with its signed text. */
    virtual void complete_issuance(const std::string& id, const std::string& xrml) = 0;
    /** Marks a pending certificate abandoned (signing failed) and logs why. */
    virtual void abandon_issuance(const std::string& id, const LogEntry& entry) = 0;
    virtual std::optional<CertificateRecord> find_certificate(const std::string& id) = 0;
    virtual std::vector<CertificateRecord> find_by_key(const std::string& key_fingerprint) = 0;
    virtual StoreCounts counts() = 0;

    /** The issued certificate recorded under `request_id`, if any (offline requests are idempotent). */
    virtual std::optional<CertificateRecord> find_issued_by_request(const std::string& request_id) = 0;
    /** Issued certificates whose BODY has that SHA-1 (lower-case hex). */
    virtual std::vector<CertificateRecord> find_by_license_hash(const std::string& hash) = 0;
    /** Issued certificates whose subject (cluster GUID, user ID, machine ID …) is `subject`. */
    virtual std::vector<CertificateRecord> find_by_subject(const std::string& subject) = 0;

    // --- revocation (docs/revocation.md) ---------------------------------------------------
    /**
     * Records a revocation with its log entry and bumps the policy revision, in one transaction.
     * ConflictError if the same type and value are revoked already. Returns the record's seq.
     */
    virtual std::int64_t add_revocation(const RevocationRecord& revocation, const LogEntry& entry) = 0;
    /** Every revocation, oldest first. */
    virtual std::vector<RevocationRecord> list_revocations() = 0;
    /** Adds (or, for min-spc-version, replaces) an exclusion with its log entry; bumps the revision. */
    virtual void set_exclusion(const ExclusionRecord& exclusion, const LogEntry& entry) = 0;
    /** Removes an exclusion; false if there was none (then nothing is logged). */
    virtual bool remove_exclusion(const std::string& kind, const std::string& value, const LogEntry& entry) = 0;
    virtual std::vector<ExclusionRecord> list_exclusions() = 0;
    /** Moves the authority to `state` with a log entry and bumps the revision (decommissioning). */
    virtual void set_authority_state(const std::string& state, const LogEntry& entry) = 0;
    /**
     * A counter that grows with every change to revocations, exclusions or the authority's
     * state: a process compares it to notice what another process recorded.
     */
    virtual std::int64_t policy_revision() = 0;

    // --- offline requests -----------------------------------------------------------------
    /**
     * Records a new pending request (superseding any earlier pending one), with the new key it
     * proves possession of when renewing with a new key, and its log entry, in one transaction.
     */
    virtual void record_offline_request(const OfflineRequestRecord& request, const std::optional<KeyBlob>& new_key,
                                        const LogEntry& entry) = 0;
    virtual std::optional<OfflineRequestRecord> find_offline_request(const std::string& request_id) = 0;
    virtual std::optional<OfflineRequestRecord> pending_offline_request() = 0;
    /**
     * Imports the response to pending request `request_id` in one transaction: the authority
     * becomes active, the request imported, `keys` added, the chains replaced and — when the
     * request was made with a new key — 'cluster-next' becomes 'cluster' and the old key
     * 'cluster-previous'. Throws ConflictError if the request is no longer pending.
     */
    virtual void import_response(const std::string& request_id, const std::vector<KeyBlob>& keys,
                                 const std::vector<ChainRecord>& chains, const LogEntry& entry) = 0;

    // --- escrowed user keys ---------------------------------------------------------------
    virtual std::optional<UserKeyRecord> find_user_key(const std::string& user_id) = 0;
    /** Inserts unless the user has a key already; returns the stored record (first writer wins). */
    virtual UserKeyRecord insert_user_key_if_absent(const UserKeyRecord& key) = 0;

    // --- trust lists ----------------------------------------------------------------------
    virtual void add_trust(const TrustRecord& trust, const LogEntry& entry) = 0;
    /** Removes every entry with that fingerprint; false if there was none (then nothing is logged). */
    virtual bool remove_trust(const std::string& fingerprint, const LogEntry& entry) = 0;
    virtual std::vector<TrustRecord> list_trust() = 0;

    // --- principals of the online service ------------------------------------------------
    /** Adds a principal with its log entry; ConflictError if the name (or token hash) exists. */
    virtual void add_principal(const PrincipalRecord& principal, const LogEntry& entry) = 0;
    /** Removes a principal; false if there was none (then nothing is logged). */
    virtual bool remove_principal(const std::string& name, const LogEntry& entry) = 0;
    virtual std::vector<PrincipalRecord> list_principals() = 0;
    virtual std::optional<PrincipalRecord> find_principal_by_token_hash(const std::string& token_hash) = 0;

    // --- the enrollment log ---------------------------------------------------------------
    virtual void append_log(const LogEntry& entry) = 0;
    /** Entries at or after `since` (ISO time; empty for all), oldest first. */
    virtual std::vector<LogEntry> read_log(const std::string& since) = 0;
    /** Recomputes the hash chain and compares it with the pinned head. */
    virtual LogCheck verify_log() = 0;
};

/** The hash of a log entry chained to `prev_hash` (hex SHA-256 over every field, length-prefixed). */
std::string log_entry_hash(const std::string& prev_hash, const LogEntry& entry);

}  // namespace xrca::store
