// What this authority offers, as the discovery operations tell it: where each RMS service type
// is (reference §3.7; [MS-RMPR] 3.7.4.2, [MS-RMPRS] 3.2.4.1), one mapping from the authority's
// base URL and its extranet URL used by FindServiceLocationsForUser, FindServiceLocations and
// GetServerInfo; and GetServerInfo's parts ([MS-RMPR] 3.7.4.3).
#pragma once

#include "ca/authority.h"
#include "enrollment/messages.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xrca::enrollment {

/** The service types of [MS-RMPR] 3.7.4.2.4.3, in its order. */
const std::vector<std::string>& rms_service_types();

/**
 * FindServiceLocationsForUser: the virtual directory a client uses for `type` (BASE/certification
 * or BASE/licensing), the external ones under the extranet URL when one is set; nullopt when this
 * authority does not offer it (answered with no URL). Error(Malformed, InvalidOperation) for a
 * string that is no service type.
 */
std::optional<std::string> location_for_user(ca::Authority& authority, const std::string& type);

/**
 * FindServiceLocations (server to server): the .asmx endpoint of `type` for the types
 * [MS-RMPRS] 3.2.4.1 defines and this authority serves; nullopt for any other (left out of the answer).
 */
std::optional<std::string> endpoint_for_server(ca::Authority& authority, const std::string& type);

/** Every type this authority offers to a user, with its location (GetServerInfo ServiceLocations). */
std::vector<std::pair<std::string, std::string>> offered_locations(ca::Authority& authority);

/**
 * The GetServerInfo parts `types` asks for (VersionInfo, ServerFeatureInfo,
 * ServerLicensorCertificate, ServiceLocations). Error(Malformed, ArgumentNull) when it asks for
 * none, Error(Malformed, InvalidOperation) for another type; the licensor certificate as
 * GetLicensorCertificate gives it (refused when decommissioned).
 */
ServerInfo server_info(ca::Authority& authority, const std::vector<std::string>& types, const ca::Caller& caller);

}  // namespace xrca::enrollment
