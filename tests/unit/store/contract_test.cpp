// The store contract: what every back end must do, whatever it stores in. Each test runs
// against every back end in backends() (SQLite on a real file; PostgreSQL in a fresh database of
// a real server this test process starts, tests/support/postgres_cluster.h); a new back end adds
// one entry there and must pass all of it. Back-end-specific checks (tampering with rows, schema
// files) live beside their back end's own tests.
#include "store/factory.h"
#include "store/log_chain.h"
#include "support/postgres_cluster.h"
#include "support/store_records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

namespace xrca::store {
namespace {

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
std::string database_of(const std::string& locator) {
    const auto start = std::string("postgresql:///").size();
    return locator.substr(start, locator.find('?') - start);
}

/** Names the back end in test output instead of dumping its bytes. */
[[maybe_unused]] void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

const std::vector<Backend>& backends() {
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

AuthorityRecord authority_record() {
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

TEST_P(StoreContract, TheIssuanceCycleRecordsBeforeAndCompletesAfter) {
    m_store->reserve_issuance(pending("c1", "alice", "k1"), entry("Certify", "req-c1"));
    auto found = m_store->find_certificate("c1");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, "pending");
    EXPECT_EQ(found->body, pending("c1").body);
    EXPECT_EQ(m_store->counts().pending, 1);
    EXPECT_TRUE(m_store->find_by_subject("alice").empty()) << "lookups return issued certificates only";

    m_store->complete_issuance("c1", "<XrML>signed c1</XrML>");
    found = m_store->find_certificate("c1");
    EXPECT_EQ(found->status, "issued");
    EXPECT_EQ(found->xrml.value_or(""), "<XrML>signed c1</XrML>");
    EXPECT_EQ(m_store->find_by_key("k1").size(), 1u);
    EXPECT_EQ(m_store->find_by_subject("alice").size(), 1u);
    EXPECT_TRUE(m_store->find_by_subject("Alice").empty()) << "the subject compares exactly";
    EXPECT_EQ(m_store->find_by_license_hash(std::string(40, '1')).size(), 1u);
    EXPECT_EQ(m_store->find_issued_by_request("req-c1")->id, "c1");
    EXPECT_EQ(m_store->counts().issued_by_kind.at("Rights-Account-Certificate"), 1);
    EXPECT_EQ(m_store->counts().pending, 0);
    EXPECT_THROW(m_store->complete_issuance("c1", "again"), StorageError) << "only a pending certificate completes";
    const auto log_at_conflict = log_size();
    EXPECT_THROW(m_store->reserve_issuance(pending("c1"), entry("Certify")), ConflictError);
    EXPECT_EQ(log_size(), log_at_conflict) << "a refused reservation appends nothing";

    // A refused write leaves no trace that fails the next one (a statement reused after an error).
    m_store->reserve_issuance(pending("c2"), entry("Certify"));
    const auto log_before = log_size();
    m_store->abandon_issuance("c2", entry("Certify"));
    EXPECT_EQ(m_store->find_certificate("c2")->status, "abandoned");
    EXPECT_EQ(log_size(), log_before + 1) << "abandoning says why in the log";
    EXPECT_TRUE(m_store->verify_log().ok);
}

TEST_P(StoreContract, ACrashBetweenReserveAndCompleteLeavesTheIntentAsEvidence) {
    m_store->reserve_issuance(pending("c9"), entry("Certify", "req-c9"));
    reopen();  // the process died before signing finished
    const auto found = m_store->find_certificate("c9");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->status, "pending");
    EXPECT_EQ(found->body, pending("c9").body);
    ASSERT_EQ(log_size(), 1);
    EXPECT_EQ(m_store->read_log("").front().request_id, "req-c9");
    m_store->abandon_issuance("c9", entry("Certify", "req-c9"));
    EXPECT_EQ(m_store->find_certificate("c9")->status, "abandoned");
    EXPECT_TRUE(m_store->verify_log().ok);
}

// Issue 12: pending rows an interrupted process left are reconciled once, by age, each with an
// entry; rows still within the grace period (another live process may be signing them) stay.
TEST_P(StoreContract, StalePendingIssuancesAreAbandonedOnceWithAnEntryEach) {
    auto old = pending("c1");
    old.issued = "2026-03-01T11:00:00Z";
    auto older = pending("c2");
    older.issued = "2026-03-01T10:00:00Z";
    auto recent = pending("c3");
    recent.issued = "2026-03-01T11:59:00Z";
    auto done = pending("c4");
    done.issued = "2026-03-01T09:00:00Z";
    for (const auto* r : {&old, &older, &recent, &done}) m_store->reserve_issuance(*r, entry("Certify", r->request_id));
    m_store->complete_issuance("c4", "<XrML>signed c4</XrML>");
    const auto log_before = log_size();

    std::vector<std::string> asked;
    const auto entry_for = [&](const CertificateRecord& r) {
        asked.push_back(r.id);
        auto e = entry("Reconcile", r.request_id);
        e.certificate_id = r.id;
        e.outcome = "failed";
        return e;
    };
    const auto abandoned = m_store->abandon_stale_pending("2026-03-01T11:50:00Z", entry_for);
    ASSERT_EQ(abandoned.size(), 2u);
    EXPECT_EQ(abandoned[0].id, "c2") << "oldest first";
    EXPECT_EQ(abandoned[1].id, "c1");
    EXPECT_EQ(abandoned[1].request_id, "req-c1");
    EXPECT_EQ(asked, (std::vector<std::string>{"c2", "c1"}));
    EXPECT_EQ(m_store->find_certificate("c1")->status, "abandoned");
    EXPECT_EQ(m_store->find_certificate("c2")->status, "abandoned");
    EXPECT_EQ(m_store->find_certificate("c3")->status, "pending") << "within the grace period";
    EXPECT_EQ(m_store->find_certificate("c4")->status, "issued");
    EXPECT_EQ(m_store->counts().pending, 1);
    const auto log = m_store->read_log("");
    ASSERT_EQ(log_size(), log_before + 2);
    EXPECT_EQ(log.back().certificate_id, "c1");
    EXPECT_EQ(log.back().operation, "Reconcile");
    EXPECT_TRUE(m_store->verify_log().ok);

    // Once only; and a late completion by the process that reserved it is refused.
    EXPECT_TRUE(m_store->abandon_stale_pending("2026-03-01T11:50:00Z", entry_for).empty());
    EXPECT_EQ(log_size(), log_before + 2);
    EXPECT_THROW(m_store->complete_issuance("c1", "<XrML>late</XrML>"), StorageError);
    m_store->complete_issuance("c3", "<XrML>signed c3</XrML>");
    EXPECT_EQ(m_store->find_certificate("c3")->status, "issued");
}

TEST_P(StoreContract, RevocationsAreUniqueOrderedAndBumpTheRevision) {
    RevocationRecord r;
    r.type = "license-id";
    r.value = "{id-1}";
    r.id = "{id-1}";
    r.revoked = "2026-03-01T12:00:00Z";
    const auto rev0 = m_store->policy_revision();
    const auto s1 = m_store->add_revocation(r, entry("Revoke"));
    EXPECT_GT(m_store->policy_revision(), rev0);
    r.value = r.id = "{id-2}";
    const auto s2 = m_store->add_revocation(r, entry("Revoke"));
    EXPECT_GT(s2, s1);
    EXPECT_THROW(m_store->add_revocation(r, entry("Revoke")), ConflictError);
    const auto all = m_store->list_revocations();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].value, "{id-1}");
    EXPECT_EQ(all[1].value, "{id-2}");
    EXPECT_EQ(log_size(), 2) << "the refused duplicate logs nothing here; the authority logs refusals";
}

