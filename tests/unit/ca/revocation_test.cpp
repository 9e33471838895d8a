// Revocation at the authority, end to end on real SQLite files: what `xrca revoke` records, the
// list the authority signs, verifiers honouring it, and issuance refusing revoked or excluded
// input — each refusal logged and changing nothing else.
#include "support/authority_fixture.h"
#include "support/capture_error.h"
#include "support/postgres_cluster.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "ca/errors.h"
#include "ca/revocation.h"
#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace xrca::ca {
namespace {

constexpr const char* k_alice_sid = "S-1-5-21-1004336348-1177238915-682003330-1001";

using test::Hierarchy;
using xrml::RevokeType;

template <typename Fn>
Error capture(Fn&& fn) {
    return test::capture_error(std::forward<Fn>(fn));
}

class RevocationAtTheAuthority : public ::testing::Test {
protected:
    Hierarchy h{2};
    Authority& root = *h.root.authority;
    Authority& licensing = *h.licensing.authority;
    const std::string spc = h.machine_spc_chain(test::test_key(2048, 8));
    const IssuedChain alice_rac = root.issue_rac({{spc}, k_alice_sid, "alice@example.test", false}, h.caller);
    const IssuedChain bob_rac = root.issue_rac({{spc}, "", "bob@example.test", false}, h.caller);
    const IssuedChain alice_clc = root.issue_clc({{alice_rac.text()}, ""}, h.caller);
    const IssuedChain bob_clc = root.issue_clc({{bob_rac.text()}, ""}, h.caller);
    const IssuedChain alice_licensing_clc = licensing.issue_clc({{alice_rac.text()}, ""}, h.caller);

    static xrml::Certificate leaf(const IssuedChain& c) {
        return xrml::read_documents(c.documents.front()).documents.at(0);
    }

    // What a relying party concludes about `chain` given the root's current list.
    xrml::ChainRevocation check(const IssuedChain& chain, const std::string& list_text) {
        const auto docs = xrml::read_documents(chain.text()).documents;
        const auto verdict = xrml::verify_ordered_chain(docs, {h.anchor(), h.clock.now(), {}});
        EXPECT_TRUE(verdict.ok()) << verdict.detail;
        const auto list = xrml::read_revocation_list(list_text);
        std::vector<xrml::CheckedList> lists;
        lists.push_back(xrml::check_list(list, h.clock.now(), std::nullopt));
        EXPECT_TRUE(lists.back().problem.empty()) << lists.back().problem;
        return xrml::check_chain_revocation(docs, verdict, lists, h.clock.now());
    }

