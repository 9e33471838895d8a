// What an anonymous client can do to the running service, tried for real: a real HTTP server on
// 127.0.0.1 in front of a root cluster on real SQLite files. Floods leave the log bounded,
// slow clients cannot starve others, ambiguous framing and oversized heads are refused, and
// hostile bytes come out cleaned wherever they are kept or echoed.
#include "support/authority_fixture.h"
#include "support/test_keys.h"

#include "ca/hierarchy.h"
#include "ca/signer.h"
#include "enrollment/client.h"
#include "enrollment/http_server.h"
#include "enrollment/messages.h"
#include "enrollment/service.h"
#include "text/clean.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace xrca::enrollment {
namespace {

using Clock = std::chrono::steady_clock;

/** A socket that closes itself. */
struct Socket {
    int fd = -1;
    Socket() = default;
    explicit Socket(int f) : fd(f) {}
    Socket(Socket&& o) noexcept : fd(o.fd) { o.fd = -1; }
    Socket& operator=(Socket&&) = delete;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (fd >= 0) ::close(fd);
    }
};

/** A TCP connection to 127.0.0.1:port from `source` (any 127.x address), or fd -1. */
Socket connect_from(const char* source, std::uint16_t port, int timeout_seconds = 5) {
    Socket s(::socket(AF_INET, SOCK_STREAM, 0));
    timeval tv{timeout_seconds, 0};
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &local.sin_addr);
    if (::bind(s.fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return Socket();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Socket();
    return s;
}

bool send_all(int fd, const std::string& bytes) {
    for (std::size_t sent = 0; sent < bytes.size();) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

struct Reply {
    int status = 0;  ///< 0: no answer (refused connection, timeout, or closed without a reply)
    std::string head, body;
    bool timed_out = false;
    [[nodiscard]] std::string header(const std::string& name) const {
        const auto at = head.find("\r\n" + name + ": ");
        if (at == std::string::npos) return "";
        const auto start = at + name.size() + 4;
        return head.substr(start, head.find("\r\n", start) - start);
    }
};

/** Reads until the server closes (or the socket's timeout). */
Reply read_reply(int fd) {
    Reply r;
    std::string raw;
    char buf[65536];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            raw.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) r.timed_out = true;
        break;
    }
    if (raw.size() > 12 && raw.rfind("HTTP/1.", 0) == 0) r.status = std::stoi(raw.substr(9, 3));
    const auto split = raw.find("\r\n\r\n");
    r.head = raw.substr(0, split);
    if (split != std::string::npos) r.body = raw.substr(split + 4);
    return r;
}

/** One whole request (sent as given) on a new connection. */
Reply exchange(std::uint16_t port, const std::string& request, const char* source = "127.0.0.1", int timeout = 5) {
    auto s = connect_from(source, port, timeout);
    if (s.fd < 0 || !send_all(s.fd, request)) return {};
    return read_reply(s.fd);
}

std::string post(const std::string& path, const std::string& body, const std::string& headers) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

const std::string k_server_path = "/_wmcs/certification/server.asmx";
const std::string k_server_ns = "http://microsoft.com/DRM/ServerService";

std::string envelope(const std::string& ns, const std::string& operation, const std::string& max_version = "1.0.0.0",
                     const std::string& body = "") {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><VersionData xmlns=\"" +
           ns + "\"><MinimumVersion>1.0.0.0</MinimumVersion><MaximumVersion>" + max_version +
           "</MaximumVersion></VersionData></soap:Header><soap:Body><" + operation + " xmlns=\"" + ns + "\">" + body +
           "</" + operation + "></soap:Body></soap:Envelope>";
}

std::string action(const std::string& ns, const std::string& operation) {
    return "SOAPAction: \"" + ns + "/" + operation + "\"\r\n";
}

std::uintmax_t directory_bytes(const std::string& dir) {
    std::uintmax_t total = 0;
    for (const auto& f : std::filesystem::recursive_directory_iterator(dir)) {
        if (f.is_regular_file()) total += f.file_size();
    }
    return total;
}

class HardeningTest : public ::testing::Test {
protected:
    test::Hierarchy h{2};
    std::unique_ptr<Service> service;
    std::unique_ptr<HttpServer> server;

