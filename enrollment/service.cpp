// Routing and the SOAP operations implemented so far (docs/soap.md).
#include "enrollment/service.h"

#include "enrollment/fault_mapping.h"
#include "enrollment/soap.h"
#include "xrml/builder.h"

#include <cctype>
#include <functional>
#include <map>

namespace xrca::enrollment {
namespace {

struct Operation {
    const char* name;
    std::function<std::string(ca::Authority&, const SoapRequest&, const ca::Caller&)> run;  // returns the result XML
};

struct Endpoint {
    const char* service;    ///< e.g. ServerService
    std::vector<Operation> operations;
    [[nodiscard]] std::string namespace_uri() const { return std::string("http://microsoft.com/DRM/") + service; }
};

std::string get_licensor_certificate(ca::Authority& authority, const SoapRequest&, const ca::Caller& caller) {
    return "<GetLicensorCertificateResult><CertificateChain>" +
           certificate_array(authority.get_licensor_certificate(caller)) + "</CertificateChain></GetLicensorCertificateResult>";
}

const std::map<std::string, Endpoint>& endpoints() {
    static const std::map<std::string, Endpoint> table = {
        {"/_wmcs/certification/server.asmx", {"ServerService", {{"GetLicensorCertificate", get_licensor_certificate}}}},
        {"/_wmcs/licensing/server.asmx", {"ServerService", {{"GetLicensorCertificate", get_licensor_certificate}}}},
    };
    return table;
}

ca::Caller caller_of(const HttpRequest& r) {
    ca::Caller c;
    c.principal = "anonymous";
    c.address = r.remote_address;
    c.user_agent = r.header("user-agent").substr(0, 200);
    c.tls = r.tls;
    return c;
}

HttpResponse text(int status, const std::string& content_type, std::string body) {
    HttpResponse r;
    r.status = status;
    r.content_type = content_type;
    r.body = std::move(body);
    return r;
}

// The connector's "does it answer" check: GET on an .asmx names the service and its operations.
HttpResponse service_page(const Endpoint& e) {
    xrml::XmlBuilder b;
    b.open("html");
    b.open("head").element("title", {}, e.service).close();
    b.open("body");
    b.element("h1", {}, e.service);
    b.element("p", {}, "xrca answers these SOAP 1.1 operations here (POST, with SOAPAction):");
    b.open("ul");
    for (const auto& op : e.operations) b.element("li", {}, op.name);
    b.close();
    b.close();
    b.close();
    return text(200, "text/html; charset=utf-8", std::move(b).str());
}

std::string soap_action(const HttpRequest& r) {
    auto action = r.header("soapaction");
    if (action.size() >= 2 && action.front() == '"' && action.back() == '"') action = action.substr(1, action.size() - 2);
    return action;
}

}  // namespace

std::string Service::canonical_path(const std::string& path) {
    if (path.empty() || path.front() != '/' || path.size() > 512) return "";
    std::string out;
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        const auto end = path.find('/', i);
        const auto segment = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
        if (segment.empty()) break;
        if (segment == "." || segment == "..") return "";
        for (char c : segment) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u == 0x7F || c == '\\') return "";
        }
        out += "/";
        for (char c : segment) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        i = end == std::string::npos ? path.size() : end;
    }
    return out.empty() ? "/" : out;
}

HttpResponse Service::handle(const HttpRequest& request) {
    const auto path = canonical_path(request.path);
    if (path == "/healthz" && request.method == "GET") {
        try {
            const auto status = m_authority.status();
            const bool ready = !m_authority.own_chain().empty();
            return text(ready ? 200 : 503, "text/plain; charset=utf-8", std::string(ready ? "ok" : "not enrolled") + " (" +
                                                                           status.role + ", " + status.state + ")\n");
        } catch (const std::exception&) {
            return text(503, "text/plain; charset=utf-8", "store unavailable\n");
        }
    }
    const auto it = endpoints().find(path);
    if (it == endpoints().end()) return text(404, "text/plain; charset=utf-8", "no such service\n");
    const Endpoint& endpoint = it->second;
    if (request.method == "GET") return service_page(endpoint);
    if (request.method != "POST") {
        auto r = text(405, "text/plain; charset=utf-8", "use GET for the service page or POST for SOAP\n");
        r.headers.push_back({"Allow", "GET, POST"});
        return r;
    }

    const auto caller = caller_of(request);
    std::string operation = "SOAP";
    try {
        const auto soap = read_soap_request(request.body);
        operation = soap.operation;
        const Operation* op = nullptr;
        for (const auto& candidate : endpoint.operations) {
            if (soap.operation == candidate.name) op = &candidate;
        }
        if (!op || soap.service_namespace != endpoint.namespace_uri()) {
            throw Error(ErrorKind::Malformed, endpoint.namespace_uri() + " has no operation " + soap.operation, RmsFault::Argument);
        }
        const auto expected_action = endpoint.namespace_uri() + "/" + op->name;
        if (soap_action(request) != expected_action) {
            throw Error(ErrorKind::Malformed, "SOAPAction must be \"" + expected_action + "\"", RmsFault::Argument);
        }
        check_version(soap);
        return text(200, "text/xml; charset=utf-8", soap_response(endpoint.namespace_uri(), op->name, op->run(m_authority, soap, caller)));
    } catch (const Error& e) {
        // Refusals made here, before the authority saw the request, are logged here.
        if (!e.already_logged()) m_authority.record_refusal("SOAP", caller, "path=" + path + "; operation=" + operation, e);
        const auto fault = map_error(e);
        return text(fault.http_status, "text/xml; charset=utf-8", soap_fault(endpoint.namespace_uri(), fault.faultstring));
    }
}

}  // namespace xrca::enrollment