PublishedList published(const std::string& id, std::int64_t revision, const std::string& text) {
    return {{id, revision, "2026-03-01T12:00:00Z"}, text};
}

void expect_head(const std::optional<PublishedListHead>& head, const PublishedList& list) {
    ASSERT_TRUE(head);
    EXPECT_EQ(head->id, list.head.id);
    EXPECT_EQ(head->revision, list.head.revision);
    EXPECT_EQ(head->signed_at, list.head.signed_at);
}

// Issue 14: one published revocation list per authority, replaced by compare and set.
TEST_P(StoreContract, ThePublishedRevocationListIsReplacedOnlyFromTheListTheWriterSaw) {
    EXPECT_FALSE(m_store->published_revocation_list_head());
    EXPECT_FALSE(m_store->load_published_revocation_list());
    // Byte-exact text, not ASCII only, larger than a page or a socket buffer.
    const auto first = published("{l1}", 3, "<XrML>é € " + std::string(3 << 20, 'x') + "</XrML>");
    const auto second = published("{l2}", 4, "<XrML>second</XrML>");
    EXPECT_EQ(m_store->publish_revocation_list(std::nullopt, first, entry("RL-Sign", "{l1}")).id, "{l1}");
    expect_head(m_store->published_revocation_list_head(), first);
    const auto loaded = m_store->load_published_revocation_list();
    ASSERT_TRUE(loaded);
    expect_head(loaded->head, first);
    EXPECT_TRUE(loaded->xrml == first.xrml) << "the text comes back byte for byte";
    EXPECT_EQ(log_size(), 1);

    // A writer that saw no list, or an older one than is published, changes and logs nothing
    // and learns which list is published.
    EXPECT_EQ(m_store->publish_revocation_list(std::nullopt, second, entry("RL-Sign", "{l2}")).id, "{l1}");
    EXPECT_EQ(m_store->publish_revocation_list(std::string("{l0}"), second, entry("RL-Sign", "{l2}")).id, "{l1}");
    EXPECT_EQ(log_size(), 1);
    expect_head(m_store->published_revocation_list_head(), first);

    // The writer that saw the published list replaces it, with its log entry in the same go.
    const auto stored = m_store->publish_revocation_list(std::string("{l1}"), second, entry("RL-Sign", "{l2}"));
    EXPECT_EQ(stored.id, "{l2}");
    EXPECT_EQ(stored.revision, 4);
    EXPECT_EQ(log_size(), 2);
    EXPECT_EQ(m_store->read_log("").back().request_id, "{l2}");
    reopen();
    expect_head(m_store->published_revocation_list_head(), second);
    EXPECT_EQ(m_store->load_published_revocation_list()->xrml, second.xrml);
    EXPECT_TRUE(m_store->verify_log().ok);
}

