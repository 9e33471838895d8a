// The real HTTP server on 127.0.0.1 (ephemeral port) in front of a real root cluster: health,
// service pages, GetLicensorCertificate over SOAP, and the refusals, each logged.
#include "support/authority_fixture.h"

#include "enrollment/http_server.h"
#include "enrollment/service.h"
#include "enrollment/soap.h"
#include "xrml/chain.h"
#include "xrml/reader.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace xrca::enrollment {
namespace {

struct Reply {
    int status = 0;
    std::string body;
};

// A minimal HTTP/1.1 client over a real socket: one request per connection.
Reply http(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& extra_headers = "") {
    Reply reply;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return reply;
    }
    std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nUser-Agent: xrca-test\r\n" +
                          extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t sent = 0; sent < request.size();) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (raw.size() > 12) reply.status = std::stoi(raw.substr(9, 3));
    const auto split = raw.find("\r\n\r\n");
    if (split != std::string::npos) reply.body = raw.substr(split + 4);
    return reply;
}

const std::string k_server_ns = "http://microsoft.com/DRM/ServerService";

std::string envelope(const std::string& operation, const std::string& max_version = "1.0.0.0") {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
           "<soap:Header><VersionData xmlns=\"" + k_server_ns + "\"><MinimumVersion>1.0.0.0</MinimumVersion><MaximumVersion>" +
           max_version + "</MaximumVersion></VersionData></soap:Header><soap:Body><" + operation + " xmlns=\"" + k_server_ns +
           "\"/></soap:Body></soap:Envelope>";
}

std::string action(const std::string& operation) { return "SOAPAction: \"" + k_server_ns + "/" + operation + "\"\r\n"; }

class ServerTest : public ::testing::Test {
protected:
    test::Hierarchy h{2};
    Service service{*h.root.authority};
    HttpServer server{ServerOptions{"127.0.0.1", 0, 4, 1024 * 1024, 64, 10},
                      [this](const HttpRequest& r) { return service.handle(r); }};
    std::string last_log_outcome() { return h.root.store->read_log("").back().outcome; }
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
    EXPECT_TRUE(xrml::verify_ordered_chain(xrml::read_documents(joined).documents, {h.anchor(), h.clock.now(), {}}).ok());
    const auto entry = h.root.store->read_log("").back();
    EXPECT_EQ(entry.operation, "GetLicensorCertificate");
    EXPECT_EQ(entry.outcome, "accepted");
    EXPECT_NE(entry.caller.find("127.0.0.1"), std::string::npos) << entry.caller;
    EXPECT_NE(entry.caller.find("xrca-test"), std::string::npos) << entry.caller;
}

TEST_F(ServerTest, RefusalsGetTheirFaultsAndAreLogged) {
    const auto log_before = h.root.store->counts().log_entries;
    auto r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("GetLicensorCertificate"),
                  action("Certify"));
    EXPECT_EQ(r.status, 400);
    EXPECT_NE(r.body.find("System.ArgumentException"), std::string::npos) << r.body;
    EXPECT_EQ(last_log_outcome(), "refused");
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", "<not xml", action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 400);
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", "{\"json\": true}", action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 400);
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("GetLicensorCertificate", "1.2.0.0"),
             action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 500);
    EXPECT_NE(r.body.find("UnsupportedDataVersionException"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("<MaximumVersion>1.0.0.0</MaximumVersion>"), std::string::npos) << "faults carry VersionData";
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", envelope("Certify"), action("Certify"));
    EXPECT_EQ(r.status, 400) << "an operation this endpoint does not have";
    EXPECT_EQ(h.root.store->counts().log_entries, log_before + 5) << "every refusal is logged once";
    EXPECT_TRUE(h.root.store->verify_log().ok);
    r = http(server.port(), "POST", "/_wmcs/certification/server.asmx", std::string(2 * 1024 * 1024, 'x'),
             action("GetLicensorCertificate"));
    EXPECT_EQ(r.status, 413);
}

TEST_F(ServerTest, ConcurrentRequestsAllSucceed) {
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
        clients.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                const auto r = http(server.port(), "POST", "/_wmcs/licensing/server.asmx", envelope("GetLicensorCertificate"),
                                    action("GetLicensorCertificate"));
                if (r.status == 200) ++ok;
            }
        });
    }
    for (auto& c : clients) c.join();
    EXPECT_EQ(ok.load(), 80);
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

}  // namespace
}  // namespace xrca::enrollment
