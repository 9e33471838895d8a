// The authority (ARCHITECTURE.md `ca/`): the facade every transport calls. It enforces who may
// issue what (docs/policy.md), runs the issuance cycle (docs/issuance-cycle.md) and logs every
// request, accepted or refused, in the enrollment log.
//
// Thread safety: all public methods may be called concurrently; keys are loaded once, lazily,
// under a mutex; signing runs outside any lock. The RNG passed in must be thread-safe when the
// authority is shared between threads (Botan::System_RNG is).
#pragma once

#include "ca/audit.h"
#include "ca/clock.h"
#include "ca/cluster_key_export.h"
#include "ca/errors.h"
#include "ca/issuer.h"
#include "ca/key_ring.h"
#include "ca/log_archive.h"
#include "ca/requests.h"
#include "ca/roles.h"
#include "ca/user_key_cache.h"
#include "store/store.h"

#include <array>
#include <functional>
#include <memory>
#include <mutex>

namespace Botan {
class RandomNumberGenerator;
class RSA_PrivateKey;
}  // namespace Botan

namespace xrca::ca {

/**
 * What the authority works with, chosen by the composition root (cli/, the tests, the
 * benchmarks): where it keeps its records, where its keys live, where fresh client keys come
 * from, and the time and randomness it may use. It builds none of these itself.
 */
struct Collaborators {
    store::Store& store;
    KeyRing& keys;
    KeySource& client_keys;  ///< CLC keys and new users' keys (sealed to clients, so software)
    const Clock& clock;
    Botan::RandomNumberGenerator& rng;
};

class Authority {
public:
    /** Opens the authority of `with.store`; Error(NotFound) if none was provisioned. */
    explicit Authority(const Collaborators& with, AuthorityOptions options = {});
    ~Authority();
    Authority(const Authority&) = delete;
    Authority& operator=(const Authority&) = delete;

    /** Provisions a new authority in an empty store (`xrca init`), logging it; its keys are made by `with.keys`. */
    static void provision(const Collaborators& with, const ProvisionRequest& request, const Caller& caller,
                          const AuthorityOptions& options = {});

    [[nodiscard]] Role role() const noexcept { return m_role; }
    [[nodiscard]] const store::AuthorityRecord& record() const noexcept { return m_record; }
    /** Fresh client keys ready for CLCs now (the pool's fill, for metrics). */
    [[nodiscard]] std::size_t client_keys_ready() { return m_client_keys.ready(); }
    [[nodiscard]] AuthorityStatus status();
    /**
     * Reconciles issuances an interrupted process left pending (docs/issuance-cycle.md): those
     * pending for longer than `options.stale_pending_minutes` are marked abandoned, each with a
     * log entry. The composition root calls it when it opens the authority to issue; returns how
     * many were abandoned.
     */
    std::size_t abandon_interrupted_issuances(const Caller& caller);

    /** This authority's own chain, leaf first: its SLC chain, or for an enrollment service its own. */
    [[nodiscard]] std::vector<std::string> own_chain();

    // --- readiness: what `xrca serve` checks before it listens, and /healthz watches ----------
    /**
     * Makes one real signature with the key this authority issues with (its cluster key, or an
     * enrollment service's own key) and verifies it: the proof that the key opens and signs.
     * Nothing is stored or logged. Error(KeyUnavailable) when the key does not open (a wrong
     * password or PIN), Error(Unavailable) when its token cannot be reached.
     */
    void prove_signing_key();
    /**
     * Seconds until this authority's own certificate (its SLC, or an enrollment service's) ends,
     * by the authority's clock (negative once it has ended); nullopt: none held.
     */
    [[nodiscard]] std::optional<std::int64_t> own_certificate_seconds_left();
    /** How old the published revocation list is, and how long lists are valid; nullopt: none published yet. */
    struct PublishedListAge {
        std::int64_t age_seconds = 0;
        std::int64_t valid_seconds = 0;
    };
    /** One one-row read of the store (the list's head). */
    [[nodiscard]] std::optional<PublishedListAge> published_revocation_list_age();

    /** The cluster key's public half (needs the key to be opened). */
    [[nodiscard]] xrml::PublicKey cluster_public_key();
    /** The root public key relying parties pin: the ISSUER key of the top of this authority's chain. */
    [[nodiscard]] xrml::PublicKey anchor_public_key();

