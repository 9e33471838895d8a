// `xrca serve` as a service runs it (issue 16): the per-request log, X-Forwarded-For from
// trusted proxies only, SIGHUP reloading the TLS certificate and the configuration file while
// a request is in flight, SIGTERM draining, the --listen forms and the configuration file. The
// real binary in a child process, real sockets; the JSON is checked by Python's parser, the
// certificates by the openssl command, not by the code under test.
#include "support/command.h"
#include "support/serve_process.h"

#include "text/clean.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace xrca {
namespace {

using test::CommandResult;
using test::ServeProcess;

CommandResult run(const std::string& args) { return test::run_command(std::string(XRCA_BINARY) + " " + args); }

const std::string k_server_ns = "http://microsoft.com/DRM/ServerService";

std::string envelope(const std::string& operation) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
           "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><VersionData xmlns=\"" +
           k_server_ns +
           "\"><MinimumVersion>1.0.0.0</MinimumVersion><MaximumVersion>1.0.0.0</MaximumVersion></VersionData>"
           "</soap:Header><soap:Body><" +
           operation + " xmlns=\"" + k_server_ns + "\"/></soap:Body></soap:Envelope>";
}

std::string soap_headers(const std::string& operation, std::size_t length) {
    return "POST /_wmcs/certification/server.asmx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
           "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"" +
           k_server_ns + "/" + operation + "\"\r\nContent-Length: " + std::to_string(length) + "\r\n";
}

