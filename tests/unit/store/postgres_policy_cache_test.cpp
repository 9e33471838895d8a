// What a serving process remembers between requests on a PostgreSQL store (issue 14,
// store/postgres_policy_cache.h): principals by token and the policy revision, kept right by the
// schema's notifications; against the shared test cluster, a fresh database per test.
#include "store/postgres_policy_cache.h"
#include "store/factory.h"
#include "store/postgres_connection.h"
#include "store/postgres_locator.h"
#include "unit/store/postgres_store_fixture.h"

#include <poll.h>

#include <chrono>
#include <functional>

namespace xrca::store::pg_test {
namespace {

using Clock = std::chrono::steady_clock;
using pg_detail::PolicyCache;

PrincipalRecord caller(const std::string& name, char token) {
    return {name, "user", name + "@example.test", name, std::string(64, token), "t"};
}

class PolicyCacheTest : public PostgresStoreTest {
protected:
    void SetUp() override {
        PostgresStoreTest::SetUp();
        m_parsed = pg_detail::parse_locator(m_locator);
    }
    /** Notifies what the schema's triggers notify, from a session of its own. */
    void announce(const std::string& schema) const {
        cluster().execute(m_database, "SELECT pg_notify('xrca_policy', '" + schema + "')");
    }
    pg_detail::PgLocator m_parsed;
};

TEST_F(PolicyCacheTest, RemembersOnlyWhileListeningAndForgetsAtItsSchemasNotification) {
    PolicyCache cache(m_parsed);
    const auto before = cache.ticket();
    cache.remember(before, "h1", caller("alice", 'a'), 7);
    EXPECT_FALSE(cache.principal("h1")) << "nothing is remembered before the listener listens";
    EXPECT_FALSE(cache.revision());

    cache.start();
    ASSERT_TRUE(within(std::chrono::seconds(10), [&] { return cache.listening(); }));
    cache.remember(before, "h1", caller("alice", 'a'), 7);
    EXPECT_FALSE(cache.principal("h1")) << "a lookup begun before the listener listened";

    cache.remember(cache.ticket(), "h1", caller("alice", 'a'), 7);
    ASSERT_TRUE(cache.principal("h1"));
    EXPECT_EQ(cache.principal("h1")->name, "alice");
    EXPECT_EQ(cache.revision().value_or(-1), 7);

    // A change is heard: everything goes, and what a lookup begun before it read is not kept.
    // (A new generation is what only a notification or the listener's state makes, not age.)
    const auto during = cache.ticket();
    announce("xrca");
    EXPECT_TRUE(within(std::chrono::seconds(5), [&] { return cache.ticket().generation != during.generation; }));
    EXPECT_FALSE(cache.principal("h1"));
    EXPECT_FALSE(cache.revision());
    cache.remember(during, "h2", caller("bob", 'b'), 8);
    EXPECT_FALSE(cache.principal("h2")) << "read before the change, remembered after its notification";
    cache.remember(during, 8);
    EXPECT_FALSE(cache.revision());
}

TEST_F(PolicyCacheTest, NothingIsUsedOlderThanItsMaximumAgeHeardOrNot) {
    PolicyCache cache(m_parsed);
    cache.start();
    ASSERT_TRUE(within(std::chrono::seconds(10), [&] { return cache.listening(); }));
    const auto remembered = Clock::now();
    cache.remember(cache.ticket(), "h1", caller("alice", 'a'), 7);
    // No notification comes; the entry still ends, within its age (and a little scheduling).
    ASSERT_TRUE(within(std::chrono::seconds(2), [&] { return !cache.principal("h1") && !cache.revision(); }));
    EXPECT_GE(Clock::now() - remembered, PolicyCache::k_max_age);
    EXPECT_TRUE(cache.listening());
}

TEST_F(PolicyCacheTest, ADatabaseRestartForgetsEverythingAndListensAgain) {
    PolicyCache cache(m_parsed);
    cache.start();
    ASSERT_TRUE(within(std::chrono::seconds(10), [&] { return cache.listening(); }));
    cache.remember(cache.ticket(), "h1", caller("alice", 'a'), 7);
    cluster().stop();
    EXPECT_TRUE(within(std::chrono::seconds(5), [&] { return !cache.listening(); }));
    EXPECT_FALSE(cache.principal("h1"));
    cache.remember(cache.ticket(), "h1", caller("alice", 'a'), 7);
    EXPECT_FALSE(cache.principal("h1")) << "remembered while nobody listens";
    cluster().start();
    EXPECT_TRUE(within(std::chrono::seconds(10), [&] { return cache.listening(); }));
    cache.remember(cache.ticket(), "h1", caller("alice", 'a'), 7);
    EXPECT_TRUE(cache.principal("h1"));
}

// Schema 10's triggers: every change a node must hear is announced once, with the schema's name,
// when it commits; a change refused (rolled back) is not.
TEST_F(PolicyCacheTest, ChangesToPrincipalsGrantsAndThePolicyAreAnnouncedAtCommit) {
    auto store = open_store(m_locator, OpenMode::Create);
    pg_detail::Connection listener(m_parsed);
    (void)listener.exec("LISTEN xrca_policy");
    // The payloads heard within `limit` (at least one when something is expected).
    const auto heard = [&](std::chrono::milliseconds limit) {
        std::vector<std::string> all;
        const auto deadline = Clock::now() + limit;
        while (all.empty() && Clock::now() < deadline) {
            pollfd fd{listener.socket(), POLLIN, 0};
            (void)::poll(&fd, 1, 50);
            for (auto& p : listener.notifications(PolicyCache::k_channel)) all.push_back(std::move(p));
        }
        return all;
    };
    const std::vector<std::string> once{"xrca"};
    store->add_principal(caller("alice", 'a'), entry("PrincipalAdd"));
    EXPECT_EQ(heard(std::chrono::seconds(5)), once) << "a principal added (with the log's append)";
    EXPECT_THROW(store->add_principal(caller("alice", 'b'), entry("PrincipalAdd")), ConflictError);
    EXPECT_TRUE(store->add_principal_grant("alice", "S-1-5-*", entry("GrantAdd")));
    EXPECT_EQ(heard(std::chrono::seconds(5)), once) << "the refused add is not announced; the grant is";
    store->add_principal({"sub", "sub-enroll", "", "sub", std::string(64, 's'), "t"}, entry("PrincipalAdd"));
    EXPECT_EQ(heard(std::chrono::seconds(5)), once);
    EXPECT_EQ(store->bind_principal_cluster("sub", "{guid}").value_or(""), "{guid}");
    EXPECT_EQ(heard(std::chrono::seconds(5)), once) << "the first SubEnroll binds its principal";
    EXPECT_EQ(store->bind_principal_cluster("sub", "{guid}").value_or(""), "{guid}");
    EXPECT_TRUE(heard(std::chrono::milliseconds(200)).empty()) << "the next ones change nothing";
    store->set_exclusion({"min-spc-version", "5.2.3790.134", "", "old clients", "t"}, entry("ExclusionAdd"));
    EXPECT_EQ(heard(std::chrono::seconds(5)), once) << "the policy revision moved";
    EXPECT_TRUE(store->remove_principal("alice", entry("PrincipalRemove")));
    EXPECT_EQ(heard(std::chrono::seconds(5)), once) << "a principal and its grants removed: one transaction";
    store->reserve_issuance(pending("c1"), entry("Certify", "c1"));
    store->complete_issuance("c1", "<XrML/>");
    EXPECT_TRUE(heard(std::chrono::milliseconds(200)).empty()) << "an issuance announces nothing";
}

// Two stores on one database stand for two nodes: what one changes, the other honours at once
// (heard) or within the cache's age (not heard); what a node changes itself, it honours before
// the call returns.
TEST_F(PostgresStoreTest, AChangeOnOneNodeIsHonouredByAnotherThatRemembersItsCallers) {
    auto serving = open_store(m_locator, OpenMode::Create);
    auto admin = open_store(m_locator, OpenMode::Existing);
    admin->add_principal(caller("alice", 'a'), entry("PrincipalAdd"));
    admin->add_principal(caller("bob", 'b'), entry("PrincipalAdd"));
    const auto alice = std::string(64, 'a'), bob = std::string(64, 'b');
    ASSERT_TRUE(serving->find_principal_by_token_hash(alice));
    const auto revision = serving->policy_revision();

    // Heard: a removal, and a new exclusion.
    EXPECT_TRUE(admin->remove_principal("alice", entry("PrincipalRemove")));
    const auto removed = Clock::now();
    EXPECT_TRUE(within(std::chrono::seconds(1), [&] { return !serving->find_principal_by_token_hash(alice); }));
    EXPECT_LT(Clock::now() - removed, std::chrono::seconds(1));
    admin->set_exclusion({"min-spc-version", "5.2.3790.134", "", "old clients", "t"}, entry("ExclusionAdd"));
    EXPECT_TRUE(within(std::chrono::seconds(1), [&] { return serving->policy_revision() > revision; }));

    // Not heard (an administrator's change with triggers off): still honoured within 1 s.
    ASSERT_TRUE(serving->find_principal_by_token_hash(bob));
    cluster().execute(m_database,
                      "SET session_replication_role = replica; DELETE FROM xrca.principal_grants WHERE principal = "
                      "'bob'; DELETE FROM xrca.principals WHERE name = 'bob'");
    EXPECT_TRUE(within(std::chrono::seconds(1), [&] { return !serving->find_principal_by_token_hash(bob); }));

    // Its own changes, at once.
    serving->add_principal(caller("carol", 'c'), entry("PrincipalAdd"));
    ASSERT_TRUE(serving->find_principal_by_token_hash(std::string(64, 'c')));
    EXPECT_TRUE(serving->remove_principal("carol", entry("PrincipalRemove")));
    EXPECT_FALSE(serving->find_principal_by_token_hash(std::string(64, 'c')));
    const auto now = serving->policy_revision();
    serving->set_exclusion({"min-spc-version", "6.0.0.0", "", "older clients", "t"}, entry("ExclusionAdd"));
    EXPECT_GT(serving->policy_revision(), now);
}

}  // namespace
}  // namespace xrca::store::pg_test
