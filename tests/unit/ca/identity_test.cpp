// Issue 12, items 8 and 9, at the authority on real SQLite files: a cluster GUID is bound to the
// keys certified for it, a sub-enroll principal to the GUID it first enrolled, and a server
// principal certifies other users only where a grant matches them.
#include "support/authority_fixture.h"
#include "support/capture_error.h"
#include "support/test_keys.h"

#include "ca/errors.h"
#include "ca/signer.h"
#include "ca/user_grants.h"
#include "ca/user_identity.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

namespace xrca::ca {
namespace {

using test::Hierarchy;

constexpr const char* k_guid = "{5E1F0000-0000-4000-8000-00000000A001}";
constexpr const char* k_other_guid = "{5E1F0000-0000-4000-8000-00000000A002}";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class IdentityTest : public ::testing::Test {
protected:
    Hierarchy h{2};
    Authority& root() { return *h.root.authority; }
    store::Store& store() { return *h.root.store; }

    static ClusterRequest sub_enroll_request(const std::string& guid, const Botan::RSA_PrivateKey& key) {
        ClusterRequest r;
        r.operation = ClusterOperation::SubEnroll;
        r.cluster_key = xrml::PublicKey::from_botan(key);
        r.cluster_guid = guid;
        r.name = "Licensing " + guid.substr(1, 8);
        r.url = "https://licensing.example.test/_wmcs";
        r.sku = "xrca";
        r.version = "0.1.0";
        return r;
    }
    /** The request with a renewal proof by `by` over a text naming the new key (what a transport signs). */
    ClusterRequest with_renewal_proof(ClusterRequest r, const Botan::RSA_PrivateKey& by) {
        r.renewal_proof = prove_possession(by, "<oInput>" + r.cluster_key.fingerprint() + "</oInput>",
                                           xrml::DigestAlgorithm::Sha256, h.rng);
        return r;
    }
    /** The caller the service makes for a token: the principal as the store holds it now. */
    Caller as(const std::string& token) {
        Caller c = h.caller;
        c.account = root().authenticate(token);
        EXPECT_TRUE(c.account.has_value());
        c.principal = c.account->role + ":" + c.account->name;
        return c;
    }
    std::int64_t issued() {
        std::int64_t n = 0;
        for (const auto& [kind, count] : store().counts().issued_by_kind) n += count;
        return n;
    }
    /** A refusal of `kind`, logged once as refused with `words` in its reason, and nothing issued. */
    template <typename Fn>
    void expect_refused(Fn&& fn, ErrorKind kind, const std::string& words) {
        const auto before_issued = issued();
        const auto before_log = store().counts().log_entries;
        const auto user_keys = store().counts().user_keys;
        const auto e = test::capture_error(std::forward<Fn>(fn));
        EXPECT_EQ(e.kind(), kind) << e.what();
        EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        EXPECT_EQ(issued(), before_issued) << "a refusal issued something";
        EXPECT_EQ(store().counts().user_keys, user_keys) << "a refusal escrowed a key";
        ASSERT_EQ(store().counts().log_entries, before_log + 1) << "a refusal leaves exactly one log entry";
        const auto last = store().read_log("").back();
        EXPECT_EQ(last.outcome, "refused");
        EXPECT_NE(last.reason.find(words), std::string::npos) << last.reason;
    }
    const Botan::RSA_PrivateKey& key_a = test::test_key(2048, 10);
    const Botan::RSA_PrivateKey& key_b = test::test_key(2048, 11);
    const Botan::RSA_PrivateKey& key_c = test::test_key(2048, 12);
};

TEST_F(IdentityTest, AnotherKeyForACertifiedGuidIsRefusedNamingTheGuid) {
    root().sub_enroll(sub_enroll_request(k_guid, key_a), h.caller);
    expect_refused([&] { root().sub_enroll(sub_enroll_request(k_guid, key_b), h.caller); }, ErrorKind::PolicyDenied,
                   std::string("cluster GUID ") + k_guid + " is certified here for another key");
    // The same GUID written in lower case is the same cluster.
    expect_refused([&] { root().sub_enroll(sub_enroll_request(lower(k_guid), key_b), h.caller); },
                   ErrorKind::PolicyDenied, "is certified here for another key");
    // The fixture's licensing cluster, impersonated with another key: the plain RMS request of the issue.
    const auto licensing = h.licensing.authority->record().guid;
    expect_refused([&] { root().sub_enroll(sub_enroll_request(licensing, key_c), h.caller); }, ErrorKind::PolicyDenied,
                   licensing);
    // The root's own GUID is nobody else's.
    expect_refused([&] { root().sub_enroll(sub_enroll_request(root().record().guid, key_c), h.caller); },
                   ErrorKind::PolicyDenied, "is this authority's own");
    EXPECT_TRUE(store().verify_log().ok);
}

// Cluster requests are serialised per GUID (any case), not behind one lock: of many requests
// racing for one new GUID, in both cases, with two keys, only one key is certified; requests for
// other GUIDs meanwhile are all served.
TEST_F(IdentityTest, RequestsRacingForOneNewGuidWithTwoKeysCertifyOneKey) {
    constexpr int k_threads = 8;
    std::atomic<int> certified_a{0}, certified_b{0}, refused{0}, others{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            const auto& key = t % 2 ? key_b : key_a;
            try {
                root().sub_enroll(sub_enroll_request(t % 4 < 2 ? k_guid : lower(k_guid), key), h.caller);
                ++(t % 2 ? certified_b : certified_a);
            } catch (const Error& e) {
                if (e.kind() == ErrorKind::PolicyDenied) ++refused;
            }
            char guid[40];
            static_cast<void>(std::snprintf(guid, sizeof guid, "{5E1F0000-0000-4000-8000-0000000B%04d}", t));
            root().sub_enroll(sub_enroll_request(guid, key_c), h.caller);
            ++others;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_TRUE((certified_a == k_threads / 2) != (certified_b == k_threads / 2))
        << certified_a << " with key A, " << certified_b << " with key B";
    EXPECT_EQ(certified_a + certified_b + refused, k_threads);
    EXPECT_EQ(others.load(), k_threads);
    EXPECT_EQ(store().find_by_kind_and_subject_ignoring_case(xrml::names::server_licensor_certificate, k_guid).size(),
              static_cast<std::size_t>(k_threads / 2));
    EXPECT_TRUE(store().verify_log().ok);
}

TEST_F(IdentityTest, TheSameKeyAgainIsAReIssue) {
    const auto first = root().sub_enroll(sub_enroll_request(k_guid, key_a), h.caller);
    const auto again = root().sub_enroll(sub_enroll_request(lower(k_guid), key_a), h.caller);
    EXPECT_NE(again.certificate_id, first.certificate_id);
    const auto slc = xrml::read_documents(again.documents.front()).documents.front();
    EXPECT_EQ(*slc.principal->key, xrml::PublicKey::from_botan(key_a));
}

TEST_F(IdentityTest, ARenewalProvedByTheCertifiedKeyIsAcceptedAndLogged) {
    root().sub_enroll(sub_enroll_request(k_guid, key_a), h.caller);
    // A proof by a key never certified for the GUID proves nothing.
    expect_refused([&] { root().sub_enroll(with_renewal_proof(sub_enroll_request(k_guid, key_b), key_c), h.caller); },
                   ErrorKind::PolicyDenied, "verifies with none of the 1 key(s)");
    const auto renewed = root().sub_enroll(with_renewal_proof(sub_enroll_request(k_guid, key_b), key_a), h.caller);
    const auto slc = xrml::read_documents(renewed.documents.front()).documents.front();
    EXPECT_EQ(*slc.principal->key, xrml::PublicKey::from_botan(key_b));
    const auto last = store().read_log("").back();
    EXPECT_EQ(last.outcome, "accepted");
    EXPECT_NE(last.inputs.find("renewal proved by key " + xrml::PublicKey::from_botan(key_a).fingerprint()),
              std::string::npos)
        << last.inputs;
    // Both keys are the cluster's now: either proves the next renewal.
    EXPECT_NO_THROW(root().sub_enroll(with_renewal_proof(sub_enroll_request(k_guid, key_c), key_b), h.caller));
}

TEST_F(IdentityTest, AnAdministratorReplacesAClusterAndTheLogSaysWhoseKeys) {
    root().sub_enroll(sub_enroll_request(k_guid, key_a), h.caller);
    const auto replaced = root().sub_enroll(sub_enroll_request(k_guid, key_b), h.caller, ClusterIdentity::AdminReplace);
    const auto slc = xrml::read_documents(replaced.documents.front()).documents.front();
    EXPECT_EQ(*slc.principal->key, xrml::PublicKey::from_botan(key_b));
    const auto last = store().read_log("").back();
    EXPECT_EQ(last.outcome, "accepted");
    EXPECT_EQ(last.certificate_id, replaced.certificate_id);
    EXPECT_NE(last.inputs.find("replace-cluster: replaces keys " + xrml::PublicKey::from_botan(key_a).fingerprint()),
              std::string::npos)
        << last.inputs;
}

TEST_F(IdentityTest, ARevokedSlcNoLongerBindsItsGuid) {
    const auto first = root().sub_enroll(sub_enroll_request(k_guid, key_a), h.caller);
    root().revoke({xrml::RevokeType::LicenseId, first.certificate_id, std::nullopt, "key lost"}, h.caller);
    const auto next = root().sub_enroll(sub_enroll_request(k_guid, key_b), h.caller);
    EXPECT_EQ(*xrml::read_documents(next.documents.front()).documents.front().principal->key,
              xrml::PublicKey::from_botan(key_b));
}

TEST_F(IdentityTest, ASubEnrollPrincipalIsBoundToTheFirstGuidItEnrolled) {
    const auto token = root().add_principal("lic", "sub-enroll", "", "", h.caller);
    root().sub_enroll(sub_enroll_request(k_guid, key_a), as(token));
    EXPECT_EQ(store().find_principal("lic")->cluster_guid, k_guid);
    expect_refused([&] { root().sub_enroll(sub_enroll_request(k_other_guid, key_b), as(token)); },
                   ErrorKind::PolicyDenied,
                   std::string("principal lic is bound to cluster GUID ") + k_guid +
                       " and may not enroll cluster GUID " + k_other_guid);
    // A stale record (authenticated before the binding) is refused all the same: the store decides.
    Caller stale = h.caller;
    stale.account = store::PrincipalRecord{"lic", "sub-enroll", "", "lic", "", "", "", {}};
    expect_refused([&] { root().sub_enroll(sub_enroll_request(k_other_guid, key_b), stale); }, ErrorKind::PolicyDenied,
                   "is bound to cluster GUID");
    // Its own cluster again (a re-issue) stays allowed, in either case.
    EXPECT_NO_THROW(root().sub_enroll(sub_enroll_request(lower(k_guid), key_a), as(token)));
    // The administrator frees it (logged); its next GUID binds it again.
    root().set_principal_cluster("lic", "", h.caller);
    EXPECT_EQ(store().read_log("").back().operation, "PrincipalBind");
    EXPECT_NO_THROW(root().sub_enroll(sub_enroll_request(k_other_guid, key_b), as(token)));
    EXPECT_EQ(store().find_principal("lic")->cluster_guid, k_other_guid);
    // Or rebinds it explicitly.
    root().set_principal_cluster("lic", k_guid, h.caller);
    expect_refused([&] { root().sub_enroll(sub_enroll_request(k_other_guid, key_b), as(token)); },
                   ErrorKind::PolicyDenied, "is bound to cluster GUID");
    EXPECT_THROW(root().set_principal_cluster("lic", "not-a-guid", h.caller), Error);
    const auto portal = root().add_principal("portal", "server", "", "", h.caller);
    (void)portal;
    EXPECT_THROW(root().set_principal_cluster("portal", k_guid, h.caller), Error) << "only sub-enroll principals bind";
}

class ServerScopeTest : public IdentityTest {
protected:
    std::vector<std::string> spc() {
        MachineRequest m{xrml::PublicKey::from_botan(test::test_key(2048, 8)), {}, "p", "m", "1"};
        return {root().certify_machine(m, h.caller).text()};
    }
};

TEST_F(ServerScopeTest, AServerCertifiesItsOwnUserAndOthersOnlyByGrant) {
    const std::string bob = "S-1-5-21-7-1002";
    const std::string carol = "S-1-5-21-7-1003";
    const auto token = root().add_principal("portal", "server", "portal@example.test", "", h.caller);
    const auto chain = spc();
    // Another user without a grant: refused, logged, and the user's key neither made nor handed out.
    expect_refused(
        [&] {
            root().issue_rac({chain, bob, "bob@example.test", false}, as(token));
        },
        ErrorKind::PolicyDenied, "server principal portal may not certify " + bob + " <bob@example.test>");
    // Its own user, always: the federated user of its email (docs/principals.md).
    const auto own = federation_user_id("portal@example.test");
    EXPECT_EQ(store().find_principal("portal")->user_id, own);
    EXPECT_NO_THROW(root().issue_rac({chain, own, "PORTAL@example.test", false}, as(token)));
    // Its own user ID with another user's email is not its own user.
    expect_refused(
        [&] {
            root().issue_rac({chain, own, "ceo@example.test", false}, as(token));
        },
        ErrorKind::PolicyDenied, "may not certify " + own);
    // Grants matching the user ID and the email let it certify bob (logged), nobody else.
    root().grant_principal("portal", bob, h.caller);
    root().grant_principal("portal", "bob@*", h.caller);
    EXPECT_EQ(store().read_log("").back().operation, "PrincipalGrant");
    const auto rac = root().issue_rac({chain, bob, "bob@example.test", false}, as(token));
    const auto bob_rac = xrml::read_documents(rac.documents.front()).documents.front();
    EXPECT_EQ(bob_rac.principal->object.id.value, bob);
    EXPECT_EQ(bob_rac.principal->object.id.type, "Windows") << "a SID names a directory user";
    EXPECT_TRUE(bob_rac.principal->object.addresses.empty()) << "a directory user has no email_alias";
    expect_refused(
        [&] {
            root().issue_rac({chain, bob, "ceo@example.test", false}, as(token));
        },
        ErrorKind::PolicyDenied, "no grant of it matches both");
    expect_refused(
        [&] {
            root().issue_rac({chain, carol, "bob@example.test", false}, as(token));
        },
        ErrorKind::PolicyDenied, "may not certify " + carol);
    // Withdrawn, it is refused again.
    root().revoke_principal_grant("portal", "bob@*", h.caller);
    expect_refused(
        [&] {
            root().issue_rac({chain, bob, "bob@example.test", false}, as(token));
        },
        ErrorKind::PolicyDenied, "may not certify " + bob);
    // A user principal certifies only itself; the administrator (no account) anyone.
    const auto alice = root().add_principal("alice", "user", "alice@example.test", "", h.caller);
    expect_refused(
        [&] {
            root().issue_rac({chain, bob, "bob@example.test", false}, as(alice));
        },
        ErrorKind::PolicyDenied, "certifies only its own user");
    EXPECT_NO_THROW(root().issue_rac({chain, carol, "carol@example.test", false}, h.caller));
}

TEST_F(ServerScopeTest, GrantsAreCheckedWhenAddedAndOnlyForServers) {
    EXPECT_THROW(root().add_principal("lic", "sub-enroll", "", "", h.caller, {"*"}), Error);
    EXPECT_THROW(root().add_principal("portal", "server", "", "", h.caller, {"with space"}), Error);
    EXPECT_THROW(root().add_principal("portal", "server", "", "", h.caller, {""}), Error);
    (void)root().add_principal("portal", "server", "", "", h.caller, {"b*", "a*", "b*"});
    EXPECT_EQ(store().find_principal("portal")->may_certify, (std::vector<std::string>{"a*", "b*"}));
    EXPECT_THROW(root().grant_principal("portal", "a*", h.caller), Error) << "held already";
    EXPECT_THROW(root().grant_principal("nobody", "a*", h.caller), Error);
    (void)root().add_principal("alice", "user", "alice@example.test", "", h.caller);
    EXPECT_THROW(root().grant_principal("alice", "*", h.caller), Error) << "only servers certify others";
    EXPECT_THROW(root().revoke_principal_grant("portal", "zzz", h.caller), Error);
}

TEST(GrantPatterns, MatchLikeAShellGlobIgnoringCase) {
    EXPECT_TRUE(grant_matches("*", ""));
    EXPECT_TRUE(grant_matches("*", "anyone@example.test"));
    EXPECT_TRUE(grant_matches("*@Example.TEST", "bob@example.test"));
    EXPECT_TRUE(grant_matches("S-1-5-21-7-*", "S-1-5-21-7-1001"));
    EXPECT_TRUE(grant_matches("b?b", "bob"));
    EXPECT_TRUE(grant_matches("a*b*c", "axxbyyc"));
    EXPECT_FALSE(grant_matches("b?b", "boob"));
    EXPECT_FALSE(grant_matches("*@example.test", "bob@example.test.evil"));
    EXPECT_FALSE(grant_matches("bob", "bobby"));
    EXPECT_FALSE(grant_matches("", "x"));
    // A pathological pattern against a long text ends promptly (no exponential backtracking).
    EXPECT_FALSE(grant_matches("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

}  // namespace
}  // namespace xrca::ca
