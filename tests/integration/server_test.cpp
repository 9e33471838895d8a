// The real HTTP server on 127.0.0.1 (ephemeral port) in front of a real root cluster: health,
// service pages, GetLicensorCertificate over SOAP, and the refusals, each logged.
#include "support/authority_fixture.h"
#include "support/raw_http.h"
#include "support/test_keys.h"

#include "ca/hierarchy.h"
#include "ca/signer.h"
#include "enrollment/client.h"
#include "enrollment/http_server.h"
#include "enrollment/messages.h"
#include "enrollment/service.h"
#include "enrollment/soap.h"
#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"
#include "xrml/strict_xml.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <sstream>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <thread>

namespace xrca::enrollment {
namespace {

// A directory user that servers certify in these tests.
constexpr const char* k_bob = "S-1-5-21-7-1002";

using test::http;

const std::string k_server_ns = "http://microsoft.com/DRM/ServerService";

std::string envelope(const std::string& operation, const std::string& max_version = "1.0.0.0",
                     const std::string& min_version = "1.0.0.0") {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
           "<soap:Header><VersionData xmlns=\"" +
           k_server_ns + "\"><MinimumVersion>" + min_version + "</MinimumVersion><MaximumVersion>" + max_version +
           "</MaximumVersion></VersionData></soap:Header><soap:Body><" + operation + " xmlns=\"" + k_server_ns +
           "\"/></soap:Body></soap:Envelope>";
}

std::string action(const std::string& operation) { return "SOAPAction: \"" + k_server_ns + "/" + operation + "\"\r\n"; }

ServerOptions test_server_options() {
    ServerOptions o;
    o.listen = {{"127.0.0.1", 0}};
    o.threads = 4;
    o.connection_limit = 64;
    o.connection_timeout_seconds = 10;
    return o;
}

class ServerTest : public ::testing::Test {
protected:
    test::Hierarchy h{2};
    Service service{*h.root.authority};
    HttpServer server{test_server_options(), [this](const HttpRequest& r) { return service.handle(r); }};
    std::string last_log_outcome() { return h.root.store->read_log("").back().outcome; }
    /** Writes the anonymous-traffic windows now and returns the entry of the one from 127.0.0.1. */
    store::LogEntry anonymous_summary() {
        h.root.authority->audit().flush_anonymous();
        const auto log = h.root.store->read_log("");
        for (auto it = log.rbegin(); it != log.rend(); ++it) {
            if (it->operation == "AnonymousTraffic" && it->caller.find("127.0.0.1") != std::string::npos) return *it;
        }
        ADD_FAILURE() << "no AnonymousTraffic entry";
        return {};
    }
};

TEST_F(ServerTest, HealthAndServicePages) {
    ASSERT_NE(server.port(), 0);
    auto r = http(server.port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("ok", 0), 0u) << r.body;
    r = http(server.port(), "GET", "/_wmcs/certification/server.asmx");
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find("GetLicensorCertificate"), std::string::npos) << r.body;
    EXPECT_EQ(http(server.port(), "GET", "/_WMCS//Certification/Server.asmx/").status, 200) << "one canonical path";
    EXPECT_EQ(http(server.port(), "GET", "/_wmcs/certification/../licensing/server.asmx").status, 404);
    EXPECT_EQ(http(server.port(), "GET", "/nothing-here").status, 404);
    EXPECT_EQ(http(server.port(), "DELETE", "/_wmcs/licensing/server.asmx").status, 405);
    // HEAD: the same status and headers, no body (a load balancer's cheapest probe).
    for (const char* path : {"/healthz", "/metrics"}) {
        r = http(server.port(), "HEAD", path);
        EXPECT_EQ(r.status, 200) << path;
        EXPECT_NE(r.headers.find("text/plain"), std::string::npos) << r.headers;
        EXPECT_EQ(r.body, "") << path;
    }
}

// Issue 16: 200 only with everything an answer needs; a warning (still 200) when the SLC ends
// within the configured time; the facts behind it are /metrics' gauges.
TEST_F(ServerTest, HealthWarnsWhenTheSlcEndsSoonAndItsFactsAreGauges) {
    ServiceOptions soon;
    soon.health.warn_expiry = std::chrono::hours(24 * 365 * 100);
    Service warned{*h.root.authority, soon};
    HttpServer warned_server{test_server_options(), [&](const HttpRequest& r) { return warned.handle(r); }};
    auto r = http(warned_server.port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("warning: the SLC expires in ", 0), 0u) << r.body;
    EXPECT_EQ(r.body.find('\n'), r.body.size() - 1) << "one line";
    // Without the warning window the same authority is simply ok.
    r = http(server.port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("ok (root, active", 0), 0u) << r.body;

    const auto metrics = http(server.port(), "GET", "/metrics").body;
    const auto gauge = [&](const std::string& name) -> std::optional<std::int64_t> {
        const auto at = metrics.find("\n" + name + " ");
        if (at == std::string::npos) return std::nullopt;
        return std::stoll(metrics.substr(at + name.size() + 2));
    };
    // The fixture's clock is fixed: the SLC was issued at it, and the list published at it.
    const auto slc = gauge("xrca_slc_expiry_seconds");
    ASSERT_TRUE(slc) << metrics;
    EXPECT_GT(*slc, 86400) << "the fixture's SLC is valid for more than a day";
    EXPECT_EQ(gauge("xrca_revocation_list_age_seconds"), 0) << metrics;
    EXPECT_EQ(gauge("xrca_healthy"), 1) << metrics;
    EXPECT_FALSE(gauge("xrca_store_probe_seconds")) << "this service was given no store probe";
}

// Issue 16: the store's health probe is timed, and a store that does not answer is 503.
TEST_F(ServerTest, AStoreThatDoesNotAnswerIsUnhealthy) {
    std::atomic<bool> answers{true};  // read by the server's threads
    ServiceOptions probed;
    probed.health.refresh = std::chrono::milliseconds(0);
    store::Store& store = *h.root.store;
    probed.health.store_probe = [&] {
        if (!answers) throw store::StorageError("gone");
        (void)store.policy_revision();
    };
    Service watched{*h.root.authority, probed};
    HttpServer watched_server{test_server_options(), [&](const HttpRequest& r) { return watched.handle(r); }};
    EXPECT_EQ(http(watched_server.port(), "GET", "/healthz").status, 200);
    EXPECT_NE(http(watched_server.port(), "GET", "/metrics").body.find("\nxrca_store_probe_seconds 0."),
              std::string::npos);
    answers = false;
    const auto r = http(watched_server.port(), "GET", "/healthz");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "store unavailable\n");
    EXPECT_NE(http(watched_server.port(), "GET", "/metrics").body.find("\nxrca_healthy 0\n"), std::string::npos);
}

