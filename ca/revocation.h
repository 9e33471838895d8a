// Building revocation lists (reference §5.2) — shared by an authority's own list and by a
// custom revocation authority signing offline (`xrca revocation-authority sign`).
#pragma once

#include "ca/requests.h"
#include "ca/signer.h"
#include "xrml/revocation.h"

#include <optional>
#include <string>
#include <vector>

namespace xrca::ca {

/** Where an authority publishes its current list, relative to its base URL (…/_wmcs) (docs/revocation.md). */
inline constexpr const char* k_revocation_list_path = "/revocation/RevocationList.xml";

/**
 * The REVOKE entry for a request, with the markup RMS expects. Checks the value's form only
 * (an ID without whitespace, 40 hex digits, a key present); Error(Malformed) naming the problem.
 */
xrml::RevokeEntry revoke_entry(const RevocationRequest& request);

/** What a list is, apart from its entries. */
struct RevocationListHeader {
    std::string id;  ///< the list's GUID
    xrml::Time issued;
    std::optional<xrml::TimeRange> validity;
    xrml::XrmlObject issuer;  ///< type Revocation-List: ID, NAME, ADDRESS (where it is published)
};

/**
 * The ISSUER OBJECT of a custom revocation authority's list: named as the REFRESH
 * DISTRIBUTIONPOINT of the SLCs that authorise it names it (ascii-tag "External revocation
 * authority", reference §5.3), so that a client can match the two; NAME and ADDRESS when given.
 */
xrml::XrmlObject custom_authority_list_issuer(const std::string& name, const std::string& url);

/** Builds the list's BODY and signs it; the list names the signer's key as its ISSUER key. */
std::string sign_revocation_list(Signer& signer, const RevocationListHeader& header,
                                 const std::vector<xrml::RevokeEntry>& entries);

/** Parses an ID given on the command line or over the wire for one of the *-id types. */
void check_revocable_id(const std::string& id, const char* what);

}  // namespace xrca::ca
