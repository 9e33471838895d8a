// SOAP 1.1 envelopes as RMS clients send them: VersionData rules, exact certificate text out of
// a body (signatures still verify), responses and faults, and the one fault mapping.
#include "support/data_path.h"
#include "support/sample_chain.h"

#include "enrollment/fault_mapping.h"
#include "enrollment/soap.h"
#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <fstream>

namespace xrca::enrollment {
namespace {

const std::string k_certification = "http://microsoft.com/DRM/CertificationService";

// A Certify request shaped like a .NET web-service client's, carrying `chain` as ArrayOfXmlNode.
std::string certify_request(const std::vector<std::string>& chain, const std::string& min = "1.0.0.0",
                            const std::string& max = "1.0.0.0", bool with_header = true) {
    std::string s = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
    if (with_header) {
        s += "  <soap:Header><VersionData xmlns=\"" + k_certification + "\"><MinimumVersion>" + min +
             "</MinimumVersion><MaximumVersion>" + max + "</MaximumVersion></VersionData></soap:Header>\n";
    }
    s += "  <soap:Body>\n    <Certify xmlns=\"" + k_certification + "\"><requestParams><MachineCertificateChain>";
    for (const auto& d : chain) s += "<Certificate>" + d + "</Certificate>";
    s += "</MachineCertificateChain><Persistent>true</Persistent></requestParams></Certify>\n  </soap:Body>\n</soap:Envelope>";
    return s;
}

std::vector<std::string> split(const std::string& chain_text) {
    std::vector<std::string> out;
    for (const auto& d : xrml::read_documents(chain_text).documents) out.push_back(d.raw.text);
    return out;
}

TEST(Soap, ReadsACertifyRequestAndKeepsEveryCertificateExact) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto chain = split(h.spc_chain());
    for (auto encoding : {xrml::SourceEncoding::Utf8, xrml::SourceEncoding::Utf16LeBom}) {
        const auto r = read_soap_request(xrml::encode_output(certify_request(chain), encoding));
        EXPECT_EQ(r.operation, "Certify");
        EXPECT_EQ(r.service_namespace, k_certification);
        EXPECT_EQ(r.minimum_version, "1.0.0.0");
        EXPECT_NO_THROW(check_version(r));
        const auto certificates = certificates_in(r, "MachineCertificateChain");
        EXPECT_EQ(certificates, chain) << "certificates must come out of SOAP byte for byte";
        std::string joined;
        for (const auto& c : certificates) joined += c;
        const auto verdict = xrml::verify_ordered_chain(xrml::read_documents(joined).documents,
                                                        {h.anchor_fingerprint, xrml::Time::parse("2026-06-01T00:00"), {}});
        EXPECT_TRUE(verdict.ok()) << verdict.detail;
    }
}

TEST(Soap, PrettyPrintedRealDocumentsSurviveTheTrip) {
    std::ifstream in(test::data_path("vectors/ms-onprem-pl-chain-2015.xml"), std::ios::binary);
    const std::string text(std::istreambuf_iterator<char>(in), {});
    const auto docs = split(text);
    const auto r = read_soap_request(certify_request(docs));
    const auto certificates = certificates_in(r, "MachineCertificateChain");
    ASSERT_EQ(certificates.size(), 8u);
    for (const auto& c : certificates) EXPECT_TRUE(xrml::verify_signature(xrml::read_documents(c).documents[0]).ok());
}

TEST(Soap, VersionRules) {
    const std::vector<std::string> none{"<x/>"};
    const auto fault_of = [&](const std::string& min, const std::string& max) {
        try {
            check_version(read_soap_request(certify_request(none, min, max)));
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::UnsupportedVersion);
            return e.fault();
        }
        return RmsFault::None;
    };
    EXPECT_EQ(fault_of("1.0.0.0", "1.0.0.0"), RmsFault::None);
    EXPECT_EQ(fault_of("1.0", "1.0.0.0"), RmsFault::MalformedDataVersion);
    EXPECT_EQ(fault_of("1.0.0.0", "x.0.0.0"), RmsFault::MalformedDataVersion);
    EXPECT_EQ(fault_of("1.0.0.1", "1.0.0.0"), RmsFault::MalformedDataVersion) << "minimum above maximum";
    EXPECT_EQ(fault_of("1.0.0.0", "1.2.0.0"), RmsFault::UnsupportedDataVersion);
    EXPECT_EQ(fault_of("2.0.0.0", "2.0.0.0"), RmsFault::UnsupportedDataVersion);
    try {
        read_soap_request(certify_request(none, "", "", false));
        FAIL() << "accepted without VersionData";
    } catch (const Error& e) {
        EXPECT_EQ(e.fault(), RmsFault::ArgumentNull);
    }
}

