// What only the PostgreSQL store has to show, beside the contract every back end passes
// (contract_test.cpp): several processes (here: several Store objects, each with its own
// connections, as separate nodes have) sharing one authority, the locator's errors, and a server
// that restarts or stops. postgres_schema_test.cpp holds the schema: its versions, migrations,
// the plans of its searches and the rows derived from certificates.
#include "store/postgres_store.h"
#include "store/factory.h"
#include "store/log_chain.h"
#include "unit/store/postgres_store_fixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::pg_test {
namespace {

TEST_F(PostgresStoreTest, TwoNodesAppendingConcurrentlyMakeOneChainWithoutGaps) {
    auto node_a = open_store(m_locator, OpenMode::Create);
    auto node_b = open_store(m_locator, OpenMode::Create);
    constexpr int threads_per_node = 3, per_thread = 40;
    on_both_nodes(*node_a, *node_b, threads_per_node, per_thread, [](Store& node, const std::string& who, int i) {
        if (i % 4 == 0) {
            const auto id = who + "-" + std::to_string(i);
            node.reserve_issuance(pending(id), entry("Certify", id));
            node.complete_issuance(id, "<XrML>" + id + "</XrML>");
        } else {
            node.append_log(entry("GetLicensorCertificate", who));
        }
    });
    constexpr int total = 2 * threads_per_node * per_thread;
    for (auto* node : {node_a.get(), node_b.get()}) {
        const auto verdict = node->verify_log();
        EXPECT_TRUE(verdict.ok) << verdict.problem;
        EXPECT_EQ(verdict.entries, total);
    }
    const auto log = node_b->read_log("");
    ASSERT_EQ(log.size(), static_cast<std::size_t>(total));
    std::set<std::string> writers;
    for (std::size_t i = 0; i < log.size(); ++i) {
        ASSERT_EQ(log[i].seq, static_cast<std::int64_t>(i + 1)) << "no gap, no duplicate";
        if (i > 0) {
            ASSERT_EQ(log[i].prev_hash, log[i - 1].hash);
        }
        writers.insert(log[i].request_id.substr(0, 1));
    }
    EXPECT_EQ(writers, (std::set<std::string>{"a", "b"})) << "both nodes wrote into the one chain";
    EXPECT_EQ(node_a->counts().issued_by_kind.at("Rights-Account-Certificate"), 2 * threads_per_node * per_thread / 4);
}

// Counts are totals plus appended changes (007_row_counts.sql): two nodes issuing while a
// third folds the changes into the totals must still count every certificate exactly once.
TEST_F(PostgresStoreTest, ConcurrentIssuancesOnOneNodeEachGetTheirOwnVerdict) {
    // Concurrent reservations and completions share transactions (group commit); one refused
    // among them (a duplicate ID, a certificate no longer pending) fails alone.
    auto store = open_store(m_locator, OpenMode::Create);
    constexpr int threads_n = 8, per_thread = 15;
    std::atomic<int> conflicts{0}, not_pending{0}, unexpected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const auto id = "t" + std::to_string(t) + "-" + std::to_string(i);
                try {
                    store->reserve_issuance(pending(id), entry("Certify", id));
                    store->complete_issuance(id, "<XrML>" + id + "</XrML>");
                } catch (const std::exception&) {
                    ++unexpected;
                }
                if (i % 5 != 4) continue;
                try {
                    store->reserve_issuance(pending(id), entry("Certify", id));
                    ++unexpected;
                } catch (const ConflictError&) {
                    ++conflicts;
                }
                try {
                    store->complete_issuance(id, "again");
                    ++unexpected;
                } catch (const ConflictError&) {
                    ++unexpected;
                } catch (const StorageError& e) {
                    if (std::string(e.what()).find("not pending") != std::string::npos) ++not_pending;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_EQ(conflicts.load(), threads_n * per_thread / 5);
    EXPECT_EQ(not_pending.load(), threads_n * per_thread / 5);
    const auto verdict = store->verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.entries, threads_n * per_thread) << "one entry per reservation, none for a refused one";
    EXPECT_EQ(store->counts().issued_by_kind.at("Rights-Account-Certificate"), threads_n * per_thread);
    for (int t = 0; t < threads_n; ++t) {
        const auto id = "t" + std::to_string(t) + "-3";
        EXPECT_EQ(store->find_certificate(id)->xrml.value_or(""), "<XrML>" + id + "</XrML>");
    }
}

TEST_F(PostgresStoreTest, CountsStayExactWhileTwoNodesIssueAndAThirdFolds) {
    auto node_a = open_store(m_locator, OpenMode::Create);
    auto node_b = open_store(m_locator, OpenMode::Existing);
    PostgresStore folder(m_locator, false);
    constexpr int threads_per_node = 3, per_thread = 40;
    std::atomic<bool> done{false};
    std::int64_t folded = 0;
    std::thread folding([&] {
        while (!done) folded += folder.fold_row_counts();
    });
    on_both_nodes(*node_a, *node_b, threads_per_node, per_thread, [](Store& node, const std::string& who, int i) {
        const auto id = who + "-" + std::to_string(i);
        node.reserve_issuance(pending(id), entry("Certify", id));
        node.complete_issuance(id, "<XrML>" + id + "</XrML>");
        node.insert_user_key_if_absent({"user-" + id, "u@example.test", "fp", {1}, "t"});
    });
    done = true;
    folding.join();
    constexpr int total = 2 * threads_per_node * per_thread;
    EXPECT_GT(folded, 0) << "the fold ran while the nodes wrote";
    for (auto* node : {node_a.get(), node_b.get()}) {
        const auto c = node->counts();
        EXPECT_EQ(c.issued_by_kind.at("Rights-Account-Certificate"), total);
        EXPECT_EQ(c.pending, 0);
        EXPECT_EQ(c.user_keys, total);
    }
    folder.fold_row_counts();
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM xrca.row_count_changes"), "0");
    EXPECT_EQ(
        cluster().scalar(m_database, "SELECT n FROM xrca.row_counts WHERE tbl = 'certificates' AND status = 'issued'"),
        std::to_string(total));
    EXPECT_EQ(cluster().scalar(m_database, "SELECT n FROM xrca.row_counts WHERE tbl = 'user_keys'"),
              std::to_string(total));
    EXPECT_EQ(node_a->counts().issued_by_kind.at("Rights-Account-Certificate"), total);
}

TEST_F(PostgresStoreTest, CountingFoldsTheChangesOnceTheyPassTheThreshold) {
    auto store = open_store(m_locator, OpenMode::Create);
    const auto over = PostgresStore::k_fold_threshold + 1;
    // One change row per certificate, as issuances write them (009_derived_rows_in_statements.sql).
    cluster().execute(m_database, "SET search_path = xrca; DO $$ BEGIN FOR i IN 1.." + std::to_string(over) +
                                      " LOOP INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, "
                                      "key_fingerprint, issued, body, request_id) VALUES ('bulk-' || i, 'x', "
                                      "'issued', 's', 'f', 'k', '2026-01-01T00:00:00Z', '', 'r'); "
                                      "INSERT INTO row_count_changes (tbl, kind, status, n) "
                                      "VALUES ('certificates', 'x', 'issued', 1); END LOOP; END $$");
    ASSERT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM xrca.row_count_changes"), std::to_string(over));
    EXPECT_EQ(store->counts().issued_by_kind.at("x"), over);
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM xrca.row_count_changes"), "0");
    EXPECT_EQ(store->counts().issued_by_kind.at("x"), over) << "the same count from the folded totals";
}

TEST_F(PostgresStoreTest, APolicyChangeThroughOneNodeIsSeenByTheOther) {
    auto node_a = open_store(m_locator, OpenMode::Create);
    auto node_b = open_store(m_locator, OpenMode::Existing);
    const auto before = node_b->policy_revision();
    node_a->add_trust({"fp-t", "spc-issuer", "<PUBLICKEY/>", "partner", "t"}, entry("TrustAdd"));
    const auto after = node_b->policy_revision();
    EXPECT_GT(after, before);
    RevocationRecord r;
    r.type = "license-id";
    r.value = r.id = "{id-1}";
    node_b->add_revocation(r, entry("Revoke"));
    EXPECT_GT(node_a->policy_revision(), after);
    EXPECT_EQ(node_a->list_revocations().size(), 1u);
    EXPECT_TRUE(node_a->verify_log().ok);
}

TEST_F(PostgresStoreTest, ATokenLookupsPolicyRevisionNeverHidesAChangeForLong) {
    // The token lookup's statement reads the policy revision too, and a serving process
    // remembers it (postgres_policy_cache.h): another store's change is seen within a second,
    // this store's own at once, and one store's lookup serves no other store.
    auto node_a = open_store(m_locator, OpenMode::Create);
    auto node_b = open_store(m_locator, OpenMode::Existing);
    node_a->add_principal({"alice", "user", "alice@example.test", "alice", std::string(64, 'c'), "t"},
                          entry("PrincipalAdd"));
    const auto start = node_a->policy_revision();

    ASSERT_TRUE(node_a->find_principal_by_token_hash(std::string(64, 'c')));
    node_b->add_trust({"fp-1", "spc-issuer", "<PUBLICKEY/>", "partner", "t"}, entry("TrustAdd"));
    EXPECT_GE(node_a->policy_revision(), start);
    EXPECT_TRUE(within(std::chrono::seconds(1), [&] { return node_a->policy_revision() > start; }))
        << "another store's change";

    ASSERT_TRUE(node_a->find_principal_by_token_hash(std::string(64, 'c')));
    const auto before_own = node_b->policy_revision();
    node_a->add_trust({"fp-2", "spc-issuer", "<PUBLICKEY/>", "partner", "t"}, entry("TrustAdd"));
    EXPECT_GT(node_a->policy_revision(), before_own) << "this store's own change is seen at once";

    ASSERT_TRUE(node_a->find_principal_by_token_hash(std::string(64, 'c')));
    EXPECT_EQ(node_b->policy_revision(), node_b->policy_revision()) << "another store's lookup serves no one else";
    EXPECT_EQ(node_b->policy_revision(), node_a->policy_revision());
}

TEST_F(PostgresStoreTest, AMissingDatabaseIsAStorageErrorNamingIt) {
    const auto locator = cluster().locator("no_such_database");
    try {
        open_store(locator, OpenMode::Existing);
        FAIL() << "opened a database that does not exist";
    } catch (const StoreUnavailable& e) {
        FAIL() << "a wrong name is not a transient failure: " << e.what();
    } catch (const StorageError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("no_such_database"), std::string::npos) << message;
        EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    }
}