    // --- issuance (each logs its request, accepted or refused) ------------------------------
    /**
     * Enroll at an enrollment service (the request's operation must be Enroll). A GUID already
     * certified here for another key needs the request's renewal proof, or `identity` AdminReplace
     * (docs/principals.md).
     */
    IssuedChain enroll(const ClusterRequest& request, const Caller& caller,
                       ClusterIdentity identity = ClusterIdentity::BoundToKey);
    /**
     * SubEnroll at a root cluster (the request's operation must be SubEnroll): as enroll, and a
     * sub-enroll principal (caller.account) is bound to the first GUID it enrolled.
     */
    IssuedChain sub_enroll(const ClusterRequest& request, const Caller& caller,
                           ClusterIdentity identity = ClusterIdentity::BoundToKey);
    IssuedChain certify_machine(const MachineRequest& request, const Caller& caller);
    IssuedChain issue_rac(const RacRequest& request, const Caller& caller);
    IssuedChain issue_clc(const ClcRequest& request, const Caller& caller);

    /**
     * Makes an awaiting cluster active with the SLC chain its issuer returned: verifies the chain
     * to the trust anchor, checks the SLC names this cluster's key, GUID and URL, stores the
     * chain and (root) creates the activation issuer — all in one transaction.
     */
    void activate(const std::vector<std::string>& slc_chain, const Caller& caller);

    /** GetLicensorCertificate (reference §3.3): this authority's chain, leaf first; logged. */
    std::vector<std::string> get_licensor_certificate(const Caller& caller);

    // --- offline enrollment (offline/ reads and writes the files) ------------------------
    /**
     * Prepares this cluster's Enroll (root) or SubEnroll (licensing) request, has `write_body`
     * render its body, signs that exact text with the key being certified and records the
     * pending request. `renew` keeps the GUID of an active cluster; `new_key` certifies a fresh key.
     */
    SignedRequest create_offline_request(bool renew, bool new_key, const Caller& caller,
                                         const std::function<std::string(const PreparedRequest&)>& write_body);
    /**
     * Imports the SLC chain answering pending request `request_id`: verifies it to the trust
     * anchor and against the request (key, GUID, URL, revocation authorities), then in one
     * transaction stores it and makes the cluster active. Replays and strangers are refused.
     */
    void import_response(const std::string& request_id, const std::vector<std::string>& slc_chain,
                         const Caller& caller);
    /**
     * The audit path for transports: a transport runs everything it does for one request in
     * `audit().run(…)`, so that a refusal it makes before any operation is logged exactly once
     * (ca/audit.h). The authority's own operations log their outcome themselves.
     */
    [[nodiscard]] Audit& audit() noexcept { return m_audit; }

    // --- principals of the online service (docs/principals.md) ---------------------------
    /**
     * Adds a principal and returns its bearer token — the only time it exists in clear; only
     * its SHA-256 is stored. Roles: enroll, sub-enroll, server, user (users need an email), admin
     * (signs in to the administrator's console, docs/console.md; calls no SOAP operation).
     * `may_certify`: a server's grants, the patterns of the other users it may certify (ca/user_grants.h).
     */
    std::string add_principal(const std::string& name, const std::string& role, const std::string& email,
                              const std::string& user_id, const Caller& caller,
                              const std::vector<std::string>& may_certify = {});
    void remove_principal(const std::string& name, const Caller& caller);
    /** Lets a server principal certify the users `pattern` matches (and so receive their keys); logged. */
    void grant_principal(const std::string& name, const std::string& pattern, const Caller& caller);
    /** Withdraws a grant; logged. Error(NotFound) if the principal holds no such grant. */
    void revoke_principal_grant(const std::string& name, const std::string& pattern, const Caller& caller);
    /** Binds a sub-enroll principal to cluster GUID `guid`, or with "" frees it to bind on its next SubEnroll; logged.
     */
    void set_principal_cluster(const std::string& name, const std::string& guid, const Caller& caller);
    [[nodiscard]] std::vector<store::PrincipalRecord> list_principals();
    /** The certificates `filter` selects, newest first, without their documents (docs/certificates.md). */
    [[nodiscard]] std::vector<store::ListedCertificate> list_certificates(const store::CertificateFilter& filter);
    /** The certificate `id` names, with its document once issued, and whether a revocation matches it. */
    [[nodiscard]] std::optional<store::ListedCertificate> find_certificate(const std::string& id);
    /** The principal whose token this is, or nullopt; the hashes are compared in constant time. */
    [[nodiscard]] std::optional<store::PrincipalRecord> authenticate(std::string_view token);

