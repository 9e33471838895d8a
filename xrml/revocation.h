// Revocation lists (reference §5.2): the signed XrML document RMS revokes with, its REVOKE
// entries, and an index that answers "is anything in this document revoked?" by hash lookups,
// so that checking a chain against a list of a million entries costs microseconds.
// Who may sign a list that counts for a chain, and how old a list may be, are decided by the
// caller (the chain verifier); this header only reads, builds and looks up.
#pragma once

#include "xrml/certificate.h"
#include "xrml/chain.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace xrca::xrml {

namespace names {
inline constexpr const char* revocation_list = "Revocation-List";
/**
 * The `type` attribute written on REVOCATIONLIST. The RMS SDK's DTD makes the attribute
 * required but no public document gives its value (the samples omit it): this is xrca's
 * choice, the list's DESCRIPTOR type. Readers take lists with any value or none.
 */
inline constexpr const char* revocation_list_element_type = "Revocation-List";
}  // namespace names

/** The REVOKE category/type pairs of reference §5.2. */
enum class RevokeType { LicenseId, LicenseHash, IssuerKey, IssuerId, ContentId, PrincipalId, PrincipalKey };

const char* revoke_category(RevokeType type) noexcept;   ///< license | content | principal
const char* revoke_type_name(RevokeType type) noexcept;  ///< license-id, license-hash, …
/** The type named `name` (license-id, …), or nullopt. */
std::optional<RevokeType> parse_revoke_type(std::string_view name) noexcept;

/** An ID as the *-id types compare it: trimmed and case-folded (reference §5.2). */
std::string revocation_id_value(std::string_view id);

/** One REVOKE: an OBJECT (the *-id types), a SHA-1 DIGEST (license-hash) or a PUBLICKEY. */
struct RevokeEntry {
    RevokeType type = RevokeType::LicenseId;
    XrmlObject object;
    std::vector<std::uint8_t> sha1;
    std::optional<PublicKey> key;
    /** The value compared: a trimmed, case-folded ID, hex digest, or key fingerprint. */
    [[nodiscard]] std::string match_value() const;
};

/** What a list says, for building one (the BODY; the signer adds SIGNATURE). */
struct RevocationListTemplate {
    std::string id;  ///< DESCRIPTOR/OBJECT/ID (MS-GUID)
    Time issued;
    std::optional<TimeRange> validity;  ///< xrca's extension: how long the issuer means it to count
    Principal issuer;                   ///< OBJECT type Revocation-List (ID, NAME, ADDRESS) + PUBLICKEY
    std::vector<RevokeEntry> entries;
};
std::string build_revocation_list_body(const RevocationListTemplate& t);

/** A list read strictly (not yet verified: verify_signature(document) does that). */
struct RevocationList {
    Certificate document;
    std::vector<RevokeEntry> entries;
};
/**
 * The largest list file read: a million entries take about 170 MB (docs/revocation.md). The
 * reader holds the file's text once and its entries a piece at a time, so reading a list takes
 * little more than its size beside what the caller keeps (the entries, or only an index).
 */
inline constexpr std::size_t k_max_revocation_list_bytes = std::size_t{192} * 1024 * 1024;

/** How a list is read. */
struct RevocationReadOptions {
    std::size_t max_bytes = k_max_revocation_list_bytes;
    /** The entries are parsed in pieces of about this many bytes (whole REVOKE elements). */
    std::size_t chunk_bytes = std::size_t{256} * 1024;
};

/**
 * Reads one revocation list document, entries and all; FormatError naming what is wrong. No
 * DOM of the whole list is built (see read_revocation_list_streaming).
 */
RevocationList read_revocation_list(std::string_view text, std::size_t max_bytes = k_max_revocation_list_bytes);

/** Told the list's document (and how many REVOKE elements it has) before any entry; returns
 * whether it wants the entries. */
using RevocationHeaderSink = std::function<bool(const Certificate& document, std::size_t revokes)>;
using RevokeEntrySink = std::function<void(const RevokeEntry& entry)>;

/**
 * The reader under read_revocation_list and read_checked_list. It applies the same checks and
 * gives the same FormatErrors as a strict read of the whole document (encoding, size, the
 * splitter's refusals, well-formedness, the XrML header, the document kind, each REVOKE in
 * order, naming its element path) but parses the REVOCATIONLIST a piece at a time
 * (`options.chunk_bytes`) and keeps no entry: `on_entry` is handed each one in order, after
 * `on_header` was handed the document, its exact text included. Returns the document.
 * When the input has a fault, the callbacks may have been called before the error is thrown.
 */
Certificate read_revocation_list_streaming(std::string text, const RevocationReadOptions& options,
                                           const RevocationHeaderSink& on_header, const RevokeEntrySink& on_entry);