    std::int64_t log_size() { return h.root.store->counts().log_entries; }
};

struct RevokeCase {
    const char* name;
    RevokeType type;
};

class EachRevokeType : public RevocationAtTheAuthority, public ::testing::WithParamInterface<RevokeCase> {};

// Each REVOKE type: issue, revoke, publish, verify -> refused with the right reason; the
// unrevoked siblings still verify.
TEST_P(EachRevokeType, RevokedThingsFailVerificationAndSiblingsDoNot) {
    RevocationRequest r;
    r.type = GetParam().type;
    r.reason = "test";
    const IssuedChain* revoked = nullptr;
    std::vector<const IssuedChain*> siblings;
    switch (r.type) {
        case RevokeType::LicenseId:
            r.value = alice_rac.certificate_id;
            revoked = &alice_rac;
            siblings = {&bob_rac, &bob_clc};
            break;
        case RevokeType::LicenseHash:
            r.value = xrml::license_hash(leaf(alice_clc));
            revoked = &alice_clc;
            siblings = {&bob_clc, &alice_rac, &alice_licensing_clc};
            break;
        case RevokeType::IssuerKey:  // the licensing cluster's SLC key: everything it signed
            r.key = licensing.cluster_public_key();
            revoked = &alice_licensing_clc;
            siblings = {&alice_clc, &bob_clc, &alice_rac};
            break;
        case RevokeType::IssuerId:  // the licensing cluster's GUID, the ISSUER ID of what it issues
            r.value = licensing.record().guid;
            revoked = &alice_licensing_clc;
            siblings = {&alice_clc, &bob_rac};
            break;
        case RevokeType::PrincipalId:
            r.value = k_alice_sid;
            revoked = &alice_rac;
            siblings = {&bob_rac, &bob_clc};
            break;
        case RevokeType::PrincipalKey:  // alice's user key, which her RAC certifies
            r.key = *leaf(alice_rac).principal->key;
            revoked = &alice_rac;
            siblings = {&bob_rac, &bob_clc};
            break;
        case RevokeType::ContentId:
            r.value = "{0b6c1c2a-1111-4222-8333-444455556666}";
            siblings = {&alice_rac, &bob_rac, &alice_clc, &bob_clc, &alice_licensing_clc};
            break;
    }
    const auto record = root.revoke(r, h.caller);
    EXPECT_EQ(record.type, xrml::revoke_type_name(r.type));
    const auto list_text = root.issue_revocation_list(7, h.caller);
    const auto list = xrml::read_revocation_list(list_text);
    ASSERT_EQ(list.entries.size(), 1u);
    EXPECT_EQ(list.entries[0].type, r.type);
    EXPECT_EQ(list.entries[0].match_value(), record.value);
    EXPECT_EQ(*list.document.issuer.key, root.cluster_public_key()) << "the key that issues revokes";
    EXPECT_TRUE(list.document.issuer.object.addresses.at(0).value.find("/_wmcs/revocation/RevocationList.xml") !=
                std::string::npos);
    if (revoked) {
        const auto verdict = check(*revoked, list_text);
        ASSERT_TRUE(verdict.revoked()) << GetParam().name;
        EXPECT_EQ(verdict.match.type, r.type);
        EXPECT_EQ(verdict.list_signer, root.cluster_public_key().fingerprint());
    }
    for (const auto* sibling : siblings) EXPECT_FALSE(check(*sibling, list_text).revoked()) << sibling->certificate_id;
    // The log has the revocation and the list.
    const auto log = h.root.store->read_log("");
    EXPECT_EQ(log[log.size() - 2].operation, "Revoke");
    EXPECT_EQ(log.back().operation, "RL-Sign");
    EXPECT_EQ(log.back().outcome, "accepted");
}

INSTANTIATE_TEST_SUITE_P(Types, EachRevokeType,
                         ::testing::Values(RevokeCase{"license_id", RevokeType::LicenseId},
                                           RevokeCase{"license_hash", RevokeType::LicenseHash},
                                           RevokeCase{"issuer_key", RevokeType::IssuerKey},
                                           RevokeCase{"issuer_id", RevokeType::IssuerId},
                                           RevokeCase{"principal_id", RevokeType::PrincipalId},
                                           RevokeCase{"principal_key", RevokeType::PrincipalKey},
                                           RevokeCase{"content_id", RevokeType::ContentId}),
                         [](const ::testing::TestParamInfo<RevokeCase>& p) { return std::string(p.param.name); });

TEST_F(RevocationAtTheAuthority, RevokingALicensingSlcFailsEveryClcUnderIt) {
    const auto carol_rac = root.issue_rac({{spc}, "", "carol@example.test", false}, h.caller);
    const auto carol_licensing_clc = licensing.issue_clc({{carol_rac.text()}, ""}, h.caller);
    const auto slc_id = xrml::read_documents(licensing.own_chain().front()).documents.at(0).descriptor->id.value;
    root.revoke({RevokeType::LicenseId, slc_id, std::nullopt, "cluster retired"}, h.caller);
    const auto list = root.issue_revocation_list(1, h.caller);
    for (const auto* clc : {&alice_licensing_clc, &carol_licensing_clc}) {
        const auto verdict = check(*clc, list);
        ASSERT_TRUE(verdict.revoked());
        EXPECT_EQ(*verdict.revoked_document, 1u) << "the SLC, second in the chain, is what is revoked";
        xrml::RevokeEntry expected;
        expected.object.id.value = slc_id;
        EXPECT_EQ(verdict.match.value, expected.match_value());
    }
    EXPECT_FALSE(check(alice_clc, list).revoked()) << "the root's own CLCs are untouched";
}

TEST_F(RevocationAtTheAuthority, RevokingWhatItDidNotIssueIsRefusedLoggedAndChangesNothing) {
    const auto refused = [&](RevocationRequest r, ErrorKind kind, const std::string& says) {
        const auto before = log_size();
        const auto e = capture([&] { root.revoke(r, h.caller); });
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
        EXPECT_EQ(log_size(), before + 1) << "one refused entry";
        EXPECT_EQ(h.root.store->read_log("").back().outcome, "refused");
        EXPECT_TRUE(root.list_revocations().empty()) << "nothing recorded";
    };
    refused({RevokeType::LicenseId, "{00000000-0000-4000-8000-000000000000}", std::nullopt, ""}, ErrorKind::NotFound,
            "issued no certificate");
    refused({RevokeType::LicenseHash, std::string(40, 'a'), std::nullopt, ""}, ErrorKind::NotFound,
            "issued no certificate");
    refused({RevokeType::LicenseHash, "not-hex", std::nullopt, ""}, ErrorKind::Malformed, "40 hex digits");
    refused({RevokeType::IssuerKey, "", xrml::PublicKey::from_botan(test::test_key(2048, 11)), ""}, ErrorKind::NotFound,
            "for the key");
    refused({RevokeType::PrincipalKey, "", xrml::PublicKey::from_botan(test::test_key(2048, 11)), ""},
            ErrorKind::NotFound, "for the key");
    refused({RevokeType::IssuerId, "{00000000-0000-4000-8000-000000000001}", std::nullopt, ""}, ErrorKind::NotFound,
            "to the subject");
    refused({RevokeType::PrincipalId, "has space", std::nullopt, ""}, ErrorKind::Malformed, "whitespace");
    // The licensing cluster did not issue alice's RAC: only the root did.
    const auto e = capture([&] {
        licensing.revoke({RevokeType::LicenseId, alice_rac.certificate_id, std::nullopt, ""}, h.caller);
    });
    EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    // Twice is refused too.
    root.revoke({RevokeType::LicenseId, alice_rac.certificate_id, std::nullopt, ""}, h.caller);
    const auto again = capture([&] {
        root.revoke({RevokeType::LicenseId, alice_rac.certificate_id, std::nullopt, ""}, h.caller);
    });
    EXPECT_EQ(again.kind(), ErrorKind::Conflict);
    EXPECT_EQ(root.list_revocations().size(), 1u);
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

// Refused input: the fault named, exactly one refused log entry, nothing issued.
class RefusedInput : public RevocationAtTheAuthority {
protected:
    template <typename Fn>
    void expect_refused(store::Store& s, Fn&& fn, RmsFault fault) {
        const auto before = s.counts();
        const auto e = capture(fn);
        EXPECT_EQ(e.kind(), ErrorKind::Revoked) << e.what();
        EXPECT_EQ(e.fault(), fault) << e.what();
        const auto after = s.counts();
        EXPECT_EQ(after.issued_by_kind, before.issued_by_kind) << "a refusal issued something";
        EXPECT_EQ(after.log_entries, before.log_entries + 1);
        const auto last = s.read_log("").back();
        EXPECT_EQ(last.outcome, "refused");
        EXPECT_NE(last.reason.find(rms_fault_name(fault)), std::string::npos) << last.reason;
    }
};

TEST_F(RefusedInput, CertifyRefusesARevokedMachineOrUserAndOldSecurityProcessors) {
    // A revoked SPC, by ID.
    const auto spc_id = xrml::read_documents(spc).documents.at(0).descriptor->id.value;
    root.revoke({RevokeType::LicenseId, spc_id, std::nullopt, ""}, h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_rac({{spc}, "", "dave@example.test", false}, h.caller);
        },
        RmsFault::VerifyMachineCertificateChainFailed);
    // A revoked machine key: no new SPC for it either.
    const auto fresh = h.machine_spc_chain(test::test_key(2048, 10));
    root.revoke({RevokeType::PrincipalKey, "", xrml::PublicKey::from_botan(test::test_key(2048, 10)), ""}, h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_rac({{fresh}, "", "dave@example.test", false}, h.caller);
        },
        RmsFault::VerifyMachineCertificateChainFailed);
    expect_refused(
        *h.root.store,
        [&] {
            root.certify_machine(
                {xrml::PublicKey::from_botan(test::test_key(2048, 10)), {}, "xrca", "xrca", "1.0.0.0", std::nullopt},
                h.caller);
        },
        RmsFault::VerifyMachineCertificateChainFailed);
    // A revoked user.
    const auto other = h.machine_spc_chain(test::test_key(2048, 12));
    root.revoke({RevokeType::PrincipalId, "S-1-5-21-7-666", std::nullopt, ""}, h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_rac({{other}, "S-1-5-21-7-666", "m@example.test", false}, h.caller);
        },
        RmsFault::UnauthorizedAccess);
    // A minimum security-processor version above the SPC's "1.0.0.0".
    root.set_min_spc_version("1.2", "too old", h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_rac({{other}, "", "erin@example.test", false}, h.caller);
        },
        RmsFault::BlackBoxIsInvalid);
    root.remove_exclusion(ExclusionKind::MinSpcVersion, "1.2", h.caller);
    EXPECT_NO_THROW(root.issue_rac({{other}, "", "erin@example.test", false}, h.caller));
}