TEST_F(ServerTest, GetLicensorCertificateReturnsTheExactChain) {
    const auto r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("GetLicensorCertificate"),
                        action("GetLicensorCertificate"));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto response = read_soap_request(r.body);
    EXPECT_EQ(response.operation, "GetLicensorCertificateResponse");
    EXPECT_EQ(response.maximum_version, "1.0.0.0");
    const auto chain = certificates_in(response, "CertificateChain");
    EXPECT_EQ(chain, h.root.authority->own_chain());
    std::string joined;
    for (const auto& c : chain) joined += c;
    EXPECT_TRUE(
        xrml::verify_ordered_chain(xrml::read_documents(joined).documents, {h.anchor(), h.clock.now(), {}}).ok());
    // Anyone may read the chain: counted for its source, not logged one request at a time.
    EXPECT_NE(h.root.store->read_log("").back().operation, "GetLicensorCertificate");
    const auto entry = anonymous_summary();
    EXPECT_EQ(entry.outcome, "aggregated");
    EXPECT_NE(entry.inputs.find("requests=1; refused=0; GetLicensorCertificate=1"), std::string::npos) << entry.inputs;
    EXPECT_NE(entry.caller.find("xrca-test"), std::string::npos) << entry.caller;
}

TEST_F(ServerTest, RefusalsGetTheirFaultsAndAreLogged) {
    const auto log_before = h.root.store->counts().log_entries;
    // Every fault is HTTP 500 (SOAP 1.1 §6.2, as ASP.NET answers), whatever was wrong.
    auto r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("GetLicensorCertificate"),
                  action("Certify"));
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(r.body.find("System.ArgumentException"), std::string::npos) << r.body;
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", "<not xml", action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 500);
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", "{\"json\": true}",
             action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 500);
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx",
             envelope("GetLicensorCertificate", "1.2.0.0", "1.1.0.0"), action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(r.body.find("UnsupportedDataVersionException"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<MaximumVersion>1.0.0.0</MaximumVersion>"), std::string::npos) << "faults carry VersionData";
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("Certify"), action("Certify"));
    EXPECT_EQ(r.status, 500) << "an operation this endpoint does not have";
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", std::string(2 * 1024 * 1024, 'x'),
             action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 413) << "a body too large is refused before it is read as SOAP";
    EXPECT_NE(r.body.find("System.ArgumentException"), std::string::npos) << r.body;
    // Anonymous refusals are counted per source and window: one entry for all six, with a sample.
    EXPECT_EQ(h.root.store->counts().log_entries, log_before) << "nothing logged one by one";
    const auto summary = anonymous_summary();
    EXPECT_EQ(h.root.store->counts().log_entries, log_before + 1);
    EXPECT_EQ(summary.outcome, "aggregated");
    EXPECT_NE(summary.inputs.find("requests=6; refused=6"), std::string::npos) << summary.inputs;
    EXPECT_NE(summary.reason.find("System.ArgumentException"), std::string::npos) << summary.reason;
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

TEST_F(ServerTest, ConcurrentRequestsAllSucceed) {
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
        clients.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                const auto r = http(server.port(), "POST", "/_wmcs/licensing/server.asmx",
                                    envelope("GetLicensorCertificate"), action("GetLicensorCertificate"));
                if (r.status == 200) ++ok;
            }
        });
    }
    for (auto& c : clients) c.join();
    EXPECT_EQ(ok.load(), 80);
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

// --- every operation, by role, with its refusals -------------------------------------------

class OperationsTest : public ServerTest {
protected:
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server.port()) + "/_wmcs"; }
    SoapClient as(const std::string& token) const { return SoapClient({url(), token, "", 30}); }
    std::string add(const std::string& name, const std::string& role, const std::string& email = "") {
        return h.root.authority->add_principal(name, role, email, "", h.caller);
    }
    std::map<std::string, std::int64_t> issued() { return h.root.store->counts().issued_by_kind; }
    std::int64_t log_size() { return h.root.store->counts().log_entries; }
    // A refusal: the fault named, one new log entry marked refused (an anonymous caller's is
    // counted for its source instead), nothing issued.
    enum class Logged { OneByOne, CountedForItsSource };
    template <typename Call>
    void expect_refused(Call&& call, ErrorKind kind, const std::string& fault, const std::string& what,
                        Logged logged = Logged::OneByOne) {
        const auto before_issued = issued();
        const auto before_log = log_size();
        try {
            call();
            ADD_FAILURE() << what << ": accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), kind) << what << ": " << e.what();
            EXPECT_NE(std::string(e.what()).find(fault), std::string::npos) << what << ": " << e.what();
        }
        EXPECT_EQ(issued(), before_issued) << what;
        if (logged == Logged::CountedForItsSource) {
            EXPECT_EQ(log_size(), before_log) << what;
            return;
        }
        EXPECT_EQ(log_size(), before_log + 1) << what;
        EXPECT_EQ(last_log_outcome(), "refused") << what;
    }
    std::vector<std::string> activate(const SoapClient& client, const Botan::RSA_PrivateKey& machine) {
        const auto pub = xrml::PublicKey::from_botan(machine);
        const auto input = activation_input(pub, std::vector<std::uint8_t>(32, 7));
        const auto proof = ca::prove_possession(machine, input, xrml::DigestAlgorithm::Sha256, h.rng);
        const auto reply = client.call(services::activation, "Activate", activation_request(input, proof));
        return certificates_in_reply(reply, "MachineCertificateChain");
    }
};

