// Records the store keeps, independent of SQL rows. Times are ISO 8601 strings
// ("YYYY-MM-DDTHH:MM:SSZ"); the ca layer converts them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xrca::store {

/** The one authority of a data directory. */
struct AuthorityRecord {
    std::string role;  ///< enrollment | root | licensing
    std::string name;
    std::string guid;  ///< braced GUID of the cluster / service
    std::string base_url;
    std::string extranet_url;  ///< the base URL outside the organisation (…/_wmcs); empty: none
    int crypto_mode = 2;
    std::string state;               ///< active | awaiting-response | decommissioned
    std::string revocation;          ///< standard | custom
    std::string anchor_fingerprint;  ///< the root key relying parties pin (enrollment: its own)
    std::string sku;
    std::string version;
    std::string created;
};

/** Where a stored key lives. */
enum class KeyCustody {
    Software,  ///< `encrypted` holds the key as encrypted PKCS#8 (PBES2), or another protected secret
    Pkcs11,    ///< the key stays in a PKCS#11 token; `encrypted` holds only a reference to it (ca/pkcs11_reference.h)
};

/** A private key of the authority, or a secret its key ring keeps, as the store holds it. */
struct KeyBlob {
    std::string name;
    std::string fingerprint;
    std::vector<std::uint8_t> encrypted;  ///< what `custody` says: encrypted PKCS#8, a secret, or a token reference
    KeyCustody custody = KeyCustody::Software;
};

/** One of this authority's own chains, leaf first. */
struct ChainRecord {
    std::string purpose;
    std::vector<std::string> documents;
};

/** An issued (or pending) certificate. */
struct CertificateRecord {
    std::string id;
    std::string kind;
    std::string status;  ///< pending | issued | abandoned
    std::string subject;
    std::string issuer_fingerprint;
    std::string key_fingerprint;
    std::string issued;
    std::optional<std::string> valid_from;
    std::optional<std::string> valid_until;
    std::string body;                 ///< the exact BODY text, recorded before signing; empty once `xrml` holds it
    std::optional<std::string> xrml;  ///< the signed document, once issued
    std::string request_id;
    std::string license_hash;  ///< SHA-1 of the UTF-16LE BODY, lower-case hex (what license-hash revokes by)
    /** The machine ID an SPC names, or the one a RAC was sealed to; none for other kinds and older rows. */
    std::optional<std::string> machine;
};

/** Most rows one certificate listing returns, whatever its filter asks. */
inline constexpr std::size_t k_max_listed_certificates = 1000;

/**
 * Which certificates a listing shows (`xrca certs list`, docs/certificates.md): every field that is
 * set must match. Newest first; `before` continues a listing after its last row.
 */
struct CertificateFilter {
    std::optional<std::string> id;            ///< one certificate ID (ASCII case ignored)
    std::optional<std::string> kind;          ///< a DESCRIPTOR type, e.g. Group-Identity-Credential
    std::optional<std::string> subject;       ///< user ID, machine ID or cluster GUID (ASCII case ignored)
    std::optional<std::string> machine;       ///< the machine ID (ASCII case ignored)
    std::optional<std::string> key;           ///< the fingerprint of the key it was issued to
    std::optional<std::string> issuer_key;    ///< the fingerprint of the key that signed it
    std::optional<std::string> license_hash;  ///< the SHA-1 of its BODY, lower-case hex
    std::optional<std::string> issued_since;  ///< ISO 8601, inclusive
    std::optional<std::string> issued_until;  ///< ISO 8601, exclusive
    std::optional<bool> revoked;              ///< matched (true) or not matched (false) by a recorded revocation
    std::string status = "issued";            ///< issued | pending | abandoned | "" for all
    /** Rows strictly older than this (issued, id) pair: the last row of the previous page. */
    std::optional<std::pair<std::string, std::string>> before;
    std::size_t limit = 100;
};

/**
 * A row of a listing: the record without its document (find_certificate reads that), and whether
 * a revocation recorded here matches it by its ID, BODY hash, subject, key or issuer key.
 */
struct ListedCertificate {
    CertificateRecord certificate;
    bool revoked = false;
};

/** One revocation this authority recorded (reference §5.2: one REVOKE of its lists). */
struct RevocationRecord {
    std::int64_t seq = 0;
    std::string
        type;  ///< license-id | license-hash | issuer-key | issuer-id | content-id | principal-id | principal-key
    std::string value;        ///< the normalised value compared: ID, hex digest or key fingerprint
    std::string object_type;  ///< OBJECT type (the *-id types)
    std::string id_type;      ///< ID type attribute
    std::string id;           ///< ID text as emitted
    std::optional<std::string> name;
    std::string public_key;  ///< the <PUBLICKEY> element (the *-key types)
    std::string reason;
    std::string revoked;
    std::string caller;
};