TEST_F(RefusedInput, UnreadableSecurityProcessorVersionsAreRefusedNotTrusted) {
    root.set_min_spc_version("1.0.0.0", "", h.caller);
    const auto key = xrml::PublicKey::from_botan(test::test_key(2048, 10));
    for (const std::string version :
         {"", "1..0", "1.0.", ".1", "1.0.0.0.1", "9999999999", "1.0a", "-1", "\xff", "secure repository"}) {
        expect_refused(
            *h.root.store,
            [&] {
                root.certify_machine({key, {}, "xrca", "xrca", version, std::nullopt}, h.caller);
            },
            RmsFault::BlackBoxIsInvalid);
    }
    EXPECT_NO_THROW(root.certify_machine({key, {}, "xrca", "xrca", "1.0", std::nullopt}, h.caller))
        << "missing parts are 0";
    EXPECT_EQ(capture([&] { root.set_min_spc_version("1.x", "", h.caller); }).kind(), ErrorKind::Malformed);
}

// Issue 15: real SPCs write the Repository level as prose ending in the version.
TEST_F(RefusedInput, TheMinimumComparesTheVersionARepositoryValueEndsIn) {
    root.set_min_spc_version("6.1.7600.16385", "", h.caller);
    const auto key = xrml::PublicKey::from_botan(test::test_key(2048, 10));
    for (const std::string accepted :
         {"Microsoft Windows secure repository 6.1.7600.16385", "secure repository 6.1.7601.17514", "6.2",
          "repository\t10.0.0.0 \r\n", "1.0 6.1.7600.16385"}) {
        EXPECT_NO_THROW(root.certify_machine({key, {}, "xrca", "xrca", accepted, std::nullopt}, h.caller)) << accepted;
    }
    for (const std::string refused :
         {"Microsoft Windows secure repository 6.1.7600.16384", "secure repository 6.0.6000.16386",
          "repository 6.1.7600.16385 (beta)", "6.1.7600.16385 repository", "secure repository v6.1.7600.16385",
          "secure repository 6.1.7600.16385.1"}) {
        expect_refused(
            *h.root.store,
            [&] {
                root.certify_machine({key, {}, "xrca", "xrca", refused, std::nullopt}, h.caller);
            },
            RmsFault::BlackBoxIsInvalid);
    }
    // Without a version at its end, the message says so and names the value.
    const auto e = capture([&] {
        root.certify_machine({key, {}, "xrca", "xrca", "secure repository", std::nullopt}, h.caller);
    });
    EXPECT_NE(std::string(e.what()).find("'secure repository'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not end in a dotted version"), std::string::npos) << e.what();
    // Certify reads the same value from the SPC it is given.
    const auto prose_spc =
        root.certify_machine(
                {key, {}, "xrca", "xrca", "Microsoft Windows secure repository 6.1.7601.17514", std::nullopt}, h.caller)
            .text();
    EXPECT_NO_THROW(root.issue_rac({{prose_spc}, "", "frank@example.test", false}, h.caller));
    root.set_min_spc_version("6.2", "", h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_rac({{prose_spc}, "", "frank@example.test", false}, h.caller);
        },
        RmsFault::BlackBoxIsInvalid);
}

