// The store contract (contract_test.cpp), policy and lookups: revocations, the published
// revocation list, exclusions, trust lists, finding and listing certificates.
#include "store/log_chain.h"
#include "unit/store/contract_fixture.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace xrca::store::contract {
namespace {

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

}  // namespace
}  // namespace xrca::store::contract