TEST_F(OperationsTest, AUserActivatesCertifiesAndGetsAClc) {
    const auto alice = as(add("alice", "user", "alice@example.test"));
    const auto spc = activate(alice, test::test_key(2048, 3));
    const auto rac_reply = alice.call(services::certification, "Certify", certify_request(spc, true));
    const auto rac = certificates_in_reply(rac_reply, "CertificateChain");
    EXPECT_EQ(rac_reply.result().required_local("Quota").required_local("Verified").text(), "true");
    const auto rac_doc = xrml::read_documents(rac.front()).documents.front();
    // The RAC's identity comes from the principal: the federated user of its email (GUID from Python's uuid5).
    EXPECT_EQ(rac_doc.principal->object.id.value, "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    const auto clc = certificates_in_reply(alice.call(services::publishing, "GetClientLicensorCert", clc_request(rac)),
                                           "CertificateChain");
    std::string joined;
    for (const auto& d : clc) joined += d;
    EXPECT_TRUE(
        xrml::verify_ordered_chain(xrml::read_documents(joined).documents, {h.anchor(), h.clock.now(), {}}).ok());
    // A server certifies a user it names and its grant matches (issue 12 item 9: without the
    // grant this is refused, ServerPrincipalsAreScoped); service location needs no token.
    const auto server_principal = as(add("portal", "server"));
    h.root.authority->grant_principal("portal", k_bob, h.caller);
    h.root.authority->grant_principal("portal", "bob@*", h.caller);
    const auto bob =
        certificates_in_reply(server_principal.call(services::server_certification, "Certify",
                                                    certify_request(spc, false, k_bob, "bob@example.test")),
                              "CertificateChain");
    EXPECT_EQ(xrml::read_documents(bob.front()).documents.front().principal->object.id.value, k_bob);
    const auto where = as("").call(
        services::certification_locator, "FindServiceLocationsForUser",
        service_location_request("FindServiceLocationsForUser", {"CertificationService", "LicensingService"}));
    const auto found = where.result().all("ServiceLocationResponse");
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].required("URL").text(), "https://root.example.test/_wmcs/certification");
    EXPECT_EQ(found[1].required("URL").text(), "https://root.example.test/_wmcs/licensing");
}