// Issue 14: several nodes on one store sign a successor of the same list at once; one publishes,
// and every node then serves that one.
TEST_P(StoreContract, OfRacingSuccessorsOfOnePublishedListExactlyOneWins) {
    const auto first = published("{l0}", 1, "<XrML>l0</XrML>");
    ASSERT_EQ(m_store->publish_revocation_list(std::nullopt, first, entry("RL-Sign", "{l0}")).id, "{l0}");
    constexpr int nodes_n = 4;
    std::vector<std::unique_ptr<Store>> nodes;  // other processes, as far as the store knows
    for (int i = 0; i < nodes_n; ++i) nodes.push_back(open_store(m_locator, OpenMode::Existing));
    std::vector<std::string> winners(nodes_n);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < nodes_n; ++i) {
        threads.emplace_back([&, i] {
            const auto id = "{l1-" + std::to_string(i) + "}";
            const auto candidate = published(id, 2, "<XrML>" + id + "</XrML>");
            ready.fetch_add(1);
            while (ready.load() < nodes_n) std::this_thread::yield();  // start together
            winners[static_cast<std::size_t>(i)] =
                nodes[static_cast<std::size_t>(i)]
                    ->publish_revocation_list(std::string("{l0}"), candidate, entry("RL-Sign", id))
                    .id;
        });
    }
    for (auto& t : threads) t.join();
    const auto winner = winners.front();
    EXPECT_NE(winner, "{l0}");
    for (const auto& w : winners) EXPECT_EQ(w, winner) << "every node learns the one list that won";
    for (auto& node : nodes) {
        const auto list = node->load_published_revocation_list();
        ASSERT_TRUE(list);
        EXPECT_EQ(list->head.id, winner);
        EXPECT_EQ(list->xrml, "<XrML>" + winner + "</XrML>");
    }
    const auto log = m_store->read_log("");
    ASSERT_EQ(log.size(), 2u) << "one entry for the first list, one for the winner, none for the losers";
    EXPECT_EQ(log.back().request_id, winner);
}

TEST_P(StoreContract, ExclusionsAddReplaceAndRemove) {
    const auto rev0 = m_store->policy_revision();
    m_store->set_exclusion({"rac-key", "fp-x", "<PUBLICKEY/>", "lost", "t"}, entry("Exclude"));
    m_store->set_exclusion({"min-spc-version", "5.0", "", "old", "t"}, entry("Exclude"));
    m_store->set_exclusion({"min-spc-version", "6.0", "", "older", "t"}, entry("Exclude"));
    EXPECT_GT(m_store->policy_revision(), rev0);
    auto all = m_store->list_exclusions();
    ASSERT_EQ(all.size(), 2u) << "one minimum version at a time";
    std::set<std::string> values;
    for (const auto& x : all) values.insert(x.value);
    EXPECT_EQ(values, (std::set<std::string>{"fp-x", "6.0"}));
    const auto logged = log_size();
    EXPECT_FALSE(m_store->remove_exclusion("rac-key", "nope", entry("Unexclude")));
    EXPECT_EQ(log_size(), logged) << "removing nothing logs nothing";
    EXPECT_TRUE(m_store->remove_exclusion("rac-key", "fp-x", entry("Unexclude")));
    EXPECT_EQ(m_store->list_exclusions().size(), 1u);
}