TEST_F(RefusedInput, GetClientLicensorCertRefusesRevokedOrExcludedRacs) {
    root.revoke({RevokeType::LicenseId, alice_rac.certificate_id, std::nullopt, ""}, h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_clc({{alice_rac.text()}, ""}, h.caller);
        },
        RmsFault::DrmacIsExcluded);
    // Exclusion is the root's own policy: the licensing cluster keeps its own.
    licensing.exclude_rac_key(*leaf(bob_rac).principal->key, "lost laptop", h.caller);
    expect_refused(
        *h.licensing.store,
        [&] {
            licensing.issue_clc({{bob_rac.text()}, ""}, h.caller);
        },
        RmsFault::DrmacIsExcluded);
    EXPECT_NO_THROW(root.issue_clc({{bob_rac.text()}, ""}, h.caller)) << "not excluded at the root";
    // A revoked user's RAC, and a RAC whose key is revoked.
    const auto carol = root.issue_rac({{spc}, "", "carol@example.test", false}, h.caller);
    root.revoke({RevokeType::PrincipalKey, "", *leaf(carol).principal->key, ""}, h.caller);
    expect_refused(
        *h.root.store,
        [&] {
            root.issue_clc({{carol.text()}, ""}, h.caller);
        },
        RmsFault::DrmacIsExcluded);
}

