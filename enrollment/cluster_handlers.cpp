// Enroll, SubEnroll, GetLicensorCertificate and service location (reference §3.1-§3.3, §3.7).
#include "enrollment/handlers.h"
#include "enrollment/messages.h"

#include <algorithm>
#include <map>

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

namespace {

// Where this authority offers each RMS service type (reference §3.7): certification types under
// BASE/certification, licensing and publishing under BASE/licensing; nothing else.
std::string location_of(const ca::Authority& authority, const std::string& type) {
    const auto& base = authority.record().base_url;
    if (base.empty()) return "";
    const bool root = authority.role() == ca::Role::Root;
    static const std::map<std::string, std::pair<const char*, bool>> where = {
        // type → (suffix, root cluster only)
        {"CertificationService", {"/certification", true}}, {"CertificationInternalService", {"/certification", true}},
        {"ActivationService", {"/certification", true}},    {"ServerService", {"/certification", false}},
        {"LicensingService", {"/licensing", false}},        {"LicensingInternalService", {"/licensing", false}},
        {"PublishingService", {"/licensing", false}},
    };
    const auto it = where.find(type);
    if (it == where.end() || (it->second.second && !root)) return "";
    return base + it->second.first;
}

const std::vector<std::string>& known_types() {
    static const std::vector<std::string> types = {"EnrollmentService",
                                                   "LicensingService",
                                                   "PublishingService",
                                                   "CertificationService",
                                                   "ActivationService",
                                                   "PrecertificationService",
                                                   "ServerService",
                                                   "DrmRemoteDirectoryServices",
                                                   "GroupExpansionService",
                                                   "LicensingInternalService",
                                                   "CertificationInternalService"};
    return types;
}

OperationResult locate(const OperationContext& c, const char* operation, bool refuse_unknown) {
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& type : read_service_location_request(c.soap)) {
        const bool known = std::find(known_types().begin(), known_types().end(), type) != known_types().end();
        if (!known && refuse_unknown) {
            throw Error(ErrorKind::Malformed, "'" + type.substr(0, 64) + "' is not an RMS service type",
                        RmsFault::Argument);
        }
        found.emplace_back(type, location_of(c.authority, type));
    }
    return {service_location_result(operation, found), ""};
}

}  // namespace

// Server to server: every requested type is echoed, with an empty URL where none is offered.
OperationResult handle_find_service_locations(const OperationContext& c) {
    return locate(c, "FindServiceLocations", false);
}

// Client to server: an unknown type is refused.
OperationResult handle_find_service_locations_for_user(const OperationContext& c) {
    return locate(c, "FindServiceLocationsForUser", true);
}

}  // namespace xrca::enrollment
