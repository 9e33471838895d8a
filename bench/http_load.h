// The benchmarks' HTTP load generator: keep-alive HTTP/1.1 connections to 127.0.0.1, one
// thread each, every loop bounded in time and in count. Shared by bench_online and bench_health.
#pragma once

#include "support/authority_fixture.h"
#include "support/test_keys.h"

#include "enrollment/http_server.h"
#include "enrollment/messages.h"
#include "enrollment/service.h"
#include "enrollment/soap.h"
#include "xrml/reader.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xrca::bench {

using LoadClock = std::chrono::steady_clock;

// One keep-alive HTTP/1.1 connection to 127.0.0.1.
class Connection {
public:
    explicit Connection(std::uint16_t port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    ~Connection() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /** Sends `request` and reads one response; returns the status, 0 on a broken connection. */
    int exchange(const std::string& request) {
        if (m_fd < 0) return 0;
        for (std::size_t sent = 0; sent < request.size();) {
            const auto n = ::send(m_fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return 0;
            sent += static_cast<std::size_t>(n);
        }
        std::size_t header_end;
        while ((header_end = m_buffer.find("\r\n\r\n")) == std::string::npos) {
            if (!fill()) return 0;
        }
        // "HTTP/1.1 200 ...": a status line without a number counts as a broken exchange.
        int status = 0;
        if (header_end > 9)
            static_cast<void>(std::from_chars(m_buffer.data() + 9, m_buffer.data() + header_end, status));
        std::size_t length = 0;
        const auto cl = m_buffer.find("Content-Length: ");
        if (cl != std::string::npos && cl < header_end) length = std::strtoul(m_buffer.c_str() + cl + 16, nullptr, 10);
        while (m_buffer.size() < header_end + 4 + length) {
            if (!fill()) return 0;
        }
        m_buffer.erase(0, header_end + 4 + length);
        return status;
    }

private:
    bool fill() {
        char buf[65536];
        const auto n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        m_buffer.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    int m_fd = -1;
    std::string m_buffer;
};

inline std::string http_post(const enrollment::ServiceAddress& s, const char* operation,
                             const std::string& operation_xml, const std::string& token) {
    const auto body = enrollment::soap_request(s.namespace_uri(), operation_xml);
    return std::string("POST ") + s.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n" +
           "SOAPAction: \"" + s.namespace_uri() + "/" + operation + "\"\r\nAuthorization: Bearer " + token +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct LoadResult {
    double rate = 0, p50_ms = 0, p99_ms = 0;
    long ok = 0, failed = 0;
};

inline LoadResult load(std::uint16_t port, const std::string& request, int connections, double seconds,
                       long max_requests) {
    std::atomic<long> budget{max_requests};
    std::mutex mutex;
    std::vector<double> latencies;
    std::atomic<long> ok{0}, failed{0};
    const auto start = LoadClock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> clients;
    clients.reserve(static_cast<std::size_t>(connections));
    for (int c = 0; c < connections; ++c) {
        clients.emplace_back([&] {
            Connection connection(port);
            std::vector<double> mine;
            while (LoadClock::now() < deadline && budget.fetch_sub(1) > 0) {
                const auto t0 = LoadClock::now();
                const int status = connection.exchange(request);
                mine.push_back(std::chrono::duration<double, std::milli>(LoadClock::now() - t0).count());
                (status == 200 ? ok : failed)++;
                if (status == 0) break;
            }
            std::lock_guard<std::mutex> lock(mutex);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : clients) t.join();
    const double elapsed = std::chrono::duration<double>(LoadClock::now() - start).count();
    LoadResult r;
    r.ok = ok.load();
    r.failed = failed.load();
    r.rate = static_cast<double>(r.ok) / elapsed;
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.empty()) {
        r.p50_ms = latencies[latencies.size() / 2];
        r.p99_ms = latencies[latencies.size() * 99 / 100];
    }
    return r;
}

/**
 * An authority's online service on an ephemeral loopback port (8 threads), with what the load
 * repeats: a `user` principal's token and one activated machine's SPC chain.
 */
struct ServiceUnderLoad {
    ServiceUnderLoad(test::Hierarchy& h, ca::Authority& authority, const enrollment::ServiceOptions& options = {})
        : service(authority, options),
          server(server_options(), [this](const enrollment::HttpRequest& r) { return service.handle(r); }) {
        token = authority.add_principal("load", "user", "load@example.test", "", h.caller);
        for (const auto& d : xrml::read_documents(h.machine_spc_chain(test::test_key(2048, 9))).documents)
            spc.push_back(d.raw.text);
    }
    static enrollment::ServerOptions server_options() {
        enrollment::ServerOptions o;
        o.listen = {{"127.0.0.1", 0}};
        o.threads = 8;
        return o;
    }
    [[nodiscard]] std::uint16_t port() const { return server.port(); }

    enrollment::Service service;
    enrollment::HttpServer server;
    std::string token;
    std::vector<std::string> spc;
};

}  // namespace xrca::bench