TEST_F(RefusedInput, SubEnrollRefusesARevokedClusterKey) {
    const auto key = licensing.cluster_public_key();
    root.revoke({RevokeType::IssuerKey, "", key, "compromised"}, h.caller);
    ClusterRequest r;
    r.operation = ClusterOperation::SubEnroll;
    r.cluster_key = key;
    r.cluster_guid = licensing.record().guid;
    r.name = "licensing again";
    r.url = "https://licensing.example.test/_wmcs";
    r.sku = "xrca";
    r.version = "0.1.0";
    expect_refused(
        *h.root.store, [&] { root.sub_enroll(r, h.caller); }, RmsFault::UnauthorizedAccess);
}

TEST_F(RevocationAtTheAuthority, ARevocationByAnotherProcessTakesEffectAtOnce) {
    // `xrca revoke` runs beside `xrca serve`: another Authority on the same database.
    auto other = h.open(h.root, Hierarchy::k_password);
    const auto first = root.current_revocation_list(h.caller);
    EXPECT_EQ(root.current_revocation_list(h.caller), first) << "unchanged: the cached copy";
    EXPECT_NO_THROW(root.issue_clc({{alice_rac.text()}, ""}, h.caller));
    other->revoke({RevokeType::PrincipalId, k_alice_sid, std::nullopt, ""}, h.caller);
    EXPECT_EQ(capture([&] { root.issue_clc({{alice_rac.text()}, ""}, h.caller); }).fault(), RmsFault::DrmacIsExcluded);
    const auto second = root.current_revocation_list(h.caller);
    EXPECT_NE(second, first) << "re-signed after the revocation";
    const auto list = xrml::read_revocation_list(*second);
    ASSERT_EQ(list.entries.size(), 1u);
    EXPECT_EQ(list.entries[0].object.id.value, k_alice_sid);
    // The list is re-signed before it grows stale even when nothing changed.
    h.clock.advance_seconds(h.options.revocation_list_refresh_seconds + 1);
    const auto third = root.current_revocation_list(h.caller);
    EXPECT_NE(third, second);
    EXPECT_GT(xrml::read_revocation_list(*third).document.issued.unix_seconds(), list.document.issued.unix_seconds());
}

