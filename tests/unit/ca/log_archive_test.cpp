// Log retention at the authority: an archive holds the cut entries, verifies on its own, is
// signed by the authority's key and named by the live log's LogArchive entry; the live chain
// verifies from the checkpoint; any changed byte of an archive is detected; an archive that
// could not be written, an empty cut or a tampered log delete nothing.
#include "support/authority_fixture.h"
#include "support/test_keys.h"

#include "ca/log_archive.h"
#include "text/clean.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <gtest/gtest.h>

#include <sstream>

namespace xrca::ca {
namespace {

/** Collects the archive in memory; commit() fails when asked to. */
class MemoryOutput final : public ArchiveOutput {
public:
    void write(std::string_view text) override { m_text.append(text); }
    void commit() override {
        if (m_fail) throw Error(ErrorKind::Storage, "cannot sync the archive: disk full (test)");
        m_committed = true;
    }
    std::string m_text;
    bool m_fail = false;
    bool m_committed = false;
};

LogArchiveCheck verify(const std::string& text) {
    std::istringstream in(text);
    return verify_log_archive(in);
}

std::string sha256(const std::string& text) {
    const auto h = Botan::HashFunction::create_or_throw("SHA-256");
    h->update(text);
    const auto d = h->final();
    return Botan::hex_encode(d.data(), d.size(), false);
}

class LogArchiveAtTheAuthority : public ::testing::Test {
protected:
    test::Hierarchy h{2};
    store::Store& log() { return *h.root.store; }
    Authority& authority() { return *h.root.authority; }
    const xrml::Time k_later = xrml::Time::parse("2026-03-02T00:00");
    /** The error archiving before `before` into `out` ended with, or nullopt if it succeeded. */
    std::optional<Error> archive_error(xrml::Time before, ArchiveOutput& out) {
        try {
            (void)authority().archive_log(before, out, h.caller);
        } catch (const Error& e) {
            return e;
        }
        return std::nullopt;
    }
};

TEST_F(LogArchiveAtTheAuthority, AnArchiveVerifiesAloneAndTheLiveLogFromTheCheckpoint) {
    const auto before = log().read_log("");
    ASSERT_GT(before.size(), 2u);
    MemoryOutput out;
    const auto s = authority().archive_log(k_later, out, h.caller);
    EXPECT_TRUE(out.m_committed);
    EXPECT_EQ(s.from.seq, 0);
    EXPECT_EQ(s.to.seq, before.back().seq);
    EXPECT_EQ(s.to.hash, before.back().hash);
    EXPECT_EQ(s.entries, static_cast<std::int64_t>(before.size()));
    EXPECT_EQ(s.sha256, sha256(out.m_text));

    const auto check = verify(out.m_text);
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.summary.entries, s.entries);
    EXPECT_EQ(check.summary.to.hash, s.to.hash);
    EXPECT_EQ(check.summary.sha256, s.sha256);
    EXPECT_EQ(check.summary.signer_fingerprint, authority().cluster_public_key().fingerprint());
    EXPECT_EQ(check.summary.guid, authority().record().guid);
    EXPECT_TRUE(authority().holds_key(check.summary.signer_fingerprint));
    EXPECT_FALSE(authority().holds_key(std::string(64, 'f')));

    // The live log: the archive's own entry, continuing from the checkpoint, naming the file's hash.
    const auto live = log().read_log("");
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live.front().operation, "LogArchive");
    EXPECT_EQ(live.front().prev_hash, s.to.hash);
    EXPECT_NE(live.front().inputs.find("archive_sha256=" + s.sha256), std::string::npos) << live.front().inputs;
    const auto verdict = log().verify_log();
    EXPECT_TRUE(verdict.ok) << verdict.problem;
    EXPECT_EQ(verdict.from_seq, s.to.seq);
}

TEST_F(LogArchiveAtTheAuthority, EveryChangedByteOfAnArchiveIsDetected) {
    MemoryOutput out;
    (void)authority().archive_log(k_later, out, h.caller);
    ASSERT_TRUE(verify(out.m_text).ok);
    for (std::size_t i = 0; i < out.m_text.size(); ++i) {
        auto changed = out.m_text;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        const auto check = verify(changed);
        ASSERT_FALSE(check.ok) << "a change at byte " << i << " went unnoticed";
        ASSERT_FALSE(check.problem.empty());
    }
    // Removing a line, or cutting the file short, too.
    const auto second_line = out.m_text.find('\n') + 1;
    const auto third_line = out.m_text.find('\n', second_line) + 1;
    const auto check = verify(out.m_text.substr(0, second_line) + out.m_text.substr(third_line));
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find("entry 1 is missing"), std::string::npos) << check.problem;
    EXPECT_FALSE(verify(out.m_text.substr(0, out.m_text.size() - 1)).ok);
    EXPECT_NE(verify(out.m_text.substr(0, third_line)).problem.find("cut short"), std::string::npos);
}

