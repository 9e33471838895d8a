// Routing, authentication and the pages around the SOAP operations (see service.h).
#include "enrollment/service.h"

#include "ca/revocation.h"

#include "enrollment/fault_mapping.h"
#include "enrollment/handlers.h"
#include "enrollment/messages.h"
#include "xrml/builder.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

namespace xrca::enrollment {
namespace {

using Handler = OperationResult (*)(const OperationContext&);

struct Operation {
    const char* name;
    const char* role;  ///< the principal role that may call it; nullptr: anyone, no token needed
    Handler run;
    const char* also_service = nullptr;  ///< another SOAP service whose namespace it is also called in
};

struct Endpoint {
    ServiceAddress address;
    std::vector<Operation> operations;
    std::vector<ca::Role> offered_by;
};

// The web services by role (reference §3.0; docs/soap.md).
const std::vector<Endpoint>& endpoints() {
    using ca::Role;
    static const Operation get_licensor_certificate{"GetLicensorCertificate", nullptr, handle_get_licensor_certificate};
    static const Operation find_service_locations{"FindServiceLocations", nullptr, handle_find_service_locations};
    // Clients and the WSDLs call FindServiceLocationsForUser in both namespaces, at ServiceLocator.asmx
    // and at server.asmx ([MS-RMPR] 3.7.4.2): each endpoint answers it in either.
    static const Operation find_for_user{"FindServiceLocationsForUser", nullptr, handle_find_service_locations_for_user,
                                         "ServerService"};
    static const Operation find_for_user_at_server{"FindServiceLocationsForUser", nullptr,
                                                   handle_find_service_locations_for_user, "ServiceLocatorService"};
    static const Operation get_server_info{"GetServerInfo", nullptr, handle_get_server_info};
    static const std::vector<Endpoint> table = {
        {services::enrollment, {{"Enroll", "enroll", handle_enroll}}, {Role::Enrollment}},
        {services::sub_enrollment, {{"SubEnroll", "sub-enroll", handle_sub_enroll}}, {Role::Root}},
        {services::activation, {{"Activate", "user", handle_activate}}, {Role::Root}},
        {services::certification, {{"Certify", "user", handle_certify}}, {Role::Root}},
        {services::server_certification, {{"Certify", "server", handle_server_certify}}, {Role::Root}},
        {services::certification_server,
         {get_licensor_certificate, find_service_locations, find_for_user_at_server, get_server_info},
         {Role::Root, Role::Enrollment}},
        {services::certification_locator, {find_for_user}, {Role::Root}},
        {services::publishing,
         {{"GetClientLicensorCert", "user", handle_get_client_licensor_cert}},
         {Role::Root, Role::Licensing}},
        {services::licensing_server,
         {get_licensor_certificate, find_service_locations, find_for_user_at_server, get_server_info},
         {Role::Root, Role::Licensing}},
        {services::licensing_locator, {find_for_user}, {Role::Root, Role::Licensing}},
    };
    return table;
}

const Endpoint* endpoint_for(const std::string& path, ca::Role role) {
    for (const auto& e : endpoints()) {
        if (path == e.address.path && std::find(e.offered_by.begin(), e.offered_by.end(), role) != e.offered_by.end())
            return &e;
    }
    return nullptr;
}

ca::Caller caller_of(const HttpRequest& r) {
    ca::Caller c;
    c.principal = "anonymous";
    c.anonymous = true;
    c.address = r.remote_address;
    c.user_agent = r.header("user-agent");  // cleaned and capped where it is logged (ca/audit.cpp)
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

// The connector's "does it answer" check: GET on an .asmx gives ASP.NET's service page, titled
// and headed with the web service class (e.g. ServerCertificationWebService), and its operations.
HttpResponse service_page(const Endpoint& e) {
    xrml::XmlBuilder b;
    b.open("html");
    b.open("head").element("title", {}, e.address.web_service).close();
    b.open("body");
    b.element("h1", {}, e.address.web_service);
    b.element("p", {}, std::string("SOAP service ") + e.address.service + " (" + e.address.namespace_uri() + ").");
    b.element("p", {}, "xrca answers these SOAP 1.1 operations here (POST, with SOAPAction), and its WSDL at ?wsdl:");
    b.open("ul");
    for (const auto& op : e.operations) b.element("li", {}, op.name);
    b.close();
    b.close();
    b.close();
    return text(200, "text/html; charset=utf-8", std::move(b).str());
}

// Where a client reaches the service: the authority's configured URL (BASE ends in /_wmcs, as
// do the service paths' first segment). Never the Host header, which the caller chose.
std::string service_location(const Endpoint& e, const ca::Authority& authority) {
    static const std::string wmcs = "/_wmcs";
    const std::string path = e.address.path;
    auto base = authority.record().base_url;
    if (base.empty()) return e.address.path;  // no URL configured (an enrollment service): relative to this host
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.size() >= wmcs.size() && base.compare(base.size() - wmcs.size(), wmcs.size(), wmcs) == 0)
        base.resize(base.size() - wmcs.size());
    return base + path;
}

// A WSDL 1.1 description: operations, SOAP 1.1 document/literal binding, the address. Message
// parts are typed loosely (any content): the element names are in docs/soap.md and [MS-RMPR].
HttpResponse wsdl(const Endpoint& e, const ca::Authority& authority) {
    const auto ns = e.address.namespace_uri();
    xrml::XmlBuilder b;
    b.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    b.open("wsdl:definitions", {{"xmlns:wsdl", "http://schemas.xmlsoap.org/wsdl/"},
                                {"xmlns:soap", "http://schemas.xmlsoap.org/wsdl/soap/"},
                                {"xmlns:s", "http://www.w3.org/2001/XMLSchema"},
                                {"xmlns:tns", ns},
                                {"targetNamespace", ns}});
    b.open("wsdl:types").open("s:schema", {{"elementFormDefault", "qualified"}, {"targetNamespace", ns}});
    for (const auto& op : e.operations) {
        for (const std::string suffix : {"", "Response"})
            b.empty("s:element", {{"name", op.name + suffix}, {"type", "s:anyType"}});
    }
    b.empty("s:element", {{"name", "VersionData"}, {"type", "s:anyType"}});
    b.close().close();
    for (const auto& op : e.operations) {
        for (const std::string dir : {"SoapIn", "SoapOut"}) {
            b.open("wsdl:message", {{"name", op.name + dir}});
            b.empty("wsdl:part", {{"name", "parameters"},
                                  {"element", "tns:" + std::string(op.name) + (dir == "SoapIn" ? "" : "Response")}});
            b.close();
        }
    }
    b.open("wsdl:message", {{"name", "VersionDataHeader"}})
        .empty("wsdl:part", {{"name", "VersionData"}, {"element", "tns:VersionData"}})
        .close();
    const std::string port_type = std::string(e.address.service) + "Soap";
    b.open("wsdl:portType", {{"name", port_type}});
    for (const auto& op : e.operations) {
        b.open("wsdl:operation", {{"name", op.name}});
        b.empty("wsdl:input", {{"message", "tns:" + std::string(op.name) + "SoapIn"}});
        b.empty("wsdl:output", {{"message", "tns:" + std::string(op.name) + "SoapOut"}});
        b.close();
    }
    b.close();
    b.open("wsdl:binding", {{"name", port_type}, {"type", "tns:" + port_type}});
    b.empty("soap:binding", {{"transport", "http://schemas.xmlsoap.org/soap/http"}});
    for (const auto& op : e.operations) {
        b.open("wsdl:operation", {{"name", op.name}});
        b.empty("soap:operation", {{"soapAction", ns + "/" + op.name}, {"style", "document"}});
        for (const char* dir : {"wsdl:input", "wsdl:output"}) {
            b.open(dir).empty("soap:body", {{"use", "literal"}});
            b.empty("soap:header", {{"message", "tns:VersionDataHeader"}, {"part", "VersionData"}, {"use", "literal"}});
            b.close();
        }
        b.close();
    }
    b.close();
    b.open("wsdl:service", {{"name", e.address.service}});
    b.open("wsdl:port", {{"name", port_type}, {"binding", "tns:" + port_type}});
    b.empty("soap:address", {{"location", service_location(e, authority)}});
    b.close().close();
    b.close();
    return text(200, "text/xml; charset=utf-8", std::move(b).str());
}

std::string soap_action(const HttpRequest& r) {
    auto action = r.header("soapaction");
    if (action.size() >= 2 && action.front() == '"' && action.back() == '"')
        action = action.substr(1, action.size() - 2);
    return action;
}

std::string bearer_token(const HttpRequest& r) {
    const auto value = r.header("authorization");
    static const std::string scheme = "bearer ";
    if (value.size() <= scheme.size()) return "";
    std::string prefix = value.substr(0, scheme.size());
    for (auto& ch : prefix) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return prefix == scheme ? value.substr(scheme.size()) : "";
}

std::chrono::microseconds elapsed_since(std::chrono::steady_clock::time_point started) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
}

// GET, or HEAD for the same status and headers without the body (libmicrohttpd leaves it out).
bool reads(const HttpRequest& r) { return r.method == "GET" || r.method == "HEAD"; }

// The short name of a fault for metrics labels: "System.UnauthorizedAccessException" -> "UnauthorizedAccessException".
std::string outcome_of(const std::string& faultstring) {
    const auto name = faultstring.substr(0, faultstring.find(':'));
    return name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
}

// Authentication comes first, before the request is read: a caller with a known token is
// logged one by one whatever it sends; one without (or with an unknown token) is anonymous.
std::optional<store::PrincipalRecord> identify(ca::Authority& authority, const HttpRequest& request,
                                               ca::Caller& caller) {
    const auto token = bearer_token(request);
    if (token.empty()) return std::nullopt;
    auto principal = authority.authenticate(token);
    if (!principal)
        throw Error(ErrorKind::Unauthorized, "the bearer token is not known here", RmsFault::UnauthorizedAccess);
    caller.principal = principal->role + ":" + principal->name;
    caller.anonymous = false;
    caller.account = principal;  // the authority checks its binding and grants
    return principal;
}

// Authorisation: an operation that needs a role refuses a missing token and another role.
void require_role(const Operation& op, const std::optional<store::PrincipalRecord>& principal) {
    if (!op.role) return;
    if (!principal) {
        throw Error(ErrorKind::Unauthorized,
                    std::string(op.name) + " needs a bearer token of a '" + op.role + "' principal",
                    RmsFault::UnauthorizedAccess);
    }
    if (principal->role != op.role) {
        throw Error(ErrorKind::PolicyDenied,
                    "principal " + principal->name + " has the role '" + principal->role + "'; " + op.name +
                        " needs '" + op.role + "'",
                    RmsFault::UnauthorizedAccess);
    }
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

const std::string& Service::revocation_list_path() {
    static const std::string path = canonical_path(std::string("/_wmcs") + ca::k_revocation_list_path);
    return path;
}

// The authority's current revocation list (docs/revocation.md): a cached copy, re-signed by the
// authority when a revocation was recorded or the copy aged; served even when decommissioned.
HttpResponse Service::revocation_list(const HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return elapsed_since(started); };
    try {
        const auto list = m_authority.current_revocation_list(caller_of(request));
        m_metrics.record("RevocationList", "ok", elapsed(), "");
        // The cached list itself, shared with the response: no copy per request.
        HttpResponse r;
        r.content_type = "text/xml; charset=utf-8";
        r.shared_body = list;
        r.headers.push_back({"Cache-Control", "public, max-age=300"});
        return r;
    } catch (const std::exception&) {
        // Why is in the log (the signing is an audited request); an anonymous caller learns only that.
        m_metrics.record("RevocationList", "error", elapsed(), "");
        auto r = text(503, "text/plain; charset=utf-8", "the revocation list is unavailable; try again later\n");
        r.headers.push_back({"Retry-After", "60"});
        return r;
    }
}

HttpResponse Service::handle(const HttpRequest& request) {
    const auto path = canonical_path(request.path);
    if (path == "/healthz" && reads(request)) {
        const auto verdict = m_health.check();
        auto r = text(verdict.ok ? 200 : 503, "text/plain; charset=utf-8", verdict.text + "\n");
        r.headers.push_back({"Cache-Control", "no-store"});
        return r;
    }
    if (path == "/metrics" && reads(request)) {
        // The gauges of the cached verdict: a scrape costs no more than a health probe.
        const auto verdict = m_health.check();
        MetricGauges gauges;
        gauges.slc_expiry_seconds = verdict.certificate_expires_in_seconds;
        gauges.revocation_list_age_seconds = verdict.revocation_list_age_seconds;
        gauges.clc_keys_ready = m_authority.client_keys_ready();
        gauges.store_probe_time = verdict.store_probe_time;
        gauges.healthy = verdict.ok;
        return text(200, "text/plain; version=0.0.4; charset=utf-8", m_metrics.render(gauges));
    }
    if (path == revocation_list_path() && request.method == "GET") return revocation_list(request);
    const Endpoint* endpoint = endpoint_for(path, m_authority.role());
    if (!endpoint)
        return text(404, "text/plain; charset=utf-8",
                    "no such service on this " + std::string(ca::role_name(m_authority.role())) + " authority\n");
    if (request.method == "GET") {
        return request.query.count("wsdl") || request.query.count("WSDL") ? wsdl(*endpoint, m_authority)
                                                                          : service_page(*endpoint);
    }
    if (request.method != "POST") {
        auto r = text(405, "text/plain; charset=utf-8", "use GET for the service page or POST for SOAP\n");
        r.headers.push_back({"Allow", "GET, POST"});
        return r;
    }

    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return elapsed_since(started); };
    auto caller = caller_of(request);
    const char* operation = "SOAP";
    const std::string inputs = "path=" + path;
    const auto ns = endpoint->address.namespace_uri();
    auto reply_ns = ns;
    // Callers without a token are limited per source before their request is even read.
    const auto wait_seconds = request.header("authorization").empty()
                                  ? m_anonymous_limit.take(request.remote_address, RateLimiter::Clock::now())
                                  : 0;
    // What the request log says of it (http_server.h): the caller as authenticated, the
    // operation once known, and the enrollment log's ID of the entry it left.
    static_cast<void>(ca::Audit::take_entry_id());
    const auto noted = [&](HttpResponse r, const std::string& fault) {
        r.note.operation = std::string(operation) == "SOAP" ? "" : operation;  // unknown: the path says more
        r.note.principal = caller.anonymous ? "" : caller.principal;
        r.note.fault = fault;
        r.note.request_id = ca::Audit::take_entry_id();
        return r;
    };
    try {
        // One audited request (ca/audit.h): a refusal made here, before any operation of the
        // authority saw the request, is logged once as well as one made inside it.
        return noted(
            m_authority.audit().run(
                operation, caller, inputs,
                [&] {
                    if (wait_seconds > 0) {
                        throw Error(ErrorKind::Busy,
                                    "too many requests without a token from " + request.remote_address + "; retry in " +
                                        std::to_string(wait_seconds) + " s",
                                    RmsFault::UnspecifiedError);
                    }
                    const auto principal = identify(m_authority, request, caller);
                    if (request.body_too_large) {
                        throw Error(
                            ErrorKind::Malformed,
                            "the request body exceeds the " + std::to_string(k_max_soap_bytes) + " bytes accepted",
                            RmsFault::Argument);
                    }
                    const auto soap = read_soap_request(request.body);
                    const Operation* op = nullptr;
                    for (const auto& candidate : endpoint->operations) {
                        const bool in_namespace = soap.service_namespace == ns ||
                                                  (candidate.also_service &&
                                                   soap.service_namespace == std::string("http://microsoft.com/DRM/") +
                                                                                 candidate.also_service);
                        if (soap.operation == candidate.name && in_namespace) op = &candidate;
                    }
                    if (!op) {
                        throw Error(ErrorKind::Malformed, ns + " has no operation " + soap.operation.substr(0, 64),
                                    RmsFault::Argument);
                    }
                    operation = op->name;
                    reply_ns = soap.service_namespace;  // answered in the namespace it was asked in
                    const auto expected_action = reply_ns + "/" + op->name;
                    if (soap_action(request) != expected_action) {
                        throw Error(ErrorKind::Malformed, "SOAPAction must be \"" + expected_action + "\"",
                                    RmsFault::Argument);
                    }
                    check_version(soap);
                    require_role(*op, principal);
                    const auto result = op->run({m_authority, soap, caller, principal});
                    m_metrics.record(operation, "ok", elapsed(), result.issued_kind);
                    return text(200, "text/xml; charset=utf-8", soap_response(reply_ns, op->name, result.xml));
                }),
            "");
    } catch (const Error& e) {
        auto fault = map_error(e);
        if (request.body_too_large) fault.http_status = 413;
        m_metrics.record(operation, outcome_of(fault.faultstring), elapsed(), "");
        if (e.kind() == ErrorKind::Busy)
            fault.retry_after_seconds = static_cast<int>(std::max<std::int64_t>(1, wait_seconds));
        auto r = text(fault.http_status, "text/xml; charset=utf-8", soap_fault(reply_ns, fault.faultstring));
        if (fault.retry_after_seconds > 0)
            r.headers.push_back({"Retry-After", std::to_string(fault.retry_after_seconds)});
        // RFC 9110 §11.6.1: a 401 names the scheme to answer with; tokens travel as bearer tokens
        // (RFC 6750 §3), and one that was sent but is not known here is said to be invalid.
        if (fault.http_status == 401) {
            r.headers.push_back({"WWW-Authenticate", bearer_token(request).empty()
                                                         ? "Bearer realm=\"xrca\""
                                                         : "Bearer realm=\"xrca\", error=\"invalid_token\""});
        }
        return noted(std::move(r), outcome_of(fault.faultstring));
    }
}

Service::~Service() { m_authority.audit().flush_anonymous(); }

}  // namespace xrca::enrollment