// Issue 14: the nodes of a cluster serve one list, the one in the store, byte for byte.
class TwoNodes : public RevocationAtTheAuthority {
protected:
    // A second `xrca serve` on the root's store: its own connection, key ring and copy of the list.
    std::unique_ptr<store::Store> m_other_store = store::open_store(h.root.dir, store::OpenMode::Existing);
    Authority other{h.collaborators(*m_other_store, Hierarchy::k_password, h.root.crypto_mode), h.options};

    std::size_t lists_signed() {
        std::size_t n = 0;
        for (const auto& e : h.root.store->read_log("")) n += e.operation == "RL-Sign" ? 1 : 0;
        return n;
    }
};

TEST_F(TwoNodes, ServeTheSameSignedListAndEachRevocationReachesBoth) {
    const auto first = root.current_revocation_list(h.caller);
    const auto served = other.current_revocation_list(h.caller);
    EXPECT_EQ(*served, *first) << "the second node serves the list the first published";
    EXPECT_EQ(lists_signed(), 1u) << "and signs none of its own";
    EXPECT_EQ(other.current_revocation_list(h.caller), served) << "unchanged: its copy, not re-read";

    root.revoke({RevokeType::PrincipalId, "alice", std::nullopt, ""}, h.caller);
    const auto after = other.current_revocation_list(h.caller);
    EXPECT_NE(*after, *first);
    const auto list = xrml::read_revocation_list(*after);
    EXPECT_TRUE(xrml::verify_signature(list.document).ok());
    ASSERT_EQ(list.entries.size(), 1u);
    EXPECT_EQ(list.entries[0].object.id.value, "alice");
    EXPECT_EQ(*root.current_revocation_list(h.caller), *after) << "the first node now serves the second's";
    EXPECT_EQ(lists_signed(), 2u);

    // Re-signed once when it ages, by whichever node notices first; the other serves that one.
    h.clock.advance_seconds(h.options.revocation_list_refresh_seconds + 1);
    const auto aged = root.current_revocation_list(h.caller);
    EXPECT_NE(*aged, *after);
    EXPECT_EQ(*other.current_revocation_list(h.caller), *aged);
    EXPECT_EQ(lists_signed(), 3u);
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

TEST_F(TwoNodes, NodesAskingAtOnceAfterARevocationPublishOneListAndLogOnlyIt) {
    const auto before = root.current_revocation_list(h.caller);
    const auto signed_before = lists_signed();
    root.revoke({RevokeType::LicenseId, bob_rac.certificate_id, std::nullopt, ""}, h.caller);
    std::shared_ptr<const std::string> a, b;
    std::atomic<int> ready{0};
    const auto ask = [&](Authority& node, std::shared_ptr<const std::string>& out) {
        ready.fetch_add(1);
        while (ready.load() < 2) std::this_thread::yield();  // start together
        out = node.current_revocation_list(h.caller);
    };
    std::thread t1([&] { ask(root, a); });
    std::thread t2([&] { ask(other, b); });
    t1.join();
    t2.join();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b) << "both nodes serve the one list that was published";
    EXPECT_NE(*a, *before);
    EXPECT_EQ(xrml::read_revocation_list(*a).entries.size(), 1u);
    EXPECT_EQ(lists_signed(), signed_before + 1) << "a node that lost the race logs no RL-Sign";
    const auto published = h.root.store->published_revocation_list_head();
    ASSERT_TRUE(published);
    EXPECT_EQ(h.root.store->read_log("").back().certificate_id, published->id);
}

