// Issuance throughput (issue 3), each figure beside the raw limit measured in the same run.
//   bench_issue rates  [SECONDS]   SLC (SubEnroll), SPC and RAC per second at 1, 2 and 8 threads,
//                                  beside raw RSA-2048 signatures per second with the same key and
//                                  threads. Goal: ratio >= 0.85 at the best thread count.
//   bench_issue clc    [COUNT]     CLCs from a warm key pool vs raw signatures (goal >= 0.8); the
//                                  pool's refill rate; take() latency p50/p99 when the pool is empty.
//   bench_issue growth [ROWS]      issuance rate with ROWS certificates already stored vs an empty
//                                  store (goal >= 0.9), and the time `status` counts take.
//   bench_issue memory [COUNT]     peak RSS of a process that issues COUNT certificates (goal < 100 MB).
#include "bench_util.h"
#include "raw_limits.h"
#include "support/authority_fixture.h"
#include "support/test_keys.h"

#include "ca/hierarchy.h"
#include "ca/key_pool.h"
#include "ca/signer.h"
#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <sys/resource.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

using namespace xrca;
using Clock = std::chrono::steady_clock;

using namespace xrca::bench;

namespace {

std::unique_ptr<Botan::RSA_PrivateKey> activation_key(test::Node& node) {
    const auto blob = node.store->load_key("activation");
    return ca::decrypt_private_key(blob->encrypted, ca::Password(test::Hierarchy::k_password), "activation");
}

int rates(double seconds) {
    test::Hierarchy h(2);
    h.options.clc_key_pool_threads = 0;
    const auto slc_key = cluster_key(h.root);
    const auto act_key = activation_key(h.root);
    const auto& machine = test::test_key(2048, 8);
    const auto spc = h.machine_spc_chain(machine);
    h.root.authority->issue_rac({{spc}, "", "bench@example.test", false}, h.caller);  // the user key exists
    const auto lic_key = xrml::PublicKey::from_botan(test::test_key(2048, 6));
    std::printf("kind  threads  issued/s  raw_signs/s  ratio\n");
    for (int threads : {1, 2, 8}) {
        std::vector<double> slc_r, spc_r, rac_r, raw_slc, raw_act;
        for (int round = 0; round < 3; ++round) {
            raw_slc.push_back(raw_sign_rate(h.engine, *slc_key, threads, seconds));
            slc_r.push_back(threaded_rate(threads, seconds, [&](int t, long n) {
                ca::ClusterRequest r{ca::ClusterOperation::SubEnroll,
                                     lic_key,
                                     ca::new_guid(h.rng),
                                     "lic " + std::to_string(t) + "-" + std::to_string(n),
                                     "https://lic.example.test/_wmcs",
                                     "xrca",
                                     "1"};
                (void)h.root.authority->sub_enroll(r, h.caller);
            }));
            raw_act.push_back(raw_sign_rate(h.engine, *act_key, threads, seconds));
            spc_r.push_back(threaded_rate(threads, seconds, [&](int, long) {
                ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
                (void)h.root.authority->certify_machine(m, h.caller);
            }));
            rac_r.push_back(threaded_rate(threads, seconds, [&](int, long) {
                (void)h.root.authority->issue_rac({{spc}, "", "bench@example.test", false}, h.caller);
            }));
        }
        const double raw1 = bench::median(raw_slc), raw2 = bench::median(raw_act);
        std::printf("SLC   %7d  %8.0f  %11.0f  %.3f\n", threads, bench::median(slc_r), raw1,
                    bench::median(slc_r) / raw1);
        std::printf("SPC   %7d  %8.0f  %11.0f  %.3f\n", threads, bench::median(spc_r), raw2,
                    bench::median(spc_r) / raw2);
        std::printf("RAC   %7d  %8.0f  %11.0f  %.3f\n", threads, bench::median(rac_r), raw1,
                    bench::median(rac_r) / raw1);
        static_cast<void>(std::fflush(stdout));
    }
    std::printf("(medians of 3 rounds of %.1f s; RAC = existing user key; raw = same key, engine (%s) and threads)\n",
                seconds, ca::signing_engine_name(h.engine));
    return 0;
}

int clc(int count) {
    test::Hierarchy h(2);
    // Pool: capacity `count`, refilled by 2 threads; measure the refill rate while it fills.
    h.options.clc_key_pool_capacity = static_cast<std::size_t>(count);
    h.options.clc_key_pool_threads = 2;
    auto authority = h.open(h.root, test::Hierarchy::k_password);
    const auto& machine = test::test_key(2048, 8);
    const auto rac =
        h.root.authority->issue_rac({{h.machine_spc_chain(machine)}, "", "clc@example.test", false}, h.caller).text();
    const auto fill_start = Clock::now();
    h.last_key_pool().wait_until_filled(static_cast<std::size_t>(count));
    const double fill_s = std::chrono::duration<double>(Clock::now() - fill_start).count();
    std::printf("key pool: %d RSA-2048 keys in %.1f s = %.1f keys/s with 2 threads\n", count, fill_s, count / fill_s);

    const auto key = cluster_key(h.root);
    for (int threads : {1, 2, 8}) {
        const double raw = raw_sign_rate(h.engine, *key, threads, 1.0);
        // Issue at most count/3 per thread count from the warm pool, bounded in time.
        std::atomic<int> left{count / 3};
        const auto start = Clock::now();
        std::vector<std::thread> pool;
        pool.reserve(static_cast<std::size_t>(threads));
        std::atomic<int> issued{0};
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&] {
                while (left.fetch_sub(1) > 0) {
                    (void)authority->issue_clc({{rac}}, h.caller);
                    ++issued;
                }
            });
        }
        for (auto& th : pool) th.join();
        const double rate = issued.load() / std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("CLC  threads=%d  %6.0f CLC/s  raw %6.0f signs/s  ratio %.3f  (pool misses so far: %llu)\n",
                    threads, rate, raw, rate / raw, static_cast<unsigned long long>(h.last_key_pool().misses()));
        h.last_key_pool().wait_until_filled(static_cast<std::size_t>(count));
    }
    // Latency of take() on an empty pool: generation in place.
    ca::KeyPool empty(2048, 0, 0);
    std::vector<double> ms;
    for (int i = 0; i < 40; ++i) {
        const auto s = Clock::now();
        (void)empty.take();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("empty pool take(): p50 %.0f ms, p99 %.0f ms (40 RSA-2048 generations)\n", ms[ms.size() / 2],
                ms[ms.size() * 99 / 100]);
    return 0;
}

