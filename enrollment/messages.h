// The SOAP messages of the online service, in RMS's element names (reference §3; [MS-RMPR] and
// [MS-RMPRS] WSDLs), written and read by both sides: the server's handlers read requests and
// write results, the client (`xrca enroll`, `xrca client …`) writes requests and reads results.
// xrca's additions to RMS messages are elements named Xrca…, which RMS peers do not send.
#pragma once

#include "ca/requests.h"
#include "enrollment/soap.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xrca::enrollment {

/** A web service: where it is (canonical path, lower case) and its SOAP service name. */
struct ServiceAddress {
    const char* path;         ///< e.g. /_wmcs/certification/certification.asmx
    const char* service;      ///< e.g. CertificationService (namespace and SOAPAction prefix)
    const char* web_service;  ///< the .asmx class, as its service page is titled (e.g. CertificationWebService)
    [[nodiscard]] std::string namespace_uri() const { return std::string("http://microsoft.com/DRM/") + service; }
};

// The web service classes: ServerCertificationWebService is the name the RMS connector's
// documented check looks for; the others follow the same pattern from their service names.
namespace services {
inline constexpr ServiceAddress enrollment{"/_wmcs/enrollment/enrollservice.asmx", "EnrollmentService",
                                           "EnrollmentWebService"};
inline constexpr ServiceAddress sub_enrollment{"/_wmcs/certification/subenrollservice.asmx", "SubEnrollmentService",
                                               "SubEnrollmentWebService"};
inline constexpr ServiceAddress activation{"/_wmcs/certification/activation.asmx", "ActivationService",
                                           "ActivationWebService"};
inline constexpr ServiceAddress certification{"/_wmcs/certification/certification.asmx", "CertificationService",
                                              "CertificationWebService"};
inline constexpr ServiceAddress server_certification{"/_wmcs/certification/servercertification.asmx",
                                                     "CertificationService", "ServerCertificationWebService"};
inline constexpr ServiceAddress certification_server{"/_wmcs/certification/server.asmx", "ServerService",
                                                     "ServerWebService"};
inline constexpr ServiceAddress certification_locator{"/_wmcs/certification/servicelocator.asmx",
                                                      "ServiceLocatorService", "ServiceLocatorWebService"};
inline constexpr ServiceAddress publishing{"/_wmcs/licensing/publish.asmx", "PublishingService",
                                           "PublishingWebService"};
inline constexpr ServiceAddress licensing_server{"/_wmcs/licensing/server.asmx", "ServerService", "ServerWebService"};
inline constexpr ServiceAddress licensing_locator{"/_wmcs/licensing/servicelocator.asmx", "ServiceLocatorService",
                                                  "ServiceLocatorWebService"};
}  // namespace services

// --- Enroll and SubEnroll ---------------------------------------------------------------
/**
 * The exact `<oInput>` of an Enroll/SubEnroll request: the RMS parameters plus
 * `<XrcaRequest>` (request ID, creation time, crypto mode). The proof of possession signs
 * exactly this text, so every field is bound to the key being certified.
 */
std::string cluster_request_input(const ca::PreparedRequest& request);
/** The request element: `<Enroll|SubEnroll>` holding the signed input and its proof. */
std::string cluster_request(const ca::SignedRequest& s);

struct ClusterRequestIn {
    ca::PreparedRequest request;  ///< request_id empty when the caller is a plain RMS client
    std::optional<ca::ProofOfPossession> proof;
    std::optional<ca::ProofOfPossession> renewal_proof;  ///< <XrcaRenewalProof>: by the cluster's current key
};
/** Reads an Enroll or SubEnroll request; throws Error(Malformed) naming what is wrong. */
ClusterRequestIn read_cluster_request(const SoapRequest& soap);
ca::ClusterRequest to_cluster_request(const ClusterRequestIn& in);
/** `<EnrollResult>`/`<SubEnrollResult>` with the chain as ArrayOfString. */
std::string cluster_result(const std::string& operation, const std::vector<std::string>& chain);

