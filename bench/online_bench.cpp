// The online service under load (issue 5): Certify and GetClientLicensorCert over HTTP on
// loopback, driven by our own keep-alive load generator (CONNECTIONS connections, one thread
// each), beside raw RSA-2048 signatures per second with the cluster key measured in the same run.
//   bench_online [SECONDS] [CONNECTIONS] [ROUNDS] [POOL]
// Goals: ratio >= 0.8; p99 < 100 ms at 50 connections; peak memory < 200 MB.
// Every load loop is bounded in time (SECONDS) and count (200,000 requests, or the warm key
// pool's POOL keys for GetClientLicensorCert, whose every CLC takes a fresh key).
#include "bench_util.h"
#include "raw_limits.h"
#include "support/test_keys.h"

#include "ca/hierarchy.h"
#include "ca/key_pool.h"
#include "ca/signer.h"
#include "enrollment/http_server.h"
#include "enrollment/messages.h"
#include "enrollment/service.h"
#include "xrml/reader.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

using namespace xrca;
using namespace xrca::bench;

namespace {

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

std::string http_post(const enrollment::ServiceAddress& s, const char* operation, const std::string& operation_xml,
                      const std::string& token) {
    const auto body = enrollment::soap_request(s.namespace_uri(), operation_xml);
    return std::string("POST ") + s.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\n" +
           "SOAPAction: \"" + s.namespace_uri() + "/" + operation + "\"\r\nAuthorization: Bearer " + token +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct LoadResult {
    double rate = 0, p50_ms = 0, p99_ms = 0;
    long ok = 0, failed = 0;
};

LoadResult load(std::uint16_t port, const std::string& request, int connections, double seconds, long max_requests) {
    std::atomic<long> budget{max_requests};
    std::mutex mutex;
    std::vector<double> latencies;
    std::atomic<long> ok{0}, failed{0};
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::vector<std::thread> clients;
    clients.reserve(static_cast<std::size_t>(connections));
    for (int c = 0; c < connections; ++c) {
        clients.emplace_back([&] {
            Connection connection(port);
            std::vector<double> mine;
            while (Clock::now() < deadline && budget.fetch_sub(1) > 0) {
                const auto t0 = Clock::now();
                const int status = connection.exchange(request);
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                (status == 200 ? ok : failed)++;
                if (status == 0) break;
            }
            std::lock_guard<std::mutex> lock(mutex);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& t : clients) t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
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

double peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    }
    return 0;
}

int run(int argc, char** argv) {
    const double seconds = number_arg(argc, argv, 1, 10.0);
    const int connections = number_arg(argc, argv, 2, 50);
    const int rounds = number_arg(argc, argv, 3, 3);
    const long pool = number_arg(argc, argv, 4, 600L);

    test::Hierarchy h(2);
    h.options.clc_key_pool_capacity = static_cast<std::size_t>(pool);
    h.options.clc_key_pool_threads = 2;
    auto authority = h.open(h.root, test::Hierarchy::k_password);
    enrollment::Service service(*authority);
    enrollment::ServerOptions options;
    options.port = 0;
    options.threads = 8;
    enrollment::HttpServer server(options, [&](const enrollment::HttpRequest& r) { return service.handle(r); });

    // One user, one activated machine, one RAC: the requests the load repeats.
    const auto token = authority->add_principal("load", "user", "load@example.test", "", h.caller);
    const auto& machine = test::test_key(2048, 9);
    std::vector<std::string> spc;
    for (const auto& d : xrml::read_documents(h.machine_spc_chain(machine)).documents) spc.push_back(d.raw.text);
    std::vector<std::string> rac;
    for (const auto& d :
         xrml::read_documents(
             authority->issue_rac({{ca::chain_text(spc)}, "load", "load@example.test", false}, h.caller).text())
             .documents) {
        rac.push_back(d.raw.text);
    }
    const auto certify =
        http_post(enrollment::services::certification, "Certify", enrollment::certify_request(spc, true), token);
    const auto get_clc =
        http_post(enrollment::services::publishing, "GetClientLicensorCert", enrollment::clc_request(rac), token);
    const auto key = cluster_key(h.root);

    std::printf("operation              conns  req/s  p50_ms  p99_ms  raw_signs/s  ratio  failed\n");
    for (const char* op : {"Certify", "GetClientLicensorCert"}) {
        std::vector<double> rate, p50, p99, raw;
        long failed = 0;
        for (int round = 0; round < rounds; ++round) {
            // A full pool is idle: its refill threads do not compete with the load being measured.
            const auto fill = Clock::now();
            h.last_key_pool().wait_until_filled(static_cast<std::size_t>(pool));
            static_cast<void>(std::fprintf(stderr, "  key pool warmed to %ld keys in %.1f s\n", pool,
                                           std::chrono::duration<double>(Clock::now() - fill).count()));
            long budget = 200000;
            if (std::string(op) == "GetClientLicensorCert") budget = pool * 9 / 10;  // each CLC takes a fresh key
            raw.push_back(raw_sign_rate(*key, 8, 2.0));
            const auto r =
                load(server.port(), std::string(op) == "Certify" ? certify : get_clc, connections, seconds, budget);
            rate.push_back(r.rate);
            p50.push_back(r.p50_ms);
            p99.push_back(r.p99_ms);
            failed += r.failed;
        }
        const double raw_median = median(raw);
        std::printf("%-22s %5d  %5.0f  %6.1f  %6.1f  %11.0f  %5.3f  %ld\n", op, connections, median(rate), median(p50),
                    median(p99), raw_median, median(rate) / raw_median, failed);
    }
    std::printf("peak memory of the process (server, load generator, key pool): %.1f MB\n", peak_rss_mb());
    std::printf(
        "(medians of %d rounds of up to %.0f s; raw = the cluster key on 8 threads, 2 s, just before each round;\n"
        " GetClientLicensorCert rounds stop at 90%% of the %ld-key warm pool; key pool misses: %llu)\n",
        rounds, seconds, pool, static_cast<unsigned long long>(h.last_key_pool().misses()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return guarded_main("bench_online", [&] { return run(argc, argv); });
}
