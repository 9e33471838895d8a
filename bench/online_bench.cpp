// The online service under load (issue 5): Certify and GetClientLicensorCert over HTTP on
// loopback, driven by our own keep-alive load generator (CONNECTIONS connections, one thread
// each), beside raw RSA-2048 signatures per second with the cluster key measured in the same run.
//   bench_online [SECONDS] [CONNECTIONS] [ROUNDS] [POOL]
// Goals: ratio >= 0.8; p99 < 100 ms at 50 connections; peak memory < 200 MB.
// Every load loop is bounded in time (SECONDS) and count (200,000 requests, or the warm key
// pool's POOL keys for GetClientLicensorCert, whose every CLC takes a fresh key).
#include "bench_util.h"
#include "http_load.h"
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
    // One user, one activated machine, one RAC: the requests the load repeats.
    ServiceUnderLoad online(h, *authority);
    const auto& spc = online.spc;
    const auto& token = online.token;
    std::vector<std::string> rac;
    for (const auto& d :
         xrml::read_documents(
             authority->issue_rac({{ca::chain_text(spc)}, "", "load@example.test", false}, h.caller).text())
             .documents) {
        rac.push_back(d.raw.text);
    }
    const auto certify =
        http_post(enrollment::services::certification, "Certify", enrollment::certify_request(spc, true), token);
    const auto get_clc =
        http_post(enrollment::services::publishing, "GetClientLicensorCert", enrollment::clc_request(rac), token);
    const auto key = cluster_key(h.root);

    std::printf("engine: %s (raw = that engine's signatures with the cluster key on 2 threads)\n",
                ca::signing_engine_name(h.engine));
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
            raw.push_back(raw_sign_rate(h.engine, *key, 2, 2.0));
            const auto r =
                load(online.port(), std::string(op) == "Certify" ? certify : get_clc, connections, seconds, budget);
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
        "(medians of %d rounds of up to %.0f s; raw = the cluster key on 2 threads, 2 s, just before each round;\n"
        " GetClientLicensorCert rounds stop at 90%% of the %ld-key warm pool; key pool misses: %llu)\n",
        rounds, seconds, pool, static_cast<unsigned long long>(h.last_key_pool().misses()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return guarded_main("bench_online", [&] { return run(argc, argv); });
}