TEST_P(StoreContract, TrustListsAddOnceAndRemove) {
    const auto rev0 = m_store->policy_revision();
    m_store->add_trust({"fp-t", "spc-issuer", "<PUBLICKEY/>", "partner", "t"}, entry("TrustAdd"));
    EXPECT_THROW(m_store->add_trust({"fp-t", "spc-issuer", "<PUBLICKEY/>", "again", "t"}, entry("TrustAdd")),
                 ConflictError);
    m_store->add_trust({"fp-t", "rac-issuer", "<PUBLICKEY/>", "partner", "t"}, entry("TrustAdd"));
    EXPECT_EQ(m_store->list_trust().size(), 2u);
    EXPECT_EQ(m_store->counts().trusted_keys, 2);
    EXPECT_FALSE(m_store->remove_trust("fp-none", entry("TrustRemove")));
    const auto rev1 = m_store->policy_revision();
    EXPECT_GT(rev1, rev0) << "other processes notice a trust change by the revision";
    EXPECT_TRUE(m_store->remove_trust("fp-t", entry("TrustRemove")));
    EXPECT_TRUE(m_store->list_trust().empty());
    EXPECT_GT(m_store->policy_revision(), rev1);
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

// Issue 12 item 8: a cluster's SLCs are found by GUID in any case, issued ones only, by kind.
TEST_P(StoreContract, CertificatesAreFoundByKindAndSubjectIgnoringCase) {
    auto slc = pending("s1", "{ABCDEF00-0000-4000-8000-000000000001}", "k1");
    slc.kind = "Server-Licensor-Certificate";
    m_store->reserve_issuance(slc, entry("SubEnroll", "req-s1"));
    const auto find = [&](const std::string& kind, const std::string& subject) {
        return m_store->find_by_kind_and_subject_ignoring_case(kind, subject);
    };
    EXPECT_TRUE(find("Server-Licensor-Certificate", "{abcdef00-0000-4000-8000-000000000001}").empty())
        << "a pending certificate is not found";
    m_store->complete_issuance("s1", "<XrML>s1</XrML>");
    auto rac = pending("r1", "{abcdef00-0000-4000-8000-000000000001}", "k2");
    m_store->reserve_issuance(rac, entry("Certify", "req-r1"));
    m_store->complete_issuance("r1", "<XrML>r1</XrML>");
    const auto found = find("Server-Licensor-Certificate", "{abcdef00-0000-4000-8000-000000000001}");
    ASSERT_EQ(found.size(), 1u) << "found in the other case, and of the kind asked only";
    EXPECT_EQ(found[0].id, "s1");
    EXPECT_EQ(found[0].key_fingerprint, "k1");
    EXPECT_TRUE(find("Server-Licensor-Certificate", "{abcdef00-0000-4000-8000-000000000002}").empty());
}

// Issue 16 item 6: `xrca certs list` and the console's search, on every back end.
TEST_P(StoreContract, CertificateListingsFilterRevokeAndPageNewestFirst) {
    // Five certificates over three minutes: two RACs of one user sealed to machine m1, an SPC of
    // m1, a RAC of another user, and one left pending.
    const auto put = [&](const std::string& id, const std::string& kind, const std::string& subject,
                         const std::string& key, const std::string& issued, const std::optional<std::string>& machine,
                         bool complete = true) {
        auto r = pending(id, subject, key);
        r.kind = kind;
        r.issued = issued;
        r.machine = machine;
        m_store->reserve_issuance(r, entry("Certify", "req-" + id));
        if (complete) m_store->complete_issuance(id, "<XrML>" + id + "</XrML>");
    };
    put("{c0000000-0000-4000-8000-000000000001}", "Machine-Certificate", "{m1}", "km", "2026-03-01T12:00:00Z", "{m1}");
    put("{c0000000-0000-4000-8000-000000000002}", "Group-Identity-Credential", "S-1-5-21-7-1001", "ka",
        "2026-03-01T12:01:00Z", "{m1}");
    put("{c0000000-0000-4000-8000-000000000003}", "Group-Identity-Credential", "S-1-5-21-7-1001", "ka",
        "2026-03-01T12:02:00Z", "{m1}");
    put("{c0000000-0000-4000-8000-000000000004}", "Group-Identity-Credential", "{b0b}", "kb", "2026-03-01T12:02:00Z",
        std::nullopt);
    put("{c0000000-0000-4000-8000-000000000005}", "Group-Identity-Credential", "{b0b}", "kb", "2026-03-01T12:03:00Z",
        std::nullopt, false);
    const auto ids = [&](const CertificateFilter& f) {
        std::vector<std::string> out;
        for (const auto& row : m_store->list_certificates(f)) out.push_back(row.certificate.id.substr(36, 1));
        return out;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(ids({}), (V{"4", "3", "2", "1"})) << "issued only, newest first, the ID breaking a tie";
    CertificateFilter f;
    f.status.clear();
    EXPECT_EQ(ids(f), (V{"5", "4", "3", "2", "1"}));
    f.status = "pending";  // PostgreSQL finds these from unissued_certificates (schema 8)
    EXPECT_EQ(ids(f), (V{"5"}));
    f.kind = "Group-Identity-Credential";
    EXPECT_EQ(ids(f), (V{"5"}));
    f.kind = "Machine-Certificate";
    EXPECT_EQ(ids(f), (V{}));
    f = {};
    f.status = "abandoned";
    EXPECT_EQ(ids(f), (V{}));
    f = {};
    f.kind = "Group-Identity-Credential";
    EXPECT_EQ(ids(f), (V{"4", "3", "2"}));
    f = {};
    f.subject = "s-1-5-21-7-1001";
    EXPECT_EQ(ids(f), (V{"3", "2"})) << "subjects compare ignoring ASCII case";
    f = {};
    f.machine = "{M1}";
    EXPECT_EQ(ids(f), (V{"3", "2", "1"})) << "machines too";
    f = {};
    f.issued_since = "2026-03-01T12:01:00Z";
    f.issued_until = "2026-03-01T12:02:00Z";
    EXPECT_EQ(ids(f), (V{"2"})) << "since is inclusive, until exclusive";
    f = {};
    f.id = "{C0000000-0000-4000-8000-000000000003}";
    EXPECT_EQ(ids(f), (V{"3"}));

    // Pages: two rows, then the rows older than the last one.
    f = {};
    f.limit = 2;
    const auto first = m_store->list_certificates(f);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_TRUE(first[0].certificate.body.empty() && !first[0].certificate.xrml) << "listings carry no document";
    EXPECT_EQ(first[0].certificate.machine, std::nullopt);
    EXPECT_EQ(first[1].certificate.machine, "{m1}");
    f.before = std::make_pair(first[1].certificate.issued, first[1].certificate.id);
    EXPECT_EQ(ids(f), (V{"2", "1"}));
    f.limit = 0;
    EXPECT_EQ(ids(f).size(), 1u) << "a limit below one lists one row";

    // Revoked: by ID, by subject (revocation values are lower-case) and by key; each is seen at once.
    f = {};
    f.revoked = true;
    EXPECT_TRUE(ids(f).empty());
    revoke("license-id", "{c0000000-0000-4000-8000-000000000001}");
    EXPECT_EQ(ids(f), (V{"1"}));
    revoke("principal-id", "s-1-5-21-7-1001");
    EXPECT_EQ(ids(f), (V{"3", "2", "1"}));
    f.revoked = false;
    EXPECT_EQ(ids(f), (V{"4"}));
    revoke("principal-key", "kb");
    EXPECT_TRUE(ids(f).empty());
    const auto all = m_store->list_certificates({});
    EXPECT_TRUE(std::all_of(all.begin(), all.end(), [](const auto& row) { return row.revoked; }));
}

// Issue 17: the revoked listing starts from the revocations, one indexed lookup per type; each
// type finds its certificates, the other filters and the pages apply as to any listing, and a
// certificate two revocations name is listed once.
TEST_P(StoreContract, RevokedListingsFindEveryRevocationTypeOnceThroughTheFiltersAndPages) {
    const auto id_of = [](int n) { return "{D0000000-0000-4000-8000-00000000000" + std::to_string(n) + "}"; };
    const auto put = [&](int n, const std::string& kind, const std::string& subject, const std::string& issuer,
                         const std::string& issued, bool complete = true) {
        auto r = pending(id_of(n), subject, "key-" + std::to_string(n));
        r.kind = kind;
        r.issuer_fingerprint = issuer;
        r.license_hash = std::string(40, static_cast<char>('0' + n));
        r.issued = issued;
        m_store->reserve_issuance(r, entry("Certify", "req-" + std::to_string(n)));
        if (complete) m_store->complete_issuance(r.id, "<XrML>" + r.id + "</XrML>");
    };
    const std::string rac = "Group-Identity-Credential";
    const std::string own(64, 'b');
    const std::string other(64, 'c');
    put(1, rac, "S-1-5-21-9-1", own, "2026-03-01T12:01:00Z");
    put(2, rac, "S-1-5-21-9-2", own, "2026-03-01T12:02:00Z");
    put(3, "Client-Licensor-Certificate", "S-1-5-21-9-3", own, "2026-03-01T12:03:00Z");
    put(4, rac, "S-1-5-21-9-4", own, "2026-03-01T12:03:00Z");  // the same time: the ID breaks the tie
    put(5, "Machine-Certificate", "{m5}", other, "2026-03-01T12:05:00Z");
    put(6, rac, "S-1-5-21-9-6", own, "2026-03-01T12:06:00Z");
    put(7, rac, "S-1-5-21-9-7", own, "2026-03-01T12:07:00Z");
    put(8, rac, "S-1-5-21-9-3", own, "2026-03-01T12:08:00Z", false);  // pending, of a revoked subject

    const auto ids = [&](const CertificateFilter& f) {
        std::vector<std::string> out;
        for (const auto& row : m_store->list_certificates(f)) {
            out.push_back(row.certificate.id.substr(36, 1));
            EXPECT_EQ(row.revoked, f.revoked == true) << row.certificate.id;
        }
        return out;
    };
    const auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    };
    using V = std::vector<std::string>;
    CertificateFilter f;
    f.revoked = true;
    EXPECT_TRUE(ids(f).empty()) << "nothing revoked yet";
    revoke("license-id", lower(id_of(1)));  // revocation values are lower-case, the stored ID is not
    EXPECT_EQ(ids(f), (V{"1"}));
    revoke("license-hash", std::string(40, '2'));
    EXPECT_EQ(ids(f), (V{"2", "1"}));
    revoke("principal-id", "s-1-5-21-9-3");
    EXPECT_EQ(ids(f), (V{"3", "2", "1"}));
    revoke("principal-key", "key-4");
    EXPECT_EQ(ids(f), (V{"4", "3", "2", "1"}));
    revoke("issuer-key", other);
    EXPECT_EQ(ids(f), (V{"5", "4", "3", "2", "1"}));
    revoke("license-id", lower(id_of(7)));
    revoke("principal-key", "key-7");
    revoke("issuer-id", "key-6");  // a type no certificate column answers to
    EXPECT_EQ(ids(f), (V{"7", "5", "4", "3", "2", "1"})) << "named twice, listed once";

    f.status.clear();
    EXPECT_EQ(ids(f), (V{"8", "7", "5", "4", "3", "2", "1"})) << "the pending one of the revoked subject too";
    f = {};
    f.revoked = true;
    f.kind = rac;
    EXPECT_EQ(ids(f), (V{"7", "4", "2", "1"}));
    f.kind = "Machine-Certificate";
    EXPECT_EQ(ids(f), (V{"5"}));
    f = {};
    f.revoked = true;
    f.subject = "S-1-5-21-9-3";
    EXPECT_EQ(ids(f), (V{"3"}));
    f.subject = "S-1-5-21-9-6";
    EXPECT_TRUE(ids(f).empty());
    f = {};
    f.revoked = true;
    f.id = lower(id_of(2));
    EXPECT_EQ(ids(f), (V{"2"}));
    f = {};
    f.revoked = true;
    f.issued_since = "2026-03-01T12:02:00Z";
    f.issued_until = "2026-03-01T12:05:00Z";
    EXPECT_EQ(ids(f), (V{"4", "3", "2"}));
    f = {};
    f.revoked = false;
    EXPECT_EQ(ids(f), (V{"6"}));

    // Pages of three: the first ends between the two certificates issued at 12:03.
    f = {};
    f.revoked = true;
    f.limit = 3;
    const auto first = m_store->list_certificates(f);
    ASSERT_EQ(first.size(), 3u);
    EXPECT_EQ(first[2].certificate.id, id_of(4));
    f.before = std::make_pair(first[2].certificate.issued, first[2].certificate.id);
    EXPECT_EQ(ids(f), (V{"3", "2", "1"}));
    f.before = std::make_pair(std::string("2026-03-01T12:01:00Z"), id_of(1));
    EXPECT_TRUE(ids(f).empty());
    f.kind = rac;
    f.before = std::make_pair(std::string("2026-03-01T12:07:00Z"), id_of(7));
    EXPECT_EQ(ids(f), (V{"4", "2", "1"})) << "kind, revoked and a page together";
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
// `xrca status` reads counts the store keeps as it writes (not a count of every row): each
// change of a certificate's status moves it from one count to the other, exactly.
TEST_P(StoreContract, CountsFollowEveryChangeOfStatus) {
    const auto issued = [&](const std::string& kind) {
        const auto by_kind = m_store->counts().issued_by_kind;
        const auto it = by_kind.find(kind);
        return it == by_kind.end() ? 0 : it->second;
    };
    const std::string rac = "Rights-Account-Certificate", clc = "Client-Licensor-Certificate";
    auto a = pending("a1"), b = pending("b2"), c = pending("c3"), d = pending("d4");
    c.kind = clc;
    d.issued = "2026-03-01T10:00:00Z";
    for (const auto* r : {&a, &b, &c, &d}) m_store->reserve_issuance(*r, entry("Certify", r->request_id));
    EXPECT_EQ(m_store->counts().pending, 4);
    EXPECT_TRUE(m_store->counts().issued_by_kind.empty()) << "nothing issued yet";

    m_store->complete_issuance("a1", "<XrML>a1</XrML>");
    m_store->complete_issuance("c3", "<XrML>c3</XrML>");
    EXPECT_EQ(m_store->counts().pending, 2);
    EXPECT_EQ(issued(rac), 1);
    EXPECT_EQ(issued(clc), 1);

    m_store->abandon_issuance("b2", entry("Certify", "req-b2"));
    EXPECT_EQ(m_store->counts().pending, 1);
    EXPECT_EQ(issued(rac), 1) << "an abandoned certificate is not issued";

    // A refused completion (not pending any more) and a refused reservation change no count.
    EXPECT_THROW(m_store->complete_issuance("b2", "<XrML>late</XrML>"), StorageError);
    EXPECT_THROW(m_store->reserve_issuance(pending("a1"), entry("Certify")), ConflictError);
    EXPECT_EQ(m_store->counts().pending, 1);
    EXPECT_EQ(issued(rac), 1);

    const auto swept = m_store->abandon_stale_pending(
        "2026-03-01T11:00:00Z", [](const CertificateRecord& r) { return entry("Reconcile", r.request_id); });
    ASSERT_EQ(swept.size(), 1u);
    EXPECT_EQ(m_store->counts().pending, 0);

    for (const auto* user : {"u1", "u2", "u3"})
        m_store->insert_user_key_if_absent({user, std::string(user) + "@example.test", "fp", {1}, "t"});
    m_store->insert_user_key_if_absent({"u1", "u1@example.test", "fp-again", {2}, "t"});
    const auto log = m_store->read_log("");
    reopen();
    const auto after = m_store->counts();
    EXPECT_EQ(after.user_keys, 3) << "a second key for u1 was not stored, nor counted";
    EXPECT_EQ(after.issued_by_kind, (std::map<std::string, std::int64_t>{{clc, 1}, {rac, 1}}));
    EXPECT_EQ(after.pending, 0);
    EXPECT_EQ(after.log_entries, static_cast<std::int64_t>(log.size()));
}

TEST_P(StoreContract, CountsStayExactUnderConcurrentIssuanceAndCounting) {
    constexpr int threads_n = 6, per_thread = 40;
    std::atomic<bool> done{false};
    std::atomic<int> counted{0};
    // A reader counts all along (on PostgreSQL, counting folds the changes while others write).
    std::thread reader([&] {
        while (!done) {
            const auto c = m_store->counts();
            EXPECT_GE(c.pending, 0);
            ++counted;
        }
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const auto id = "n" + std::to_string(t) + "-" + std::to_string(i);
                m_store->reserve_issuance(pending(id), entry("Certify", id));
                if (i % 4 == 3) {
                    m_store->abandon_issuance(id, entry("Certify", id));
                } else {
                    m_store->complete_issuance(id, "<XrML>" + id + "</XrML>");
                }
                m_store->insert_user_key_if_absent({"user-" + id, "u@example.test", "fp", {1}, "t"});
            }
        });
    }
    for (auto& t : threads) t.join();
    done = true;
    reader.join();
    EXPECT_GT(counted.load(), 0);
    const auto c = m_store->counts();
    EXPECT_EQ(c.issued_by_kind.at("Rights-Account-Certificate"), threads_n * per_thread * 3 / 4);
    EXPECT_EQ(c.pending, 0);
    EXPECT_EQ(c.user_keys, threads_n * per_thread);
    EXPECT_EQ(c.log_entries, static_cast<std::int64_t>(m_store->read_log("").size()));
    reopen();
    EXPECT_EQ(m_store->counts().issued_by_kind.at("Rights-Account-Certificate"), threads_n * per_thread * 3 / 4);
}