    // --- revocation and exclusion (docs/revocation.md) ----------------------------------------
    /**
     * Records a revocation, logged. What it names must be something this authority issued
     * (certificate ID or hash, a key or subject it certified); content and principal IDs are free.
     */
    store::RevocationRecord revoke(const RevocationRequest& request, const Caller& caller);
    /** What revoke() would record, checked the same way, and the certificates issued here it names; changes nothing. */
    struct RevocationPreview {
        store::RevocationRecord record;
        std::vector<store::ListedCertificate> certificates;  ///< newest first, at most 100
    };
    [[nodiscard]] RevocationPreview preview_revocation(const RevocationRequest& request);
    [[nodiscard]] std::vector<store::RevocationRecord> list_revocations();
    /** Signs this authority's list of every revocation, valid for `valid_for_days`; logged (RL-Sign). */
    std::string issue_revocation_list(std::int64_t valid_for_days, const Caller& caller);
    /**
     * The list the online service publishes: the one list of this authority kept in the store, so
     * every process on the same store serves the same bytes. Re-signed (and published by compare
     * and set, logged RL-Sign) when a revocation was recorded by any process since it was signed,
     * or when it is older than the refresh interval; otherwise this process's copy of it.
     */
    std::shared_ptr<const std::string> current_revocation_list(const Caller& caller);
    /** Where that list is published: base URL + k_revocation_list_path. */
    [[nodiscard]] std::string revocation_list_url() const;
    /** Exclusion policies (reference §5.5), logged: refused RAC keys, the minimum SPC version. */
    void exclude_rac_key(const xrml::PublicKey& key, const std::string& reason, const Caller& caller);
    void set_min_spc_version(const std::string& version, const std::string& reason, const Caller& caller);
    void remove_exclusion(ExclusionKind kind, const std::string& value, const Caller& caller);
    [[nodiscard]] std::vector<store::ExclusionRecord> list_exclusions();
    /** Stops all issuance and GetLicensorCertificate (ClusterDecommissioned); the revocation list stays served. */
    void decommission(const Caller& caller);
    [[nodiscard]] bool decommissioned();
    /**
     * The base URL (…/_wmcs) clients outside the organisation use (reference §3.4, §3.7): service
     * location answers it for the external types, RACs and CLCs carry it as their Extranet-*
     * distribution points. Empty: none. Read as stored now (another process may change it).
     */
    [[nodiscard]] std::string extranet_url();
    /** Sets (or, with "", clears) the extranet URL, logged; RACs and CLCs issued from now on carry it. */
    void set_extranet_url(const std::string& url, const Caller& caller);
    /**
     * Sets the trust anchor (a key fingerprint) a root or licensing cluster verifies its SLC chain
     * to at import, for a cluster initialised without --trust-anchor; allowed only while it awaits
     * its response, and logged. Error(WrongState) once active, Error(Usage) for an enrollment
     * service or a self-enrolled root (each is its own anchor).
     */
    void set_trust_anchor(const std::string& fingerprint, const Caller& caller);

    // --- log retention (docs/logging.md) ------------------------------------------------------
    /**
     * Moves the oldest log entries, those before `before` up to the first that is not, into a
     * signed archive written to `out`, and deletes them once `out` is committed; logged
     * (LogArchive). Error(NotFound) when there is nothing to archive. Needs the archive key
     * (the cluster key; an enrollment service's own key).
     */
    LogArchiveSummary archive_log(xrml::Time before, ArchiveOutput& out, const Caller& caller);
    /** True if `fingerprint` is one of this authority's keys that sign archives (current, previous, next). */
    [[nodiscard]] bool holds_key(const std::string& fingerprint);