TEST_F(PostgresStoreTest, APasswordInTheLocatorIsNeverShown) {
    const auto with_password = "postgresql://postgres:s3cr3t-pw@/" + m_database + "?host=" + cluster().directory();
    const auto store = open_store(with_password, OpenMode::Create);  // the test cluster trusts local users
    EXPECT_EQ(store->describe().find("s3cr3t-pw"), std::string::npos) << store->describe();
    EXPECT_NE(store->describe().find(m_database), std::string::npos) << store->describe();
    const auto missing = "postgresql://postgres:s3cr3t-pw@/no_such_database?host=" + cluster().directory();
    const auto error = storage_error_of([&] { open_store(missing, OpenMode::Existing); });
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(error.find("s3cr3t-pw"), std::string::npos) << error;
    const auto bad =
        storage_error_of([&] { open_store("postgresql://postgres:s3cr3t-pw@/%zz?x=y", OpenMode::Create); });
    EXPECT_FALSE(bad.empty());
    EXPECT_EQ(bad.find("s3cr3t-pw"), std::string::npos) << bad;
}

TEST_F(PostgresStoreTest, ABadSchemaNameInTheLocatorIsRefused) {
    for (const auto* fragment : {"#schema=Upper", "#schema=pg_catalog", "#schema=a;drop", "#table=x"}) {
        const auto error = storage_error_of([&] { open_store(m_locator + fragment, OpenMode::Create); });
        EXPECT_NE(error.find(fragment[1] == 's' ? "schema" : "fragment"), std::string::npos)
            << fragment << ": " << error;
    }
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'xrca%'"), "0");
}