TEST_F(LogArchiveAtTheAuthority, AChangedEntryIsNamed) {
    MemoryOutput out;
    (void)authority().archive_log(k_later, out, h.caller);
    auto text = out.m_text;
    const auto at = text.find("\"outcome\":\"accepted\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 20, "\"outcome\":\"refused\"");
    const auto check = verify(text);
    EXPECT_FALSE(check.ok);
    EXPECT_NE(check.problem.find("entry 1 "), std::string::npos) << check.problem;
    EXPECT_NE(check.problem.find("changed"), std::string::npos) << check.problem;
}

TEST_F(LogArchiveAtTheAuthority, ASecondArchiveContinuesFromTheFirstsEnd) {
    MemoryOutput first;
    const auto a = authority().archive_log(k_later, first, h.caller);
    authority().add_trust(TrustPurpose::RacIssuer, xrml::PublicKey::from_botan(test::test_key(2048, 3)), "x", h.caller);
    MemoryOutput second;
    const auto b = authority().archive_log(k_later, second, h.caller);
    EXPECT_EQ(b.from.seq, a.to.seq);
    EXPECT_EQ(b.from.hash, a.to.hash);
    EXPECT_EQ(b.entries, 2);  // the first archive's entry and the trust change
    const auto check = verify(second.m_text);
    ASSERT_TRUE(check.ok) << check.problem;
    EXPECT_EQ(check.summary.from.hash, verify(first.m_text).summary.to.hash);
    EXPECT_TRUE(log().verify_log().ok);
}

TEST_F(LogArchiveAtTheAuthority, AnArchiveThatCannotBeWrittenDeletesNothing) {
    const auto before = log().read_log("");
    MemoryOutput out;
    out.m_fail = true;
    const auto error = archive_error(k_later, out);
    ASSERT_TRUE(error) << "archiving succeeded though the file could not be committed";
    EXPECT_EQ(error->kind(), ErrorKind::Storage);
    const auto after = log().read_log("");
    ASSERT_EQ(after.size(), before.size() + 1);  // every entry kept, and the failure logged
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].hash, before[i].hash);
    EXPECT_EQ(after.back().operation, "LogArchive");
    EXPECT_EQ(after.back().outcome, "refused");
    EXPECT_EQ(log().log_checkpoint().seq, 0);
    EXPECT_TRUE(log().verify_log().ok);
}

TEST_F(LogArchiveAtTheAuthority, AnEmptyCutIsRefusedClearly) {
    const auto before = log().read_log("").size();
    MemoryOutput out;
    const auto error = archive_error(xrml::Time::parse("2026-01-01T00:00"), out);
    ASSERT_TRUE(error) << "an empty cut was archived";
    EXPECT_EQ(error->kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(error->what()).find("nothing to archive"), std::string::npos) << error->what();
    EXPECT_TRUE(out.m_text.empty());
    EXPECT_EQ(log().read_log("").size(), before + 1);  // the refusal
    EXPECT_EQ(log().log_checkpoint().seq, 0);
}

TEST_F(LogArchiveAtTheAuthority, ATamperedLogIsNotArchived) {
    {
        SQLite::Database db(h.root.dir + "/xrca.db", SQLite::OPEN_READWRITE);
        ASSERT_EQ(db.exec("UPDATE enrollment_log SET caller = 'someone else' WHERE seq = 2"), 1);
    }
    MemoryOutput out;
    const auto error = archive_error(k_later, out);
    ASSERT_TRUE(error) << "a tampered log was archived";
    EXPECT_EQ(error->kind(), ErrorKind::PolicyDenied);
    EXPECT_NE(std::string(error->what()).find("entry 2"), std::string::npos) << error->what();
    EXPECT_FALSE(out.m_committed);
    EXPECT_EQ(log().log_checkpoint().seq, 0);
    EXPECT_EQ(log().read_log("").front().seq, 1);
}

TEST_F(LogArchiveAtTheAuthority, FieldsThatAreNotUtf8AreKeptExactlyAndTheFileIsValidUtf8) {
    auto e = log().read_log("").back();
    e.caller = std::string("evil \xff\xfe caller \x1b[31m");
    e.inputs = "line\nforged";
    log().append_log(e);
    MemoryOutput out;
    (void)authority().archive_log(k_later, out, h.caller);
    EXPECT_NE(out.m_text.find("\"caller_b64\":"), std::string::npos);
    EXPECT_NE(out.m_text.find("line\\nforged"), std::string::npos);
    EXPECT_EQ(out.m_text.find('\x1b'), std::string::npos);
    EXPECT_TRUE(text::is_valid_utf8(out.m_text));
    const auto check = verify(out.m_text);
    EXPECT_TRUE(check.ok) << check.problem;  // the chain's hashes cover the exact bytes
}

}  // namespace
}  // namespace xrca::ca