TEST_F(OperationsTest, RefusalsHaveTheirFaultsTheirLogEntriesAndChangeNothing) {
    const auto alice_token = add("alice", "user", "alice@example.test");
    const auto alice = as(alice_token);
    const auto spc_chain = activate(alice, test::test_key(2048, 4));

    expect_refused([&] { as("").call(services::certification, "Certify", certify_request(spc_chain, true)); },
                   ErrorKind::Unauthorized, "UnauthorizedAccessException", "no token", Logged::CountedForItsSource);
    expect_refused(
        [&] { as("xrca_unknown").call(services::certification, "Certify", certify_request(spc_chain, true)); },
        ErrorKind::Unauthorized, "UnauthorizedAccessException", "an unknown token", Logged::CountedForItsSource);
    const auto gone = add("gone", "user", "gone@example.test");
    h.root.authority->remove_principal("gone", h.caller);
    expect_refused([&] { as(gone).call(services::certification, "Certify", certify_request(spc_chain, true)); },
                   ErrorKind::Unauthorized, "UnauthorizedAccessException", "a removed principal",
                   Logged::CountedForItsSource);
    const auto portal = as(add("portal", "server"));
    expect_refused([&] { portal.call(services::certification, "Certify", certify_request(spc_chain, true)); },
                   ErrorKind::PolicyDenied, "UnauthorizedAccessException", "the wrong role");
    expect_refused(
        [&] {
            alice.call(services::sub_enrollment, "SubEnroll",
                       "<SubEnroll xmlns=\"http://microsoft.com/DRM/SubEnrollmentService\"/>");
        },
        ErrorKind::PolicyDenied, "UnauthorizedAccessException", "a user calling SubEnroll");

    // An SPC chain from another root cluster's activation issuer is not trusted here.
    auto other = h.provision_cluster("other", ca::Role::Root, 2, true);
    ca::MachineRequest m;
    m.machine_key = xrml::PublicKey::from_botan(test::test_key(2048, 5));
    std::vector<std::string> foreign;
    for (const auto& d : xrml::read_documents(other.authority->certify_machine(m, h.caller).text()).documents)
        foreign.push_back(d.raw.text);
    expect_refused([&] { alice.call(services::certification, "Certify", certify_request(foreign, true)); },
                   ErrorKind::PolicyDenied, "VerifyMachineCertificateChainFailedException", "an untrusted SPC issuer");

    // Alice's RAC presented by Bob.
    const auto rac = certificates_in_reply(
        alice.call(services::certification, "Certify", certify_request(spc_chain, true)), "CertificateChain");
    const auto bob = as(add("bob", "user", "bob@example.test"));
    expect_refused([&] { bob.call(services::publishing, "GetClientLicensorCert", clc_request(rac)); },
                   ErrorKind::PolicyDenied, "UnauthorizedAccessException", "another user's RAC");

    // Activation without a proof of possession, or with one by another key.
    const auto pub = xrml::PublicKey::from_botan(test::test_key(2048, 6));
    const auto input = activation_input(pub, std::vector<std::uint8_t>(32, 1));
    const auto wrong = ca::prove_possession(test::test_key(2048, 7), input, xrml::DigestAlgorithm::Sha256, h.rng);
    expect_refused([&] { alice.call(services::activation, "Activate", activation_request(input, wrong)); },
                   ErrorKind::Malformed, "ArgumentException", "a proof by another key");

    // Raw HTTP: malformed XML, not SOAP, wrong SOAPAction, malformed and unsupported VersionData, too large.
    const std::string path = services::certification.path;
    const std::string cert_ns = services::certification.namespace_uri();
    const std::string auth = "Authorization: Bearer " + alice_token + "\r\n";
    const std::string good_action = "SOAPAction: \"" + cert_ns + "/Certify\"\r\n";
    const auto certify_envelope = [&](const std::string& min, const std::string& max) {
        return "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><VersionData "
               "xmlns=\"" +
               cert_ns + "\"><MinimumVersion>" + min + "</MinimumVersion><MaximumVersion>" + max +
               "</MaximumVersion></VersionData></soap:Header><soap:Body>" + certify_request(spc_chain, true) +
               "</soap:Body></soap:Envelope>";
    };
    struct Case {
        std::string what, body, headers;
        int status;
        std::string fault;
    };
    const std::vector<Case> cases = {
        {"malformed XML", "<soap:Envelope", auth + good_action, 500, "System.ArgumentException"},
        {"not SOAP", "<Certify/>", auth + good_action, 500, "System.ArgumentException"},
        {"wrong SOAPAction", certify_envelope("1.0.0.0", "1.0.0.0"),
         auth + "SOAPAction: \"" + cert_ns + "/Activate\"\r\n", 500, "System.ArgumentException"},
        {"malformed VersionData", certify_envelope("1.0", "x"), auth + good_action, 500,
         "MalformedDataVersionException"},
        {"unsupported VersionData", certify_envelope("2.0.0.0", "9.0.0.0"), auth + good_action, 500,
         "UnsupportedDataVersionException"},
        {"an oversized body", std::string(1024 * 1024 + 10, ' '), auth + good_action, 413, "System.ArgumentException"},
        {"an entity bomb", "<!DOCTYPE a [<!ENTITY a \"aaaa\">]><a>&a;</a>", auth + good_action, 500,
         "System.ArgumentException"},
    };
    for (const auto& c : cases) {
        const auto before_issued = issued();
        const auto before_log = log_size();
        const auto r = http(server.port(), "POST", path, c.body, c.headers);
        EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
        EXPECT_NE(r.body.find(c.fault), std::string::npos) << c.what << ": " << r.body;
        EXPECT_EQ(issued(), before_issued) << c.what;
        EXPECT_EQ(log_size(), before_log + 1) << c.what;
        EXPECT_EQ(last_log_outcome(), "refused") << c.what;
    }
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

// Issue 12 item 8 over SOAP: a licensing cluster's GUID is bound to its key, a sub-enroll
// principal to the first GUID it enrolled; a renewal proves itself with <XrcaRenewalProof>.
TEST_F(OperationsTest, AClusterGuidIsBoundToItsKeyAndAPrincipalToItsGuid) {
    const auto lic = as(add("lic", "sub-enroll"));
    const auto& key_a = test::test_key(2048, 10);
    const auto& key_b = test::test_key(2048, 11);
    const auto request = [&](const std::string& guid, const Botan::RSA_PrivateKey& key) {
        ca::PreparedRequest p;
        p.operation = ca::ClusterOperation::SubEnroll;
        p.request_id = ca::new_guid(h.rng);
        p.created = h.clock.now();
        p.crypto_mode = ca::CryptoMode::mode2();
        p.cluster_key = xrml::PublicKey::from_botan(key);
        p.cluster_guid = guid;
        p.name = "Licensing";
        p.url = "https://lic.example.test/_wmcs";
        p.sku = "xrca";
        p.version = "0.1.0";
        ca::SignedRequest s{p, cluster_request_input(p), {}, std::nullopt};
        s.proof = ca::prove_possession(key, s.body, xrml::DigestAlgorithm::Sha256, h.rng);
        return s;
    };
    const auto sub_enroll = [&](const ca::SignedRequest& s) {
        return strings_in_reply(lic.call(services::sub_enrollment, "SubEnroll", cluster_request(s)),
                                "LicensorCertificateChain");
    };
    // The fixture's licensing cluster, impersonated with another key (and a good proof of that key).
    const auto licensing = h.licensing.authority->record().guid;
    expect_refused([&] { sub_enroll(request(licensing, key_b)); }, ErrorKind::PolicyDenied, licensing,
                   "another key for a certified GUID");
    // A new cluster: accepted, and the principal is bound to it.
    const std::string guid = "{5E1F0000-0000-4000-8000-00000000B001}";
    const auto first = sub_enroll(request(guid, key_a));
    EXPECT_EQ(h.root.store->find_principal("lic")->cluster_guid, guid);
    // Its renewal with a new key: refused without a proof by the current key, accepted with one.
    auto renewal = request(guid, key_b);
    expect_refused([&] { sub_enroll(renewal); }, ErrorKind::PolicyDenied, "is certified here for another key",
                   "a renewal without its proof");
    renewal.renewal_proof = ca::prove_possession(key_a, renewal.body, xrml::DigestAlgorithm::Sha256, h.rng);
    const auto renewed = sub_enroll(renewal);
    EXPECT_EQ(*xrml::read_documents(renewed.front()).documents.front().principal->key,
              xrml::PublicKey::from_botan(key_b));
    EXPECT_NE(h.root.store->read_log("").back().inputs.find("renewal proved by key"), std::string::npos);
    // Another GUID from the same principal: refused, it is bound.
    expect_refused([&] { sub_enroll(request("{5E1F0000-0000-4000-8000-00000000B002}", key_b)); },
                   ErrorKind::PolicyDenied, "is bound to cluster GUID " + guid, "a second cluster");
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

// Issue 12 item 9 over SOAP: ServerCertification of another user needs a grant.
TEST_F(OperationsTest, ServerPrincipalsAreScoped) {
    const auto spc = activate(as(add("alice", "user", "alice@example.test")), test::test_key(2048, 3));
    const auto portal = as(add("portal", "server", "portal@example.test"));
    const auto certify = [&](const std::string& user, const std::string& email) {
        return certificates_in_reply(
            portal.call(services::server_certification, "Certify", certify_request(spc, true, user, email)),
            "CertificateChain");
    };
    const auto user_keys = h.root.store->counts().user_keys;
    expect_refused([&] { certify(k_bob, "bob@example.test"); }, ErrorKind::PolicyDenied,
                   std::string("server principal portal may not certify ") + k_bob, "another user without a grant");
    EXPECT_EQ(h.root.store->counts().user_keys, user_keys) << "bob's key was neither made nor handed out";
    // Its own user, always: the federated user of its email (GUID from Python's uuid5).
    EXPECT_FALSE(certify("{4946acb2-a12c-5b8e-82d4-95a3da278c6e}", "portal@example.test").empty());
    h.root.authority->grant_principal("portal", k_bob, h.caller);
    h.root.authority->grant_principal("portal", "bob@*", h.caller);
    const auto rac = certify(k_bob, "bob@example.test");
    EXPECT_EQ(xrml::read_documents(rac.front()).documents.front().principal->object.id.value, k_bob);
    expect_refused([&] { certify("S-1-5-21-7-1003", "carol@example.test"); }, ErrorKind::PolicyDenied,
                   "may not certify S-1-5-21-7-1003", "a user the grant does not match");
}

// Issue 16: a key that does not open at run time is the server's own failure, told without
// detail (never 401, which sends clients chasing their tokens), and /healthz says so.
TEST_F(OperationsTest, AKeyThatDoesNotOpenIsAServerFaultAndUnhealthy) {
    auto wrong = h.open(h.root, "not-the-password");
    Service broken{*wrong};
    HttpServer broken_server{test_server_options(), [&](const HttpRequest& r) { return broken.handle(r); }};
    const SoapClient alice({"http://127.0.0.1:" + std::to_string(broken_server.port()) + "/_wmcs",
                            add("alice", "user", "alice@example.test"), "", 30});
    const auto before = issued();
    try {
        activate(alice, test::test_key(2048, 4));
        ADD_FAILURE() << "activated with a key that does not open";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Internal) << e.what();
        EXPECT_NE(std::string(e.what()).find("500"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find("password"), std::string::npos) << e.what();
    }
    EXPECT_EQ(issued(), before);
    // The operator finds why in the enrollment log.
    EXPECT_NE(h.root.store->read_log("").back().reason.find("key password does not open"), std::string::npos);
    const auto health = http(broken_server.port(), "GET", "/healthz");
    EXPECT_EQ(health.status, 503);
    EXPECT_EQ(health.body.rfind("keys cannot sign", 0), 0u) << health.body;
}

// Issue 16: counters exact, one latency histogram per operation.
TEST_F(OperationsTest, MetricsCountEveryRequestExactlyPerOperation) {
    constexpr int n = 7;
    for (int i = 0; i < n; ++i) {
        ASSERT_EQ(http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("GetLicensorCertificate"),
                       action("GetLicensorCertificate"))
                      .status,
                  200);
    }
    ASSERT_EQ(http(server.port(), "GET", Service::revocation_list_path()).status, 200);
    const auto text = http(server.port(), "GET", "/metrics").body;
    std::map<std::string, std::string> samples;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        samples[line.substr(0, space)] = line.substr(space + 1);
    }
    const std::string glc = "operation=\"GetLicensorCertificate\"";
    EXPECT_EQ(samples["xrca_requests_total{" + glc + ",outcome=\"ok\"}"], std::to_string(n)) << text;
    EXPECT_EQ(samples["xrca_request_duration_seconds_count{" + glc + "}"], std::to_string(n)) << text;
    EXPECT_EQ(samples["xrca_request_duration_seconds_bucket{" + glc + ",le=\"+Inf\"}"], std::to_string(n)) << text;
    EXPECT_EQ(samples["xrca_request_duration_seconds_count{operation=\"RevocationList\"}"], "1") << text;
    // Buckets never decrease; the sum is seconds with all six decimals (microseconds, exact).
    std::uint64_t previous = 0;
    for (const char* le : {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "1", "5", "+Inf"}) {
        const auto value = samples["xrca_request_duration_seconds_bucket{" + glc + ",le=\"" + le + "\"}"];
        ASSERT_FALSE(value.empty()) << le << "\n" << text;
        EXPECT_GE(std::stoull(value), previous) << le;
        previous = std::stoull(value);
    }
    const auto sum = samples["xrca_request_duration_seconds_sum{" + glc + "}"];
    ASSERT_GT(sum.size(), 7u) << text;
    EXPECT_EQ(sum[sum.size() - 7], '.') << sum;
    EXPECT_EQ(sum.find_first_not_of("0123456789."), std::string::npos) << sum;
    EXPECT_GT(std::stod(sum), 0.0) << sum;
}