TEST_F(PostgresStoreTest, TheStoreReconnectsByItselfAfterTheServerRestarted) {
    auto store = open_store(m_locator, OpenMode::Create);
    // Several pooled connections, all of which the restart breaks.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&] { store->append_log(entry("Before")); });
    for (auto& t : threads) t.join();
    cluster().stop();
    cluster().start();
    store->append_log(entry("After"));
    EXPECT_EQ(store->read_log("").size(), 5u);
    EXPECT_TRUE(store->verify_log().ok);
    EXPECT_EQ(store->policy_revision(), 0);
}

TEST_F(PostgresStoreTest, ConnectionsTheServerEndedWhileIdleAreReplacedBeforeAWriteIsSent) {
    // The completion is one statement that commits by itself: sent on a connection the server
    // had already ended, its outcome would be unknown. An idle connection that received
    // anything (the server's "terminating connection") is replaced before a statement is sent.
    auto store = open_store(m_locator, OpenMode::Create);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] { store->reserve_issuance(pending("c" + std::to_string(t)), entry("Certify")); });
    }
    for (auto& t : threads) t.join();
    const auto others =
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
        "pg_backend_pid()";
    ASSERT_NE(cluster().scalar(m_database, others), "0") << "the store keeps its connections open";
    cluster().execute(m_database,
                      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND pid <> pg_backend_pid()");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (cluster().scalar(m_database, others) != "0" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, with a deadline
    }
    ASSERT_EQ(cluster().scalar(m_database, others), "0") << "the server did not end the store's connections";

    for (int t = 0; t < 4; ++t) store->complete_issuance("c" + std::to_string(t), "<XrML/>");
    for (int t = 0; t < 4; ++t) EXPECT_EQ(store->find_certificate("c" + std::to_string(t))->status, "issued");
    EXPECT_TRUE(store->verify_log().ok);
}

