// Private to ca/: names of stored keys and chains, the Issuance description, and the mapping
// of store errors. Not part of the public API.
#pragma once

#include "ca/authority.h"
#include "ca/errors.h"
#include "store/store.h"
#include "xrml/errors.h"
#include "xrml/revocation.h"

#include <set>

#include <optional>

namespace xrca::ca {

namespace detail {

inline constexpr const char* k_enrollment_chain = "enrollment";                    // ES, enrollment CA, CA
inline constexpr const char* k_slc_chain = "slc";                                  // SLC, …
inline constexpr const char* k_activation_chain = "activation";                    // activation issuer, SLC, …
inline constexpr const char* k_revocation_authorities = "revocation-authorities";  // <PUBLICKEY> elements

}  // namespace detail

/** Dotted versions ("5.2.3790.134") as numbers, part by part; Error(Malformed) otherwise (policy.cpp). */
std::vector<std::uint64_t> parse_version(const std::string& text);
/**
 * The dotted version a SECURITYLEVEL value ends in: its last whitespace-separated word, parsed
 * as parse_version does ("… secure repository 6.1.7600.16385" → 6.1.7600.16385); nullopt when
 * that word is not one.
 */
std::optional<std::vector<std::uint64_t>> trailing_version(const std::string& text);
/**
 * A dotted version in the four-part form real RMS servers write in an SLC's Server-Version
 * ("0.1.0" → "0.1.0.0"); Error(Malformed) when `text` is not a dotted version.
 */
std::string four_part_version(const std::string& text);

// Checks of request fields shared by several operations (request_checks.cpp).
/** Comma-separated fingerprints, for log inputs and offline request records. */
std::string fingerprints(const std::vector<xrml::PublicKey>& keys);

/**
 * The one rule of decommissioning: this process retired the authority (`own_state`, its record as
 * loaded), or another one did (`stored`, the record as stored now: `xrca decommission` beside
 * `xrca serve`).
 */
inline bool is_decommissioned(const std::string& own_state, const std::optional<store::AuthorityRecord>& stored) {
    const std::string retired = state_name(AuthorityState::Decommissioned);
    return own_state == retired || (stored && stored->state == retired);
}
/**
 * The documents of a chain as they arrived, each text read as it is (a text may hold several
 * documents, as a chain file does); Error(Malformed) with `fault` naming `what`.
 */
std::vector<xrml::Certificate> read_chain(const std::vector<std::string>& texts, RmsFault fault, const char* what);
/** A cluster URL must be http:// or https://. */
void check_url(const std::string& url);
/**
 * An extranet base URL as given to `xrca init` or `xrca set-url`: http(s)://, no query, fragment,
 * white space or control characters; Error(Usage) naming `option` otherwise (service_urls.cpp).
 * Returned without trailing slashes, as base URLs are kept.
 */
std::string checked_base_url(const std::string& url, const char* option);
/** Cluster and RAC keys are of exactly the mode's size. */
void check_key_for_mode(const xrml::PublicKey& key, CryptoMode mode, const char* what);
/** Machine keys follow the mode's machine-key rule. */
void check_machine_key_for_mode(const xrml::PublicKey& key, CryptoMode mode);
/** Whether `proof` is a good signature by `key` over its signed text (cluster_request.cpp). */
bool proof_verifies(const ProofOfPossession& proof, const xrml::PublicKey& key) noexcept;

/**
 * What a request is checked against, read once per request (docs/policy.md): revocations,
 * exclusions, the trust lists and whether the cluster was decommissioned. Re-read only when
 * the store's policy revision moved (another process, or this one, changed something).
 */
struct Authority::Policy {
    std::int64_t revision = -1;
    xrml::RevocationIndex revoked;
    std::set<std::string> excluded_rac_keys;
    std::optional<std::vector<std::uint64_t>> min_spc_version;
    std::string min_spc_version_text;
    bool decommissioned = false;
    std::string extranet_url;              ///< the base URL outside the organisation (…/_wmcs); empty: none
    std::vector<std::string> spc_issuers;  ///< fingerprints: own activation issuer, then trusted ones
    std::vector<std::string> rac_issuers;  ///< own SLC keys (current, previous), the root's for licensing, trusted ones
};

/**
 * A chain of client documents read and verified under one policy snapshot. It stays good while
 * that snapshot is current (revocations, trust lists and this cluster's own keys decide it) and
 * its leaf is inside its validity; signatures and links do not change with time.
 */
struct Authority::VerifiedChain {
    std::weak_ptr<const Policy> policy;
    std::vector<xrml::Certificate> documents;
};

/** The cache key of `texts` verified for `purpose`: SHA-256 over each text with its length. */
std::string chain_cache_key(const char* purpose, const std::vector<std::string>& texts);

template <typename Verify>
std::shared_ptr<const Authority::VerifiedChain> Authority::verified_chain(const char* purpose,
                                                                          const std::vector<std::string>& texts,
                                                                          const std::shared_ptr<const Policy>& policy,
                                                                          xrml::Time now, Verify&& verify) {
    const auto key = chain_cache_key(purpose, texts);
    if (auto known = m_verified_chains.find(key); known && known->policy.lock() == policy) {
        const auto& validity = known->documents.front().validity;
        if (!validity || (validity->from <= now && now < validity->until)) return known;
    }
    auto fresh = std::make_shared<VerifiedChain>();
    fresh->policy = policy;
    fresh->documents = verify();
    m_verified_chains.replace(key, fresh);
    return fresh;
}

struct Authority::SlcIssue {
    std::string request_id;
    const char* operation;
    const Caller* caller;
    std::string inputs;
    xrml::PublicKey cluster_key;
    std::string cluster_guid;
    std::optional<std::string> name_in_slc;
    std::string url, sku, version;
    std::vector<xrml::PublicKey> revocation_authorities;  ///< non-empty: custom revocation
    Signer* signer;
    xrml::Certificate issuer_certificate;
    std::vector<std::string> issuer_chain;
};

template <typename Fn>
auto Authority::logged(const char* operation, const Caller& caller, const std::string& inputs, Fn&& fn)
    -> decltype(fn()) {
    return m_audit.run(operation, caller, inputs, std::forward<Fn>(fn));
}

}  // namespace xrca::ca