TEST_F(OperationsTest, ServicePagesWsdlAndMetrics) {
    for (const auto* address :
         {&services::sub_enrollment, &services::activation, &services::certification, &services::server_certification,
          &services::certification_server, &services::certification_locator, &services::publishing,
          &services::licensing_server, &services::licensing_locator}) {
        auto r = http(server.port(), "GET", address->path);
        EXPECT_EQ(r.status, 200) << address->path;
        EXPECT_NE(r.body.find(address->service), std::string::npos) << r.body;
        r = http(server.port(), "GET", std::string(address->path) + "?wsdl");
        ASSERT_EQ(r.status, 200) << address->path;
        const auto wsdl = xrml::XmlDocument::parse(r.body, 1024 * 1024);
        EXPECT_EQ(wsdl.root().local_name(), "definitions");
        EXPECT_EQ(wsdl.root().attr("targetNamespace"), address->namespace_uri());
    }
    EXPECT_EQ(http(server.port(), "GET", services::enrollment.path).status, 404)
        << "a root cluster is no enrollment service";
    const auto alice = as(add("alice", "user", "alice@example.test"));
    activate(alice, test::test_key(2048, 8));
    EXPECT_THROW(as("").call(services::certification, "Certify", certify_request({"x"}, true)), Error);
    const auto metrics = http(server.port(), "GET", "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("xrca_requests_total{operation=\"Activate\",outcome=\"ok\"} 1"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("xrca_requests_total{operation=\"Certify\",outcome=\"UnauthorizedAccessException\"} 1"),
              std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("xrca_certificates_issued_total{kind=\"Machine-Certificate\"} 1"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("xrca_request_duration_seconds_count{operation=\"Activate\"} 1"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("xrca_request_duration_seconds_count{operation=\"Certify\"} 1"), std::string::npos)
        << metrics.body;
    // The CLC key pool's fill: a gauge between 0 and the fixture's capacity (2).
    const auto gauge = metrics.body.find("\nxrca_clc_keys_ready ");
    ASSERT_NE(gauge, std::string::npos) << metrics.body;
    const auto value = metrics.body.substr(gauge + 21, metrics.body.find('\n', gauge + 1) - gauge - 21);
    EXPECT_TRUE(value == "0" || value == "1" || value == "2") << "'" << value << "'";
}

}  // namespace
}  // namespace xrca::enrollment

// --- the published revocation list ----------------------------------------------------------

namespace xrca::enrollment {
namespace {

TEST_F(OperationsTest, TheRevocationListUrlServesAVerifyingListWithEachNewRevocation) {
    const auto alice = as(add("alice", "user", "alice@example.test"));
    const auto spc = activate(alice, test::test_key(2048, 5));
    const auto rac = certificates_in_reply(alice.call(services::certification, "Certify", certify_request(spc, true)),
                                           "CertificateChain");
    const auto rac_id = xrml::read_documents(rac.front()).documents.front().descriptor->id.value;
    const std::string path = "/_wmcs/revocation/RevocationList.xml";
    EXPECT_EQ(h.root.authority->revocation_list_url(), "https://root.example.test" + path);

    const auto first = http(server.port(), "GET", path);
    ASSERT_EQ(first.status, 200) << first.body;
    auto list = xrml::read_revocation_list(first.body);
    EXPECT_TRUE(xrml::verify_signature(list.document).ok());
    EXPECT_EQ(*list.document.issuer.key, h.root.authority->cluster_public_key());
    EXPECT_TRUE(list.entries.empty());

    h.root.authority->revoke({xrml::RevokeType::LicenseId, rac_id, std::nullopt, "test"}, h.caller);
    const auto second = http(server.port(), "GET", path);
    ASSERT_EQ(second.status, 200);
    list = xrml::read_revocation_list(second.body);
    EXPECT_TRUE(xrml::verify_signature(list.document).ok());
    ASSERT_EQ(list.entries.size(), 1u);
    EXPECT_EQ(list.entries[0].object.id.value, rac_id);
    // The RAC chain, checked against the served list, is revoked; and the service refuses it.
    const auto docs = xrml::read_documents(ca::chain_text(rac)).documents;
    const auto verdict = xrml::verify_ordered_chain(docs, {h.anchor(), h.clock.now(), {}});
    ASSERT_TRUE(verdict.ok()) << verdict.detail;
    std::vector<xrml::CheckedList> lists{xrml::check_list(list, h.clock.now(), std::nullopt)};
    EXPECT_TRUE(xrml::check_chain_revocation(docs, verdict, lists, h.clock.now()).revoked());
    expect_refused([&] { alice.call(services::publishing, "GetClientLicensorCert", clc_request(rac)); },
                   ErrorKind::PolicyDenied, "DrmacIsExcludedException", "a revoked RAC");
    // Unchanged, the same signed copy is served again: the cached buffer itself, shared with
    // each response rather than copied into it.
    EXPECT_EQ(http(server.port(), "GET", path).body, second.body);
    HttpRequest get;
    get.method = "GET";
    get.path = path;
    get.remote_address = "127.0.0.1";
    const auto answer = service.handle(get);
    ASSERT_EQ(answer.status, 200);
    EXPECT_TRUE(answer.body.empty());
    EXPECT_EQ(answer.shared_body.get(), h.root.authority->current_revocation_list(h.caller).get());
    EXPECT_EQ(*answer.shared_body, second.body);
    EXPECT_EQ(http(server.port(), "POST", path).status, 404) << "only GET";
}

}  // namespace
}  // namespace xrca::enrollment

// --- discovery, server certification and decommissioning, as AD RMS answers them (issue 15) ----

namespace xrca::enrollment {
namespace {

// A request envelope written by hand from [MS-RMPR]'s shapes: the VersionData a Windows client
// sends (1.0.0.0..1.2.0.0) and the operation element in `ns`.
std::string spec_envelope(const std::string& ns, const std::string& operation_xml) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
           "<soap:Header><VersionData xmlns=\"" +
           ns +
           "\"><MinimumVersion>1.0.0.0</MinimumVersion><MaximumVersion>1.2.0.0</MaximumVersion></VersionData>"
           "</soap:Header><soap:Body>" +
           operation_xml + "</soap:Body></soap:Envelope>";
}

std::string spec_action(const std::string& ns, const std::string& operation) {
    return "SOAPAction: \"" + ns + "/" + operation + "\"\r\n";
}

std::string for_user(const std::string& ns, const std::vector<std::string>& types) {
    std::string body = "<FindServiceLocationsForUser xmlns=\"" + ns + "\"><ServiceNames>";
    for (const auto& t : types) body += "<ServiceLocationRequest><Type>" + t + "</Type></ServiceLocationRequest>";
    return body + "</ServiceNames></FindServiceLocationsForUser>";
}

/** Type → URL ("(none)" when the response names no URL) of a ServiceLocationResponse list. */
std::map<std::string, std::string> locations_in(const std::string& body, const std::string& result) {
    const auto doc = xrml::XmlDocument::parse(body, 1024 * 1024);
    std::map<std::string, std::string> out;
    const auto response = doc.root().required_local("Body").children().front();
    for (const auto& r : response.required_local(result.c_str()).all("ServiceLocationResponse")) {
        const auto url = r.optional("URL");
        out[r.required("Type").text()] = url ? url->text() : "(none)";
    }
    return out;
}

const std::string k_locator_ns = "http://microsoft.com/DRM/ServiceLocatorService";
const std::string k_server_service_ns = "http://microsoft.com/DRM/ServerService";

TEST_F(OperationsTest, ServiceLocationInBothNamespacesAtEveryLocatorWithExtranetUrls) {
    h.root.authority->set_extranet_url("https://rms.example.org/_wmcs/", h.caller);
    const std::vector<std::string> types = {"CertificationInternalService",
                                            "CertificationService",
                                            "LicensingInternalService",
                                            "LicensingService",
                                            "ActivationService",
                                            "EnrollmentService"};
    for (const char* path : {"/_wmcs/certification/ServiceLocator.asmx", "/_wmcs/certification/server.asmx",
                             "/_wmcs/licensing/ServiceLocator.asmx", "/_wmcs/licensing/server.asmx"}) {
        for (const auto& ns : {k_locator_ns, k_server_service_ns}) {
            const auto r = http(server.port(), "POST", path, spec_envelope(ns, for_user(ns, types)),
                                spec_action(ns, "FindServiceLocationsForUser"));
            ASSERT_EQ(r.status, 200) << path << " " << ns << ": " << r.body;
            EXPECT_NE(r.body.find("<FindServiceLocationsForUserResponse xmlns=\"" + ns + "\">"), std::string::npos)
                << "answered in the namespace it was asked in: " << r.body;
            const auto found = locations_in(r.body, "FindServiceLocationsForUserResult");
            EXPECT_EQ(found.at("CertificationInternalService"), "https://root.example.test/_wmcs/certification");
            EXPECT_EQ(found.at("CertificationService"), "https://rms.example.org/_wmcs/certification");
            EXPECT_EQ(found.at("LicensingInternalService"), "https://root.example.test/_wmcs/licensing");
            EXPECT_EQ(found.at("LicensingService"), "https://rms.example.org/_wmcs/licensing");
            EXPECT_EQ(found.at("ActivationService"), "https://root.example.test/_wmcs/certification");
            EXPECT_EQ(found.at("EnrollmentService"), "(none)") << "not offered: no URL";
        }
    }
    // A string that is no service type: InvalidOperationException, at HTTP 500.
    const auto bad = http(server.port(), "POST", "/_wmcs/certification/ServiceLocator.asmx",
                          spec_envelope(k_locator_ns, for_user(k_locator_ns, {"CertificationService", "Teapot"})),
                          spec_action(k_locator_ns, "FindServiceLocationsForUser"));
    EXPECT_EQ(bad.status, 500);
    EXPECT_NE(bad.body.find("System.InvalidOperationException"), std::string::npos) << bad.body;
    // The SOAPAction follows the namespace used.
    EXPECT_EQ(http(server.port(), "POST", "/_wmcs/certification/ServiceLocator.asmx",
                   spec_envelope(k_server_service_ns, for_user(k_server_service_ns, {"CertificationService"})),
                   spec_action(k_locator_ns, "FindServiceLocationsForUser"))
                  .status,
              500);
    // Cleared: the external types fall back to the base URL.
    h.root.authority->set_extranet_url("", h.caller);
    const auto plain = http(server.port(), "POST", "/_wmcs/certification/ServiceLocator.asmx",
                            spec_envelope(k_locator_ns, for_user(k_locator_ns, {"CertificationService"})),
                            spec_action(k_locator_ns, "FindServiceLocationsForUser"));
    EXPECT_EQ(locations_in(plain.body, "FindServiceLocationsForUserResult").at("CertificationService"),
              "https://root.example.test/_wmcs/certification");
}

TEST_F(OperationsTest, FindServiceLocationsNamesTheAsmxEndpointsOfTheTypesItServes) {
    h.root.authority->set_extranet_url("https://rms.example.org/_wmcs", h.caller);
    const auto ask = [&](const std::vector<std::string>& types) {
        std::string body = "<FindServiceLocations xmlns=\"" + k_server_service_ns + "\"><ServiceNames>";
        for (const auto& t : types) body += "<ServiceLocationRequest><Type>" + t + "</Type></ServiceLocationRequest>";
        body += "</ServiceNames></FindServiceLocations>";
        return http(server.port(), "POST", "/_wmcs/certification/server.asmx", spec_envelope(k_server_service_ns, body),
                    spec_action(k_server_service_ns, "FindServiceLocations"));
    };
    const auto r = ask({"CertificationService", "CertificationInternalService", "GroupExpansionService",
                        "LicensingService", "PublishingService"});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto found = locations_in(r.body, "FindServiceLocationsResult");
    EXPECT_EQ(
        found,
        (std::map<std::string, std::string>{
            {"CertificationService", "https://rms.example.org/_wmcs/certification/certification.asmx"},
            {"CertificationInternalService", "https://root.example.test/_wmcs/certification/certification.asmx"}}))
        << "only the types this server serves: " << r.body;
    const auto empty = ask({});
    EXPECT_EQ(empty.status, 500);
    EXPECT_NE(empty.body.find("System.ArgumentNullException"), std::string::npos) << empty.body;
}

TEST_F(OperationsTest, GetServerInfoAnswersEachTypeAskedFor) {
    const auto ask = [&](const std::vector<std::string>& types) {
        std::string body = "<GetServerInfo xmlns=\"" + k_server_service_ns + "\"><requests>";
        for (const auto& t : types) body += "<ServerInfoRequest><Type>" + t + "</Type></ServerInfoRequest>";
        body += "</requests></GetServerInfo>";
        return http(server.port(), "POST", "/_wmcs/licensing/server.asmx", spec_envelope(k_server_service_ns, body),
                    spec_action(k_server_service_ns, "GetServerInfo"));
    };
    const auto r = ask({"VersionInfo", "ServerFeatureInfo", "ServerLicensorCertificate", "ServiceLocations"});
    ASSERT_EQ(r.status, 200) << r.body;
    const auto doc = xrml::XmlDocument::parse(r.body, 1024 * 1024);
    const auto result = doc.root().required_local("Body").children().front().required_local("GetServerInfoResult");
    EXPECT_EQ(result.required("VersionInfo").required("ProductVersion").text(), "xrca 0.1.0.0");
    std::vector<std::string> features;
    for (const auto& f : result.required("ServerFeatureInfo").all("Feature"))
        features.push_back(f.required("Name").text());
    EXPECT_NE(std::find(features.begin(), features.end(), "Certify"), features.end());
    EXPECT_NE(std::find(features.begin(), features.end(), "GetClientLicensorCert"), features.end());
    std::vector<std::string> chain;
    for (const auto c : xrml::elements_by_local_name(r.body, "Certificate")) chain.emplace_back(xrml::inner_text(c));
    EXPECT_EQ(chain, h.root.authority->own_chain());
    const auto locations = locations_in(r.body, "GetServerInfoResult");  // none directly under the result
    EXPECT_TRUE(locations.empty());
    std::map<std::string, std::string> offered;
    for (const auto& l : result.required("ServiceLocations").all("ServiceLocationResponse"))
        offered[l.required("Type").text()] = l.required("URL").text();
    EXPECT_EQ(offered.at("CertificationService"), "https://root.example.test/_wmcs/certification");
    EXPECT_EQ(offered.count("EnrollmentService"), 0u);
    // Only what was asked for; an unknown type and an empty request are faults.
    const auto version_only = ask({"VersionInfo"});
    EXPECT_EQ(version_only.body.find("ServerFeatureInfo"), std::string::npos) << version_only.body;
    const auto unknown = ask({"Weather"});
    EXPECT_EQ(unknown.status, 500);
    EXPECT_NE(unknown.body.find("System.InvalidOperationException"), std::string::npos) << unknown.body;
    const auto none = ask({});
    EXPECT_EQ(none.status, 500);
    EXPECT_NE(none.body.find("System.ArgumentNullException"), std::string::npos) << none.body;
    // An enrollment service names what it answers, and no locations (it has no cluster URL).
    Service enrollment_service{*h.enrollment.authority};
    HttpRequest request;
    request.method = "POST";
    request.path = "/_wmcs/certification/server.asmx";
    request.remote_address = "127.0.0.1";
    request.headers["soapaction"] = "\"" + k_server_service_ns + "/GetServerInfo\"";
    request.body =
        spec_envelope(k_server_service_ns, "<GetServerInfo xmlns=\"" + k_server_service_ns +
                                               "\"><requests><ServerInfoRequest><Type>ServerFeatureInfo</Type>"
                                               "</ServerInfoRequest><ServerInfoRequest><Type>ServiceLocations"
                                               "</Type></ServerInfoRequest></requests></GetServerInfo>");
    const auto answer = enrollment_service.handle(request);
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_NE(answer.body.find("<Feature><Name>Enroll</Name></Feature></ServerFeatureInfo>"), std::string::npos)
        << answer.body;
    EXPECT_NE(answer.body.find("<ServiceLocations>"), std::string::npos) << answer.body;
    EXPECT_EQ(answer.body.find("ServiceLocationResponse"), std::string::npos) << answer.body;
}

TEST_F(OperationsTest, AServerCertifiesItselfAtServerCertificationAsExchangeDoes) {
    const auto page = http(server.port(), "GET", "/_wmcs/certification/ServerCertification.asmx");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<title>ServerCertificationWebService</title>"), std::string::npos) << page.body;
    const auto spc = activate(as(add("alice", "user", "alice@example.test")), test::test_key(2048, 3));
    const auto exchange = as(add("exchange", "server", "exchange@example.test"));
    // [MS-RMPR] CertifyParams only: no user named, so the server's own identity.
    const auto rac = certificates_in_reply(
        exchange.call(services::server_certification, "Certify", certify_request(spc, true)), "CertificateChain");
    const auto doc = xrml::read_documents(rac.front()).documents.front();
    EXPECT_EQ(doc.principal->object.name.value_or(""), "exchange@example.test") << "the server's own identity";
    // A server principal without an email address cannot be certified: the RAC names one.
    const auto bare = as(add("bare", "server"));
    expect_refused([&] { bare.call(services::server_certification, "Certify", certify_request(spc, true)); },
                   ErrorKind::PolicyDenied, "VerifyEmailAddressFailedException", "a server without an email");
}

TEST_F(OperationsTest, ADecommissionedClusterRefusesGetLicensorCertificate) {
    ASSERT_EQ(http(server.port(), "POST", "/_wmcs/licensing/server.asmx", envelope("GetLicensorCertificate"),
                   action("GetLicensorCertificate"))
                  .status,
              200);
    h.root.authority->decommission(h.caller);
    const auto r = http(server.port(), "POST", "/_wmcs/licensing/server.asmx", envelope("GetLicensorCertificate"),
                        action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(r.body.find("Microsoft.RightsManagementServices.ClusterDecommissionedException"), std::string::npos)
        << r.body;
    EXPECT_EQ(http(server.port(), "GET", "/_wmcs/revocation/RevocationList.xml").status, 200) << "the list stays";
}

// Issue 15 item 15: a client's conversation in the specification's own messages only (no Xrca*
// element): find the services, learn the cluster's chain, certify a machine whose SPC comes
// from an activation issuer the cluster trusts, and get a CLC with the RAC.
TEST_F(OperationsTest, AConversationInTheSpecificationsMessagesOnly) {
    h.root.authority->set_extranet_url("https://rms.example.org/_wmcs", h.caller);
    const auto token = add("alice", "user", "alice@example.test");
    const std::string auth = "Authorization: Bearer " + token + "\r\n";
    std::vector<std::string> sent;
    const auto post = [&](const std::string& path, const std::string& ns, const std::string& operation,
                          const std::string& body, const std::string& headers = "") {
        sent.push_back(spec_envelope(ns, body));
        return http(server.port(), "POST", path, sent.back(), headers + spec_action(ns, operation));
    };
    const auto exact = [](const std::string& body, const char* container) {
        std::vector<std::string> out;
        const auto holder = xrml::elements_by_local_name(body, container);
        if (holder.size() != 1) return out;
        for (const auto c : xrml::elements_by_local_name(xrml::inner_text(holder.front()), "Certificate"))
            out.emplace_back(xrml::inner_text(c));
        return out;
    };
    const auto path_of = [](const std::string& url) { return url.substr(url.find("/_wmcs")); };

    // 1. Service location ([MS-RMPR] 3.7.4.2), internal types first as a client tries them.
    auto r = post("/_wmcs/certification/ServiceLocator.asmx", k_locator_ns, "FindServiceLocationsForUser",
                  for_user(k_locator_ns, {"CertificationInternalService", "LicensingInternalService"}));
    ASSERT_EQ(r.status, 200) << r.body;
    const auto found = locations_in(r.body, "FindServiceLocationsForUserResult");
    const auto certification = path_of(found.at("CertificationInternalService"));
    const auto licensing = path_of(found.at("LicensingInternalService"));

    // 2. GetLicensorCertificate ([MS-RMPR] 3.7.4.1): no parameters.
    r = post(certification + "/server.asmx", k_server_service_ns, "GetLicensorCertificate",
             "<GetLicensorCertificate xmlns=\"" + k_server_service_ns + "\" />");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto slc_chain = exact(r.body, "CertificateChain");
    ASSERT_EQ(slc_chain, h.root.authority->own_chain());

    // 3. Certify ([MS-RMPR] 3.3.4.1) with an SPC chain from another issuer this cluster trusts.
    auto issuer = h.provision_cluster("activation", ca::Role::Root, 2, true);
    ca::MachineRequest m;
    m.machine_key = xrml::PublicKey::from_botan(test::test_key(2048, 14));
    const auto spc_docs = xrml::read_documents(issuer.authority->certify_machine(m, h.caller).text()).documents;
    h.root.authority->add_trust(ca::TrustPurpose::SpcIssuer, *spc_docs.at(1).principal->key, "activation issuer",
                                h.caller);
    const std::string cert_ns = "http://microsoft.com/DRM/CertificationService";
    std::string certify = "<Certify xmlns=\"" + cert_ns + "\"><requestParams><MachineCertificateChain>";
    for (const auto& d : spc_docs) certify += "<Certificate>" + d.raw.text + "</Certificate>";
    certify += "</MachineCertificateChain><Persistent>true</Persistent></requestParams></Certify>";
    r = post(certification + "/certification.asmx", cert_ns, "Certify", certify, auth);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto rac_chain = exact(r.body, "CertificateChain");
    ASSERT_FALSE(rac_chain.empty());
    EXPECT_NE(r.body.find("<Quota>"), std::string::npos) << r.body;
    const auto rac = xrml::read_documents(rac_chain.front()).documents.front();
    EXPECT_EQ(rac.principal->object.name.value_or(""), "alice@example.test");
    EXPECT_NE(rac.raw.text.find("https://rms.example.org/_wmcs/certification"), std::string::npos)
        << "the Extranet-Activation point";

    // 4. GetClientLicensorCert ([MS-RMPR] 3.5.4.2) with the RAC chain.
    const std::string pub_ns = "http://microsoft.com/DRM/PublishingService";
    std::string clc =
        "<GetClientLicensorCert xmlns=\"" + pub_ns + "\"><RequestParams><GetClientLicensorCertParams><PersonaCerts>";
    for (const auto& d : rac_chain) clc += "<Certificate>" + d + "</Certificate>";
    clc += "</PersonaCerts></GetClientLicensorCertParams></RequestParams></GetClientLicensorCert>";
    r = post(licensing + "/publish.asmx", pub_ns, "GetClientLicensorCert", clc, auth);
    ASSERT_EQ(r.status, 200) << r.body;
    const auto clc_chain = exact(r.body, "CertificateChain");
    std::string joined;
    for (const auto& d : clc_chain) joined += d;
    EXPECT_TRUE(
        xrml::verify_ordered_chain(xrml::read_documents(joined).documents, {h.anchor(), h.clock.now(), {}}).ok());
    EXPECT_NE(clc_chain.front().find("https://rms.example.org/_wmcs/licensing"), std::string::npos)
        << "the Extranet-License-Acquisition-URL point";
    for (const auto& body : sent) EXPECT_EQ(body.find("Xrca"), std::string::npos) << body.substr(0, 200);
}

}  // namespace
}  // namespace xrca::enrollment