/**
 * Which revocation list this authority publishes now (docs/revocation.md), without its text: what
 * a serving process reads per request to decide whether its copy is current.
 */
struct PublishedListHead {
    std::string id;             ///< the list's GUID (its DESCRIPTOR OBJECT ID)
    std::int64_t revision = 0;  ///< the policy revision read before its revocations were read
    std::string signed_at;      ///< its ISSUEDTIME
};

/** The published revocation list with its signed text, exactly as every node serves it. */
struct PublishedList {
    PublishedListHead head;
    std::string xrml;
};

/** A server-side exclusion (reference §5.5): an excluded RAC key, or the minimum SPC version. */
struct ExclusionRecord {
    std::string kind;    ///< rac-key | min-spc-version
    std::string value;   ///< key fingerprint | dotted version
    std::string detail;  ///< the <PUBLICKEY> element of an excluded key
    std::string reason;
    std::string added;
};

/** An escrowed user key pair. */
struct UserKeyRecord {
    std::string user_id;
    std::string email;
    std::string fingerprint;
    std::vector<std::uint8_t> encrypted;
    std::string created;
};

/** A trusted SPC or RAC issuer key. */
struct TrustRecord {
    std::string fingerprint;
    std::string purpose;     ///< spc-issuer | rac-issuer
    std::string public_key;  ///< the <PUBLICKEY> element
    std::string label;
    std::string added;
};

/** One enrollment-log entry (reference §6). `seq`, `prev_hash` and `hash` are set by the store. */
struct LogEntry {
    std::int64_t seq = 0;
    std::string request_id;
    std::string time;
    std::string operation;
    std::string caller;
    std::string inputs;
    std::string certificate_id;
    std::string outcome;  ///< accepted | refused | failed
    std::string reason;
    std::string prev_hash;
    std::string hash;
};

/** The result of checking the log's hash chain. */
struct LogCheck {
    bool ok = true;
    std::int64_t entries = 0;
    std::string problem;        ///< what was found, naming the entry
    std::int64_t from_seq = 0;  ///< the archived checkpoint the chain was checked from (0: the first entry)
};

/** An offline (sub-)enrollment request this cluster wrote and awaits the response to. */
struct OfflineRequestRecord {
    std::string request_id;
    std::string operation;  ///< Enroll | SubEnroll
    std::string key_name;   ///< cluster | cluster-next
    std::string key_fingerprint;
    std::string revocation;
    std::string authorities;  ///< comma-separated fingerprints
    std::string created;
    std::string state;  ///< pending | imported | superseded
};

/** A caller of the online service; the bearer token itself is never stored. */
struct PrincipalRecord {
    std::string name;
    std::string role;  ///< enroll | sub-enroll | server | user | admin
    std::string email;
    std::string user_id;
    std::string token_hash;  ///< lower-case hex SHA-256 of the token
    std::string created;
    std::string cluster_guid;              ///< sub-enroll: the cluster GUID it is bound to ("" until its first)
    std::vector<std::string> may_certify;  ///< server: patterns of the other users it may certify, sorted
};

/** A key's new name: promotion of a renewed cluster key is a sequence of these. */
struct KeyRename {
    std::string from;
    std::string to;
};

/** A request moving from one state to another; the change fails (ConflictError) if it is not in `from`. */
struct RequestTransition {
    std::string request_id;
    std::string from;  ///< pending
    std::string to;    ///< imported | superseded
};

/**
 * One change of the authority's state, decided in ca/ and written as one transaction. The store
 * applies the fields in the order declared: request transitions (checked), the new request,
 * key deletions, renames, additions (replacing a key of the same name), chain replacements, the
 * state, the policy revision, and the log entry.
 */
struct AuthorityChange {
    std::vector<RequestTransition> requests;
    std::optional<OfflineRequestRecord> new_request;
    std::vector<std::string> delete_keys;
    std::vector<KeyRename> rename_keys;
    std::vector<KeyBlob> add_keys;
    std::vector<ChainRecord> chains;  ///< each replaces the stored chain of its purpose
    std::optional<std::string> state;
    std::optional<std::string> extranet_url;        ///< replaces the authority's (empty: none)
    std::optional<std::string> anchor_fingerprint;  ///< replaces the trust anchor the authority pins
    bool bump_policy_revision = false;
    LogEntry entry;
};

/** Counts for `xrca status`. */
struct StoreCounts {
    std::map<std::string, std::int64_t> issued_by_kind;
    std::int64_t pending = 0;
    std::int64_t user_keys = 0;
    std::int64_t log_entries = 0;
    std::int64_t trusted_keys = 0;
};

}  // namespace xrca::store
