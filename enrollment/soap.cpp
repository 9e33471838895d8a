// SOAP 1.1 envelopes (see soap.h).
#include "enrollment/soap.h"

#include "text/clean.h"

#include "xrml/builder.h"
#include "xrml/encoding.h"

namespace xrca::enrollment {
namespace {

Error malformed(const std::string& what, RmsFault fault = RmsFault::Argument) {
    return Error(ErrorKind::Malformed, what, fault);
}

std::string version_header(const std::string& service_namespace) {
    xrml::XmlBuilder b;
    b.open("soap:Header");
    b.open("VersionData", {{"xmlns", service_namespace}});
    b.element("MinimumVersion", {}, server_minimum_version().str());
    b.element("MaximumVersion", {}, server_maximum_version().str());
    b.close();
    b.close();
    return std::move(b).str();
}

std::string envelope(const std::string& service_namespace, const std::string& body_xml) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"" + std::string(k_soap11_namespace) +
           "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">" +
           version_header(service_namespace) + "<soap:Body>" + body_xml + "</soap:Body></soap:Envelope>";
}

}  // namespace

std::optional<Version> Version::parse(std::string_view text) {
    Version v;
    std::size_t part = 0, digits = 0;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
            if (++digits > 9) return std::nullopt;
        } else if (c == '.' && digits > 0 && part < 3) {
            v.parts[part++] = static_cast<std::uint32_t>(value);
            value = 0;
            digits = 0;
        } else {
            return std::nullopt;
        }
    }
    if (part != 3 || digits == 0) return std::nullopt;
    v.parts[3] = static_cast<std::uint32_t>(value);
    return v;
}

std::string Version::str() const {
    return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]) + "." +
           std::to_string(parts[3]);
}

Version server_minimum_version() { return Version{{1, 0, 0, 0}}; }
Version server_maximum_version() { return Version{{1, 0, 0, 0}}; }

xrml::XmlElement SoapRequest::operation_element() const { return dom.root().required_local("Body").children().front(); }

SoapRequest read_soap_request(std::string_view bytes) {
    if (bytes.size() > k_max_soap_bytes) {
        throw malformed("the request body of " + std::to_string(bytes.size()) + " bytes exceeds " +
                        std::to_string(k_max_soap_bytes));
    }
    try {
        auto text = xrml::decode_input(bytes).utf8;
        auto dom = xrml::XmlDocument::parse(text, k_max_soap_bytes, 48, true);  // pugixml copies the text
        SoapRequest r{std::move(text), std::move(dom), {}, {}, {}, {}};
        const auto root = r.dom.root();
        if (root.local_name() != "Envelope" || root.namespace_uri() != k_soap11_namespace) {
            throw malformed("not a SOAP 1.1 envelope (root <" + root.name() + "> in namespace '" +
                            root.namespace_uri() + "')");
        }
        const auto body = root.required_local("Body");
        const auto ops = body.children();
        if (ops.size() != 1) throw malformed("the SOAP body must hold exactly one operation element");
        r.operation = ops.front().local_name();
        r.service_namespace = ops.front().namespace_uri();
        const auto header = root.optional_local("Header");
        const auto version = header ? header->optional_local("VersionData") : std::nullopt;
        if (!version) throw malformed("the VersionData header is missing", RmsFault::ArgumentNull);
        const auto min = version->optional_local("MinimumVersion");
        const auto max = version->optional_local("MaximumVersion");
        r.minimum_version = min ? min->text() : "";
        r.maximum_version = max ? max->text() : "";
        return r;
    } catch (const xrml::FormatError& e) {
        throw malformed(std::string("the SOAP request is not acceptable XML: ") + e.what());
    }
}

void check_version(const SoapRequest& r) {
    const auto min = Version::parse(r.minimum_version);
    const auto max = Version::parse(r.maximum_version);
    if (!min || !max || *max < *min) {
        throw Error(ErrorKind::UnsupportedVersion,
                    "VersionData '" + r.minimum_version.substr(0, 32) + "'..'" + r.maximum_version.substr(0, 32) +
                        "' is not a range of a.b.c.d versions",
                    RmsFault::MalformedDataVersion);
    }
    // [MS-RMPR] VersionData: the server serves a client whose [Minimum, Maximum] range shares a
    // version with its own (a client accepting 1.0.0.0..1.2.0.0 is served at 1.0.0.0); only a
    // range wholly above or below the server's is refused.
    if (server_maximum_version() < *min || *max < server_minimum_version()) {
        throw Error(ErrorKind::UnsupportedVersion,
                    "the client's versions " + min->str() + ".." + max->str() + " share none with this server's " +
                        server_minimum_version().str() + ".." + server_maximum_version().str(),
                    RmsFault::UnsupportedDataVersion);
    }
}

std::string soap_response(const std::string& service_namespace, const std::string& operation,
                          const std::string& result_xml) {
    xrml::XmlBuilder b;
    b.open(operation + "Response", {{"xmlns", service_namespace}});
    b.raw(result_xml);
    b.close();
    return envelope(service_namespace, std::move(b).str());
}

std::string soap_request(const std::string& service_namespace, const std::string& operation_xml) {
    return envelope(service_namespace, operation_xml);
}

std::string soap_fault(const std::string& service_namespace, const std::string& faultstring) {
    xrml::XmlBuilder b;
    b.open("soap:Fault");
    b.element("faultcode", {}, "soap:Server");
    // The text may quote what the caller sent: made printable, it is valid XML text whatever came.
    b.element("faultstring", {}, text::printable(faultstring));
    b.empty("detail");
    b.close();
    return envelope(service_namespace, std::move(b).str());
}

std::vector<std::string> certificates_in(const SoapRequest& r, std::string_view container) {
    return certificates_in_text(r.text, container);
}

std::vector<std::string> certificates_in_text(std::string_view text, std::string_view container) {
    std::vector<std::string> out;
    const auto holders = xrml::elements_by_local_name(text, container);
    if (holders.size() != 1) {
        throw malformed(
            "expected exactly one <" + std::string(container) + "> element, found " + std::to_string(holders.size()),
            holders.empty() ? RmsFault::ArgumentNull : RmsFault::Argument);
    }
    for (const auto certificate : xrml::elements_by_local_name(xrml::inner_text(holders.front()), "Certificate")) {
        out.emplace_back(xrml::inner_text(certificate));
    }
    if (out.empty()) throw malformed("<" + std::string(container) + "> holds no <Certificate>", RmsFault::ArgumentNull);
    return out;
}

std::string certificate_array(const std::vector<std::string>& documents) {
    std::string out;
    for (const auto& d : documents) out += "<Certificate>" + d + "</Certificate>";
    return out;
}

std::string string_array(const std::vector<std::string>& documents) {
    xrml::XmlBuilder b;
    for (const auto& d : documents) b.element("string", {}, d);
    return std::move(b).str();
}

}  // namespace xrca::enrollment