// Issue 14 on PostgreSQL: two nodes of a cluster on one database (a server this test process
// starts), each with its own connections, key ring and copy of the list.
TEST(PublishedListOnPostgreSql, TwoNodesServeOneListAndARevocationOnOneReachesTheOther) {
    Hierarchy h{2};
    auto& cluster = test::PostgresCluster::shared();
    const auto database = cluster.create_database();
    const auto locator = cluster.locator(database);
    {
        auto store_a = store::open_store(locator, store::OpenMode::Create);
        ProvisionRequest r;
        r.role = Role::Root;
        r.name = "Cluster Root";
        r.base_url = "https://cluster.example.test/_wmcs";
        r.self_enroll = true;
        Authority::provision(h.collaborators(*store_a, Hierarchy::k_password, r.crypto_mode), r, h.caller, h.options);
        auto store_b = store::open_store(locator, store::OpenMode::Existing);
        Authority a(h.collaborators(*store_a, Hierarchy::k_password, r.crypto_mode), h.options);
        Authority b(h.collaborators(*store_b, Hierarchy::k_password, r.crypto_mode), h.options);

        const auto first = a.current_revocation_list(h.caller);
        EXPECT_EQ(*b.current_revocation_list(h.caller), *first);
        a.revoke({RevokeType::PrincipalId, "alice", std::nullopt, ""}, h.caller);
        const auto after = b.current_revocation_list(h.caller);
        const auto list = xrml::read_revocation_list(*after);
        ASSERT_EQ(list.entries.size(), 1u);
        EXPECT_EQ(list.entries[0].object.id.value, "alice");
        EXPECT_EQ(*a.current_revocation_list(h.caller), *after);
        std::size_t signed_lists = 0;
        for (const auto& e : store_a->read_log("")) signed_lists += e.operation == "RL-Sign" ? 1 : 0;
        EXPECT_EQ(signed_lists, 2u);
    }
    cluster.drop_database(database);
}

TEST_F(RevocationAtTheAuthority, ADecommissionedClusterIssuesNothingButServesItsList) {
    root.revoke({RevokeType::LicenseId, bob_rac.certificate_id, std::nullopt, ""}, h.caller);
    auto other = h.open(h.root, Hierarchy::k_password);
    other->decommission(h.caller);
    const auto e = capture([&] { root.issue_rac({{spc}, "", "zed@example.test", false}, h.caller); });
    EXPECT_EQ(e.fault(), RmsFault::ClusterDecommissioned) << "a running service notices";
    EXPECT_EQ(capture([&] {
                  root.issue_clc({{alice_rac.text()}, ""}, h.caller);
              }).fault(),
              RmsFault::ClusterDecommissioned);
    // [MS-RMPR] 3.7.4.1: GetLicensorCertificate is refused too; the list is still served.
    EXPECT_EQ(capture([&] { root.get_licensor_certificate(h.caller); }).fault(), RmsFault::ClusterDecommissioned);
    EXPECT_EQ(xrml::read_revocation_list(*root.current_revocation_list(h.caller)).entries.size(), 1u);
    EXPECT_EQ(root.status().state, "decommissioned");
    EXPECT_EQ(capture([&] { other->decommission(h.caller); }).kind(), ErrorKind::WrongState);
    EXPECT_EQ(h.root.store->read_log("").back().outcome, "refused");
}