/** The SHA-1 of a document's UTF-16LE BODY text, lower-case hex: what license-hash names. */
std::string license_hash(const Certificate& document);
/** The same, from the exact BODY text (known before the document is signed). */
std::string body_license_hash(std::string_view body_text);

/** A revoked thing found in a document. */
struct RevocationMatch {
    RevokeType type = RevokeType::LicenseId;
    std::string value;    ///< the matched value
    std::string list_id;  ///< which list revoked it
};

/**
 * Entries of accepted lists, by type and value: one open-addressing table over one buffer of
 * values (about 80 bytes an entry), so that a million entries cost tens of megabytes, not the
 * hundreds a map of strings takes.
 */
class RevocationIndex {
public:
    void add(const RevocationList& list);
    /** Adds one entry, attributed to list `list_id`. */
    void add(const RevokeEntry& entry, const std::string& list_id);
    /** Adds a value already normalised as RevokeEntry::match_value() gives it. */
    void add(RevokeType type, const std::string& match_value, const std::string& list_id);
    /** Makes room for `entries` more entries (their values about 48 bytes each). */
    void reserve(std::size_t entries);
    /** Whether `match_value` is revoked as `type` (e.g. a key fingerprint as principal-key). */
    [[nodiscard]] std::optional<RevocationMatch> find_value(RevokeType type, const std::string& match_value) const {
        return lookup(type, match_value);
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_count; }
    /** The first revoked thing in `document` (its ID, hash, issuer key/ID, principal ID/key, content). */
    [[nodiscard]] std::optional<RevocationMatch> find(const Certificate& document) const;
    /** Bytes held (the table, the values, the list IDs), for measurements. */
    [[nodiscard]] std::size_t memory_bytes() const noexcept;

private:
    // A slot: the key's bytes (a type byte, then the value) at m_keys[offset, offset + size),
    // the list that revoked it, and the hash's high half to skip most comparisons. size 0: empty.
    struct Slot {
        std::uint32_t tag = 0;
        std::uint32_t offset = 0;
        std::uint32_t size = 0;
        std::uint32_t list = 0;
    };
    [[nodiscard]] std::optional<RevocationMatch> lookup(RevokeType type, const std::string& value) const;
    [[nodiscard]] bool has(RevokeType type) const noexcept { return m_has[static_cast<std::size_t>(type)]; }
    /** The slot holding `key`, or the empty slot where it belongs. */
    [[nodiscard]] std::size_t probe(std::string_view key, std::uint64_t hash) const noexcept;
    void grow(std::size_t capacity);
    std::vector<Slot> m_slots;  // a power of two long, at most half full
    std::string m_keys;
    std::vector<std::string> m_lists;  // list IDs, by Slot::list
    std::size_t m_count = 0;
    std::array<bool, 7> m_has{};  // which types occur: values of absent types are never computed
};

// --- honouring lists while verifying chains -----------------------------------------------

/** A list a verifier was given, checked on its own: signature and age. */
struct CheckedList {
    std::string list_id;  ///< DESCRIPTOR/OBJECT/ID
    Time issued;
    std::string signer_fingerprint;
    std::string problem;  ///< empty when usable: else why it is ignored (bad signature, stale …)
    RevocationIndex index;
};

/**
 * Checks a list's signature (against its own ISSUER key) and its age at `at`: outside its
 * VALIDITYTIME, or issued more than `max_age_seconds` ago, it is stale.
 */
CheckedList check_list(const RevocationList& list, Time at, std::optional<std::int64_t> max_age_seconds);

/**
 * Reads a list file and checks it as check_list does, without keeping its entries: the
 * signature and age are checked once the header is read, and the entries of a usable list go
 * straight into the index as they are read (every entry is read strictly either way, so the
 * FormatErrors are read_revocation_list's). This is how a verifier loads a large list.
 */
CheckedList read_checked_list(std::string text, Time at, std::optional<std::int64_t> max_age_seconds,
                              const RevocationReadOptions& options = {});

/** What the lists say about one verified chain. */
struct ChainRevocation {
    std::optional<std::size_t> revoked_document;  ///< index into the documents
    RevocationMatch match;
    std::string list_signer;           ///< fingerprint of the key that signed the list
    std::vector<std::string> ignored;  ///< "list ID: why" for lists that did not count here
    [[nodiscard]] bool revoked() const noexcept { return revoked_document.has_value(); }
};

/**
 * Looks every document of `chain.path` up in the usable lists that are entitled to revoke it:
 * a list counts for a document when its signer is the document's issuer or any issuer above it
 * in the chain, or a custom revocation authority named (REFRESH, type Revocation) in an SLC at
 * or above it. A list older than a REFRESH INTERVALTIME some document of the chain demands is
 * ignored as stale. Hash lookups: the cost does not grow with the lists' size.
 */
ChainRevocation check_chain_revocation(const std::vector<Certificate>& documents, const ChainResult& chain,
                                       const std::vector<CheckedList>& lists, Time at);

}  // namespace xrca::xrml
