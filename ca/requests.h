// Transport-neutral requests and results of the authority (STYLE.md §9.2): the CLI, the offline
// files and the SOAP handlers all translate into these and out of them.
#pragma once

#include "ca/crypto_mode.h"
#include "store/records.h"
#include "xrml/certificate.h"
#include "xrml/revocation.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xrca::ca {

/** The three kinds of authority (ARCHITECTURE.md). */
enum class Role { Enrollment, Root, Licensing };

const char* role_name(Role role) noexcept;
/** Parses "enrollment" | "root" | "licensing"; Error(Usage) otherwise. */
Role parse_role(const std::string& text);

/** Where an authority is in its life (docs/policy.md). */
enum class AuthorityState {
    AwaitingResponse,  ///< a cluster waiting for its SLC
    Active,
    Decommissioned,  ///< issues nothing more; still serves its chain and revocation list
};
const char* state_name(AuthorityState state) noexcept;
/** Parses what state_name wrote; Error(Internal) for anything else (it comes from the store). */
AuthorityState parse_state(const std::string& text);

/** How a root cluster's certificates are revoked (reference §5.3). */
enum class RevocationMode {
    Standard,  ///< by the issuers in its chain
    Custom,    ///< also by the revocation authorities named in its SLC
};
const char* revocation_mode_name(RevocationMode mode) noexcept;
/** Parses "standard" | "custom"; nullopt otherwise. */
std::optional<RevocationMode> parse_revocation_mode(const std::string& text);

/** What a trusted key may have issued (docs/policy.md): machine certificates or RACs. */
enum class TrustPurpose {
    SpcIssuer,  ///< SPCs it issued are accepted at Certify (a root cluster only)
    RacIssuer,  ///< RACs it issued are accepted at GetClientLicensorCert
};
/** "spc-issuer" | "rac-issuer". */
const char* trust_purpose_name(TrustPurpose purpose) noexcept;

/** A server-side exclusion (reference §5.5). */
enum class ExclusionKind {
    RacKey,         ///< a RAC key refused at GetClientLicensorCert
    MinSpcVersion,  ///< the lowest security-processor version accepted
};
/** "rac-key" | "min-spc-version". */
const char* exclusion_kind_name(ExclusionKind kind) noexcept;

/** Which SLC a cluster asks for (reference §3.1, §3.2). */
enum class ClusterOperation {
    Enroll,     ///< a root cluster, at an enrollment service
    SubEnroll,  ///< a licensing cluster, at its root cluster
};
/** "Enroll" | "SubEnroll": the RMS operation name, also written in request files and the log. */
const char* cluster_operation_name(ClusterOperation operation) noexcept;
/** Parses "Enroll" | "SubEnroll"; nullopt otherwise. */
std::optional<ClusterOperation> parse_cluster_operation(const std::string& text);

/** Who asked, and over what: recorded in the enrollment log with every request. */
struct Caller {
    std::string principal = "local";  ///< the authenticated caller, or "cli:USER" locally
    std::string address;              ///< source address, when over a network
    std::string user_agent;
    bool tls = false;
    /** No authenticated principal: counted per source, not logged one by one (ca/anonymous_traffic.h). */
    bool anonymous = false;
    /**
     * The principal of the online service that authenticated (set by the service, never from a
     * request); nullopt locally. Operations check its binding and grants (docs/principals.md).
     */
    std::optional<store::PrincipalRecord> account;
};

/** Tunables with RMS's defaults (reference §1.4). */
struct AuthorityOptions {
    std::int64_t slc_validity_days = 365;
    std::int64_t hierarchy_validity_days = 20 * 365;
    std::int64_t rac_validity_days = 365;
    std::int64_t temporary_rac_validity_minutes = 15;
    std::int64_t backdate_minutes = 15;  ///< certificateValidityTimeTolerance
    std::size_t clc_key_pool_capacity = 16;
    std::size_t clc_key_pool_threads = 1;
    std::size_t key_kdf_iterations = 150000;
    /** The validity of the list the online service serves, and how often it re-signs it unchanged. */
    std::int64_t revocation_list_validity_days = 7;
    std::int64_t revocation_list_refresh_seconds = 24 * 3600;
    /** How anonymous requests are counted in the log (one entry per source and window). */
    std::int64_t anonymous_window_seconds = 60;
    std::size_t anonymous_sources = 1024;
    /** Users whose unwrapped private keys are kept in memory between Certify requests (LRU). */
    std::size_t cached_user_keys = 1024;
    /** Client chains (SPC, RAC) kept verified between requests, by their exact bytes (LRU; ~10 KB each). */
    std::size_t cached_chains = 1024;
    /**
     * How long an issuance may stay pending before the authority, when it opens to issue,
     * takes it for one an interrupted process left and marks it abandoned (docs/issuance-cycle.md).
     */
    std::int64_t stale_pending_minutes = 10;
};

/** `xrca init`. */
struct ProvisionRequest {
    Role role = Role::Root;
    std::string name;
    std::string base_url;
    std::string extranet_url;  ///< the base URL outside the organisation; empty: none
    CryptoMode crypto_mode = CryptoMode::mode2();
    bool self_enroll = false;
    RevocationMode revocation = RevocationMode::Standard;
    std::vector<xrml::PublicKey> revocation_authorities;
    std::optional<std::string> trust_anchor;  ///< fingerprint of the enrollment service's root key
    std::string sku = "xrca";
    /** The SLC's Server-Version: a dotted version, written in four parts as real servers do. */
    std::string version = "0.1.0.0";
};