    // --- disaster recovery (docs/backup.md) ----------------------------------------------------
    /**
     * Refuses, as export_cluster_key() would, unless this is an active cluster whose key the
     * software key ring holds: Error(WrongState) for an enrollment service or a cluster without
     * its SLC, Error(PolicyDenied) for a key in a PKCS#11 token. Reads the store only, so a
     * command can refuse before it asks for a password or PIN.
     */
    void check_cluster_key_exportable();
    /**
     * The trusted-publishing-domain export: the cluster key (and the key before the last
     * renewal), the SLC chain and the cluster's identity, written as an export file protected by
     * `export_password` (ca/cluster_key_export.h); logged (ClusterKeyExport), refusals too.
     */
    std::string export_cluster_key(const Password& export_password, const Caller& caller);
    /**
     * Provisions, in an empty store, the cluster an export describes: its GUID, name, URL, role,
     * crypto mode, anchor and revocation settings, its key(s) taken into `with.keys` (encrypted
     * under this installation's key password), logged (ClusterKeyImport); then activates it on
     * the export's SLC chain, checked as an imported response is (ActivateCluster). A root
     * cluster gets a new machine activation issuer and a new escrow for user keys.
     */
    static void provision_from_export(const Collaborators& with, const ClusterKeyExport& exported, const Caller& caller,
                                      const AuthorityOptions& options = {});

    // --- trust lists --------------------------------------------------------------------
    void add_trust(TrustPurpose purpose, const xrml::PublicKey& key, const std::string& label, const Caller& caller);
    void remove_trust(const std::string& fingerprint, const Caller& caller);
    [[nodiscard]] std::vector<store::TrustRecord> list_trust();
    /** Fingerprints of the SPC issuers this authority trusts (own activation issuer included). */
    [[nodiscard]] std::vector<std::string> trusted_spc_issuers();
    /** Fingerprints of the RAC issuers this authority trusts (own SLC, root SLC for licensing). */
    [[nodiscard]] std::vector<std::string> trusted_rac_issuers();

private:
    /** The REVOKE entry `request` makes, after the checks revoke() applies; sets the certificate it found. */
    store::RevocationRecord revocation_record(const RevocationRequest& request, std::string& certificate_id);
    struct Policy;
    /** Revocations, exclusions and decommissioning as stored now (re-read when another process changed them). */
    std::shared_ptr<const Policy> policy();
    std::vector<std::string> read_spc_issuers(const std::vector<store::TrustRecord>& trust);
    std::vector<std::string> read_rac_issuers(const std::vector<store::TrustRecord>& trust);
    // The checks of one request against one snapshot (read once per request).
    static void check_not_revoked(const Policy& p, const std::vector<xrml::Certificate>& docs, RmsFault fault,
                                  const char* what);
    static void check_cluster_not_revoked(const Policy& p, const xrml::PublicKey& key, const std::string& guid);
    static void check_machine_key_not_revoked(const Policy& p, const xrml::PublicKey& key);
    static void check_user_not_revoked(const Policy& p, const std::string& user_id);
    static void check_spc_version(const Policy& p, const std::string& repository);
    static void check_rac_key_not_excluded(const Policy& p, const xrml::PublicKey& key);
    struct VerifiedChain;
    /**
     * The chain of `texts` verified for `purpose` under `policy`: recalled when the same bytes
     * verified before under this snapshot and the leaf is still valid at `now`, else read and
     * checked by `verify` (which throws the refusal) and remembered.
     */
    template <typename Verify>
    std::shared_ptr<const VerifiedChain> verified_chain(const char* purpose, const std::vector<std::string>& texts,
                                                        const std::shared_ptr<const Policy>& policy, xrml::Time now,
                                                        Verify&& verify);
    struct SignedList;
    /** Signs a list of every revocation stored now, valid for `valid_for_days`; not logged. */
    SignedList sign_own_revocation_list(std::int64_t valid_for_days);
    /**
     * Signs a successor of the published list `seen` (nullopt: none yet) for policy `revision`
     * and publishes it unless another process published one first; logged (RL-Sign) only when
     * it was published. Returns the head published afterwards. m_list_mutex held.
     */
    store::PublishedListHead publish_successor(const std::optional<store::PublishedListHead>& seen,
                                               std::int64_t revision, const Caller& caller);
    struct SlcIssue;
    IssuedChain issue_slc(const SlcIssue& what);
    void self_enroll(const ProvisionRequest& request, const Caller& caller);
    struct SlcCheck;
    void check_slc_chain(const std::vector<xrml::Certificate>& docs, const SlcCheck& expected);
    std::vector<store::ChainRecord> chains_for_slc(const std::vector<xrml::Certificate>& docs,
                                                   const std::string& request_id, const Caller& caller,
                                                   const std::string& inputs, std::vector<store::KeyBlob>& keys);
    void check_proof(const std::optional<ProofOfPossession>& proof, const xrml::PublicKey& key, bool required);
    /** Enroll and SubEnroll's shared checks; the SLC issued before when the request ID was answered already. */
    std::optional<IssuedChain> check_cluster_request(const ClusterRequest& r);
    std::optional<IssuedChain> already_issued(const std::string& request_id, const xrml::PublicKey& key,
                                              const std::string& guid);
    /**
     * Refuses a GUID certified here for other keys unless the request proves one of them or an
     * administrator replaces the cluster; returns what to add to the log's inputs (why it passed).
     */
    std::string check_cluster_identity(const ClusterRequest& r, ClusterIdentity identity);
    /** A sub-enroll principal's first GUID binds it; another GUID afterwards is refused. */
    void bind_to_cluster(const Caller& caller, const std::string& guid);
    void forget_cached_chains();
    template <typename Fn>
    auto logged(const char* operation, const Caller& caller, const std::string& inputs, Fn&& fn) -> decltype(fn());
    store::LogEntry log_entry(const std::string& request_id, const char* operation, const Caller& caller,
                              const std::string& inputs, const std::string& certificate_id, const std::string& outcome,
                              const std::string& reason) const;
    /** Refuses (PolicyDenied) unless this authority's role may do `action` (ca/roles.h). */
    void require(Action action, const std::string& what) const;
    /** Refuses unless active and not decommissioned; returns the policy the request is checked against. */
    std::shared_ptr<const Policy> require_active();
    /** Issues `intent` through the issuance cycle and returns it with its issuer's chain behind it. */
    IssuedChain issue_with_chain(const Intent& intent, const std::vector<std::string>& issuer_chain);
    [[nodiscard]] KeyName archive_key() const;
    /** The signer of one of this authority's keys, with the digest of its crypto mode. */
    Signer& signer(KeyName name);
    [[nodiscard]] CryptoMode mode() const;
    std::shared_ptr<const Botan::RSA_PrivateKey> user_key(const std::string& user_id, const std::string& email);
    xrml::Principal own_principal();
    xrml::Certificate own_slc();
    /** The validity of own_slc() (its VALIDITYTIME, else its ISSUE right's range); nullopt: none held. */
    std::optional<xrml::TimeRange> own_certificate_validity();
    std::string new_id();

