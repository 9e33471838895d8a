// SOAP 1.1 document/literal as RMS speaks it (reference §3.0): the envelope, the VersionData
// header and its version rules, responses, and the exact text of certificates carried in a
// body. Transport-free: the HTTP server (next) hands it bytes and sends what it returns.
#pragma once

#include "ca/errors.h"
#include "xrml/strict_xml.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::enrollment {

inline constexpr const char* k_soap11_namespace = "http://schemas.xmlsoap.org/soap/envelope/";
/** Request bodies larger than this are refused (HTTP 413 at the server). */
inline constexpr std::size_t k_max_soap_bytes = 1024 * 1024;

/** An "a.b.c.d" capability version (reference §3.0). */
struct Version {
    std::array<std::uint32_t, 4> parts{};
    /** Parses "a.b.c.d" with decimal parts; nullopt otherwise. */
    static std::optional<Version> parse(std::string_view text);
    [[nodiscard]] std::string str() const;
    friend bool operator<(const Version& a, const Version& b) { return a.parts < b.parts; }
    friend bool operator==(const Version& a, const Version& b) { return a.parts == b.parts; }
};

/** The versions xrca speaks: 1.0.0.0 only (no batching). */
Version server_minimum_version();
Version server_maximum_version();

/** A SOAP request read strictly. The DOM lives as long as this object. */
struct SoapRequest {
    std::string text;  ///< the decoded envelope, for exact certificate text
    xrml::XmlDocument dom;
    std::string operation;                         ///< local name of the body's first element ("Certify")
    std::string service_namespace;                 ///< its namespace ("http://microsoft.com/DRM/CertificationService")
    std::string minimum_version, maximum_version;  ///< from VersionData, as sent
    /** The operation element (the body's first child). */
    [[nodiscard]] xrml::XmlElement operation_element() const;
};

/**
 * Reads a SOAP 1.1 envelope: UTF-8 or UTF-16, no DTD, bounded size and depth, Envelope and
 * Body in the SOAP 1.1 namespace, exactly one operation element. Throws Error(Malformed) with
 * System.ArgumentException (or ArgumentNullException for a missing VersionData header).
 */
SoapRequest read_soap_request(std::string_view bytes);

/**
 * Applies the version rules to a request: a malformed VersionData (not two a.b.c.d versions,
 * or minimum above maximum) is MalformedDataVersionException; a range that shares no version
 * with the server's is UnsupportedDataVersionException (both Error(UnsupportedVersion)).
 */
void check_version(const SoapRequest& request);

/** A response envelope: the VersionData header, then `<OPERATIONResponse>` holding `result_xml`. */
std::string soap_response(const std::string& service_namespace, const std::string& operation,
                          const std::string& result_xml);

/** A request envelope for the client: VersionData 1.0.0.0..1.0.0.0, then `operation_xml`. */
std::string soap_request(const std::string& service_namespace, const std::string& operation_xml);

/** A fault envelope (faultcode soap:Server, faultstring `faultstring`), VersionData included. */
std::string soap_fault(const std::string& service_namespace, const std::string& faultstring);

/**
 * The exact text of every XrML document carried in `<Certificate>` elements (ArrayOfXmlNode)
 * under the element named `container` in the request, in order. Never re-serialised, so the
 * signatures still verify.
 */
std::vector<std::string> certificates_in(const SoapRequest& request, std::string_view container);
/** The same for any text (a reply read by the client). */
std::vector<std::string> certificates_in_text(std::string_view text, std::string_view container);

/** An ArrayOfXmlNode: each document (exact text) inside `<Certificate>`. */
std::string certificate_array(const std::vector<std::string>& documents);

/** An ArrayOfString: each document escaped inside `<string>` (Enroll and SubEnroll results). */
std::string string_array(const std::vector<std::string>& documents);

}  // namespace xrca::enrollment