// --- Activate (xrca's own activation: reference §3.6 (b)) ------------------------------------
/** The exact `<requestParams>` of Activate: the machine key and hardware-ID digest (omitted when
 *  empty: the authority then uses the SHA-256 of the key's modulus); the proof signs it. */
std::string activation_input(const xrml::PublicKey& machine_key, const std::vector<std::uint8_t>& hid_digest);
std::string activation_request(const std::string& input, const ca::ProofOfPossession& proof);
ca::MachineRequest read_activation_request(const SoapRequest& soap);
std::string activation_result(const std::vector<std::string>& chain);

// --- Certify and ServerCertification ----------------------------------------------------
struct CertifyIn {
    std::vector<std::string> spc_chain;  ///< the documents, exact text, leaf first
    bool persistent = true;
    std::string user_id, email;  ///< ServerCertification only: whom the server certifies
};
std::string certify_request(const std::vector<std::string>& spc_chain, bool persistent, const std::string& user_id = "",
                            const std::string& email = "");
CertifyIn read_certify_request(const SoapRequest& soap);
/** `<CertifyResult>`: the RAC chain and the vestigial Quota RMS clients expect. */
std::string certify_result(const std::vector<std::string>& chain);

// --- GetClientLicensorCert ----------------------------------------------------------------
std::string clc_request(const std::vector<std::string>& rac_chain);
std::vector<std::string> read_clc_request(const SoapRequest& soap);  ///< the RAC chain, exact text
std::string clc_result(const std::vector<std::string>& chain);

// --- GetLicensorCertificate and service location ----------------------------------------
std::string licensor_certificate_request();
std::string licensor_certificate_result(const std::vector<std::string>& chain);
/** The service types asked for (FindServiceLocations and FindServiceLocationsForUser), at most 32. */
std::vector<std::string> read_service_location_request(const SoapRequest& soap);
std::string service_location_request(const std::string& operation, const std::vector<std::string>& types);
/** `<…Result>` of ServiceLocationResponse {URL, Type}; no URL (a null string) for a type not offered. */
std::string service_location_result(const std::string& operation,
                                    const std::vector<std::pair<std::string, std::optional<std::string>>>& found);

// --- GetServerInfo ([MS-RMPR] 3.7.4.3) -------------------------------------------------------
/** The ServerInfoType values of `requests/ServerInfoRequest` (its `Type`, also read as `ServerInfoType`), at most 8. */
std::vector<std::string> read_server_info_request(const SoapRequest& soap);
/** What GetServerInfo answers, each part only when it was asked for. */
struct ServerInfo {
    std::optional<std::string> product_version;                                 ///< VersionInfo
    std::optional<std::vector<std::string>> features;                           ///< ServerFeatureInfo
    std::optional<std::vector<std::string>> licensor_certificate_chain;         ///< ServerLicensorCertificate
    std::optional<std::vector<std::pair<std::string, std::string>>> locations;  ///< ServiceLocations
};
/** `<GetServerInfoResult>`: one element per part, named by its ServerInfoType. */
std::string server_info_result(const ServerInfo& info);

// --- the client's side of results ---------------------------------------------------------
/** A response envelope read strictly; a SOAP fault becomes Error (its kind by read_fault, fault_mapping.h). */
struct SoapReply {
    std::string text;
    xrml::XmlDocument dom;
    [[nodiscard]] xrml::XmlElement result() const;  ///< the `<…Response>` element's first child
};
SoapReply read_soap_reply(int http_status, std::string_view bytes);
/** The documents of an ArrayOfXmlNode named `container` in a reply, exact text, in order. */
std::vector<std::string> certificates_in_reply(const SoapReply& reply, std::string_view container);
/** The documents of an ArrayOfString named `container` in a reply, in order. */
std::vector<std::string> strings_in_reply(const SoapReply& reply, const char* container);

}  // namespace xrca::enrollment
