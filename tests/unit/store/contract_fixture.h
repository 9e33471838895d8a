// The store contract's fixture (contract_test.cpp and its siblings): the back ends every test
// runs against (SQLite on a real file; PostgreSQL in a fresh database of a real server this test
// process starts, tests/support/postgres_cluster.h) and what the tests share.
#pragma once

#include "store/factory.h"
#include "support/postgres_cluster.h"
#include "support/store_records.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace xrca::store::contract {
using test::entry;
using test::pending;

/**
 * A back end under test: how to make a fresh, empty place for a store, how to clean it up, and
 * a locator beside a fresh one where no store is (and none can be opened without creating it).
 */
struct Backend {
    std::string name;
    std::function<std::string()> fresh_locator;
    std::function<void(const std::string&)> remove;
    std::function<std::string(const std::string&)> nothing_beside;
};

// The database a test cluster locator names: postgresql:///NAME?host=…
inline std::string database_of(const std::string& locator) {
    const auto start = std::string("postgresql:///").size();
    return locator.substr(start, locator.find('?') - start);
}

/** Names the back end in test output instead of dumping its bytes. */
inline void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

inline const std::vector<Backend>& backends() {
    static const std::vector<Backend> all{
        {"sqlite",
         [] {
             char tmpl[] = "/tmp/xrca-contract-XXXXXX";
             return std::string(::mkdtemp(tmpl));
         },
         [](const std::string& dir) { std::filesystem::remove_all(dir); },
         [](const std::string& dir) { return dir + "/nothing-here"; }},
        {"postgresql",
         [] {
             auto& cluster = test::PostgresCluster::shared();
             return cluster.locator(cluster.create_database());
         },
         [](const std::string& locator) { test::PostgresCluster::shared().drop_database(database_of(locator)); },
         [](const std::string& locator) { return locator + "#schema=nothing_here"; }},
    };
    return all;
}

inline AuthorityRecord authority_record() {
    AuthorityRecord a;
    a.role = "root";
    a.name = "Contract";
    a.guid = "{00000000-0000-0000-0000-000000000001}";
    a.base_url = "https://contract.example.test/_wmcs";
    a.extranet_url = "https://rms.contract.example/_wmcs";
    a.crypto_mode = 2;
    a.state = "awaiting-response";
    a.revocation = "standard";
    a.anchor_fingerprint = std::string(64, 'a');
    a.sku = "xrca";
    a.version = "0.1.0";
    a.created = "2026-03-01T12:00:00Z";
    return a;
}

class StoreContract : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        m_locator = GetParam().fresh_locator();
        m_store = open_store(m_locator, OpenMode::Create);
    }
    void TearDown() override {
        m_store.reset();
        GetParam().remove(m_locator);
    }
    /** Drops the open store without any orderly step beyond what destruction does, and opens it again. */
    void reopen() {
        m_store.reset();
        m_store = open_store(m_locator, OpenMode::Existing);
    }
    void create() {
        m_store->create_authority(authority_record(), {{"cluster", "fp-cluster", {1, 2, 3}}},
                                  {{"slc", {"<A/>", "<B/>", "<C/>"}}}, entry("Init"));
    }
    std::int64_t log_size() { return static_cast<std::int64_t>(m_store->read_log("").size()); }
    /** Records a revocation of `type` naming `value` (normalised already: trimmed, lower-case). */
    void revoke(const std::string& type, const std::string& value) {
        RevocationRecord r;
        r.type = type;
        r.value = r.id = value;
        r.revoked = "2026-03-01T13:00:00Z";
        m_store->add_revocation(r, entry("Revoke"));
    }

    std::string m_locator;
    std::unique_ptr<Store> m_store;
};

}  // namespace xrca::store::contract
