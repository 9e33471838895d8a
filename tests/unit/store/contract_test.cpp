// The store contract: what every back end must do, whatever it stores in. Each test runs
// against every back end in backends() (tests/unit/store/contract_fixture.h); a new back end adds
// one entry there and must pass all of it. Back-end-specific checks (tampering with rows, schema
// files) live beside their back end's own tests. This file: the authority's record, keys and
// state, principals, opening a store; contract_issuance_test.cpp, contract_revocation_test.cpp
// and contract_log_test.cpp hold the rest of the suite.
#include "store/log_chain.h"
#include "unit/store/contract_fixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::contract {
namespace {

TEST_P(StoreContract, AFreshStoreHoldsNothing) {
    EXPECT_FALSE(m_store->load_authority());
    EXPECT_FALSE(m_store->load_key("cluster"));
    EXPECT_TRUE(m_store->load_chain("slc").empty());
    EXPECT_FALSE(m_store->pending_offline_request());
    EXPECT_TRUE(m_store->read_log("").empty());
    EXPECT_TRUE(m_store->verify_log().ok);
    EXPECT_EQ(m_store->counts().log_entries, 0);
    EXPECT_FALSE(m_store->describe().empty());
}

TEST_P(StoreContract, TheAuthorityIsCreatedOnceWithItsKeysChainsAndLogEntry) {
    create();
    const auto a = m_store->load_authority();
    ASSERT_TRUE(a);
    const auto expected = authority_record();
    EXPECT_EQ(a->role, expected.role);
    EXPECT_EQ(a->name, expected.name);
    EXPECT_EQ(a->guid, expected.guid);
    EXPECT_EQ(a->base_url, expected.base_url);
    EXPECT_EQ(a->extranet_url, "https://rms.contract.example/_wmcs");
    EXPECT_EQ(a->crypto_mode, expected.crypto_mode);
    EXPECT_EQ(a->state, expected.state);
    EXPECT_EQ(a->anchor_fingerprint, expected.anchor_fingerprint);
    const auto key = m_store->load_key("cluster");
    ASSERT_TRUE(key);
    EXPECT_EQ(key->fingerprint, "fp-cluster");
    EXPECT_EQ(key->encrypted, (std::vector<std::uint8_t>{1, 2, 3}));
    EXPECT_EQ(m_store->load_chain("slc"), (std::vector<std::string>{"<A/>", "<B/>", "<C/>"}));
    ASSERT_EQ(log_size(), 1);
    EXPECT_EQ(m_store->read_log("").front().operation, "Init");
    EXPECT_THROW(create(), ConflictError);
    EXPECT_EQ(log_size(), 1) << "a refused creation logs nothing";
}

TEST_P(StoreContract, TheFirstKeySavedUnderANameStays) {
    const auto first = m_store->save_key_if_absent({"escrow-salt", "f1", {9}});
    const auto second = m_store->save_key_if_absent({"escrow-salt", "f2", {8}});
    EXPECT_EQ(first.fingerprint, "f1");
    EXPECT_EQ(second.fingerprint, "f1");
    EXPECT_EQ(m_store->load_key("escrow-salt")->encrypted, (std::vector<std::uint8_t>{9}));
}

TEST_P(StoreContract, TheKeysAreListedInOneReadByName) {
    EXPECT_TRUE(m_store->list_keys().empty());
    create();
    m_store->save_key_if_absent({"escrow-key", "", {7}, KeyCustody::Pkcs11});
    m_store->save_key_if_absent({"activation", "fp-activation", {5, 6}});
    const auto keys = m_store->list_keys();
    ASSERT_EQ(keys.size(), 3U);
    EXPECT_EQ(keys[0].name, "activation");
    EXPECT_EQ(keys[0].fingerprint, "fp-activation");
    EXPECT_EQ(keys[0].encrypted, (std::vector<std::uint8_t>{5, 6}));
    EXPECT_EQ(keys[1].name, "cluster");
    EXPECT_EQ(keys[1].fingerprint, "fp-cluster");
    EXPECT_EQ(keys[1].custody, KeyCustody::Software);
    EXPECT_EQ(keys[2].name, "escrow-key");
    EXPECT_EQ(keys[2].custody, KeyCustody::Pkcs11);
    EXPECT_EQ(keys[2].encrypted, (std::vector<std::uint8_t>{7}));
}

TEST_P(StoreContract, AKeysCustodyIsKeptThroughEveryWayOfStoringIt) {
    create();
    EXPECT_EQ(m_store->load_key("cluster")->custody, KeyCustody::Software) << "the default";
    const auto saved = m_store->save_key_if_absent({"escrow-key", "", {7}, KeyCustody::Pkcs11});
    EXPECT_EQ(saved.custody, KeyCustody::Pkcs11);
    EXPECT_EQ(m_store->load_key("escrow-key")->custody, KeyCustody::Pkcs11);
    AuthorityChange change;
    change.add_keys = {{"cluster-next", "fp-next", {4}, KeyCustody::Pkcs11}};
    change.entry = entry("EnrollOffline-Export", "req-1");
    m_store->apply(change);
    AuthorityChange promote;
    promote.rename_keys = {{"cluster", "cluster-previous"}, {"cluster-next", "cluster"}};
    promote.entry = entry("EnrollOffline-Import", "req-1");
    m_store->apply(promote);
    EXPECT_EQ(m_store->load_key("cluster")->custody, KeyCustody::Pkcs11) << "a rename keeps the custody";
    EXPECT_EQ(m_store->load_key("cluster-previous")->custody, KeyCustody::Software);
}

TEST_P(StoreContract, AChangeAppliesEveryExplicitWriteInOneGo) {
    create();
    OfflineRequestRecord request{"req-1",    "Enroll", "cluster-next",         "fp-next",
                                 "standard", "",       "2026-03-01T12:00:00Z", "pending"};
    AuthorityChange record;
    record.new_request = request;
    record.add_keys = {{"cluster-next", "fp-next", {4}}};
    record.entry = entry("EnrollOffline-Export", "req-1");
    m_store->apply(record);
    ASSERT_TRUE(m_store->pending_offline_request());
    EXPECT_EQ(m_store->pending_offline_request()->request_id, "req-1");
    EXPECT_EQ(m_store->find_offline_request("req-1")->key_fingerprint, "fp-next");

    // Promotion, decided by the caller: previous dropped, current -> previous, next -> current.
    AuthorityChange import;
    import.requests = {{ "req-1", "pending", "imported" }};
    import.delete_keys = {"cluster-previous"};
    import.rename_keys = {{"cluster", "cluster-previous"}, { "cluster-next", "cluster" }};
    import.add_keys = {{ "activation", "fp-act", { 5 } }};
    import.chains = {{ "slc", { "<N/>", "<B/>" } }};
    import.state = "active";
    import.entry = entry("EnrollOffline-Import", "req-1");
    const auto revision = m_store->policy_revision();
    m_store->apply(import);
    EXPECT_EQ(m_store->load_key("cluster")->fingerprint, "fp-next");
    EXPECT_EQ(m_store->load_key("cluster-previous")->fingerprint, "fp-cluster");
    EXPECT_FALSE(m_store->load_key("cluster-next"));
    EXPECT_EQ(m_store->load_key("activation")->fingerprint, "fp-act");
    EXPECT_EQ(m_store->load_chain("slc"), (std::vector<std::string>{"<N/>", "<B/>"}));
    EXPECT_EQ(m_store->load_authority()->state, "active");
    EXPECT_EQ(m_store->find_offline_request("req-1")->state, "imported");
    EXPECT_FALSE(m_store->pending_offline_request());
    EXPECT_EQ(m_store->policy_revision(), revision) << "only changes that ask for it bump the revision";
    EXPECT_EQ(log_size(), 3);

    // A replay: the request is no longer pending, so nothing of the change happens.
    AuthorityChange replay = import;
    replay.rename_keys.clear();
    replay.delete_keys.clear();
    replay.state = "awaiting-response";
    replay.chains = {{"slc", {"<X/>"}}};
    EXPECT_THROW(m_store->apply(replay), ConflictError);
    EXPECT_EQ(m_store->load_authority()->state, "active");
    EXPECT_EQ(m_store->load_chain("slc").size(), 2u);
    EXPECT_EQ(log_size(), 3);
    EXPECT_TRUE(m_store->verify_log().ok);
}

TEST_P(StoreContract, AStateChangeCanBumpThePolicyRevision) {
    create();
    const auto before = m_store->policy_revision();
    AuthorityChange change;
    change.state = "decommissioned";
    change.bump_policy_revision = true;
    change.entry = entry("Decommission");
    m_store->apply(change);
    EXPECT_GT(m_store->policy_revision(), before);
    EXPECT_EQ(m_store->load_authority()->state, "decommissioned");
}

TEST_P(StoreContract, TheExtranetUrlIsChangedAloneAndCanBeCleared) {
    create();
    const auto before = m_store->policy_revision();
    AuthorityChange change;
    change.extranet_url = "https://outside.contract.example/_wmcs";
    change.bump_policy_revision = true;
    change.entry = entry("SetUrl");
    m_store->apply(change);
    auto a = m_store->load_authority();
    EXPECT_EQ(a->extranet_url, "https://outside.contract.example/_wmcs");
    EXPECT_EQ(a->base_url, "https://contract.example.test/_wmcs") << "the intranet URL is another field";
    EXPECT_EQ(a->state, "awaiting-response");
    EXPECT_GT(m_store->policy_revision(), before);
    change.extranet_url = "";
    m_store->apply(change);
    EXPECT_EQ(m_store->load_authority()->extranet_url, "");
    EXPECT_EQ(m_store->read_log("").back().operation, "SetUrl");
}

TEST_P(StoreContract, PrincipalsAreFoundByTokenHashOnly) {
    m_store->add_principal({"alice", "user", "alice@example.test", "alice", std::string(64, 'c'), "t"},
                           entry("PrincipalAdd"));
    EXPECT_THROW(m_store->add_principal({"alice", "user", "a@example.test", "a", std::string(64, 'd'), "t"},
                                        entry("PrincipalAdd")),
                 ConflictError);
    EXPECT_THROW(m_store->add_principal({"bob", "user", "b@example.test", "b", std::string(64, 'c'), "t"},
                                        entry("PrincipalAdd")),
                 ConflictError)
        << "two principals never share a token";
    EXPECT_EQ(m_store->find_principal_by_token_hash(std::string(64, 'c'))->name, "alice");
    EXPECT_FALSE(m_store->find_principal_by_token_hash(std::string(64, 'e')));
    EXPECT_EQ(m_store->list_principals().size(), 1u);
    EXPECT_FALSE(m_store->remove_principal("bob", entry("PrincipalRemove")));
    EXPECT_TRUE(m_store->remove_principal("alice", entry("PrincipalRemove")));
    EXPECT_FALSE(m_store->find_principal_by_token_hash(std::string(64, 'c')));
}

// Issue 12 items 8 and 9: a principal's cluster binding and a server's grants.
TEST_P(StoreContract, PrincipalsKeepTheirBindingAndGrants) {
    PrincipalRecord portal{"portal", "server", "", "portal", std::string(64, 'c'), "t", "", {"a*", "b*"}};
    m_store->add_principal(portal, entry("PrincipalAdd"));
    m_store->add_principal({"sub", "sub-enroll", "", "sub", std::string(64, 'd'), "t"}, entry("PrincipalAdd"));
    EXPECT_EQ(m_store->find_principal("portal")->may_certify, (std::vector<std::string>{"a*", "b*"}));
    EXPECT_EQ(m_store->find_principal_by_token_hash(std::string(64, 'c'))->may_certify.size(), 2u);
    EXPECT_FALSE(m_store->find_principal("nobody"));

    // Grants: added once, logged; removed, logged; a stranger's changes nothing.
    auto log_before = log_size();
    EXPECT_TRUE(m_store->add_principal_grant("portal", "c?", entry("PrincipalGrant")));
    EXPECT_THROW(m_store->add_principal_grant("portal", "c?", entry("PrincipalGrant")), ConflictError);
    EXPECT_FALSE(m_store->add_principal_grant("nobody", "c?", entry("PrincipalGrant")));
    EXPECT_EQ(log_size(), log_before + 1);
    EXPECT_TRUE(m_store->remove_principal_grant("portal", "a*", entry("PrincipalRevokeGrant")));
    EXPECT_FALSE(m_store->remove_principal_grant("portal", "a*", entry("PrincipalRevokeGrant")));
    EXPECT_EQ(log_size(), log_before + 2);
    EXPECT_EQ(m_store->list_principals().front().may_certify, (std::vector<std::string>{"b*", "c?"}));

    // Binding: the first GUID stays; the administrator's set replaces or clears it, logged.
    EXPECT_EQ(m_store->find_principal("sub")->cluster_guid, "");
    EXPECT_EQ(m_store->bind_principal_cluster("sub", "{G1}").value_or(""), "{G1}");
    EXPECT_EQ(m_store->bind_principal_cluster("sub", "{G2}").value_or(""), "{G1}") << "the first binding wins";
    EXPECT_FALSE(m_store->bind_principal_cluster("nobody", "{G1}"));
    log_before = log_size();
    EXPECT_TRUE(m_store->set_principal_cluster("sub", "", entry("PrincipalBind")));
    EXPECT_EQ(m_store->bind_principal_cluster("sub", "{G2}").value_or(""), "{G2}");
    EXPECT_TRUE(m_store->set_principal_cluster("sub", "{G3}", entry("PrincipalBind")));
    EXPECT_FALSE(m_store->set_principal_cluster("nobody", "{G3}", entry("PrincipalBind")));
    EXPECT_EQ(m_store->find_principal("sub")->cluster_guid, "{G3}");
    EXPECT_EQ(log_size(), log_before + 2);

    // Removing a principal removes its grants: a new principal of the same name starts with none.
    EXPECT_TRUE(m_store->remove_principal("portal", entry("PrincipalRemove")));
    m_store->add_principal({"portal", "server", "", "portal", std::string(64, 'e'), "t"}, entry("PrincipalAdd"));
    EXPECT_TRUE(m_store->find_principal("portal")->may_certify.empty());
    EXPECT_TRUE(m_store->verify_log().ok);
}

TEST_P(StoreContract, TheFirstBindingOfAPrincipalWinsEvenUnderARace) {
    m_store->add_principal({"sub", "sub-enroll", "", "sub", std::string(64, 'd'), "t"}, entry("PrincipalAdd"));
    std::vector<std::string> bound(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < bound.size(); ++i) {
        threads.emplace_back(
            [&, i] { bound[i] = m_store->bind_principal_cluster("sub", "{G" + std::to_string(i) + "}").value_or(""); });
    }
    for (auto& t : threads) t.join();
    const auto stored = m_store->find_principal("sub")->cluster_guid;
    for (const auto& b : bound) EXPECT_EQ(b, stored) << "every binder sees the one binding that won";
}

// Issue 12: "database is locked" at open. Many openers of one new store at once (each its own
// connection, as separate processes are) all migrate or wait for the one that does, then write.
TEST_P(StoreContract, ManyOpenersOfANewStoreAllOpenAndWrite) {
    m_store.reset();
    GetParam().remove(m_locator);
    m_locator = GetParam().fresh_locator();
    constexpr int openers = 16, appends = 10;
    std::atomic<int> failures{0};
    std::vector<std::string> errors(openers);
    std::vector<std::thread> threads;
    for (int t = 0; t < openers; ++t) {
        threads.emplace_back([&, t] {
            try {
                auto store = open_store(m_locator, OpenMode::Create);
                for (int i = 0; i < appends; ++i) store->append_log(entry("GetLicensorCertificate", std::to_string(t)));
                const auto id = "o" + std::to_string(t);
                store->reserve_issuance(pending(id), entry("Certify", id));
                store->complete_issuance(id, "<XrML>" + id + "</XrML>");
            } catch (const std::exception& e) {
                ++failures;
                errors[static_cast<std::size_t>(t)] = e.what();
            }
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& e : errors) EXPECT_TRUE(e.empty()) << e;
    ASSERT_EQ(failures.load(), 0);
    m_store = open_store(m_locator, OpenMode::Existing);
    EXPECT_EQ(log_size(), openers * (appends + 1));
    EXPECT_EQ(m_store->counts().issued_by_kind.at("Rights-Account-Certificate"), openers);
    EXPECT_TRUE(m_store->verify_log().ok);
}

TEST_P(StoreContract, OpeningAnExistingStoreThatIsNotThereSaysSo) {
    EXPECT_THROW(open_store(GetParam().nothing_beside(m_locator), OpenMode::Existing), StoreMissing);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<Backend>& backend) { return backend.param.name; });

}  // namespace
}  // namespace xrca::store::contract
