// The store contract (contract_test.cpp), the enrollment log: one chain under concurrent
// appends, reading and streaming it, archiving its oldest part.
#include "store/log_chain.h"
#include "unit/store/contract_fixture.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace xrca::store::contract {
namespace {

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

}  // namespace
}  // namespace xrca::store::contract
