// The SOAP messages of the online service (see messages.h).
#include "enrollment/messages.h"

#include "ca/hierarchy.h"
#include "enrollment/fault_mapping.h"
#include "protocol/cluster_parameters.h"
#include "protocol/fields.h"
#include "protocol/proof.h"
#include "xrml/builder.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::enrollment {
namespace {

Error malformed(const std::string& what, RmsFault fault = RmsFault::Argument) {
    return Error(ErrorKind::Malformed, what, fault);
}

// Reading request fields: every FormatError names the element; it becomes ArgumentException.
template <typename Fn>
auto reading(const char* what, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const xrml::FormatError& e) {
        throw malformed(std::string(what) + ": " + e.what());
    }
}

/** The exact text of the only element `local` in the request (what a proof signs). */
std::string exact_element(const SoapRequest& soap, std::string_view local) {
    const auto found = xrml::elements_by_local_name(soap.text, local);
    if (found.size() != 1) {
        throw malformed("expected exactly one <" + std::string(local) + ">, found " + std::to_string(found.size()),
                        found.empty() ? RmsFault::ArgumentNull : RmsFault::Argument);
    }
    return std::string(found.front());
}

std::optional<ca::ProofOfPossession> read_proof(const SoapRequest& soap, const std::string& signed_text,
                                                const char* element_name = "XrcaProofOfPossession") {
    const auto element = soap.operation_element().optional_local(element_name);
    if (!element) return std::nullopt;
    auto proof = protocol::read_proof(*element);
    proof.signed_text = signed_text;
    return proof;
}

std::string with_namespace(const ServiceAddress& s, const std::string& operation, const std::string& content) {
    xrml::XmlBuilder b;
    b.open(operation, {{"xmlns", s.namespace_uri()}});
    b.raw(content);
    b.close();
    return std::move(b).str();
}

}  // namespace

// --- Enroll and SubEnroll -------------------------------------------------------------------

std::string cluster_request_input(const ca::PreparedRequest& r) {
    xrml::XmlBuilder b;
    b.open("oInput");
    protocol::write_parameters(b, r, protocol::KeyForm::Pkcs1);  // as RMS servers send keys
    b.open("XrcaRequest");
    b.element("RequestId", {}, r.request_id);
    b.element("Created", {}, r.created.to_iso8601());
    protocol::write_crypto_mode(b, r.crypto_mode.value_or(ca::CryptoMode::mode2()));
    b.close();
    b.close();
    return std::move(b).str();
}

std::string cluster_request(const ca::SignedRequest& s) {
    xrml::XmlBuilder b;
    b.raw(s.body);
    protocol::write_proof(b, "XrcaProofOfPossession", s.proof);
    if (s.renewal_proof) protocol::write_proof(b, "XrcaRenewalProof", *s.renewal_proof);
    const auto& address =
        s.request.operation == ca::ClusterOperation::Enroll ? services::enrollment : services::sub_enrollment;
    return with_namespace(address, ca::cluster_operation_name(s.request.operation), std::move(b).str());
}

ClusterRequestIn read_cluster_request(const SoapRequest& soap) {
    return reading("the enrollment request", [&] {
        ClusterRequestIn in;
        auto& r = in.request;
        const auto operation = ca::parse_cluster_operation(soap.operation);
        if (!operation)
            throw xrml::FormatError(xrml::FormatReason::Unsupported,
                                    "not Enroll or SubEnroll: " + soap.operation.substr(0, 32));
        r.operation = *operation;
        const auto input = soap.operation_element().required_local("oInput");
        protocol::read_parameters(input, r);
        if (const auto xrca = input.optional("XrcaRequest")) {
            r.request_id = protocol::trimmed_text(xrca->required("RequestId"));
            r.crypto_mode = protocol::read_crypto_mode(*xrca);
            if (r.request_id.empty() || r.request_id.size() > 64)
                xrca->fail(xrml::FormatReason::BadValue, "a RequestId is required");
        }
        const auto signed_text = exact_element(soap, "oInput");
        in.proof = read_proof(soap, signed_text);
        in.renewal_proof = read_proof(soap, signed_text, "XrcaRenewalProof");
        return in;
    });
}

ca::ClusterRequest to_cluster_request(const ClusterRequestIn& in) {
    return protocol::with_proof(in.request, in.proof, in.renewal_proof);
}

std::string cluster_result(const std::string& operation, const std::vector<std::string>& chain) {
    return "<" + operation + "Result><LicensorCertificateChain>" + string_array(chain) +
           "</LicensorCertificateChain></" + operation + "Result>";
}

// --- Activate ---------------------------------------------------------------------------------

std::string activation_input(const xrml::PublicKey& machine_key, const std::vector<std::uint8_t>& hid_digest) {
    xrml::XmlBuilder b;
    b.open("requestParams").open("ActivateParams");
    b.open("MachinePublicKey").raw(xrml::build_public_key_element(machine_key)).close();
    if (!hid_digest.empty())
        b.element("HidXml", {}, xrml::base64_encode(hid_digest));  // absent: the server derives one
    b.close().close();
    return std::move(b).str();
}

