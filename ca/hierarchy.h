// Building blocks shared by provisioning and issuance: identifiers, principals of each kind,
// the crypto mode's key size and hash, and time ranges. Pure functions of their inputs.
#pragma once

#include "xrml/certificate.h"
#include "xrml/templates.h"

#include <cstdint>
#include <string>
#include <vector>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::ca {

/** A fresh random (version 4) GUID, braced and lower-case as Microsoft emits them. */
std::string new_guid(Botan::RandomNumberGenerator& rng);
/** 16 bytes as GUID text, braced and lower-case, in the byte order given. */
std::string guid_text(const std::uint8_t* bytes);
/** True for "{8-4-4-4-12}" hex. */
bool is_braced_guid(const std::string& text) noexcept;

/** [from, from + days). */
xrml::TimeRange days_from(xrml::Time from, std::int64_t days);

/** A DRM-Certificate-Authority principal (ascii-tag ID doubling as NAME). */
xrml::Principal authority_principal(const std::string& name, const xrml::PublicKey& key);
/**
 * A cluster's SLC principal (MS-DRM-Server): GUID, NAME when `name` is given, ADDRESS = base
 * URL, Server-Version and Server-SKU (reference §2.3.1).
 */
xrml::Principal cluster_principal(const std::string& guid, const std::optional<std::string>& name,
                                  const std::string& url, const xrml::PublicKey& key, const std::string& version,
                                  const std::string& sku);

/** The principal of a certificate, as the ISSUER of what its key signs (internal-id dropped). */
xrml::Principal as_issuer(const xrml::Certificate& issuer_certificate);

/** Concatenates documents into one chain file, leaf first. */
std::string chain_text(const std::vector<std::string>& documents);

}  // namespace xrca::ca