TEST_P(StoreContract, TheFirstEscrowedKeyOfAUserWinsEvenUnderARace) {
    std::vector<std::thread> threads;
    std::vector<std::string> winners(4);
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            UserKeyRecord k{"kim", "kim@example.test", "fp-" + std::to_string(i), {static_cast<std::uint8_t>(i)}, "t"};
            winners[static_cast<std::size_t>(i)] = m_store->insert_user_key_if_absent(k).fingerprint;
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& w : winners) EXPECT_EQ(w, winners.front());
    EXPECT_EQ(m_store->find_user_key("kim")->fingerprint, winners.front());
    EXPECT_EQ(m_store->counts().user_keys, 1);
}

TEST_P(StoreContract, TheLogIsOneChainUnderConcurrentAppends) {
    constexpr int threads_n = 4, per_thread = 50;
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                if (i % 5 == 0) {
                    const auto id = "t" + std::to_string(t) + "-" + std::to_string(i);
                    m_store->reserve_issuance(pending(id), entry("Certify", id));
                    m_store->complete_issuance(id, "<XrML>" + id + "</XrML>");
                } else {
                    m_store->append_log(entry("GetLicensorCertificate", std::to_string(t)));
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    const auto log = m_store->read_log("");
    ASSERT_EQ(log.size(), static_cast<std::size_t>(threads_n * per_thread));
    LogChainCheck check;
    for (std::size_t i = 0; i < log.size(); ++i) {
        EXPECT_EQ(log[i].seq, static_cast<std::int64_t>(i + 1));
        EXPECT_TRUE(check.add(log[i])) << check.finish(std::nullopt).problem;
    }
    const auto verdict = m_store->verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.entries, threads_n * per_thread);
    EXPECT_EQ(m_store->counts().issued_by_kind.at("Rights-Account-Certificate"), threads_n * per_thread / 5);
}