TEST_F(PostgresStoreTest, AStoppedServerIsStoreUnavailableNotAHang) {
    auto store = open_store(m_locator, OpenMode::Create);
    store->append_log(entry("Before"));
    cluster().stop();
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(store->append_log(entry("While stopped")), StoreUnavailable);
    EXPECT_THROW(store->load_authority(), StoreUnavailable);
    EXPECT_THROW(open_store(m_locator, OpenMode::Existing), StoreUnavailable);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    cluster().start();
    store->append_log(entry("After"));
    const auto log = store->read_log("");
    ASSERT_EQ(log.size(), 2u) << "the refused append left nothing";
    EXPECT_EQ(log.back().operation, "After");
}

TEST_F(PostgresStoreTest, InitPublishesAStagingSchemaWholeAndRefusesASecondStore) {
    const auto staging = staging_locator(m_locator, "4242");
    EXPECT_EQ(staging, m_locator + "#schema=xrca_init_4242");
    EXPECT_EQ(staging_locator("/var/lib/xrca", "4242"), "/var/lib/xrca/.init-4242") << "SQLite as init had it";
    EXPECT_TRUE(is_postgresql_locator(staging));
    EXPECT_TRUE(is_postgresql_locator("postgres://host/db"));
    EXPECT_FALSE(is_postgresql_locator("/var/lib/xrca"));
    {
        auto built = open_store(staging, OpenMode::Create);
        built->save_key_if_absent({"escrow-salt", "f1", {9}});
        built->append_log(entry("Init"));
    }
    EXPECT_THROW(open_store(m_locator, OpenMode::Existing), StoreMissing) << "nothing published yet";
    publish_store(staging, m_locator);
    EXPECT_THROW(open_store(staging, OpenMode::Existing), StoreMissing);
    {
        auto published = open_store(m_locator, OpenMode::Existing);
        EXPECT_EQ(published->load_key("escrow-salt")->fingerprint, "f1");
        EXPECT_TRUE(published->verify_log().ok);
    }
    // A second init racing the first: its publish finds a store and changes nothing.
    const auto second = staging_locator(m_locator, "4343");
    open_store(second, OpenMode::Create).reset();
    EXPECT_THROW(publish_store(second, m_locator), StoreExists);
    EXPECT_EQ(open_store(m_locator, OpenMode::Existing)->load_key("escrow-salt")->fingerprint, "f1");
    remove_store(second);
    EXPECT_THROW(open_store(second, OpenMode::Existing), StoreMissing);
    remove_store(m_locator);
    EXPECT_THROW(open_store(m_locator, OpenMode::Existing), StoreMissing);
}

TEST_F(PostgresStoreTest, PublishingIntoAnEmptySchemaAnAdministratorMadeMovesTheTables) {
    cluster().execute(m_database, "CREATE SCHEMA xrca");
    const auto staging = staging_locator(m_locator, "1");
    open_store(staging, OpenMode::Create)->append_log(entry("Init"));
    publish_store(staging, m_locator);
    EXPECT_EQ(open_store(m_locator, OpenMode::Existing)->read_log("").size(), 1u);
    EXPECT_EQ(cluster().scalar(m_database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'xrca_init_1'"), "0");
}

TEST_F(PostgresStoreTest, DescribeNamesTheDatabaseSocketAndSchema) {
    const auto store = open_store(m_locator + "#schema=other", OpenMode::Create);
    EXPECT_EQ(store->describe(),
              "PostgreSQL database " + m_database + " on " + cluster().directory() + ", schema other");
}

}  // namespace
}  // namespace xrca::store::pg_test
