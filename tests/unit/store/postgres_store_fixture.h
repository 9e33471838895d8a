// The fixture of the PostgreSQL store's own tests (postgres_store_test.cpp, postgres_schema_test.cpp):
// a fresh database of the shared test cluster per test, and what the tests share.
#pragma once

#include "store/postgres_store.h"
#include "support/postgres_cluster.h"
#include "support/store_records.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::pg_test {

using test::PostgresCluster;

using test::entry;
using test::pending;

/** Whether `done` holds within `limit`, asked again every few milliseconds. */
inline bool within(std::chrono::milliseconds limit, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (done()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

class PostgresStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_database = cluster().create_database();
        m_locator = cluster().locator(m_database);
    }
    void TearDown() override {
        if (!cluster().running()) cluster().start();  // a test that stopped it and failed
        cluster().drop_database(m_database);
    }
    static PostgresCluster& cluster() { return PostgresCluster::shared(); }
    /** What `fn` threw as a StorageError (or a subclass), "" if nothing. */
    template <typename Fn>
    static std::string storage_error_of(Fn&& fn) {
        try {
            fn();
        } catch (const StorageError& e) {
            return e.what();
        }
        return "";
    }

    /** Runs step(node, who, i) for i < per_thread on threads_per_node threads of each node, who "a0", "b1" … */
    static void on_both_nodes(Store& a, Store& b, int threads_per_node, int per_thread,
                              const std::function<void(Store&, const std::string&, int)>& step) {
        std::vector<std::thread> threads;
        for (auto* node : {&a, &b}) {
            for (int t = 0; t < threads_per_node; ++t) {
                const auto who = std::string(node == &a ? "a" : "b") + std::to_string(t);
                threads.emplace_back([&step, node, who, per_thread] {
                    for (int i = 0; i < per_thread; ++i) step(*node, who, i);
                });
            }
        }
        for (auto& t : threads) t.join();
    }

    /**
     * Fails unless the plan PostgreSQL makes for `sql` (its $n replaced by `params`, which hold no
     * quote) holds no sequential scan of certificates; returns the plan.
     */
    std::string expect_no_certificates_scan(std::string sql, const std::vector<std::string>& params) const {
        for (auto n = params.size(); n > 0; --n) {  // $12 before $1
            const auto placeholder = "$" + std::to_string(n);
            for (auto at = sql.find(placeholder); at != std::string::npos; at = sql.find(placeholder)) {
                sql.replace(at, placeholder.size(), "'" + params[n - 1] + "'");
            }
        }
        auto plan = cluster().scalar(m_database, "SET search_path TO xrca; EXPLAIN (FORMAT JSON) " + sql);
        // Each scan node names its kind, then (a few keys on) its table.
        for (auto at = plan.find("\"Seq Scan\""); at != std::string::npos; at = plan.find("\"Seq Scan\"", at + 1)) {
            const auto table = plan.find("\"Relation Name\"", at);
            EXPECT_NE(table, std::string::npos) << plan;
            if (table == std::string::npos) break;
            const std::string certificates = "\"Relation Name\": \"certificates\"";
            EXPECT_NE(plan.compare(table, certificates.size(), certificates), 0) << sql << "\n" << plan;
        }
        return plan;
    }
    /** 20,000 issued certificates C-1 … C-20000 of one kind and one issuer, a second apart. */
    void insert_issued_rows() const {
        cluster().execute(
            m_database,
            "SET search_path TO xrca; "
            "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, body, "
            "request_id, license_hash) SELECT 'C-' || n, 'Group-Identity-Credential', 'issued', 'S-1-5-21-' || n, "
            "'issuer', 'key-' || n, '2026-01-01T00:00:' || lpad(n::text, 5, '0'), '', 'request-' || n, 'hash-' || n "
            "FROM generate_series(1, 20000) n");
    }
    /** A column of pg_stat_user_tables for certificates. */
    std::string certificates_statistic(const std::string& column) const {
        return cluster().scalar(
            m_database, "SELECT " + column + " FROM pg_stat_user_tables WHERE relid = 'xrca.certificates'::regclass");
    }
    /** Creates the store at schema `version`, as an older xrca left it. */
    void create_at_schema(int version) const {
        SchemaOptions older;
        older.stop_at = version;
        PostgresStore old(m_locator, true, older);
    }
    /** The ID and status of each row of unissued_certificates, in ID order ("id:status id:status"). */
    std::string unissued(const std::string& database) const {
        return cluster().scalar(database,
                                "SELECT coalesce(string_agg(id || ':' || status, ' ' ORDER BY id), '') "
                                "FROM xrca.unissued_certificates");
    }

    std::string m_database;
    std::string m_locator;
};

}  // namespace xrca::store::pg_test