// Issue 13: concurrent issuances may share one transaction (SQLite batches them); a refused one
// (an ID already taken) must fail alone, leaving the others and the log intact.
TEST_P(StoreContract, ConcurrentIssuancesCommitEachOrFailAlone) {
    m_store->reserve_issuance(pending("taken"), entry("Certify", "taken"));
    constexpr int threads_n = 8, per_thread = 20;
    std::atomic<int> conflicts{0}, issued{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const bool clash = i % 4 == 3;
                const auto id = clash ? std::string("taken") : "b" + std::to_string(t) + "-" + std::to_string(i);
                try {
                    m_store->reserve_issuance(pending(id), entry("Certify", id));
                } catch (const ConflictError&) {
                    ++conflicts;
                    continue;
                }
                m_store->complete_issuance(id, "<XrML>" + id + "</XrML>");
                ++issued;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(conflicts.load(), threads_n * per_thread / 4);
    EXPECT_EQ(issued.load(), threads_n * per_thread * 3 / 4);
    EXPECT_EQ(m_store->counts().issued_by_kind.at("Rights-Account-Certificate"), issued.load());
    EXPECT_EQ(m_store->counts().pending, 1) << "only the first 'taken'";
    EXPECT_EQ(m_store->find_certificate("b3-2")->xrml.value_or(""), "<XrML>b3-2</XrML>");
    const auto verdict = m_store->verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.entries, 1 + issued.load()) << "a refused reservation leaves no log entry";
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

TEST_P(StoreContract, TheLogIsReadFromATime) {
    auto early = entry("A");
    early.time = "2026-01-01T00:00:00Z";
    auto late = entry("B");
    late.time = "2026-06-01T00:00:00Z";
    m_store->append_log(early);
    m_store->append_log(late);
    const auto since = m_store->read_log("2026-03-01T00:00:00Z");
    ASSERT_EQ(since.size(), 1u);
    EXPECT_EQ(since.front().operation, "B");
    EXPECT_EQ(since.front().seq, 2);
    EXPECT_EQ(since.front().prev_hash, m_store->read_log("").front().hash);
}

LogEntry timed(const std::string& operation, int day) {
    auto e = entry(operation, "r" + std::to_string(day));
    e.time = "2026-01-" + std::string(day < 10 ? "0" : "") + std::to_string(day) + "T00:00:00Z";
    return e;
}

/** What an archive writer saw: the cut and every entry handed to it. */
struct Archived {
    LogArchiveCut cut;
    std::vector<LogEntry> entries;
};

TEST_P(StoreContract, StreamingVisitsEveryEntryInOrderAcrossPages) {
    // More than a page (both back ends read 512 rows at a time), and the same as read_log.
    constexpr int n = 1300;
    for (int i = 0; i < n; ++i) m_store->append_log(entry(i % 2 ? "A" : "B", std::to_string(i)));
    std::vector<LogEntry> streamed;
    m_store->for_each_log("", [&](const LogEntry& e) {
        streamed.push_back(e);
        return true;
    });
    ASSERT_EQ(streamed.size(), static_cast<std::size_t>(n));
    LogChainCheck check;
    for (std::size_t i = 0; i < streamed.size(); ++i) {
        ASSERT_EQ(streamed[i].seq, static_cast<std::int64_t>(i + 1));
        ASSERT_EQ(streamed[i].request_id, std::to_string(i));
        ASSERT_TRUE(check.add(streamed[i])) << check.finish(std::nullopt).problem;
    }
    EXPECT_EQ(m_store->read_log("").back().hash, streamed.back().hash);
}

TEST_P(StoreContract, AVisitorStopsTheWalk) {
    for (int i = 0; i < 700; ++i) m_store->append_log(entry("A"));
    int seen = 0;
    m_store->for_each_log("", [&](const LogEntry&) { return ++seen < 600; });
    EXPECT_EQ(seen, 600);
}

TEST_P(StoreContract, AVisitorMayUseTheStore) {
    // The store is not held while the visitor runs (a pipe may be slow; nothing may deadlock).
    for (int i = 0; i < 3; ++i) m_store->append_log(entry("A"));
    int seen = 0;
    m_store->for_each_log("", [&](const LogEntry&) {
        EXPECT_EQ(m_store->log_checkpoint().seq, 0);
        return ++seen > 0;
    });
    EXPECT_EQ(seen, 3);
}

TEST_P(StoreContract, ArchivingCutsTheOldestPrefixAndTheChainVerifiesFromTheCheckpoint) {
    for (const int day : {1, 2, 3, 5, 4, 6}) m_store->append_log(timed("Op" + std::to_string(day), day));
    Archived seen;
    auto recorded = entry("LogArchive");
    recorded.time = "2026-02-01T00:00:00Z";
    // Before day 5: entries 1-3 (day 5 at seq 4 ends the prefix, though day 4 at seq 5 is older).
    const auto cut = m_store->archive_log("2026-01-05T00:00:00Z", [&](const LogArchiveCut& c, const auto& entries) {
        seen.cut = c;
        entries([&](const LogEntry& e) {
            seen.entries.push_back(e);
            return true;
        });
        return recorded;
    });
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->from.seq, 0);
    EXPECT_EQ(cut->from.hash, std::string(64, '0'));
    EXPECT_EQ(cut->to.seq, 3);
    EXPECT_EQ(cut->entries, 3);
    ASSERT_EQ(seen.entries.size(), 3u);
    EXPECT_EQ(seen.entries.back().hash, cut->to.hash);
    EXPECT_EQ(m_store->log_checkpoint().seq, 3);
    EXPECT_EQ(m_store->log_checkpoint().hash, cut->to.hash);

    const auto live = m_store->read_log("");
    ASSERT_EQ(live.size(), 4u);  // seq 4, 5, 6 and the archive's own entry
    EXPECT_EQ(m_store->counts().log_entries, 4) << "the archived entries are no longer counted";
    EXPECT_EQ(live.front().seq, 4);
    EXPECT_EQ(live.front().prev_hash, cut->to.hash);
    EXPECT_EQ(live.back().operation, "LogArchive");
    EXPECT_EQ(live.back().seq, 7);
    const auto verdict = m_store->verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.from_seq, 3);
    EXPECT_EQ(verdict.entries, 4);

    // Survives reopening, and a second archive continues from the first's end.
    reopen();
    EXPECT_EQ(m_store->log_checkpoint().seq, 3);
    const auto second = m_store->archive_log("2026-01-31T00:00:00Z", [&](const LogArchiveCut&, const auto& entries) {
        int n = 0;
        entries([&](const LogEntry&) { return ++n > 0; });
        EXPECT_EQ(n, 3);
        return recorded;
    });
    ASSERT_TRUE(second);
    EXPECT_EQ(second->from.seq, cut->to.seq);
    EXPECT_EQ(second->from.hash, cut->to.hash);
    EXPECT_EQ(second->to.seq, 6);
    EXPECT_TRUE(m_store->verify_log().ok) << m_store->verify_log().problem;
    EXPECT_EQ(m_store->verify_log().from_seq, 6);
}