    store::Store& m_store;
    const Clock& m_clock;
    Botan::RandomNumberGenerator& m_rng;
    KeyRing& m_keys;
    KeySource& m_client_keys;
    Audit m_audit;
    Issuer m_issuer;
    AuthorityOptions m_options;
    store::AuthorityRecord m_record;
    Role m_role;

    // Serialises the identity check of a cluster request with its issuance, so that two requests
    // for one new GUID with two keys cannot both pass (within this process). One lock per GUID
    // (by its hash: GUIDs compare ignoring case): requests for other clusters do not wait for
    // this one's signature and sync.
    std::array<std::mutex, 64> m_cluster_mutexes;
    std::mutex& cluster_mutex(const std::string& guid);
    std::mutex m_mutex;  // guards the lazily loaded members below
    std::optional<xrml::Certificate> m_own_slc;
    std::optional<std::vector<std::string>> m_own_chain;
    std::optional<std::pair<std::vector<std::string>, xrml::Principal>> m_activation;  // chain, issuer principal
    std::shared_ptr<const Policy> m_policy;
    // Unwrapped user keys: decoding an escrowed PKCS#8 key costs as much as a signature, and a
    // user certifies every machine with the same key. Bounded (options.cached_user_keys), LRU.
    UserKeyCache m_user_keys;
    // Client chains already verified (a machine sends the same SPC chain with every Certify):
    // reading and verifying one costs about a third of the signature the request then needs.
    // Bounded (options.cached_chains), LRU; emptied when this cluster's keys change.
    LruCache<const VerifiedChain> m_verified_chains;

    // This process's copy of the published revocation list, known by its ID: its text is read
    // from the store only when another process published a new one, and held once, shared by
    // every response (lists can be 100 MB).
    struct PublishedCopy {
        store::PublishedListHead head;
        std::shared_ptr<const std::string> text;
    };
    std::mutex m_list_mutex;              // one re-signing or loading at a time; requests that need its result wait
    std::optional<PublishedCopy> m_list;  // guarded by m_list_mutex
};

}  // namespace xrca::ca