/** A TCP connection to 127.0.0.1 or ::1 (plain HTTP). */
class Connection {
public:
    Connection(const std::string& host, std::uint16_t port) {
        const bool v6 = host.find(':') != std::string::npos;
        m_fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        timeval timeout{30, 0};  // a bound on every read: a hung server fails the test, not the run
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        int rc = -1;
        if (v6) {
            sockaddr_in6 a{};
            a.sin6_family = AF_INET6;
            a.sin6_port = htons(port);
            ::inet_pton(AF_INET6, host.c_str(), &a.sin6_addr);
            rc = ::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        } else {
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_port = htons(port);
            ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
            rc = ::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        }
        connected = rc == 0;
    }
    ~Connection() { ::close(m_fd); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    void send(const std::string& bytes) const {
        EXPECT_EQ(::write(m_fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    /** Reads until `text` has arrived or the connection ends. */
    std::string read_until(const std::string& text) {
        char buf[4096];
        while (m_in.find(text) == std::string::npos) {
            const auto n = ::read(m_fd, buf, sizeof buf);
            if (n <= 0) break;
            m_in.append(buf, static_cast<std::size_t>(n));
        }
        return m_in;
    }
    std::string read_all() { return read_until(std::string(1, '\0') + "never"); }
    bool connected = false;

private:
    int m_fd;
    std::string m_in;
};

std::uint16_t port_of(const std::string& url) {
    const auto colon = url.rfind(':');
    return static_cast<std::uint16_t>(std::stoul(url.substr(colon + 1, url.find('/', colon) - colon - 1)));
}

std::string request(std::uint16_t port, const std::string& text, const std::string& host = "127.0.0.1") {
    Connection c(host, port);
    if (!c.connected) return "";
    c.send(text);
    return c.read_all();
}

std::string soap(std::uint16_t port, const std::string& operation, const std::string& extra_headers = "") {
    const auto body = envelope(operation);
    return request(port, soap_headers(operation, body.size()) + extra_headers + "\r\n" + body);
}

bool is_request_line(const std::string& line) { return line.rfind("{\"time\"", 0) == 0 || line.rfind("time=", 0) == 0; }

bool has_ipv6_loopback() {
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

class ServeRuntime : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-serve-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_password = write("pw", "correct-horse-battery\n");
        const auto r = run("--data " + m_dir +
                           "/root init --role root --name CorpRights --url "
                           "https://rms.example.test/_wmcs --self-enroll --password-file " +
                           m_password);
        ASSERT_EQ(r.exit_code, 0) << r.out;
        const auto added = run("--data " + m_dir + "/root principal add alice --role user --email alice@example.test");
        ASSERT_EQ(added.exit_code, 0) << added.out;
        auto out = added.out;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        m_token = out.substr(out.rfind('\n') + 1);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string write(const std::string& name, const std::string& content) {
        auto path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        return path;
    }
    std::unique_ptr<ServeProcess> serve(const std::string& extra) {
        return std::make_unique<ServeProcess>("--data " + m_dir + "/root serve --threads 2 --password-file " +
                                              m_password + " " + extra);
    }
    /** Python's verdict on one JSON line: the fields asked for, space-separated, or its error. */
    std::string json_fields(const std::string& line, const std::string& fields) {
        const auto path = write("line.json", line);
        return test::run_command(
                   "python3 -c \"import json,sys; d=json.loads(open(sys.argv[1],'rb').read()"
                   ".decode('utf-8')); print(' '.join(str(d[k]) for k in sys.argv[2:]))\" " +
                   path + " " + fields)
            .out;
    }
    /** The request log lines once `count` have been written (at most 30 s). */
    std::vector<std::string> request_lines(ServeProcess& s, std::size_t count) {
        s.wait_until([&](const std::vector<std::string>& lines) {
            return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), is_request_line)) >= count;
        });
        std::vector<std::string> out;
        for (const auto& l : s.lines()) {
            if (is_request_line(l)) out.push_back(l);
        }
        return out;
    }
    std::string m_dir;
    std::string m_password;
    std::string m_token;
};

TEST_F(ServeRuntime, EachRequestIsOneJsonLineWithItsOutcome) {
    const auto s = serve("--listen 127.0.0.1:0 --log-format json");
    ASSERT_FALSE(s->url.empty()) << s->first_line << s->early_output();
    const auto port = port_of(s->url);
    EXPECT_NE(request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find(" 200 "),
              std::string::npos);
    EXPECT_NE(soap(port, "GetLicensorCertificate").find("HTTP/1.1 200"), std::string::npos);
    EXPECT_NE(soap(port, "GetLicensorCertificate", "Authorization: Bearer not-a-token\r\n").find("HTTP/1.1 401"),
              std::string::npos);
    EXPECT_NE(soap(port, "GetLicensorCertificate", "Authorization: Bearer " + m_token + "\r\n").find("HTTP/1.1 200"),
              std::string::npos);
    const auto lines = request_lines(*s, 4);
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(json_fields(lines[0], "status operation remote principal fault"), "200 /healthz 127.0.0.1 None None\n");
    EXPECT_EQ(json_fields(lines[1], "status operation fault"), "200 GetLicensorCertificate None\n");
    // Refused before the operation was read: the path names it.
    EXPECT_EQ(json_fields(lines[2], "status operation principal fault"),
              "401 /_wmcs/certification/server.asmx None UnauthorizedAccessException\n");
    EXPECT_EQ(json_fields(lines[3], "status operation principal fault"),
              "200 GetLicensorCertificate user:alice None\n");
    // The request ID of an identified caller's request is its enrollment log entry's.
    const auto id = json_fields(lines[3], "request_id");
    EXPECT_EQ(s->stop(), 0);
    const auto log = run("--data " + m_dir + "/root log --json");
    EXPECT_NE(log.out.find("\"" + id.substr(0, id.size() - 1) + "\""), std::string::npos) << id << log.out;
    for (const auto& line : lines) {
        const auto fields = json_fields(line, "time request_id duration_ms");
        // RFC 3339 in UTC with milliseconds, a GUID in braces (the enrollment log's form), a number.
        EXPECT_EQ(fields.find('T'), 10u) << fields;
        EXPECT_EQ(fields.find("Z "), 23u) << fields;
        EXPECT_EQ(fields.find(' ', 25), 25u + 38u) << fields;
        EXPECT_EQ(fields[25], '{') << fields;
    }
}

TEST_F(ServeRuntime, HostileHeadersMakeValidJsonAndPrintableText) {
    const std::string hostile = "\x1b]0;owned\x07\x1b[2J \xff\xfe \xc2\x9b";
    for (const std::string format : {"json", "text"}) {
        const auto s = serve("--listen 127.0.0.1:0 --log-format " + format + " --trusted-proxy 127.0.0.1");
        ASSERT_FALSE(s->url.empty()) << s->first_line;
        request(port_of(s->url),
                "GET /nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                "User-Agent: " +
                    hostile + "\r\nX-Forwarded-For: " + hostile + "\r\n\r\n");
        const auto lines = request_lines(*s, 1);
        ASSERT_EQ(lines.size(), 1u) << format;
        const auto& line = lines.front();
        EXPECT_TRUE(text::is_valid_utf8(line)) << format;
        for (const char c : line) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << format << ": " << line;
        EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << format;
        if (format == "json") {
            // An address that is no address stops the walk: the trusted proxy itself is the client.
            EXPECT_EQ(json_fields(line, "remote status"), "127.0.0.1 404\n") << line;
            EXPECT_NE(json_fields(line, "user_agent").find("owned"), std::string::npos) << line;
        }
    }
}

TEST_F(ServeRuntime, ForwardedForIsBelievedOnlyFromTrustedProxies) {
    {
        const auto s = serve("--listen 127.0.0.1:0 --log-format json");
        ASSERT_FALSE(s->url.empty()) << s->first_line;
        soap(port_of(s->url), "GetLicensorCertificate", "X-Forwarded-For: 203.0.113.7\r\n");
        const auto lines = request_lines(*s, 1);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_EQ(json_fields(lines[0], "remote"), "127.0.0.1\n") << "an untrusted peer's header is ignored";
    }
    const auto s = serve("--listen 127.0.0.1:0 --log-format json --trusted-proxy 127.0.0.1 --trusted-proxy 10.0.0.0/8");
    ASSERT_FALSE(s->url.empty()) << s->first_line;
    const auto port = port_of(s->url);
    soap(port, "GetLicensorCertificate", "X-Forwarded-For: 192.0.2.1, 203.0.113.7\r\n");
    soap(port, "GetLicensorCertificate", "X-Forwarded-For: 198.51.100.9\r\nX-Forwarded-For: 10.1.2.3\r\n");
    const auto lines = request_lines(*s, 2);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(json_fields(lines[0], "remote"), "203.0.113.7\n") << "the right-most untrusted address";
    EXPECT_EQ(json_fields(lines[1], "remote"), "198.51.100.9\n") << "trusted hops are skipped, headers joined";
    // The enrollment log counts the anonymous reads by the same resolved address.
    EXPECT_EQ(s->stop(), 0);
    const auto log = run("--data " + m_dir + "/root log");
    EXPECT_NE(log.out.find("203.0.113.7"), std::string::npos) << log.out;
    EXPECT_NE(log.out.find("198.51.100.9"), std::string::npos) << log.out;
}

TEST_F(ServeRuntime, SigtermFinishesTheRequestInFlightThenExitsZero) {
    const auto s = serve("--listen 127.0.0.1:0");
    ASSERT_FALSE(s->url.empty()) << s->first_line;
    const auto body = envelope("GetLicensorCertificate");
    Connection slow("127.0.0.1", port_of(s->url));
    ASSERT_TRUE(slow.connected);
    slow.send(soap_headers("GetLicensorCertificate", body.size()) + "Expect: 100-continue\r\n\r\n");
    // The server has the headers (it asks for the body): the request is in flight.
    ASSERT_NE(slow.read_until("100 Continue").find("100 Continue"), std::string::npos);
    slow.send(body.substr(0, 10));
    s->send(SIGTERM);
    ASSERT_TRUE(s->wait_for_text("stopping: finishing requests in flight"));
    // No new connection is accepted while it drains.
    Connection late("127.0.0.1", port_of(s->url));
    EXPECT_FALSE(late.connected);
    slow.send(body.substr(10));
    EXPECT_NE(slow.read_all().find("HTTP/1.1 200"), std::string::npos);
    EXPECT_EQ(s->stop(0), 0);
}

class TlsFiles {
public:
    explicit TlsFiles(const std::string& dir) : m_dir(dir) {}
    /** A new self-signed certificate and key named `name`; its SHA-256 fingerprint by openssl. */
    std::string make(const std::string& name) {
        const auto r = test::run_command("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + name +
                                         " -addext subjectAltName=IP:127.0.0.1 -keyout " + m_dir + "/" + name +
                                         ".key -out " + m_dir + "/" + name + ".crt");
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return fingerprint_of_file(m_dir + "/" + name + ".crt");
    }
    /** Puts certificate and key `name` where serve reads them (cert.pem, key.pem). */
    void install(const std::string& name) const {
        const auto replace = std::filesystem::copy_options::overwrite_existing;
        std::filesystem::copy_file(m_dir + "/" + name + ".crt", m_dir + "/cert.pem", replace);
        std::filesystem::copy_file(m_dir + "/" + name + ".key", m_dir + "/key.pem", replace);
    }
    static std::string fingerprint_of_file(const std::string& path) {
        return test::run_command("openssl x509 -noout -fingerprint -sha256 -in " + path).out;
    }
    /** The fingerprint of the certificate a new connection to `port` is shown. */
    static std::string served(std::uint16_t port) {
        return test::run_command("openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                                 " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256")
            .out;
    }

private:
    std::string m_dir;
};

bool file_holds(const std::string& path, const std::string& text, int seconds = 30) {
    // Polled with a deadline: another process writes the file.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (test::slurp(path).find(text) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

TEST_F(ServeRuntime, SighupServesANewCertificateWhileARequestFinishesOnTheOld) {
    TlsFiles tls(m_dir);
    const auto first = tls.make("first");
    const auto second = tls.make("second");
    ASSERT_NE(first, second);
    tls.install("first");
    const auto s = serve("--listen 127.0.0.1:0 --tls-cert " + m_dir + "/cert.pem --tls-key " + m_dir + "/key.pem");
    ASSERT_EQ(s->url.rfind("https://", 0), 0u) << s->first_line;
    const auto port = port_of(s->url);
    EXPECT_EQ(TlsFiles::served(port), first);

    // A request in flight on the first certificate: headers sent, body not yet.
    const auto body = envelope("GetLicensorCertificate");
    const auto out = m_dir + "/slow.out";
    // NOLINTNEXTLINE(cert-env33-c): the openssl command as a TLS client, through a shell on purpose
    FILE* slow = ::popen(
        ("openssl s_client -quiet -ign_eof -connect 127.0.0.1:" + std::to_string(port) + " > " + out + " 2>&1").c_str(),
        "w");
    ASSERT_NE(slow, nullptr);
    const auto head = soap_headers("GetLicensorCertificate", body.size()) + "Expect: 100-continue\r\n\r\n";
    EXPECT_GE(std::fputs(head.c_str(), slow), 0);
    EXPECT_EQ(std::fflush(slow), 0);
    ASSERT_TRUE(file_holds(out, "100 Continue")) << test::slurp(out);

    tls.install("second");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("xrca: reloaded"));
    EXPECT_EQ(TlsFiles::served(port), second) << "new connections see the new certificate";

    EXPECT_GE(std::fputs(body.c_str(), slow), 0);
    EXPECT_EQ(std::fflush(slow), 0);
    EXPECT_TRUE(file_holds(out, "HTTP/1.1 200")) << test::slurp(out);
    ::pclose(slow);

    // A reload that cannot load keeps the certificate that works, and says why.
    write("cert.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("reload failed"));
    EXPECT_EQ(TlsFiles::served(port), second);
    EXPECT_EQ(s->stop(), 0);
}

// Issue 17: the console's listener (--admin-listen) serves the service's certificate, and a
// SIGHUP that reloads the service's reloads it too; one that cannot load changes neither.
TEST_F(ServeRuntime, SighupServesTheConsoleTheNewCertificateToo) {
    TlsFiles tls(m_dir);
    const auto first = tls.make("first");
    const auto second = tls.make("second");
    ASSERT_NE(first, second);
    tls.install("first");
    const auto s = serve("--listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --tls-cert " + m_dir +
                         "/cert.pem --tls-key " + m_dir + "/key.pem");
    ASSERT_EQ(s->url.rfind("https://", 0), 0u) << s->first_line;
    const std::string banner = "administrator's console on https://127.0.0.1:";
    ASSERT_TRUE(s->wait_for_text(banner)) << ::testing::PrintToString(s->lines());
    std::uint16_t console_port = 0;
    for (const auto& line : s->lines()) {
        if (line.find(banner) != std::string::npos) console_port = port_of(line.substr(0, line.rfind("/admin/")));
    }
    ASSERT_NE(console_port, 0);
    // The sign-in page over HTTPS, checked against the certificate openssl expects.
    const auto login = [&](const std::string& ca) {
        return test::run_command("curl -s -o /dev/null -w '%{http_code}' --cacert " + m_dir + "/" + ca +
                                 ".crt https://127.0.0.1:" + std::to_string(console_port) + "/admin/login")
            .out;
    };
    EXPECT_EQ(TlsFiles::served(console_port), first);
    EXPECT_EQ(login("first"), "200");

    tls.install("second");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("xrca: reloaded"));
    EXPECT_EQ(TlsFiles::served(console_port), second) << "the console's new connections see the new certificate";
    EXPECT_EQ(TlsFiles::served(port_of(s->url)), second);
    EXPECT_EQ(login("second"), "200");
    EXPECT_NE(login("first"), "200") << "the old certificate is no longer shown";

    write("cert.pem", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("reload failed"));
    EXPECT_EQ(TlsFiles::served(console_port), second) << "a reload that cannot load keeps the console's certificate";
    EXPECT_EQ(login("second"), "200");
    const auto lines = s->lines();
    EXPECT_TRUE(std::none_of(lines.begin(), lines.end(), [](const std::string& l) {
        return l.find("console kept its previous") != std::string::npos;
    })) << ::testing::PrintToString(lines);
    EXPECT_EQ(s->stop(), 0);
}

TEST_F(ServeRuntime, ListensOnHostNamesIpv6AndDualStack) {
    {
        const auto s = serve("--listen localhost:0");
        ASSERT_FALSE(s->url.empty()) << s->first_line;
        EXPECT_NE(
            request(port_of(s->url), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").find(" 200 "),
            std::string::npos);
    }
    if (!has_ipv6_loopback()) GTEST_SKIP() << "this machine has no ::1";
    {
        const auto s = serve("--listen [::1]:0");
        ASSERT_NE(s->first_line.find("http://[::1]:"), std::string::npos) << s->first_line;
        EXPECT_NE(request(port_of(s->url), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "::1")
                      .find(" 200 "),
                  std::string::npos);
    }
    const auto s = serve("--listen [::]:0 --log-format json");
    ASSERT_NE(s->first_line.find("http://[::]:"), std::string::npos) << s->first_line;
    const auto port = static_cast<std::uint16_t>(std::stoul(s->first_line.substr(s->first_line.find("[::]:") + 5)));
    EXPECT_NE(request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "127.0.0.1").find(" 200 "),
              std::string::npos)
        << "dual stack takes IPv4";
    EXPECT_NE(request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "::1").find(" 200 "),
              std::string::npos);
    const auto lines = request_lines(*s, 2);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(json_fields(lines[0], "remote"), "127.0.0.1\n") << "an IPv4 client is shown as IPv4";
    EXPECT_EQ(json_fields(lines[1], "remote"), "::1\n");
}

TEST_F(ServeRuntime, BadListenAddressesAreUsageErrors) {
    for (const std::string bad : {"::1:8080", "[::1]8080", "127.0.0.1", "127.0.0.1:99999", "[nonsense]:80"}) {
        const auto r = run("--data " + m_dir + "/root serve --password-file " + m_password + " --listen '" + bad + "'");
        EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    }
}

TEST_F(ServeRuntime, ConfigFileSettingsApplyAndTheCommandLineOverrides) {
    const auto config = write("xrca.conf",
                              "# serve's settings\n\nlisten = 127.0.0.1:0\nthreads = 3\n"
                              "log-format = \"json\"\npassword-file = " +
                                  m_password + "\n");
    {
        const auto s = std::make_unique<ServeProcess>("--data " + m_dir + "/root serve --config " + config);
        ASSERT_NE(s->first_line.find("(3 threads)"), std::string::npos) << s->first_line << s->early_output();
        request(port_of(s->url), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const auto lines = request_lines(*s, 1);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_EQ(lines[0].front(), '{');
    }
    // XRCA_CONFIG names it too; options on the command line win.
    const auto s =
        std::make_unique<ServeProcess>("--data " + m_dir + "/root serve --log-format text --threads 2",
                                       std::vector<std::pair<std::string, std::string>>{{"XRCA_CONFIG", config}});
    ASSERT_NE(s->first_line.find("(2 threads)"), std::string::npos) << s->first_line << s->early_output();
    request(port_of(s->url), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const auto lines = request_lines(*s, 1);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].rfind("time=", 0), 0u) << lines[0];
}

TEST_F(ServeRuntime, ABadConfigFileIsRefusedNamingItsLine) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"listen = 127.0.0.1:0\n# fine\nlisten-on = 127.0.0.1:0\n", ":3: unknown key 'listen-on'"},
        {"threads = 2\nthreads\n", ":2: expected KEY = VALUE"},
        {"threads = 2\nthreads = 3\n", ":2: threads is given again"},
        {"warm-key-pool = yes\n", ":1: warm-key-pool takes true or false"},
        {"log-format = json # comment\n", ":1: a comment goes on a line of its own"},
        {"store = postgresql://xrca:secret@db.example.test/xrca\n", ":1: the store URI holds a password"},
    };
    for (const auto& [text, expected] : cases) {
        const auto config = write("bad.conf", text);
        const auto r = run("--data " + m_dir + "/root serve --password-file " + m_password + " --config " + config);
        EXPECT_EQ(r.exit_code, 2) << text << r.out;
        EXPECT_NE(r.out.find(config + expected), std::string::npos) << text << r.out;
    }
    EXPECT_EQ(run("--data " + m_dir + "/root serve --config " + m_dir + "/missing.conf").exit_code, 2);
}