    void start(ServerOptions server_options = {}, ServiceOptions service_options = {}) {
        server_options.listen = {{"127.0.0.1", 0}};
        server_options.threads = 4;
        service_options.health.data_directory = h.root.dir;
        service = std::make_unique<Service>(*h.root.authority, service_options);
        server =
            std::make_unique<HttpServer>(server_options, [this](const HttpRequest& r) { return service->handle(r); });
    }
    void TearDown() override {
        server.reset();
        service.reset();
    }
    [[nodiscard]] std::uint16_t port() const { return server->port(); }
    std::int64_t log_rows() { return h.root.store->counts().log_entries; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()) + "/_wmcs"; }
    /** A user principal's machine, activated and certified over SOAP: the authenticated path. */
    void certify_as(const std::string& token) {
        SoapClient client({url(), token, "", 30});
        const auto machine = test::test_key(2048, 4);
        const auto pub = xrml::PublicKey::from_botan(machine);
        const auto input = activation_input(pub, std::vector<std::uint8_t>(32, 7));
        const auto proof = ca::prove_possession(machine, input, xrml::DigestAlgorithm::Sha256, h.rng);
        const auto reply = client.call(services::activation, "Activate", activation_request(input, proof));
        const auto spc = certificates_in_reply(reply, "MachineCertificateChain");
        client.call(services::certification, "Certify", certify_request(spc, true));
    }
};