TEST_P(StoreContract, AnEmptyCutChangesNothingAndCallsNoWriter) {
    m_store->append_log(timed("A", 3));
    bool called = false;
    const auto cut = m_store->archive_log("2026-01-02T00:00:00Z", [&](const LogArchiveCut&, const auto&) {
        called = true;
        return entry("LogArchive");
    });
    EXPECT_FALSE(cut);
    EXPECT_FALSE(called);
    EXPECT_EQ(log_size(), 1);
    EXPECT_EQ(m_store->log_checkpoint().seq, 0);
}

TEST_P(StoreContract, AWriterThatThrowsLeavesTheLogAsItWas) {
    for (int day = 1; day <= 4; ++day) m_store->append_log(timed("A", day));
    const auto before = m_store->read_log("");
    EXPECT_THROW(m_store->archive_log("2026-01-03T00:00:00Z",
                                      [&](const LogArchiveCut&, const auto&) -> LogEntry {
                                          throw std::runtime_error("the archive could not be written");
                                      }),
                 std::runtime_error);
    const auto after = m_store->read_log("");
    ASSERT_EQ(after.size(), before.size());
    EXPECT_EQ(after.back().hash, before.back().hash);
    EXPECT_EQ(m_store->log_checkpoint().seq, 0);
    EXPECT_TRUE(m_store->verify_log().ok);
    m_store->append_log(timed("B", 5));  // the store is usable afterwards
    EXPECT_EQ(log_size(), 5);
}