double spc_rate(test::Hierarchy& h, double seconds) {
    const auto& machine = test::test_key(2048, 8);
    return threaded_rate(8, seconds, [&](int, long) {
        ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
        (void)h.root.authority->certify_machine(m, h.caller);
    });
}

int growth(long rows) {
    test::Hierarchy h(2);
    std::vector<double> empty_rates;
    empty_rates.reserve(3);
    for (int i = 0; i < 3; ++i) empty_rates.push_back(spc_rate(h, 2.0));
    // Fill the store with `rows` issued certificates through the store's own issuance calls.
    const auto fill_start = Clock::now();
    const std::string body(1500, 'x');
    for (long i = 0; i < rows; ++i) {
        store::CertificateRecord r{
            ca::new_guid(h.rng),    "Machine-Certificate", "pending",    "m",  "f",          ca::new_guid(h.rng),
            "2026-03-01T12:00:00Z", std::nullopt,          std::nullopt, body, std::nullopt, "bulk"};
        store::LogEntry e{0, "bulk", "2026-03-01T12:00:00Z", "Activate", "bench", "", r.id, "accepted", "bulk", "", ""};
        h.root.store->reserve_issuance(r, e);
        h.root.store->complete_issuance(r.id, body);
    }
    std::printf("stored %ld certificates in %.1f s\n", rows,
                std::chrono::duration<double>(Clock::now() - fill_start).count());
    std::vector<double> full_rates;
    full_rates.reserve(3);
    for (int i = 0; i < 3; ++i) full_rates.push_back(spc_rate(h, 2.0));
    std::vector<double> status_ms;
    for (int i = 0; i < 5; ++i) {
        const auto s = Clock::now();
        (void)h.root.authority->status();
        status_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s).count());
    }
    std::printf("SPC issuance, 8 threads: empty store %.0f/s, with %ld stored %.0f/s, ratio %.3f (goal >= 0.9)\n",
                bench::median(empty_rates), rows, bench::median(full_rates),
                bench::median(full_rates) / bench::median(empty_rates));
    std::printf("status() with %ld stored: median %.1f ms (goal < 100 ms)\n", rows, bench::median(status_ms));
    return 0;
}

int memory(long count) {
    test::Hierarchy h(2);
    const auto& machine = test::test_key(2048, 8);
    std::atomic<long> left{count};
    std::vector<std::thread> pool;
    pool.reserve(8);
    const auto start = Clock::now();
    for (int t = 0; t < 8; ++t) {
        pool.emplace_back([&] {
            while (left.fetch_sub(1) > 0) {
                ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
                (void)h.root.authority->certify_machine(m, h.caller);
            }
        });
    }
    for (auto& th : pool) th.join();
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::printf("issued %ld SPCs in %.1f s; peak RSS %.1f MB (goal < 100 MB)\n", count,
                std::chrono::duration<double>(Clock::now() - start).count(),
                static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
}

// Single-threaded RAC issuance, for profiling under callgrind.
int profile_rac(long count) {
    test::Hierarchy h(2);
    const auto& machine = test::test_key(2048, 8);
    const auto spc = h.machine_spc_chain(machine);
    for (long i = 0; i < count; ++i) (void)h.root.authority->issue_rac({{spc}, "", "p@example.test", false}, h.caller);
    return 0;
}

// Single-threaded CLC issuance from a warm pool, for profiling under callgrind.
int profile_clc(long count) {
    test::Hierarchy h(2);
    h.options.clc_key_pool_capacity = static_cast<std::size_t>(count);
    h.options.clc_key_pool_threads = 2;
    auto authority = h.open(h.root, test::Hierarchy::k_password);
    const auto rac =
        h.root.authority
            ->issue_rac({{h.machine_spc_chain(test::test_key(2048, 8))}, "", "u@example.test", false}, h.caller)
            .text();
    h.last_key_pool().wait_until_filled(static_cast<std::size_t>(count));
    for (long i = 0; i < count; ++i) (void)authority->issue_clc({{rac}}, h.caller);
    return 0;
}

int run(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "rates";
    if (what == "rates") return rates(number_arg(argc, argv, 2, 2.0));
    if (what == "clc") return clc(number_arg(argc, argv, 2, 300));
    if (what == "growth") return growth(number_arg(argc, argv, 2, 100000L));
    if (what == "profile-rac") return profile_rac(number_arg(argc, argv, 2, 200L));
    if (what == "profile-clc") return profile_clc(number_arg(argc, argv, 2, 40L));
    if (what == "memory") return memory(number_arg(argc, argv, 2, 100000L));
    static_cast<void>(std::fprintf(stderr, "usage: bench_issue rates|clc|growth|memory [N]\n"));
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    return guarded_main("bench_issue", [&] { return run(argc, argv); });
}