TEST(Soap, WhatIsNotSoapIsRefused) {
    const auto refused = [](const std::string& body) {
        try {
            read_soap_request(body);
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Malformed) << body.substr(0, 60);
            return true;
        }
        return false;
    };
    EXPECT_TRUE(refused(""));
    EXPECT_TRUE(refused("{\"json\": 1}"));
    EXPECT_TRUE(refused("<Envelope/>"));
    EXPECT_TRUE(refused("<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><Certify/></s:Body></s:Envelope>"));
    EXPECT_TRUE(refused("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><A/><B/></s:Body></s:Envelope>"));
    EXPECT_TRUE(refused("<!DOCTYPE x [<!ENTITY a \"b\">]><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"));
    EXPECT_TRUE(refused(std::string(k_max_soap_bytes + 1, ' ')));
    EXPECT_TRUE(refused(certify_request({"<x/>"}).substr(0, 300)));
}

TEST(Soap, ResponsesCarryVersionDataAndExactChains) {
    const auto h = test::build_sample_hierarchy(test::Mode{1});
    const auto chain = split(h.rac_chain());
    const auto response = soap_response(k_certification, "Certify",
                                        "<CertifyResult><CertificateChain>" + certificate_array(chain) +
                                            "</CertificateChain><Quota><Verified>true</Verified></Quota></CertifyResult>");
    const auto r = read_soap_request(response);
    EXPECT_EQ(r.operation, "CertifyResponse");
    EXPECT_EQ(r.maximum_version, "1.0.0.0");
    EXPECT_EQ(certificates_in(r, "CertificateChain"), chain);
    // ArrayOfString (Enroll results): escaped text that unescapes to the exact documents.
    const auto strings = read_soap_request(soap_response("http://microsoft.com/DRM/EnrollmentService", "Enroll",
                                                          "<EnrollResult><LicensorCertificateChain>" + string_array(chain) +
                                                              "</LicensorCertificateChain></EnrollResult>"));
    const auto list = strings.operation_element().required_local("EnrollResult").required_local("LicensorCertificateChain").all("string");
    ASSERT_EQ(list.size(), chain.size());
    for (std::size_t i = 0; i < chain.size(); ++i) EXPECT_EQ(list[i].text(), chain[i]);
}

TEST(FaultMapping, EveryKindMapsAndInternalDetailsStayInside) {
    const std::vector<std::pair<ErrorKind, int>> expected = {
        {ErrorKind::Malformed, 400}, {ErrorKind::Unauthorized, 401}, {ErrorKind::NotFound, 404},
        {ErrorKind::Conflict, 409},  {ErrorKind::WrongState, 503},   {ErrorKind::PolicyDenied, 500},
        {ErrorKind::Revoked, 500},   {ErrorKind::UnsupportedVersion, 500}, {ErrorKind::Usage, 400},
        {ErrorKind::Storage, 500},   {ErrorKind::Internal, 500}};
    for (const auto& [kind, status] : expected) {
        const auto f = map_error(Error(kind, "secret detail /var/lib/xrca"));
        EXPECT_EQ(f.http_status, status) << error_kind_name(kind);
        EXPECT_FALSE(f.faultstring.empty());
        const bool hidden = kind == ErrorKind::Storage || kind == ErrorKind::Internal;
        EXPECT_EQ(f.faultstring.find("secret detail") == std::string::npos, hidden) << error_kind_name(kind);
    }
    const auto role = map_error(Error(ErrorKind::PolicyDenied, "a licensing cluster does not issue RACs", RmsFault::UnauthorizedAccess));
    EXPECT_EQ(role.http_status, 403);
    EXPECT_EQ(role.faultstring.rfind("System.UnauthorizedAccessException: ", 0), 0u);
    const auto untrusted = map_error(Error(ErrorKind::PolicyDenied, "x", RmsFault::UntrustedPersonaCert));
    EXPECT_EQ(untrusted.faultstring.rfind("Microsoft.DigitalRightsManagement.Licensing.UntrustedPersonaCertException", 0), 0u);
    // The fault envelope is itself well-formed SOAP with the version header.
    const auto envelope = read_soap_request(soap_fault(k_certification, untrusted.faultstring));
    EXPECT_EQ(envelope.operation, "Fault");
    EXPECT_EQ(envelope.operation_element().required("faultstring").text(), untrusted.faultstring);
}

}  // namespace
}  // namespace xrca::enrollment