TEST_F(HardeningTest, AFloodOfAnonymousRequestsLeavesTheLogBoundedAndTokensUnaffected) {
    start();
    h.root.store->verify_log();  // settle the WAL before measuring
    const auto rows_before = log_rows();
    const auto bytes_before = directory_bytes(h.root.dir);
    std::atomic<int> answered{0}, limited{0}, unexpected{0}, limited_without_retry_after{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 4; ++t) {
        clients.emplace_back([&, t] {
            for (int i = 0; i < 2500; ++i) {
                const bool malformed = (i + t) % 2 == 0;
                const auto body = malformed ? std::string("x") : envelope(k_server_ns, "GetLicensorCertificate");
                const auto r =
                    exchange(port(), post(k_server_path, body, action(k_server_ns, "GetLicensorCertificate")));
                if (r.status == 503) {
                    ++limited;
                    if (r.header("Retry-After").empty()) ++limited_without_retry_after;
                } else if (r.status == 200 || r.status == 500) {
                    ++answered;
                } else {
                    ++unexpected;
                }
            }
        });
    }
    for (auto& c : clients) c.join();
    EXPECT_EQ(answered + limited, 10000);
    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_GT(limited.load(), 0) << "one source sending 10,000 requests at once is rate-limited";
    EXPECT_EQ(limited_without_retry_after.load(), 0);

    h.root.authority->audit().flush_anonymous();
    EXPECT_LE(log_rows() - rows_before, 2) << "one entry per source and window, not one per request";
    const auto summary = h.root.store->read_log("").back();
    EXPECT_EQ(summary.operation, "AnonymousTraffic");
    EXPECT_NE(summary.inputs.find("requests=10000"), std::string::npos) << summary.inputs;
    EXPECT_LT(directory_bytes(h.root.dir) - std::min(bytes_before, directory_bytes(h.root.dir)), 1u << 20);

    // An authenticated request afterwards is logged on its own, from the same address.
    const auto token = h.root.authority->add_principal("alice", "user", "alice@example.test", "", h.caller);
    certify_as(token);
    const auto log = h.root.store->read_log("");
    EXPECT_EQ(log.back().operation, "Certify");
    EXPECT_EQ(log.back().outcome, "accepted");
    EXPECT_EQ(log.back().caller.rfind("user:alice from 127.0.0.1", 0), 0u) << log.back().caller;
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

TEST_F(HardeningTest, AnonymousCallersAreRateLimitedWithRetryAfterButTokensAreNot) {
    ServiceOptions limits;
    limits.anonymous.rate_per_second = 1;
    limits.anonymous.burst = 3;
    start({}, limits);
    const auto request = post(k_server_path, envelope(k_server_ns, "GetLicensorCertificate"),
                              action(k_server_ns, "GetLicensorCertificate"));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(exchange(port(), request).status, 200) << "within the burst";
    const auto r = exchange(port(), request);
    EXPECT_EQ(r.status, 503);
    EXPECT_GE(std::stoi(r.header("Retry-After").empty() ? "0" : r.header("Retry-After")), 1) << r.head;
    EXPECT_NE(r.body.find("<faultstring>"), std::string::npos) << r.body;
    EXPECT_EQ(exchange(port(), request, "127.0.0.3").status, 200) << "another source has its own budget";
    const auto token = h.root.authority->add_principal("alice", "user", "alice@example.test", "", h.caller);
    EXPECT_NO_THROW(certify_as(token)) << "a caller with a token is not limited";
}

TEST_F(HardeningTest, ThreeHundredSlowConnectionsDoNotStarveALegitimateRequest) {
    start();
    std::vector<Socket> slow;
    for (int i = 0; i < 300; ++i) {
        auto s = connect_from("127.0.0.2", port());
        if (s.fd >= 0 && send_all(s.fd, "POST " + k_server_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"))
            slow.push_back(std::move(s));
    }
    ASSERT_GE(slow.size(), 64u);
    const auto started = Clock::now();
    const auto r = exchange(port(),
                            post(k_server_path, envelope(k_server_ns, "GetLicensorCertificate"),
                                 action(k_server_ns, "GetLicensorCertificate")),
                            "127.0.0.1", 2);
    EXPECT_EQ(r.status, 200) << r.head;
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));
}

TEST_F(HardeningTest, SlowConnectionsFromManyAddressesAreCutAtTheRequestDeadline) {
    ServerOptions o;  // 256 connections at most, 64 per address
    o.request_deadline_seconds = 1;
    o.connection_timeout_seconds = 30;  // the idle timeout alone would hold them for 30 s
    start(o);
    std::vector<Socket> slow;
    for (int i = 0; i < 300; ++i) {
        const auto source = "127.0.1." + std::to_string(2 + i % 30);
        auto s = connect_from(source.c_str(), port());
        if (s.fd >= 0 && send_all(s.fd, "GET /healthz HTTP/1.1\r\n")) slow.push_back(std::move(s));
    }
    // Every slot is taken now; within two seconds the deadline frees them and a request gets in.
    const auto started = Clock::now();
    Reply r;
    while (r.status != 200 && Clock::now() - started < std::chrono::seconds(3))
        r = exchange(port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", "127.0.0.1", 2);
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(Clock::now() - started, std::chrono::milliseconds(2500));
}

TEST_F(HardeningTest, TricklingBytesDoNotResetTheRequestDeadline) {
    ServerOptions o;
    o.request_deadline_seconds = 1;
    o.connection_timeout_seconds = 30;
    start(o);
    auto s = connect_from("127.0.0.1", port(), 6);
    ASSERT_GE(s.fd, 0);
    ASSERT_TRUE(send_all(s.fd, "POST " + k_server_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
    std::atomic<bool> stop{false};
    std::thread trickle([&] {  // one byte every 200 ms: each would reset an idle timeout
        while (!stop && send_all(s.fd, "a")) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    });
    const auto started = Clock::now();
    const auto r = read_reply(s.fd);  // blocks until the server closes the connection
    const auto waited = Clock::now() - started;
    stop = true;
    trickle.join();
    EXPECT_FALSE(r.timed_out) << "the server closed it";
    EXPECT_LT(waited, std::chrono::seconds(3));
}

TEST_F(HardeningTest, AnOversizedRequestLineIsAnsweredAtOnce) {
    start();
    const auto started = Clock::now();
    const auto r = exchange(port(), "GET /healthz?" + std::string(60 * 1024, 'q') +
                                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(r.status == 414 || r.status == 431) << r.status << " " << r.head;
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(2));
}

TEST_F(HardeningTest, AmbiguousRequestLengthsAreRefused) {
    start();
    const auto body = envelope(k_server_ns, "GetLicensorCertificate");
    const auto head = "POST " + k_server_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                      action(k_server_ns, "GetLicensorCertificate");
    const auto length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    EXPECT_EQ(exchange(port(), head + length + length + "\r\n" + body).status, 400) << "two Content-Length";
    EXPECT_EQ(exchange(port(), head + length + "Transfer-Encoding: chunked\r\n\r\n" + body).status, 400)
        << "Content-Length with Transfer-Encoding";
    EXPECT_EQ(exchange(port(), head + length + "\r\n" + body).status, 200) << "one length is fine";
}

TEST_F(HardeningTest, TheWsdlNamesTheConfiguredUrlNotTheHostHeader) {
    start();
    const auto r =
        exchange(port(), "GET " + k_server_path + "?wsdl HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.find("evil.example"), std::string::npos);
    const auto base = h.root.authority->record().base_url;  // https://root.example.test/_wmcs
    EXPECT_NE(r.body.find("location=\"" + base + "/certification/server.asmx\""), std::string::npos) << r.body;
}

TEST_F(HardeningTest, HostileTextIsCleanedBeforeItIsLoggedOrEchoed) {
    start();
    const auto token = h.root.authority->add_principal("alice", "user", "alice@example.test", "", h.caller);
    // An authenticated (so individually logged) refusal whose User-Agent holds a terminal escape
    // and a character cut in half.
    const auto r = exchange(port(), post("/_wmcs/certification/certification.asmx", "<not xml",
                                         "Authorization: Bearer " + token + "\r\nUser-Agent: evil\x1b[2J\xE2\x82\r\n" +
                                             action("http://microsoft.com/DRM/CertificationService", "Certify")));
    EXPECT_EQ(r.status, 500);
    const auto entry = h.root.store->read_log("").back();
    EXPECT_EQ(entry.outcome, "refused");
    EXPECT_TRUE(text::is_printable(entry.caller)) << entry.caller;
    EXPECT_NE(entry.caller.find("evil\\x1b[2J\xEF\xBF\xBD"), std::string::npos) << entry.caller;

    // A VersionData value with a control character: the fault that quotes it still builds.
    for (const std::string& version : {std::string("1.0\x01"), std::string("1.0&#x1;"), std::string("9\xFF")}) {
        const auto f = exchange(port(), post(k_server_path, envelope(k_server_ns, "GetLicensorCertificate", version),
                                             action(k_server_ns, "GetLicensorCertificate")));
        EXPECT_NE(f.body.find("<faultstring>"), std::string::npos) << f.status << " " << f.body;
        EXPECT_NE(f.header("Content-Type").find("text/xml"), std::string::npos) << f.head;
        EXPECT_TRUE(text::is_printable(f.body)) << f.body;
    }
}

TEST_F(HardeningTest, ACallerWithoutCredentialsIsChallengedAndOneRefusedGetsAFaultAt500) {
    start();
    const std::string path = "/_wmcs/certification/certification.asmx";
    const std::string ns = "http://microsoft.com/DRM/CertificationService";
    const auto certify = envelope(ns, "Certify", "1.0.0.0", "<requestParams/>");
    // RFC 9110 §11.6.1 / RFC 6750 §3: 401 names the scheme; an unknown token is said to be invalid.
    auto r = exchange(port(), post(path, certify, action(ns, "Certify")));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"xrca\"") << r.head;
    EXPECT_NE(r.body.find("System.UnauthorizedAccessException"), std::string::npos) << r.body;
    r = exchange(port(), post(path, certify, "Authorization: Bearer xrca_nobody\r\n" + action(ns, "Certify")));
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("WWW-Authenticate"), "Bearer realm=\"xrca\", error=\"invalid_token\"") << r.head;
    // A known caller of the wrong role is refused by the service: a SOAP fault, HTTP 500, no challenge.
    const auto token = h.root.authority->add_principal("portal", "server", "", "", h.caller);
    r = exchange(port(), post(path, certify, "Authorization: Bearer " + token + "\r\n" + action(ns, "Certify")));
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.header("WWW-Authenticate"), "") << r.head;
    EXPECT_NE(r.body.find("System.UnauthorizedAccessException"), std::string::npos) << r.body;
}

TEST_F(HardeningTest, HealthReportsTooLittleFreeSpace) {
    ServiceOptions o;
    o.health.min_free_bytes = std::uint64_t{1} << 60;  // more than any disk here has
    start({}, o);
    const auto r = exchange(port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body.rfind("disk nearly full", 0), 0u) << r.body;
}

}  // namespace
}  // namespace xrca::enrollment
