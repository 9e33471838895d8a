// The service-type mapping (see service_locations.h).
#include "enrollment/service_locations.h"

#include <algorithm>

namespace xrca::enrollment {
namespace {

std::string without_trailing_slashes(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

/** What this authority runs: certification on a root cluster only, publishing (CLCs) on every cluster. */
bool certifies(const ca::Authority& authority) { return authority.role() == ca::Role::Root; }

}  // namespace

const std::vector<std::string>& rms_service_types() {
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

std::optional<std::string> location_for_user(ca::Authority& authority, const std::string& type) {
    const auto& types = rms_service_types();
    if (std::find(types.begin(), types.end(), type) == types.end()) {
        throw Error(ErrorKind::Malformed, "'" + type.substr(0, 64) + "' is not an RMS service type",
                    RmsFault::InvalidOperation);
    }
    const auto base = without_trailing_slashes(authority.record().base_url);
    if (base.empty()) return std::nullopt;  // an enrollment service offers none of them
    // Reference §3.7: the external types under the extranet URL (the base URL when there is none),
    // the internal ones and this server's own endpoints under the base URL.
    const auto extranet = authority.extranet_url();
    const auto external = extranet.empty() ? base : extranet;
    const auto certification = [&](const std::string& root) -> std::optional<std::string> {
        if (!certifies(authority)) return std::nullopt;
        return root + "/certification";
    };
    if (type == "CertificationService") return certification(external);
    if (type == "CertificationInternalService" || type == "ActivationService") return certification(base);
    if (type == "LicensingService") return external + "/licensing";
    if (type == "LicensingInternalService" || type == "PublishingService") return base + "/licensing";
    if (type == "ServerService") return base + (certifies(authority) ? "/certification" : "/licensing");
    return std::nullopt;  // enrollment, precertification, directory and group expansion: not offered here
}

std::optional<std::string> endpoint_for_server(ca::Authority& authority, const std::string& type) {
    // [MS-RMPRS] 3.2.4.1: LicensingService and CertificationService (and their internal twins)
    // name license.asmx and certification.asmx. xrca issues no use licences (it has no
    // license.asmx), so of these it answers the certification types, on a root cluster.
    const auto base = without_trailing_slashes(authority.record().base_url);
    if (base.empty() || !certifies(authority)) return std::nullopt;
    const auto extranet = authority.extranet_url();
    if (type == "CertificationService")
        return (extranet.empty() ? base : extranet) + "/certification/certification.asmx";
    if (type == "CertificationInternalService") return base + "/certification/certification.asmx";
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> offered_locations(ca::Authority& authority) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& type : rms_service_types()) {
        if (auto url = location_for_user(authority, type)) out.emplace_back(type, std::move(*url));
    }
    return out;
}

ServerInfo server_info(ca::Authority& authority, const std::vector<std::string>& types, const ca::Caller& caller) {
    if (types.empty())
        throw Error(ErrorKind::Malformed, "GetServerInfo asks for no ServerInfoRequest", RmsFault::ArgumentNull);
    ServerInfo info;
    for (const auto& type : types) {
        if (type == "VersionInfo") {
            info.product_version = authority.record().sku + " " + authority.record().version;
        } else if (type == "ServerFeatureInfo") {
            // The web services this authority answers (docs/soap.md), by the names of their operations.
            switch (authority.role()) {
                case ca::Role::Enrollment: info.features = std::vector<std::string>{"Enroll"}; break;
                case ca::Role::Root:
                    info.features = std::vector<std::string>{"Certify", "ServerCertify", "Activate", "SubEnroll",
                                                             "GetClientLicensorCert"};
                    break;
                case ca::Role::Licensing: info.features = std::vector<std::string>{"GetClientLicensorCert"}; break;
            }
        } else if (type == "ServerLicensorCertificate") {
            info.licensor_certificate_chain = authority.get_licensor_certificate(caller);
        } else if (type == "ServiceLocations") {
            info.locations = offered_locations(authority);
        } else {
            throw Error(ErrorKind::Malformed, "'" + type.substr(0, 64) + "' is not a ServerInfoType",
                        RmsFault::InvalidOperation);
        }
    }
    return info;
}

}  // namespace xrca::enrollment