TEST_F(ServeRuntime, SighupRereadsTheConfigFile) {
    const auto config = write("xrca.conf", "listen = 127.0.0.1:0\nlog-format = json\n");
    std::filesystem::permissions(config, std::filesystem::perms::group_write, std::filesystem::perm_options::add);
    const auto s = serve("--config " + config);
    ASSERT_FALSE(s->url.empty()) << s->first_line;
    EXPECT_NE(s->early_output().find("may be changed by users other than its owner"), std::string::npos)
        << s->early_output();
    const auto port = port_of(s->url);
    request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(request_lines(*s, 1).size(), 1u);
    write("xrca.conf", "listen = 127.0.0.1:1\nlog-format = text\ntrusted-proxy = 127.0.0.1\n");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("xrca: reloaded"));
    EXPECT_TRUE(s->wait_for_text("reload: listen changed; it needs a restart"));
    request(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: 192.0.2.4\r\n\r\n");
    const auto lines = request_lines(*s, 2);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].front(), '{');
    EXPECT_EQ(lines[1].rfind("time=", 0), 0u) << lines[1];
    EXPECT_NE(lines[1].find(" remote=192.0.2.4 "), std::string::npos) << lines[1];
    // A file that no longer parses changes nothing.
    write("xrca.conf", "log-format = json\nbogus = 1\n");
    s->send(SIGHUP);
    ASSERT_TRUE(s->wait_for_text("xrca.conf:2: unknown key 'bogus'")) << ::testing::PrintToString(s->lines());
    EXPECT_EQ(s->stop(), 0);
}

}  // namespace
}  // namespace xrca