TEST_P(StoreContract, WritersAreNotHeldWhileAnArchiveIsWrittenAndARaceDeletesNothing) {
    for (int day = 1; day <= 4; ++day) m_store->append_log(timed("A", day));
    auto other = open_store(m_locator, OpenMode::Existing);  // another process, as far as the store knows
    const auto before = m_store->read_log("");
    EXPECT_THROW(m_store->archive_log("2026-01-03T00:00:00Z",
                                      [&](const LogArchiveCut&, const auto& entries) {
                                          entries([](const LogEntry&) { return true; });
                                          // While this archive is being written, the other
                                          // connection appends and archives the same stretch.
                                          other->append_log(timed("B", 5));
                                          const auto cut = other->archive_log(
                                              "2026-01-03T00:00:00Z",
                                              [](const LogArchiveCut&, const auto&) { return entry("LogArchive"); });
                                          EXPECT_TRUE(cut);
                                          return entry("LogArchive");
                                      }),
                 ConflictError);
    // Only the other archive took effect: two entries gone, its own entry and B added.
    const auto after = m_store->read_log("");
    ASSERT_EQ(after.size(), before.size());
    EXPECT_EQ(after.front().seq, 3);
    EXPECT_EQ(m_store->log_checkpoint().seq, 2);
    EXPECT_TRUE(m_store->verify_log().ok) << m_store->verify_log().problem;
}

TEST_P(StoreContract, OpeningAnExistingStoreThatIsNotThereSaysSo) {
    EXPECT_THROW(open_store(GetParam().nothing_beside(m_locator), OpenMode::Existing), StoreMissing);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<Backend>& backend) { return backend.param.name; });

}  // namespace
}  // namespace xrca::store