// Issue 15: a custom authority's list names its issuer as the SLC's REFRESH point names the
// authority, so a client can match the two; principal IDs carry the RAC's ID types.
TEST(RevocationLists, ACustomAuthoritysListIsNamedAsTheSlcNamesItAndCountsForTheChain) {
    Botan::System_RNG rng;
    SoftwareSigner ra(std::make_unique<Botan::RSA_PrivateKey>(test::test_key(2048, 9)), xrml::DigestAlgorithm::Sha256,
                      rng);
    RevocationListHeader header{"{5e0a2c1b-0000-4000-8000-000000000002}", xrml::Time::parse("2026-03-01T12:00"),
                                std::nullopt,
                                custom_authority_list_issuer("Contoso revocation", "https://ra.example.test/rl.xml")};
    const auto sample = test::build_sample_hierarchy(test::Mode{2}, true);
    const auto rac_user = xrml::read_documents(sample.rac).documents[0].principal->object.id.value;
    const auto text = sign_revocation_list(
        ra, header,
        {revoke_entry({RevokeType::PrincipalId, "S-1-5-21-1111111111-2222222222-3333333333-1001", std::nullopt, ""}),
         revoke_entry({RevokeType::PrincipalId, rac_user, std::nullopt, ""})});
    // The markup, as a client reads it.
    EXPECT_NE(text.find("<REVOCATIONLIST type=\"Revocation-List\">"), std::string::npos) << text;
    EXPECT_NE(text.find("<OBJECT type=\"Group-Identity\"><ID type=\"Windows\">S-1-5-21-1111111111-2222222222-"
                        "3333333333-1001</ID></OBJECT>"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("<OBJECT type=\"Group-Identity\"><ID type=\"Federation\">" + rac_user + "</ID></OBJECT>"),
              std::string::npos)
        << text;
    const auto list = xrml::read_revocation_list(text);
    const auto slc = xrml::read_documents(sample.slc).documents[0];
    ASSERT_EQ(slc.refresh.size(), 1u);
    ASSERT_EQ(slc.refresh[0].points.size(), 1u);
    const auto& point = slc.refresh[0].points[0];
    EXPECT_EQ(list.document.issuer.object.id.type, point.object.id.type);
    EXPECT_EQ(list.document.issuer.object.id.value, point.object.id.value);
    EXPECT_EQ(list.document.issuer.object.id.value, "External revocation authority");
    EXPECT_EQ(list.document.issuer.object.type, "Revocation-List");
    EXPECT_EQ(list.document.issuer.object.name, std::optional<std::string>("Contoso revocation"));
    EXPECT_EQ(*list.document.issuer.key, *point.key);
    // And it counts: the RAC under that SLC is revoked by its principal ID.
    const auto docs = xrml::read_documents(sample.rac_chain()).documents;
    const auto chain =
        xrml::verify_ordered_chain(docs, {sample.anchor_fingerprint, xrml::Time::parse("2026-03-01T13:00"), {}});
    ASSERT_TRUE(chain.ok()) << chain.detail;
    const auto checked = xrml::check_list(list, xrml::Time::parse("2026-03-01T13:00"), std::nullopt);
    const auto verdict = xrml::check_chain_revocation(docs, chain, {checked}, xrml::Time::parse("2026-03-01T13:00"));
    ASSERT_TRUE(verdict.revoked());
    EXPECT_EQ(*verdict.revoked_document, 0u);
    EXPECT_EQ(verdict.match.type, RevokeType::PrincipalId);
}

TEST(RevocationLists, ACustomAuthoritySignsAListOfItsOwnKey) {
    // revoke_entry + sign_revocation_list are what `xrca revocation-authority sign` runs.
    Botan::System_RNG rng;
    auto ra_key = std::make_unique<Botan::RSA_PrivateKey>(test::test_key(2048, 9));
    SoftwareSigner ra(std::move(ra_key), xrml::DigestAlgorithm::Sha256, rng);
    RevocationListHeader header{"{5e0a2c1b-0000-4000-8000-000000000001}",
                                xrml::Time::parse("2026-03-01T12:00"),
                                std::nullopt,
                                {xrml::names::revocation_list,
                                 {xrml::names::guid, "{5e0a2c1b-0000-4000-8000-0000000000ff}"},
                                 std::string("RA"),
                                 {}}};
    const auto text =
        sign_revocation_list(ra, header,
                             {revoke_entry({RevokeType::ContentId, "{c0}", std::nullopt, ""}),
                              revoke_entry({RevokeType::LicenseHash, std::string(40, 'b'), std::nullopt, ""})});
    const auto list = xrml::read_revocation_list(text);
    EXPECT_TRUE(xrml::verify_signature(list.document).ok());
    EXPECT_EQ(*list.document.issuer.key, ra.public_key());
    ASSERT_EQ(list.entries.size(), 2u);
    EXPECT_EQ(list.entries[1].match_value(), std::string(40, 'b'));
    EXPECT_EQ(capture([] { revoke_entry({RevokeType::IssuerKey, "", std::nullopt, ""}); }).kind(), ErrorKind::Usage);
}

}  // namespace
}  // namespace xrca::ca
