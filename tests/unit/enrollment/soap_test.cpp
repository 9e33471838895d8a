// SOAP 1.1 envelopes as RMS clients send them: VersionData rules, exact certificate text out of
// a body (signatures still verify), responses and faults, and the one fault mapping.
#include "support/data_path.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "enrollment/fault_mapping.h"
#include "enrollment/messages.h"
#include "enrollment/soap.h"
#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <botan/base64.h>
#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <fstream>

namespace xrca::enrollment {
namespace {

const std::string k_certification = "http://microsoft.com/DRM/CertificationService";

// A Certify request shaped like a .NET web-service client's, carrying `chain` as ArrayOfXmlNode.
std::string certify_request(const std::vector<std::string>& chain, const std::string& min = "1.0.0.0",
                            const std::string& max = "1.0.0.0", bool with_header = true) {
    std::string s =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
    if (with_header) {
        s += "  <soap:Header><VersionData xmlns=\"" + k_certification + "\"><MinimumVersion>" + min +
             "</MinimumVersion><MaximumVersion>" + max + "</MaximumVersion></VersionData></soap:Header>\n";
    }
    s += "  <soap:Body>\n    <Certify xmlns=\"" + k_certification + "\"><requestParams><MachineCertificateChain>";
    for (const auto& d : chain) s += "<Certificate>" + d + "</Certificate>";
    s += "</MachineCertificateChain><Persistent>true</Persistent></requestParams></Certify>\n  "
         "</soap:Body>\n</soap:Envelope>";
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
        const auto verdict = xrml::verify_ordered_chain(
            xrml::read_documents(joined).documents, {h.anchor_fingerprint, xrml::Time::parse("2026-06-01T00:00"), {}});
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
    // A range that shares a version with the server's 1.0.0.0..1.0.0.0 is served; a disjoint one is not.
    EXPECT_EQ(fault_of("1.0.0.0", "1.2.0.0"), RmsFault::None) << "a Windows-style range reaching up to batching";
    EXPECT_EQ(fault_of("0.9.0.0", "1.0.0.0"), RmsFault::None);
    EXPECT_EQ(fault_of("0.1.0.0", "9.9.9.9"), RmsFault::None);
    EXPECT_EQ(fault_of("1.0.0.1", "1.2.0.0"), RmsFault::UnsupportedDataVersion) << "wholly above";
    EXPECT_EQ(fault_of("2.0.0.0", "2.0.0.0"), RmsFault::UnsupportedDataVersion);
    EXPECT_EQ(fault_of("0.9.0.0", "0.9.9.9"), RmsFault::UnsupportedDataVersion) << "wholly below";
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
    EXPECT_TRUE(refused(
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><Certify/></s:Body></s:Envelope>"));
    EXPECT_TRUE(refused(
        "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><A/><B/></s:Body></s:Envelope>"));
    EXPECT_TRUE(
        refused("<!DOCTYPE x [<!ENTITY a \"b\">]><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"/>"));
    EXPECT_TRUE(refused(std::string(k_max_soap_bytes + 1, ' ')));
    EXPECT_TRUE(refused(certify_request({"<x/>"}).substr(0, 300)));
}

TEST(Soap, ResponsesCarryVersionDataAndExactChains) {
    const auto h = test::build_sample_hierarchy(test::Mode{1});
    const auto chain = split(h.rac_chain());
    const auto response =
        soap_response(k_certification, "Certify",
                      "<CertifyResult><CertificateChain>" + certificate_array(chain) +
                          "</CertificateChain><Quota><Verified>true</Verified></Quota></CertifyResult>");
    const auto r = read_soap_request(response);
    EXPECT_EQ(r.operation, "CertifyResponse");
    EXPECT_EQ(r.maximum_version, "1.0.0.0");
    EXPECT_EQ(certificates_in(r, "CertificateChain"), chain);
    // ArrayOfString (Enroll results): escaped text that unescapes to the exact documents.
    const auto strings =
        read_soap_request(soap_response("http://microsoft.com/DRM/EnrollmentService", "Enroll",
                                        "<EnrollResult><LicensorCertificateChain>" + string_array(chain) +
                                            "</LicensorCertificateChain></EnrollResult>"));
    const auto list = strings.operation_element()
                          .required_local("EnrollResult")
                          .required_local("LicensorCertificateChain")
                          .all("string");
    ASSERT_EQ(list.size(), chain.size());
    for (std::size_t i = 0; i < chain.size(); ++i) EXPECT_EQ(list[i].text(), chain[i]);
}

TEST(FaultMapping, EveryKindMapsAndInternalDetailsStayInside) {
    const std::vector<std::pair<ErrorKind, int>> expected = {
        {ErrorKind::Malformed, 500},  {ErrorKind::Unauthorized, 401},
        {ErrorKind::NotFound, 500},   {ErrorKind::Conflict, 500},
        {ErrorKind::WrongState, 500}, {ErrorKind::PolicyDenied, 500},
        {ErrorKind::Revoked, 500},    {ErrorKind::UnsupportedVersion, 500},
        {ErrorKind::Usage, 500},      {ErrorKind::Storage, 500},
        {ErrorKind::Internal, 500}};
    for (const auto& [kind, status] : expected) {
        const auto f = map_error(Error(kind, "secret detail /var/lib/xrca"));
        EXPECT_EQ(f.http_status, status) << error_kind_name(kind);
        EXPECT_FALSE(f.faultstring.empty());
        const bool hidden = kind == ErrorKind::Storage || kind == ErrorKind::Internal;
        EXPECT_EQ(f.faultstring.find("secret detail") == std::string::npos, hidden) << error_kind_name(kind);
    }
    const auto role = map_error(
        Error(ErrorKind::PolicyDenied, "a licensing cluster does not issue RACs", RmsFault::UnauthorizedAccess));
    EXPECT_EQ(role.http_status, 500) << "a known caller refused is a SOAP fault like any other";
    EXPECT_EQ(role.faultstring.rfind("System.UnauthorizedAccessException: ", 0), 0u);
    const auto untrusted = map_error(Error(ErrorKind::PolicyDenied, "x", RmsFault::UntrustedPersonaCert));
    EXPECT_EQ(
        untrusted.faultstring.rfind("Microsoft.DigitalRightsManagement.Licensing.UntrustedPersonaCertException", 0),
        0u);
    // The fault envelope is itself well-formed SOAP with the version header.
    const auto envelope = read_soap_request(soap_fault(k_certification, untrusted.faultstring));
    EXPECT_EQ(envelope.operation, "Fault");
    EXPECT_EQ(envelope.operation_element().required("faultstring").text(), untrusted.faultstring);
}

}  // namespace
}  // namespace xrca::enrollment

namespace xrca::enrollment {
namespace {

std::string data(const std::string& name) {
    std::ifstream in(test::data_path(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Messages, AnEnrollRequestBindsItsFieldsToTheProof) {
    const auto text = data("soap/enroll-request.xml");
    const auto in = read_cluster_request(read_soap_request(text));
    EXPECT_EQ(in.request.request_id, "{11111111-2222-3333-4444-555555555555}");
    EXPECT_EQ(in.request.crypto_mode, ca::CryptoMode::mode2());
    ASSERT_TRUE(in.proof.has_value());
    EXPECT_EQ(in.proof->signed_text.rfind("<oInput>", 0), 0u) << "the proof covers the exact <oInput>";
    EXPECT_EQ(in.proof->signed_text.substr(in.proof->signed_text.size() - 9), "</oInput>");
    // A second <oInput> anywhere makes the signed region ambiguous: refused.
    auto doubled = text;
    doubled.insert(doubled.find("<XrcaProofOfPossession>"), "<oInput/>");
    EXPECT_THROW(read_cluster_request(read_soap_request(doubled)), Error);
}

// The parameters as an RMS server writes them ([MS-RMPR] 3.6.4.2.4, [MS-RMPRS] 3.3): keys as
// base64 PKCS#1 RSAPublicKey (here from Botan, not from xrca's writer), optional fields left out.
std::string rms_parameters(const std::string& operation, const std::string& revocation, const std::string& enrollee) {
    const auto der = test::test_key(2048, 12).public_key_bits();
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><VersionData "
           "xmlns=\"http://microsoft.com/DRM/" +
           operation + "Service\"><MinimumVersion>1.0.0.0</MinimumVersion><MaximumVersion>1.0.0.0</MaximumVersion>" +
           "</VersionData></soap:Header><soap:Body><" + operation + " xmlns=\"http://microsoft.com/DRM/" +
           (operation == "Enroll" ? "EnrollmentService" : "SubEnrollmentService") + "\"><oInput>" + revocation +
           "<CertificatePublicKey><aPublicKeyBytes>" + Botan::base64_encode(der.data(), der.size()) +
           "</aPublicKeyBytes><Guid>{448895a2-0406-4439-b2de-5139ac87f206}</Guid></CertificatePublicKey>"
           "<EnrolleeInformation>" +
           enrollee + "</EnrolleeInformation></oInput></" + operation + "></soap:Body></soap:Envelope>";
}

TEST(Messages, OptionalParametersMayBeLeftOutAndKeysComeAsRmsSendsThem) {
    const auto expected_key = xrml::PublicKey::from_botan(test::test_key(2048, 12));
    // SubEnroll without Name (or SKU): read, with the key from its PKCS#1 form.
    auto sub = read_cluster_request(read_soap_request(
        rms_parameters("SubEnroll", "", "<Version>6.1.7600.16385</Version><URL>https://lic.example.test/_wmcs</URL>")));
    EXPECT_EQ(sub.request.cluster_key, expected_key);
    EXPECT_EQ(sub.request.name, "");
    EXPECT_EQ(sub.request.version, "6.1.7600.16385");
    EXPECT_FALSE(sub.proof.has_value());
    // Enroll with standard revocation and an empty list of authorities, as a serializer writes an empty array.
    const std::string enrollee = "<SKU>RMS</SKU><Version>1.0</Version><Name>Corp</Name><URL>https://r.test/_wmcs</URL>";
    const auto standard = read_cluster_request(read_soap_request(rms_parameters(
        "Enroll",
        "<RevocationInformation><RevocationType>StandardRevocation</RevocationType><aRevocationAuthorities />"
        "</RevocationInformation>",
        enrollee)));
    EXPECT_EQ(standard.request.revocation, ca::RevocationMode::Standard);
    EXPECT_TRUE(standard.request.revocation_authorities.empty());
    // …but standard revocation naming an authority contradicts itself.
    const auto der = test::test_key(2048, 13).public_key_bits();
    EXPECT_THROW(read_cluster_request(read_soap_request(rms_parameters(
                     "Enroll",
                     "<RevocationInformation><RevocationType>StandardRevocation</RevocationType>"
                     "<aRevocationAuthorities><RevocationAuthorityInformation><aRevocationAuthorityPublicKey>" +
                         Botan::base64_encode(der.data(), der.size()) +
                         "</aRevocationAuthorityPublicKey></RevocationAuthorityInformation></aRevocationAuthorities>"
                         "</RevocationInformation>",
                     enrollee))),
                 Error);
}

TEST(Messages, TheEnrollClientSendsKeysAsBase64Pkcs1) {
    ca::PreparedRequest p;
    p.operation = ca::ClusterOperation::SubEnroll;
    p.request_id = "{11111111-2222-3333-4444-555555555555}";
    p.created = xrml::Time::parse("2026-03-01T12:00");
    p.cluster_key = xrml::PublicKey::from_botan(test::test_key(2048, 12));
    p.cluster_guid = "{448895a2-0406-4439-b2de-5139ac87f206}";
    p.name = "Licensing";
    p.url = "https://lic.example.test/_wmcs";
    p.sku = "xrca";
    p.version = "0.1.0";
    const auto input = cluster_request_input(p);
    const auto open = input.find("<aPublicKeyBytes>") + std::string("<aPublicKeyBytes>").size();
    const auto text = input.substr(open, input.find("</aPublicKeyBytes>") - open);
    EXPECT_EQ(text.find('<'), std::string::npos) << "no <PUBLICKEY> element: " << text;
    // Botan reads it as an RSAPublicKey (RFC 8017 A.1.1) with the cluster's modulus and exponent.
    const auto der = Botan::base64_decode(text);
    const Botan::RSA_PublicKey key(Botan::AlgorithmIdentifier(), std::vector<std::uint8_t>(der.begin(), der.end()));
    EXPECT_EQ(key.get_n(), test::test_key(2048, 12).get_n());
    EXPECT_EQ(key.get_e(), 65537u);
}

TEST(Messages, ActivationNeedsItsProof) {
    const auto text = data("soap/activate-request.xml");
    const auto m = read_activation_request(read_soap_request(text));
    EXPECT_EQ(m.hardware_id_digest.size(), 32u);
    ASSERT_TRUE(m.proof.has_value());
    // Without a hardware ID the element is left out, and the request reads with an empty digest.
    const auto key = xrml::PublicKey::from_botan(test::test_key(2048, 1));
    EXPECT_EQ(activation_input(key, {}).find("HidXml"), std::string::npos);
    EXPECT_NE(activation_input(key, std::vector<std::uint8_t>(32, 1)).find("<HidXml>"), std::string::npos);
    auto without = text;
    without.erase(without.find("<XrcaProofOfPossession>"),
                  without.find("</Activate>") - without.find("<XrcaProofOfPossession>"));
    try {
        read_activation_request(read_soap_request(without));
        ADD_FAILURE() << "accepted without a proof";
    } catch (const Error& e) {
        EXPECT_EQ(e.fault(), RmsFault::ArgumentNull);
    }
}

TEST(Messages, TheClientReadsChainsAndFaults) {
    const auto reply = read_soap_reply(200, data("soap/enroll-reply.xml"));
    const auto chain = strings_in_reply(reply, "LicensorCertificateChain");
    ASSERT_EQ(chain.size(), 4u);
    std::string joined;
    for (const auto& d : chain) joined += d;
    EXPECT_EQ(xrml::read_documents(joined).documents.size(), 4u) << "each string is one exact XrML document";
    try {
        read_soap_reply(401, data("soap/fault-reply.xml"));
        ADD_FAILURE() << "a fault was not raised";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unauthorized);
        EXPECT_NE(std::string(e.what()).find("System.UnauthorizedAccessException"), std::string::npos);
    }
    EXPECT_THROW(read_soap_reply(502, "<html>bad gateway</html>"), Error);
}

TEST(Messages, ServiceLocationTypes) {
    const auto types = read_service_location_request(read_soap_request(data("soap/locate-request.xml")));
    EXPECT_EQ(types, (std::vector<std::string>{"CertificationService", "LicensingService"}));
}

// [MS-RMPR] 3.7.4.3.2.1: GetServerInfo/requests/ServerInfoRequest; the SDK calls the member
// ServerInfoType, so that spelling is read too. Hostile shapes are refused, not guessed at.
TEST(Messages, ServerInfoRequestsAndTheirHostileShapes) {
    const auto text = data("soap/server-info-request.xml");
    EXPECT_EQ(read_server_info_request(read_soap_request(text)),
              (std::vector<std::string>{"VersionInfo", "ServerFeatureInfo", "ServiceLocations"}));
    const auto with_requests = [&](const std::string& inner) {
        auto t = text;
        const auto from = t.find("<requests>");
        const auto to = t.find("</requests>") + std::string("</requests>").size();
        return t.replace(from, to - from, inner);
    };
    EXPECT_EQ(read_server_info_request(read_soap_request(with_requests(
                  "<requests><ServerInfoRequest><ServerInfoType>VersionInfo</ServerInfoType></ServerInfoRequest>"
                  "</requests>"))),
              std::vector<std::string>{"VersionInfo"});
    EXPECT_TRUE(read_server_info_request(read_soap_request(with_requests(""))).empty()) << "no requests: none";
    EXPECT_THROW(
        read_server_info_request(read_soap_request(with_requests(
            "<requests><ServerInfoRequest><AdditionalInfo>x</AdditionalInfo></ServerInfoRequest></requests>"))),
        Error)
        << "a request naming no type";
    std::string many = "<requests>";
    for (int i = 0; i < 9; ++i) many += "<ServerInfoRequest><Type>VersionInfo</Type></ServerInfoRequest>";
    EXPECT_THROW(read_server_info_request(read_soap_request(with_requests(many + "</requests>"))), Error)
        << "more than 8";
    std::string deep = "<requests><ServerInfoRequest><Type>";
    for (int i = 0; i < 60; ++i) deep += "<a>";
    EXPECT_THROW(read_soap_request(with_requests(deep)), Error) << "too deep to be a request";
}

}  // namespace
}  // namespace xrca::enrollment