std::string activation_request(const std::string& input, const ca::ProofOfPossession& proof) {
    xrml::XmlBuilder b;
    b.raw(input);
    protocol::write_proof(b, "XrcaProofOfPossession", proof);
    return with_namespace(services::activation, "Activate", std::move(b).str());
}

ca::MachineRequest read_activation_request(const SoapRequest& soap) {
    return reading("the activation request", [&] {
        ca::MachineRequest m;
        const auto params = soap.operation_element().required_local("requestParams").required_local("ActivateParams");
        m.machine_key = xrml::read_public_key_element(params.required_local("MachinePublicKey").required("PUBLICKEY"));
        if (const auto hid = params.optional_local("HidXml"))
            m.hardware_id_digest = xrml::base64_decode(protocol::trimmed_text(*hid), "HidXml");
        m.proof = read_proof(soap, exact_element(soap, "requestParams"));
        if (!m.proof)
            throw malformed("Activate needs <XrcaProofOfPossession> by the machine key", RmsFault::ArgumentNull);
        return m;
    });
}

std::string activation_result(const std::vector<std::string>& chain) {
    return "<ActivateResult><ActivateResponse><MachineCertificateChain>" + certificate_array(chain) +
           "</MachineCertificateChain></ActivateResponse></ActivateResult>";
}

// --- Certify ------------------------------------------------------------------------------------

std::string certify_request(const std::vector<std::string>& spc_chain, bool persistent, const std::string& user_id,
                            const std::string& email) {
    xrml::XmlBuilder b;
    b.open("requestParams");
    b.open("MachineCertificateChain").raw(certificate_array(spc_chain)).close();
    b.element("Persistent", {}, persistent ? "true" : "false");
    if (!user_id.empty()) {
        b.open("XrcaUser").element("UserId", {}, user_id).element("Email", {}, email).close();
    }
    b.close();
    const auto& address = user_id.empty() ? services::certification : services::server_certification;
    return with_namespace(address, "Certify", std::move(b).str());
}

CertifyIn read_certify_request(const SoapRequest& soap) {
    CertifyIn in;
    in.spc_chain = certificates_in_text(soap.text, "MachineCertificateChain");
    reading("the Certify request", [&] {
        const auto params = soap.operation_element().required_local("requestParams");
        if (const auto p = params.optional_local("Persistent")) {
            const auto v = protocol::trimmed_text(*p);
            if (v != "true" && v != "false" && v != "1" && v != "0")
                p->fail(xrml::FormatReason::BadValue, "Persistent must be a boolean");
            in.persistent = v == "true" || v == "1";
        }
        if (const auto user = params.optional_local("XrcaUser")) {
            in.user_id = protocol::trimmed_text(user->required("UserId"));
            in.email = protocol::trimmed_text(user->required("Email"));
        }
        return 0;
    });
    return in;
}

std::string certify_result(const std::vector<std::string>& chain) {
    // Quota is vestigial in RMS but clients expect it present and sane (reference §3.4).
    return "<CertifyResult><CertificateChain>" + certificate_array(chain) +
           "</CertificateChain><Quota><Verified>true</Verified><CurrentConsumption>0</CurrentConsumption>"
           "<Maximum>10</Maximum></Quota></CertifyResult>";
}

// --- GetClientLicensorCert ---------------------------------------------------------------------

std::string clc_request(const std::vector<std::string>& rac_chain) {
    return with_namespace(services::publishing, "GetClientLicensorCert",
                          "<RequestParams><GetClientLicensorCertParams><PersonaCerts>" + certificate_array(rac_chain) +
                              "</PersonaCerts></GetClientLicensorCertParams></RequestParams>");
}

std::vector<std::string> read_clc_request(const SoapRequest& soap) {
    return certificates_in_text(soap.text, "PersonaCerts");
}

std::string clc_result(const std::vector<std::string>& chain) {
    return "<GetClientLicensorCertResult><GetClientLicensorCertResponse><CertificateChain>" + certificate_array(chain) +
           "</CertificateChain></GetClientLicensorCertResponse></GetClientLicensorCertResult>";
}

// --- GetLicensorCertificate and service location --------------------------------------------

std::string licensor_certificate_request() {
    return with_namespace(services::certification_server, "GetLicensorCertificate", "");
}

std::string licensor_certificate_result(const std::vector<std::string>& chain) {
    return "<GetLicensorCertificateResult><CertificateChain>" + certificate_array(chain) +
           "</CertificateChain></GetLicensorCertificateResult>";
}

std::vector<std::string> read_service_location_request(const SoapRequest& soap) {
    return reading("the service location request", [&] {
        std::vector<std::string> types;
        if (const auto names = soap.operation_element().optional_local("ServiceNames")) {
            for (const auto& request : names->all("ServiceLocationRequest")) {
                types.push_back(protocol::trimmed_text(request.required("Type")));
                if (types.size() > 32) names->fail(xrml::FormatReason::TooLarge, "more than 32 service types");
            }
        }
        return types;
    });
}

