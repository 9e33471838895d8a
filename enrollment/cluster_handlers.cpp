// Enroll, SubEnroll, GetLicensorCertificate and service location (reference §3.1-§3.3, §3.7).
#include "enrollment/handlers.h"
#include "enrollment/messages.h"
#include "enrollment/service_locations.h"

namespace xrca::enrollment {

OperationResult handle_enroll(const OperationContext& c) {
    const auto chain = c.authority.enroll(to_cluster_request(read_cluster_request(c.soap)), c.caller);
    return {cluster_result("Enroll", chain.documents), chain.kind};
}

OperationResult handle_sub_enroll(const OperationContext& c) {
    const auto chain = c.authority.sub_enroll(to_cluster_request(read_cluster_request(c.soap)), c.caller);
    return {cluster_result("SubEnroll", chain.documents), chain.kind};
}

OperationResult handle_get_licensor_certificate(const OperationContext& c) {
    return {licensor_certificate_result(c.authority.get_licensor_certificate(c.caller)), ""};
}

// Server to server ([MS-RMPRS] 3.2.4.1): the .asmx endpoints of the types this authority serves;
// the others are left out of the answer. An empty request is refused.
OperationResult handle_find_service_locations(const OperationContext& c) {
    const auto types = read_service_location_request(c.soap);
    if (types.empty()) throw Error(ErrorKind::Malformed, "no ServiceLocationRequest", RmsFault::ArgumentNull);
    std::vector<std::pair<std::string, std::optional<std::string>>> found;
    for (const auto& type : types) {
        if (auto url = endpoint_for_server(c.authority, type)) found.emplace_back(type, std::move(url));
    }
    return {service_location_result("FindServiceLocations", found), ""};
}

// Client to server ([MS-RMPR] 3.7.4.2): every type answered, without a URL where none is
// offered; a string that is no service type is InvalidOperationException.
OperationResult handle_find_service_locations_for_user(const OperationContext& c) {
    std::vector<std::pair<std::string, std::optional<std::string>>> found;
    for (const auto& type : read_service_location_request(c.soap))
        found.emplace_back(type, location_for_user(c.authority, type));
    return {service_location_result("FindServiceLocationsForUser", found), ""};
}

OperationResult handle_get_server_info(const OperationContext& c) {
    return {server_info_result(server_info(c.authority, read_server_info_request(c.soap), c.caller)), ""};
}

}  // namespace xrca::enrollment
