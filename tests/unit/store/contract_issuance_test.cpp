// The store contract (contract_test.cpp), issuance: the record -> sign -> complete cycle, intents
// left behind, concurrent issuances, the counts, escrowed user keys.
#include "store/log_chain.h"
#include "unit/store/contract_fixture.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::contract {
namespace {

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

}  // namespace
}  // namespace xrca::store::contract
