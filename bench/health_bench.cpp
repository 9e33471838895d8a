// /healthz under load beside issuance (issue 12): Certify over HTTP with and without four
// clients polling /healthz at full speed, on an authority whose enrollment log holds LOG_ROWS
// rows — the case where a health check that counted rows starved issuance (509/s → 2.2/s).
//   bench_health [SECONDS] [CONNECTIONS] [ROUNDS] [LOG_ROWS]
// Goal: Certify with pollers ≥ 0.9 × Certify alone, measured in the same run, medians of ROUNDS.
// The log is filled directly in SQLite (each row chained with the store's own helper, the head
// moved along) because a million audited requests would take minutes; `log --verify` still holds.
#include "bench_util.h"
#include "http_load.h"
#include "raw_limits.h"
#include "support/test_keys.h"

#include "ca/hierarchy.h"
#include "enrollment/http_server.h"
#include "enrollment/service.h"
#include "store/factory.h"
#include "store/log_chain.h"
#include "xrml/reader.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdio>

using namespace xrca;
using namespace xrca::bench;

namespace {

void fill_log(const std::string& data_dir, long rows) {
    SQLite::Database db(store::sqlite_database_path(data_dir), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(10000);
    SQLite::Transaction tx(db);
    SQLite::Statement head_query(db, "SELECT seq, hash FROM log_head WHERE id = 1");
    store::LogHead head;
    if (head_query.executeStep()) head = {head_query.getColumn(0).getInt64(), head_query.getColumn(1).getString()};
    SQLite::Statement insert(db,
                             "INSERT INTO enrollment_log (seq, request_id, time, operation, caller, inputs, "
                             "certificate_id, outcome, reason, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    for (long i = 0; i < rows; ++i) {
        store::LogEntry e;
        e.request_id = "bench-" + std::to_string(i);
        e.time = "2026-03-01T11:00:00Z";
        e.operation = "Certify";
        e.caller = "user:bench from 127.0.0.1 [bench]";
        e.inputs = "user=bench; machine=bench";
        e.certificate_id = "{00000000-0000-0000-0000-000000000000}";
        e.outcome = "accepted";
        e.reason = "issued a RAC (filler row of bench_health)";
        e = store::chain_log_entry(head, e);
        head = {e.seq, e.hash};
        int k = 1;
        insert.bind(k++, e.seq);
        for (const auto* field : {&e.request_id, &e.time, &e.operation, &e.caller, &e.inputs, &e.certificate_id,
                                  &e.outcome, &e.reason, &e.prev_hash, &e.hash})
            insert.bind(k++, *field);
        insert.exec();
        insert.reset();
    }
    SQLite::Statement pin(db, "UPDATE log_head SET seq = ?, hash = ? WHERE id = 1");
    pin.bind(1, head.seq);
    pin.bind(2, head.hash);
    pin.exec();
    tx.commit();
}

/** Polls GET /healthz on `pollers` keep-alive connections until `stop`; returns the probes answered 200. */
long poll_health(std::uint16_t port, int pollers, const std::atomic<bool>& stop) {
    std::atomic<long> ok{0};
    std::vector<std::thread> threads;
    for (int p = 0; p < pollers; ++p) {
        threads.emplace_back([&] {
            Connection c(port);
            for (long n = 0; !stop && n < 50000000; ++n) {
                const int status = c.exchange("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                if (status != 200) break;
                ++ok;
            }
        });
    }
    for (auto& t : threads) t.join();
    return ok.load();
}

int run(int argc, char** argv) {
    const double seconds = number_arg(argc, argv, 1, 10.0);
    const int connections = number_arg(argc, argv, 2, 16);
    const int rounds = number_arg(argc, argv, 3, 3);
    const long log_rows = number_arg(argc, argv, 4, 1000000L);

    test::Hierarchy h(2);
    const auto filled = Clock::now();
    fill_log(h.root.dir, log_rows);
    static_cast<void>(std::fprintf(stderr, "  log filled with %ld rows in %.1f s\n", log_rows,
                                   std::chrono::duration<double>(Clock::now() - filled).count()));
    auto authority = h.open(h.root, test::Hierarchy::k_password);
    // What the old /healthz did on every probe: count every table.
    const auto counted = Clock::now();
    const auto counts = h.root.store->counts();
    const double count_ms = std::chrono::duration<double, std::milli>(Clock::now() - counted).count();

    enrollment::ServiceOptions service_options;
    service_options.health.data_directory = h.root.dir;
    ServiceUnderLoad online(h, *authority, service_options);
    const auto certify = http_post(enrollment::services::certification, "Certify",
                                   enrollment::certify_request(online.spc, true), online.token);

    std::vector<double> alone, polled, ratio, probes;
    for (int round = 0; round < rounds; ++round) {
        const auto a = load(online.port(), certify, connections, seconds, 200000);
        std::atomic<bool> stop{false};
        long answered = 0;
        std::thread pollers([&] { answered = poll_health(online.port(), 4, stop); });
        const auto p = load(online.port(), certify, connections, seconds, 200000);
        stop = true;
        pollers.join();
        alone.push_back(a.rate);
        polled.push_back(p.rate);
        ratio.push_back(p.rate / a.rate);
        probes.push_back(static_cast<double>(answered) / seconds);
        static_cast<void>(std::fprintf(stderr, "  round %d: alone %.0f/s, with pollers %.0f/s (%.0f probes/s)\n",
                                       round + 1, a.rate, p.rate, probes.back()));
    }
    std::printf("log rows: %lld (counting every table once, as the old /healthz did per probe: %.0f ms)\n",
                static_cast<long long>(counts.log_entries), count_ms);
    std::printf("Certify alone  with 4 pollers  ratio  probes/s  conns\n");
    std::printf("%13.0f  %14.0f  %5.3f  %8.0f  %5d\n", median(alone), median(polled), median(ratio), median(probes),
                connections);
    std::printf("(medians of %d rounds of %.0f s each; goal: ratio >= 0.9)\n", rounds, seconds);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return guarded_main("bench_health", [&] { return run(argc, argv); });
}
