// Many `xrca serve` nodes on one PostgreSQL database (issue 14), run for real: the built binary,
// a throwaway PostgreSQL server, HTTP on 127.0.0.1 and the SOAP client `xrca client` uses.
// Three nodes answer Certify round-robin while one is killed with SIGKILL and the database is
// restarted once; afterwards the log verifies, every certificate a client holds has its
// completed record, no ID was issued twice, and what failed during the outage failed with 503.
// Every wait is bounded in time; the processes stop with the test, also when it fails.
#include "support/command.h"
#include "support/postgres_cluster.h"
#include "support/serve_process.h"
#include "support/test_keys.h"

#include "ca/signer.h"
#include "enrollment/client.h"
#include "enrollment/messages.h"
#include "store/factory.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/system_rng.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace xrca {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::pair<std::string, std::string> k_password{"XRCA_KEY_PASSWORD", "correct-horse-battery"};
constexpr long k_client_timeout_seconds = 10;

/** Polls `done` every 20 ms until it holds or `limit` passes; whether it held. */
template <typename Done>
bool wait_for(Done&& done, SteadyClock::duration limit) {
    const auto deadline = SteadyClock::now() + limit;
    while (!done()) {
        if (SteadyClock::now() > deadline) return false;
        std::this_thread::sleep_for(milliseconds(20));
    }
    return true;
}

/** The value of "key":"…" in one line of JSON ("" if absent). */
std::string json_string(const std::string& json, const std::string& key) {
    const auto at = json.find("\"" + key + "\":\"");
    if (at == std::string::npos) return "";
    const auto start = at + key.size() + 4;
    return json.substr(start, json.find('"', start) - start);
}

class ClusterTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-cluster-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_database = pg().create_database();
        m_locator = pg().locator(m_database);
    }
    void TearDown() override {
        m_nodes.clear();  // SIGTERM and wait, before the database goes
        if (!pg().running()) pg().start();
        pg().drop_database(m_database);
        std::filesystem::remove_all(m_dir);
    }
    static test::PostgresCluster& pg() { return test::PostgresCluster::shared(); }

    /** `xrca --store LOCATOR ARGS` with the key password in its environment (never on argv). */
    test::CommandResult xrca(const std::string& args, const std::string& locator = "") const {
        return test::run_command(k_password.first + "=" + k_password.second + " " + XRCA_BINARY + " --store '" +
                                 (locator.empty() ? m_locator : locator) + "' " + args);
    }
    /** Starts node `n`: stdout (its "serving … on URL" line) to the test, stderr to a file. */
    test::ServeProcess& start_node(std::size_t n) {
        if (m_nodes.size() <= n) m_nodes.resize(n + 1);
        m_nodes[n] = std::make_unique<test::ServeProcess>(
            "--store '" + m_locator + "' serve --listen 127.0.0.1:0 --threads 4 --clc-key-threads 0 2>>" + node_err(n),
            std::vector<std::pair<std::string, std::string>>{k_password});
        return *m_nodes[n];
    }
    std::string node_err(std::size_t n) const { return m_dir + "/node" + std::to_string(n) + ".err"; }

    std::string m_dir, m_database, m_locator;
    std::vector<std::unique_ptr<test::ServeProcess>> m_nodes;
};

// --- start-up: what a node says when its store cannot be used -----------------------------

TEST_F(ClusterTest, ANodeRefusesToStartOnAWrongUriAMissingDatabaseOrANewerSchema) {
    // A URI libpq cannot read: named, non-zero, and no password in the message.
    auto r = xrca("serve --listen 127.0.0.1:0", "postgresql:///" + m_database + "?no_such_option=1");
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("no_such_option"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(k_password.second), std::string::npos) << r.out;
    // A database that does not exist.
    r = xrca("serve --listen 127.0.0.1:0", pg().locator("xrca_no_such_database"));
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("xrca_no_such_database"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("does not exist"), std::string::npos) << r.out;
    // A socket directory where no server listens: unavailable, said as such.
    r = xrca("serve --listen 127.0.0.1:0", "postgresql:///" + m_database + "?host=" + m_dir + "&user=postgres");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("cannot connect"), std::string::npos) << r.out;
    // An empty database: no authority there yet.
    r = xrca("serve --listen 127.0.0.1:0");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("no authority"), std::string::npos) << r.out;
    // A schema written by a newer xrca.
    r = xrca("init --role root --name R --url https://r.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    pg().execute(m_database, "UPDATE xrca.schema_version SET version = 999");
    r = xrca("serve --listen 127.0.0.1:0");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("newer xrca"), std::string::npos) << r.out;
}