std::string service_location_request(const std::string& operation, const std::vector<std::string>& types) {
    xrml::XmlBuilder b;
    b.open("ServiceNames");
    for (const auto& t : types) b.open("ServiceLocationRequest").element("Type", {}, t).close();
    b.close();
    const auto& address =
        operation == "FindServiceLocations" ? services::certification_server : services::certification_locator;
    return with_namespace(address, operation, std::move(b).str());
}

std::string service_location_result(const std::string& operation,
                                    const std::vector<std::pair<std::string, std::optional<std::string>>>& found) {
    xrml::XmlBuilder b;
    b.open(operation + "Result");
    for (const auto& [type, url] : found) {
        b.open("ServiceLocationResponse");
        if (url) b.element("URL", {}, *url);  // a null string is left out, as .NET serializes it
        b.element("Type", {}, type).close();
    }
    b.close();
    return std::move(b).str();
}

// --- GetServerInfo -----------------------------------------------------------------------------

std::vector<std::string> read_server_info_request(const SoapRequest& soap) {
    return reading("the GetServerInfo request", [&] {
        std::vector<std::string> types;
        if (const auto requests = soap.operation_element().optional_local("requests")) {
            for (const auto& request : requests->all("ServerInfoRequest")) {
                auto type = request.optional("Type");
                if (!type) type = request.optional("ServerInfoType");
                if (!type) request.fail(xrml::FormatReason::MissingElement, "a ServerInfoRequest names no Type");
                types.push_back(protocol::trimmed_text(*type));
                if (types.size() > 8) requests->fail(xrml::FormatReason::TooLarge, "more than 8 ServerInfoRequests");
            }
        }
        return types;
    });
}

std::string server_info_result(const ServerInfo& info) {
    xrml::XmlBuilder b;
    b.open("GetServerInfoResult");
    if (info.product_version) {
        b.open("VersionInfo");
        b.element("ProductVersion", {}, *info.product_version);
        b.element("MinimumVersion", {}, server_minimum_version().str());
        b.element("MaximumVersion", {}, server_maximum_version().str());
        b.close();
    }
    if (info.features) {
        b.open("ServerFeatureInfo");
        for (const auto& feature : *info.features) b.open("Feature").element("Name", {}, feature).close();
        b.close();
    }
    if (info.licensor_certificate_chain) {
        b.open("ServerLicensorCertificate").open("CertificateChain");
        b.raw(certificate_array(*info.licensor_certificate_chain));
        b.close().close();
    }
    if (info.locations) {
        b.open("ServiceLocations");
        for (const auto& [type, url] : *info.locations)
            b.open("ServiceLocationResponse").element("URL", {}, url).element("Type", {}, type).close();
        b.close();
    }
    b.close();
    return std::move(b).str();
}

// --- the client's side ---------------------------------------------------------------------------

xrml::XmlElement SoapReply::result() const {
    const auto response = dom.root().required_local("Body").children();
    if (response.size() != 1 || response.front().children().empty()) {
        throw Error(ErrorKind::Malformed, "the server's reply holds no result");
    }
    return response.front().children().front();
}

SoapReply read_soap_reply(int http_status, std::string_view bytes) {
    std::string text;
    std::optional<xrml::XmlDocument> dom;
    try {
        text = xrml::decode_input(bytes).utf8;
        dom.emplace(xrml::XmlDocument::parse(text, 8 * k_max_soap_bytes, 48, true));
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, "the server answered HTTP " + std::to_string(http_status) +
                                              " with no SOAP envelope (" + e.what() +
                                              "): " + std::string(bytes.substr(0, 160)));
    }
    const auto root = dom->root();
    const auto body = root.local_name() == "Envelope" ? root.optional_local("Body") : std::nullopt;
    if (!body)
        throw Error(ErrorKind::Malformed,
                    "the server's reply (HTTP " + std::to_string(http_status) + ") is not a SOAP envelope");
    if (const auto fault = body->optional_local("Fault")) {
        const auto faultstring = fault->optional_local("faultstring");
        const auto message = faultstring ? faultstring->text() : std::string("(no faultstring)");
        // The fault's name is in the message already (and so in the local log): the Error carries the kind only.
        throw Error(read_fault({http_status, message}).kind,
                    "the server refused (HTTP " + std::to_string(http_status) + "): " + message);
    }
    if (http_status != 200)
        throw Error(ErrorKind::Malformed, "the server answered HTTP " + std::to_string(http_status));
    return SoapReply{std::move(text), std::move(*dom)};
}

std::vector<std::string> certificates_in_reply(const SoapReply& reply, std::string_view container) {
    try {
        return certificates_in_text(reply.text, container);
    } catch (const Error& e) {
        throw Error(ErrorKind::Malformed, std::string("the server's reply: ") + e.what());
    }
}

std::vector<std::string> strings_in_reply(const SoapReply& reply, const char* container) {
    try {
        std::vector<std::string> out;
        for (const auto& s : reply.result().required_local(container).all("string")) out.push_back(s.text());
        if (out.empty()) throw Error(ErrorKind::Malformed, std::string("the server's reply has an empty ") + container);
        return out;
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, std::string("the server's reply: ") + e.what());
    }
}

}  // namespace xrca::enrollment