/**
 * Proof of possession of a cluster key (xrca's addition to RMS enrollment): a PKCS#1 v1.5
 * signature by the key being certified over `signed_text` (hashed as UTF-16LE, like XrML BODY).
 */
struct ProofOfPossession {
    std::string signed_text;
    xrml::DigestAlgorithm digest = xrml::DigestAlgorithm::Sha256;
    std::vector<std::uint8_t> signature;
};

/**
 * Enroll (reference §3.1) or SubEnroll (§3.2): a cluster asks for its SLC. One shape for both
 * operations, online and offline; SubEnroll carries no revocation information.
 */
struct ClusterRequest {
    ClusterOperation operation = ClusterOperation::Enroll;
    xrml::PublicKey cluster_key;
    std::string cluster_guid;
    std::string name;
    std::string url;
    std::string sku;
    std::string version;
    RevocationMode revocation = RevocationMode::Standard;  ///< Enroll only
    std::vector<xrml::PublicKey> revocation_authorities;   ///< Enroll with custom revocation
    std::string request_id;                  ///< offline request ID: processing it again returns the same SLC
    std::optional<ProofOfPossession> proof;  ///< required for offline requests
    std::optional<CryptoMode> crypto_mode;   ///< the requester's mode, when it states one
    /**
     * A renewal with a new key: a proof of possession over the same text by a key already
     * certified for this GUID (docs/offline-files.md). Without it, or an administrator's
     * replacement, a GUID whose SLCs certify another key is refused.
     */
    std::optional<ProofOfPossession> renewal_proof;
};

/**
 * Whether a cluster GUID stays bound to the keys its SLCs certify (a new key needs a renewal
 * proof by one of them), or an administrator replaces the cluster (`xrca process
 * --replace-cluster`): the new key is certified without a proof, and that is logged.
 */
enum class ClusterIdentity {
    BoundToKey,
    AdminReplace,
};

/**
 * What a cluster puts in an offline request (offline/ writes it; the authority signs it): the
 * request with its ID, operation, key, identity, revocation and mode set, and when it was made.
 */
struct PreparedRequest : ClusterRequest {
    xrml::Time created;
};

/** An offline request, signed: the exact body text and the proof of possession over it. */
struct SignedRequest {
    PreparedRequest request;
    std::string body;
    ProofOfPossession proof;
    std::optional<ProofOfPossession> renewal_proof;  ///< by the current key, when a renewal certifies a new key
};

/** Machine activation: an SPC for a machine key (xrca's own activation, reference §3.6). */
struct MachineRequest {
    xrml::PublicKey machine_key;
    std::vector<std::uint8_t> hardware_id_digest;  ///< SHA-256 of the hardware-ID information
    std::string platform = "xrca";
    std::string manufacturer = "xrca";
    std::string repository = "1.0.0.0";  ///< security-processor version
    /** Online activation: the machine proves it holds the key (checked when present). */
    std::optional<ProofOfPossession> proof;
};

/** Certify (reference §3.4): an SPC chain in, a RAC chain out. */
struct RacRequest {
    std::vector<std::string> spc_chain;  ///< the documents as received, leaf first (one text may hold several)
    std::string user_id;                 ///< Windows SID or federation ID; the RAC's Group-Identity ID
    std::string email;
    bool temporary = false;
};

/** GetClientLicensorCert (reference §3.5): a RAC chain in, a CLC chain out. */
struct ClcRequest {
    std::vector<std::string> rac_chain;  ///< the documents as received, leaf first (one text may hold several)
    /** Online: the authenticated caller's user ID; a RAC of anyone else is refused. Empty locally. */
    std::string caller_user_id;
};

/**
 * `xrca revoke` / `xrca revocation-authority sign`: one thing to revoke (reference §5.2). The
 * *-id types take `value` (an ID), license-hash takes `value` (40 hex digits, the SHA-1 of the
 * UTF-16LE BODY), the *-key types take `key`.
 */
struct RevocationRequest {
    xrml::RevokeType type = xrml::RevokeType::LicenseId;
    std::string value;
    std::optional<xrml::PublicKey> key;
    std::string reason;
};

/** An issued certificate and its chain, leaf first, as exact strings. */
struct IssuedChain {
    std::string certificate_id;
    std::string kind;
    std::vector<std::string> documents;
    /** The chain as one file: the documents concatenated, leaf first. */
    [[nodiscard]] std::string text() const;
};

/** Where one of the authority's keys lives, for `xrca status`. */
struct KeyLocation {
    std::string name;         ///< "cluster", "activation", … or "escrow-key"
    std::string fingerprint;  ///< empty for a secret that is not an RSA key
    store::KeyCustody custody = store::KeyCustody::Software;
    std::string token;   ///< the PKCS#11 token's label (custody pkcs11)
    std::string object;  ///< the object's label in it (custody pkcs11)
};

/** What `xrca status` shows. */
struct AuthorityStatus {
    std::string role, name, guid, base_url, extranet_url, state, revocation, anchor_fingerprint;
    CryptoMode crypto_mode = CryptoMode::mode2();
    std::optional<xrml::TimeRange> slc_validity;
    std::string slc_key_fingerprint;
    std::map<std::string, std::int64_t> issued_by_kind;
    std::int64_t pending = 0, user_keys = 0, log_entries = 0, trusted_keys = 0;
    std::string pending_request_id;  ///< an offline request awaiting its response
    std::string pending_key_fingerprint;
    std::vector<KeyLocation> keys;  ///< the authority's keys, where each lives
};

}  // namespace xrca::ca