// --- three nodes under load, one killed, the database restarted ---------------------------

/** What the clients saw, shared by their threads. */
struct Tally {
    std::mutex mutex;
    std::vector<std::string> received;  ///< IDs of the RACs clients hold
    int unavailable = 0;                ///< 503 (the database down)
    int cut = 0;                        ///< no answer: in flight to the node that was killed
    std::vector<std::string> unexpected;
    double slowest_seconds = 0;
    std::atomic<int> successes{0};
};

TEST_F(ClusterTest, ThreeNodesKeepEveryCertificateThroughAKilledNodeAndADatabaseRestart) {
    const auto test_deadline = SteadyClock::now() + seconds(55);
    auto r = xrca("init --role root --name CorpRights --url https://rms.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = xrca("principal add alice --role user --email alice@example.test --json");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto token = json_string(r.out, "token");
    ASSERT_FALSE(token.empty()) << r.out;

    std::vector<std::string> urls;
    for (std::size_t n = 0; n < 3; ++n) {
        urls.push_back(start_node(n).url);
        ASSERT_FALSE(urls.back().empty()) << "node " << n << ": " << m_nodes[n]->first_line;
    }
    const auto client_for = [&](std::size_t n) {
        return enrollment::SoapClient({urls[n], token, "", k_client_timeout_seconds});
    };

    // The machine is activated once (node 0); alice's key is escrowed by her first RAC (node 1).
    const auto& machine = test::test_key(2048, 1);
    const auto input =
        enrollment::activation_input(xrml::PublicKey::from_botan(machine), std::vector<std::uint8_t>(32, 7));
    Botan::System_RNG rng;
    const auto proof = ca::prove_possession(machine, input, xrml::DigestAlgorithm::Sha256, rng);
    const auto spc = enrollment::certificates_in_reply(
        client_for(0).call(enrollment::services::activation, "Activate", enrollment::activation_request(input, proof)),
        "MachineCertificateChain");
    const auto first_rac = enrollment::certificates_in_reply(
        client_for(1).call(enrollment::services::certification, "Certify", enrollment::certify_request(spc, true)),
        "CertificateChain");
    ASSERT_FALSE(first_rac.empty());

    // Clients: each thread goes round the live nodes, one Certify after another.
    Tally tally;
    std::atomic<bool> stop{false};
    std::atomic<bool> node2_dead{false};
    std::vector<std::thread> clients;
    struct Joiner {
        std::atomic<bool>& stop;
        std::vector<std::thread>& threads;
        Joiner(std::atomic<bool>& s, std::vector<std::thread>& t) : stop(s), threads(t) {}
        Joiner(const Joiner&) = delete;
        Joiner& operator=(const Joiner&) = delete;
        Joiner(Joiner&&) = delete;
        Joiner& operator=(Joiner&&) = delete;
        ~Joiner() {
            stop = true;
            for (auto& t : threads)
                if (t.joinable()) t.join();
        }
    } joiner{stop, clients};
    const auto request_body = enrollment::certify_request(spc, true);
    for (int t = 0; t < 6; ++t) {
        clients.emplace_back([&, t] {
            for (int i = 0; i < 5000 && !stop; ++i) {
                std::size_t node = static_cast<std::size_t>(t + i) % 3;
                if (node == 2 && node2_dead) node = static_cast<std::size_t>(i % 2);
                const auto began = SteadyClock::now();
                std::string id, failure;
                bool unavailable = false, cut = false;
                try {
                    const auto rac = enrollment::certificates_in_reply(
                        client_for(node).call(enrollment::services::certification, "Certify", request_body),
                        "CertificateChain");
                    id = xrml::read_documents(rac.front()).documents.front().descriptor->id.value;
                } catch (const Error& e) {
                    unavailable = e.kind() == ErrorKind::Unavailable;  // how a client reads 503
                    cut = e.kind() == ErrorKind::Storage && node == 2;
                    failure = "node " + std::to_string(node) + ": " + error_kind_name(e.kind()) + ": " + e.what();
                }
                const double took = std::chrono::duration<double>(SteadyClock::now() - began).count();
                const std::lock_guard<std::mutex> lock(tally.mutex);
                tally.slowest_seconds = std::max(tally.slowest_seconds, took);
                if (!id.empty()) {
                    tally.received.push_back(id);
                    ++tally.successes;
                } else if (unavailable) {
                    ++tally.unavailable;
                } else if (cut) {
                    ++tally.cut;
                } else {
                    tally.unexpected.push_back(failure);
                }
            }
        });
    }
    const auto successes_reach = [&](int n, SteadyClock::duration limit) {
        return wait_for([&] { return tally.successes.load() >= n; }, limit);
    };

    // 1. Load on three nodes, then node 2 killed mid-request.
    ASSERT_TRUE(successes_reach(30, seconds(15))) << tally.successes.load();
    node2_dead = true;
    ASSERT_EQ(::kill(m_nodes[2]->pid(), SIGKILL), 0);
    const int before_outage = tally.successes.load() + 30;
    ASSERT_TRUE(successes_reach(before_outage, seconds(10))) << "the other nodes stopped answering";

    // 2. The database restarted: requests meanwhile get 503 quickly, and the nodes reconnect.
    pg().stop();
    const bool refused_while_down = wait_for(
        [&] {
            const std::lock_guard<std::mutex> lock(tally.mutex);
            return tally.unavailable >= 6;
        },
        seconds(5));
    {
        // /healthz says so too (the nodes' readiness for a load balancer); a verdict may be 1 s old.
        const auto unhealthy = wait_for(
            [&] {
                const auto h = test::run_command("curl -s -o /dev/null -w '%{http_code}' " +
                                                 urls[0].substr(0, urls[0].size() - 6) + "/healthz");
                return h.out == "503";
            },
            seconds(3));
        EXPECT_TRUE(unhealthy) << "a node whose database is down should be unhealthy";
    }
    pg().start();
    EXPECT_TRUE(refused_while_down) << "no request was refused while the database was down";
    const int after_restart = tally.successes.load() + 30;
    ASSERT_TRUE(successes_reach(after_restart, seconds(15))) << "the nodes did not reconnect";

    // 3. The killed node comes back under load: it reconciles only intents older than the
    //    stale limit, so none of the live nodes' fresh ones (their completions would fail).
    ASSERT_FALSE(start_node(2).url.empty()) << m_nodes[2]->first_line;
    urls[2] = m_nodes[2]->url;
    node2_dead = false;
    ASSERT_TRUE(successes_reach(tally.successes.load() + 20, seconds(10)));
    stop = true;
    for (auto& t : clients) t.join();

    // 4. What the clients saw.
    const auto internal_refusals = [&] {
        std::string found;
        std::istringstream lines(xrca("log").out);
        for (std::string line; std::getline(lines, line);)
            if (line.find("internal") != std::string::npos) found += line.substr(0, 600) + "\n";
        return found;
    };
    EXPECT_TRUE(tally.unexpected.empty())
        << "logged as internal:\n"
        << (tally.unexpected.empty() ? std::string() : internal_refusals()) << tally.unexpected.size()
        << " unexpected failures, first: " << (tally.unexpected.empty() ? "" : tally.unexpected.front())
        << "\nnode 0 stderr:\n"
        << test::slurp(node_err(0)).substr(0, 4000) << "\nnode 1 stderr:\n"
        << test::slurp(node_err(1)).substr(0, 4000);
    EXPECT_LT(tally.slowest_seconds, static_cast<double>(k_client_timeout_seconds))
        << "a request hung up to the client's timeout";
    EXPECT_LE(tally.cut, 6) << "only requests in flight to the killed node may go unanswered";

    // 5. The store: the log is one verified chain; every RAC a client holds is issued there,
    //    once; intents left pending were never handed out.
    r = xrca("log --verify");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const std::set<std::string> distinct(tally.received.begin(), tally.received.end());
    EXPECT_EQ(distinct.size(), tally.received.size()) << "a certificate ID was handed out twice";
    const auto store = store::open_store(m_locator);
    for (const auto& id : tally.received) {
        const auto record = store->find_certificate(id);
        ASSERT_TRUE(record.has_value()) << id << " has no record";
        EXPECT_EQ(record->status, "issued") << id;
        EXPECT_TRUE(record->xrml.has_value()) << id;
    }
    const auto counts = store->counts();
    const std::string rac_kind = xrml::names::rights_account_certificate;
    const auto issued_racs = counts.issued_by_kind.count(rac_kind) ? counts.issued_by_kind.at(rac_kind) : 0;
    // The one before the load, and every one received. A RAC whose completion committed as its
    // node was killed (or as the database went) can be issued without reaching its client:
    // at most one per request that got no certificate.
    const std::int64_t failed = std::int64_t{tally.cut} + tally.unavailable;
    EXPECT_GE(issued_racs, static_cast<std::int64_t>(tally.received.size()) + 1);
    EXPECT_LE(issued_racs, static_cast<std::int64_t>(tally.received.size()) + 1 + failed);
    const auto unfinished = pg().scalar(
        m_database,
        "SELECT COALESCE(string_agg(id, ','), '') FROM xrca.certificates WHERE status IN ('pending', 'abandoned')");
    for (const auto& id : tally.received) EXPECT_EQ(unfinished.find(id), std::string::npos) << id;
    EXPECT_LE(counts.pending, failed) << "only failed requests leave intents pending";
    r = xrca("status --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"pending\":" + std::to_string(counts.pending)), std::string::npos) << r.out;

    // 6. What the log could not take during the outage is on the nodes' stderr, one whole line
    //    per entry (whether any request lost its entry depends on timing: AuditPath tests the
    //    path itself); never the password.
    std::string errs;
    for (std::size_t n = 0; n < 3; ++n) errs += test::slurp(node_err(n));
    for (std::size_t at = errs.find("unwritten entry:"); at != std::string::npos;
         at = errs.find("unwritten entry:", at + 1)) {
        const auto line = errs.substr(at, errs.find('\n', at) - at);
        EXPECT_NE(line.find(" outcome="), std::string::npos) << line;
    }
    EXPECT_EQ(errs.find(k_password.second), std::string::npos);

    // 7. An exclusion made by the CLI is honoured by every node within 1 s.
    const auto rac_key = xrml::read_documents(first_rac.front()).documents.front().principal->key;
    ASSERT_TRUE(rac_key.has_value());
    { std::ofstream(m_dir + "/rac.pub.xml") << xrml::build_public_key_element(*rac_key); }
    r = xrca("exclusion add --rac-key " + m_dir + "/rac.pub.xml --reason 'issue 14'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto excluded_at = SteadyClock::now();
    for (std::size_t n = 0; n < 3; ++n) {
        std::string last;
        const bool refused = wait_for(
            [&] {
                try {
                    (void)client_for(n).call(enrollment::services::publishing, "GetClientLicensorCert",
                                             enrollment::clc_request(first_rac));
                    last = "issued";
                    return false;
                } catch (const Error& e) {
                    last = e.what();
                    return last.find("DrmacIsExcluded") != std::string::npos;
                }
            },
            excluded_at + seconds(1) - SteadyClock::now());
        EXPECT_TRUE(refused) << "node " << n << " still answers an excluded RAC key after 1 s: " << last;
    }
    EXPECT_LT(SteadyClock::now(), test_deadline) << "the test ran longer than its budget";
}

}  // namespace
}  // namespace xrca
