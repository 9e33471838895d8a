// The authority end to end on real SQLite files: every chain verifies to the enrollment
// service's anchor, every refusal is logged and changes nothing else, keys stay sealed.
#include "support/authority_fixture.h"
#include "support/capture_error.h"
#include "support/forwarding_store.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "ca/errors.h"
#include "xrml/chain.h"
#include "xrml/enabling_bits.h"
#include "xrml/raw_document.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace xrca::ca {
namespace {

using test::Hierarchy;

xrml::ChainResult verify_to(const std::string& text, const std::string& anchor, xrml::Time at) {
    const auto docs = xrml::read_documents(text).documents;
    return xrml::verify_ordered_chain(docs, {anchor, at, {}});
}

// Counts what a refusal must not change, and what it must add (one refused log entry).
struct Snapshot {
    std::int64_t certificates = 0, pending = 0, user_keys = 0, log_entries = 0, refusals = 0;
    static Snapshot of(store::Store& s) {
        Snapshot snap;
        const auto c = s.counts();
        for (const auto& [kind, n] : c.issued_by_kind) snap.certificates += n;
        snap.pending = c.pending;
        snap.user_keys = c.user_keys;
        snap.log_entries = c.log_entries;
        for (const auto& e : s.read_log("")) snap.refusals += e.outcome == "refused" ? 1 : 0;
        return snap;
    }
};

void expect_refused_and_logged(store::Store& s, const Snapshot& before, const Error& e, ErrorKind kind,
                               RmsFault fault) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_EQ(e.fault(), fault) << e.what();
    const auto after = Snapshot::of(s);
    EXPECT_EQ(after.certificates, before.certificates) << "a refusal issued something";
    EXPECT_EQ(after.pending, before.pending);
    EXPECT_EQ(after.user_keys, before.user_keys);
    EXPECT_EQ(after.log_entries, before.log_entries + 1) << "a refusal must leave exactly one log entry";
    EXPECT_EQ(after.refusals, before.refusals + 1);
    const auto last = s.read_log("").back();
    EXPECT_EQ(last.outcome, "refused");
    EXPECT_NE(last.reason.find(rms_fault_name(fault)), std::string::npos) << last.reason;
    EXPECT_TRUE(s.verify_log().ok);
}

template <typename Fn>
Error capture(Fn&& fn) {
    return test::capture_error(std::forward<Fn>(fn));
}

class AuthorityTest : public ::testing::TestWithParam<int> {
protected:
    Hierarchy h{GetParam()};
    const Botan::RSA_PrivateKey& machine = test::test_key(GetParam() == 2 ? 2048 : 1024, 8);
};

TEST_P(AuthorityTest, EveryChainVerifiesToTheEnrollmentServiceAnchor) {
    const auto at = h.clock.now();
    const auto spc = h.machine_spc_chain(machine);
    auto r = verify_to(spc, h.anchor(), at);
    EXPECT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.path.size(), 6u) << "SPC, activation issuer, SLC, enrollment service, enrollment CA, CA";

    const auto rac = h.root.authority->issue_rac({{spc}, "S-1-5-21-1-2-3-1001", "alice@example.test", false}, h.caller);
    r = verify_to(rac.text(), h.anchor(), at);
    EXPECT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.path.size(), 5u);

    const auto clc = h.root.authority->issue_clc({{rac.text()}}, h.caller);
    r = verify_to(clc.text(), h.anchor(), at);
    EXPECT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.path.size(), 5u) << "CLC, root SLC, enrollment service, enrollment CA, CA";

    // A licensing cluster's CLC chains through its SLC to the root's SLC and on to the anchor.
    const auto lclc = h.licensing.authority->issue_clc({{rac.text()}}, h.caller);
    r = verify_to(lclc.text(), h.anchor(), at);
    EXPECT_TRUE(r.ok()) << r.detail;
    EXPECT_EQ(r.path.size(), 6u) << "CLC, licensing SLC, root SLC, enrollment service, enrollment CA, CA";
}

TEST_P(AuthorityTest, TheRacAndClcFollowTheirTemplates) {
    const auto rac_chain = h.root.authority->issue_rac(
        {{h.machine_spc_chain(machine)}, "{8d6f1c2e-4b7a-4e1d-9c3f-0a1b2c3d4e5f}", "bob@example.test", true}, h.caller);
    const auto rac = xrml::read_documents(rac_chain.documents.front()).documents.front();
    ASSERT_TRUE(rac.validity);
    EXPECT_EQ(rac.validity->from, h.clock.now().plus_seconds(-15 * 60)) << "back-dated by the 15-minute tolerance";
    EXPECT_EQ(rac.validity->until, h.clock.now().plus_seconds(15 * 60)) << "temporary: 15 minutes";
    EXPECT_EQ(rac.principal->security_level("Group-Identity-Credential-Type"), "Temporary");
    EXPECT_EQ(rac.principal->object.id.type, "Federation");
    EXPECT_EQ(rac.federation_principal->enabling_bits->type, GetParam() == 2 ? "sealed-key-v2" : "sealed-key");

    const auto clc_chain = h.root.authority->issue_clc({{rac_chain.text()}}, h.caller);
    const auto clc = xrml::read_documents(clc_chain.documents.front()).documents.front();
    EXPECT_EQ(clc.issue_right->range->from, rac.validity->from) << "CLC range = RAC validity";
    EXPECT_EQ(clc.issue_right->range->until, rac.validity->until);
    EXPECT_EQ(clc.principal->object.id.value, "{8d6f1c2e-4b7a-4e1d-9c3f-0a1b2c3d4e5f}");
    EXPECT_EQ(clc.distribution_points.front().object.addresses.front().value,
              "https://root.example.test/_wmcs/licensing");
}

TEST_P(AuthorityTest, OneKeyPerUserOnEveryMachineAndItUnsealsToTheRacKey) {
    const auto spc1 = h.machine_spc_chain(machine);
    const auto spc2 = h.machine_spc_chain(test::test_key(GetParam() == 2 ? 2048 : 1024, 7));
    const auto rac1 =
        xrml::read_documents(
            h.root.authority->issue_rac({{spc1}, "", "carol@example.test", false}, h.caller).documents.front())
            .documents.front();
    const auto rac2 =
        xrml::read_documents(
            h.root.authority->issue_rac({{spc2}, "", "carol@example.test", false}, h.caller).documents.front())
            .documents.front();
    EXPECT_EQ(*rac1.principal->key, *rac2.principal->key) << "the user's key is reused on every machine";

    const auto user = xrml::unseal_private_key(*rac1.federation_principal->enabling_bits, machine,
                                               xrml::body_child_text(rac1.raw, "ISSUER"), h.rng);
    EXPECT_EQ(xrml::PublicKey::from_botan(*user), *rac1.principal->key);

    const auto clc =
        xrml::read_documents(
            h.root.authority->issue_clc({{rac1.raw.text + h.root.authority->own_chain().front()}}, h.caller)
                .documents.front())
            .documents.front();
    const auto clc_key = xrml::unseal_private_key(*clc.issue_right->enabling_bits, *user,
                                                  xrml::body_child_text(clc.raw, "ISSUER"), h.rng);
    EXPECT_EQ(xrml::PublicKey::from_botan(*clc_key), *clc.principal->key);
}

TEST_P(AuthorityTest, ALicensingClusterIssuesNoRac) {
    const auto spc = h.machine_spc_chain(machine);
    const auto before = Snapshot::of(*h.licensing.store);
    const auto e = capture([&] {
        h.licensing.authority->issue_rac({{spc}, "", "dave@example.test", false}, h.caller);
    });
    expect_refused_and_logged(*h.licensing.store, before, e, ErrorKind::PolicyDenied, RmsFault::UnauthorizedAccess);
}

TEST_P(AuthorityTest, WhoMayIssueWhat) {
    ca::ClusterRequest sr{ca::ClusterOperation::SubEnroll,
                          h.licensing.authority->cluster_public_key(),
                          "{00000000-0000-4000-8000-000000000001}",
                          "x",
                          "https://x.example.test/_wmcs",
                          "xrca",
                          "1"};
    EXPECT_EQ(capture([&] { h.enrollment.authority->sub_enroll(sr, h.caller); }).kind(), ErrorKind::PolicyDenied);
    EXPECT_EQ(capture([&] { h.licensing.authority->sub_enroll(sr, h.caller); }).kind(), ErrorKind::PolicyDenied);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    EXPECT_EQ(capture([&] { h.licensing.authority->certify_machine(m, h.caller); }).kind(), ErrorKind::PolicyDenied);
    EXPECT_EQ(capture([&] { h.enrollment.authority->certify_machine(m, h.caller); }).kind(), ErrorKind::PolicyDenied);
    ca::ClusterRequest er{ca::ClusterOperation::Enroll,
                          h.root.authority->cluster_public_key(),
                          "{00000000-0000-4000-8000-000000000002}",
                          "x",
                          "https://x.example.test/_wmcs",
                          "xrca",
                          "1"};
    EXPECT_EQ(capture([&] { h.root.authority->enroll(er, h.caller); }).kind(), ErrorKind::PolicyDenied);
    EXPECT_EQ(capture([&] { h.enrollment.authority->issue_clc({{"x"}}, h.caller); }).kind(), ErrorKind::PolicyDenied);
}

TEST_P(AuthorityTest, AnSpcFromAnUntrustedIssuerIsRefused) {
    auto stranger = h.provision_cluster("stranger", ca::Role::Root, GetParam(), true);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto foreign_spc = stranger.authority->certify_machine(m, h.caller).text();

    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] {
        h.root.authority->issue_rac({{foreign_spc}, "", "erin@example.test", false}, h.caller);
    });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied,
                              RmsFault::VerifyMachineCertificateChainFailed);

    // Once its activation issuer is trusted, the same SPC is accepted.
    const auto activation_key = *xrml::read_documents(foreign_spc).documents.front().issuer.key;
    h.root.authority->add_trust(ca::TrustPurpose::SpcIssuer, activation_key, "other root's machines", h.caller);
    EXPECT_NO_THROW(h.root.authority->issue_rac({{foreign_spc}, "", "erin@example.test", false}, h.caller));
}

// Issue 15: a Windows-activation SPC declares a SHA1 hardware ID of 160 bits and carries more;
// it is refused for its issuer until that is trusted, never for its form.
TEST_P(AuthorityTest, AnSpcWithAnOverLongHardwareIdIsCertifiedOnceItsIssuerIsTrusted) {
    const std::vector<std::uint8_t> hardware_id(40, 0x5c);
    const auto spc = test::build_sample_spc(test::Mode{2}, xrml::Digest{xrml::DigestAlgorithm::Sha1, hardware_id, 160},
                                            "Microsoft Windows secure repository 6.1.7600.16385");
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_rac({{spc}, "", "kim@example.test", false}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied,
                              RmsFault::VerifyMachineCertificateChainFailed);
    EXPECT_NE(std::string(e.what()).find("not issued by a trusted SPC issuer"), std::string::npos) << e.what();

    const auto activation_key = *xrml::read_documents(spc).documents.front().issuer.key;
    h.root.authority->add_trust(ca::TrustPurpose::SpcIssuer, activation_key, "Windows activation", h.caller);
    h.root.authority->set_min_spc_version("6.1.7600.16385", "", h.caller);
    const auto rac = h.root.authority->issue_rac({{spc}, "", "kim@example.test", false}, h.caller);
    const auto issued = xrml::read_documents(rac.documents.front()).documents.front();
    ASSERT_TRUE(issued.federation_principal);
    EXPECT_EQ(issued.federation_principal->object.id.value, "{7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d}");
    EXPECT_EQ(issued.federation_principal->security_level("Repository"),
              "Microsoft Windows secure repository 6.1.7600.16385");
}

// Issue 15: real servers write Server-Version in four parts ("6.0.0.0"); so does a self-enrolled SLC.
TEST_P(AuthorityTest, ASelfEnrolledSlcWritesItsServerVersionInFourParts) {
    auto self = h.provision_cluster("selfie", ca::Role::Root, GetParam(), true);
    const auto slc = xrml::read_documents(self.authority->own_chain().front()).documents.front();
    ASSERT_TRUE(slc.principal);
    EXPECT_EQ(slc.principal->security_level("Server-Version"), "0.1.0.0");
    // A version given in fewer parts is written in four; one that is not a version is refused.
    ca::ProvisionRequest r;
    r.role = ca::Role::Root;
    r.name = "shortversion";
    r.base_url = "https://shortversion.example.test/_wmcs";
    r.crypto_mode = test::mode_number(GetParam());
    r.self_enroll = true;
    r.version = "6.1";
    auto shorter = h.provision("shortversion", r);
    EXPECT_EQ(xrml::read_documents(shorter.authority->own_chain().front())
                  .documents.front()
                  .principal->security_level("Server-Version"),
              "6.1.0.0");
    r.name = "badversion";
    r.version = "six";
    EXPECT_EQ(capture([&] { (void)h.provision("badversion", r); }).kind(), ErrorKind::Malformed);
}

// Issue 13: accepted chains are remembered, but never past what accepted them.
TEST_P(AuthorityTest, ARememberedSpcChainIsRefusedOnceItsIssuerIsNoLongerTrusted) {
    auto stranger = h.provision_cluster("stranger", ca::Role::Root, GetParam(), true);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto foreign_spc = stranger.authority->certify_machine(m, h.caller).text();
    const auto activation_key = *xrml::read_documents(foreign_spc).documents.front().issuer.key;
    h.root.authority->add_trust(ca::TrustPurpose::SpcIssuer, activation_key, "other root's machines", h.caller);
    EXPECT_NO_THROW(h.root.authority->issue_rac({{foreign_spc}, "", "ivan@example.test", false}, h.caller));
    EXPECT_NO_THROW(h.root.authority->issue_rac({{foreign_spc}, "", "ivan@example.test", false}, h.caller));

    h.root.authority->remove_trust(activation_key.fingerprint(), h.caller);
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] {
        h.root.authority->issue_rac({{foreign_spc}, "", "ivan@example.test", false}, h.caller);
    });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied,
                              RmsFault::VerifyMachineCertificateChainFailed);
}

TEST_P(AuthorityTest, ARememberedRacIsRefusedOnceItExpires) {
    const auto rac =
        h.root.authority->issue_rac({{h.machine_spc_chain(machine)}, "", "judy@example.test", true}, h.caller);
    EXPECT_NO_THROW(h.root.authority->issue_clc({{rac.text()}}, h.caller));
    h.clock.advance_seconds(16 * 60);  // past the 15-minute temporary validity
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_clc({{rac.text()}}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied, RmsFault::InvalidPersonaCertTime);
}

TEST_P(AuthorityTest, ARememberedRacIsRefusedOnceItsIssuerIsNoLongerTrusted) {
    auto stranger = h.provision_cluster("stranger", ca::Role::Root, GetParam(), true);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto spc = stranger.authority->certify_machine(m, h.caller).text();
    const auto rac = stranger.authority->issue_rac({{spc}, "", "ken@example.test", false}, h.caller).text();
    const auto stranger_key = stranger.authority->cluster_public_key();
    h.root.authority->add_trust(ca::TrustPurpose::RacIssuer, stranger_key, "trusted user domain", h.caller);
    EXPECT_NO_THROW(h.root.authority->issue_clc({{rac}}, h.caller));
    h.root.authority->remove_trust(stranger_key.fingerprint(), h.caller);
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_clc({{rac}}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied, RmsFault::UntrustedPersonaCert);
}

TEST_P(AuthorityTest, ARacWithATamperedByteIsRefused) {
    const auto rac =
        h.root.authority->issue_rac({{h.machine_spc_chain(machine)}, "", "frank@example.test", false}, h.caller);
    auto text = rac.text();
    const auto at = text.find("frank@example.test");
    text[at] = 'g';
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_clc({{text}}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied, RmsFault::InvalidPersonaCertSignature);
}

TEST_P(AuthorityTest, AnExpiredRacIsRefused) {
    const auto rac =
        h.root.authority->issue_rac({{h.machine_spc_chain(machine)}, "", "grace@example.test", true}, h.caller);
    h.clock.advance_seconds(16 * 60);  // past the 15-minute temporary validity
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_clc({{rac.text()}}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied, RmsFault::InvalidPersonaCertTime);
}

TEST_P(AuthorityTest, ARacFromAnotherClusterIsUntrustedUntilTrusted) {
    auto stranger = h.provision_cluster("stranger", ca::Role::Root, GetParam(), true);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto spc = stranger.authority->certify_machine(m, h.caller).text();
    const auto rac = stranger.authority->issue_rac({{spc}, "", "heidi@example.test", false}, h.caller).text();
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { h.root.authority->issue_clc({{rac}}, h.caller); });
    expect_refused_and_logged(*h.root.store, before, e, ErrorKind::PolicyDenied, RmsFault::UntrustedPersonaCert);
    h.root.authority->add_trust(ca::TrustPurpose::RacIssuer, stranger.authority->cluster_public_key(),
                                "trusted user domain", h.caller);
    EXPECT_NO_THROW(h.root.authority->issue_clc({{rac}}, h.caller));
}

TEST_P(AuthorityTest, AKeyOfTheOtherModeIsAnUnsupportedCryptographicSet) {
    const auto& other_mode_key = test::test_key(GetParam() == 2 ? 1024 : 2048, 6);
    ca::ClusterRequest er{ca::ClusterOperation::Enroll,
                          xrml::PublicKey::from_botan(other_mode_key),
                          "{00000000-0000-4000-8000-000000000003}",
                          "x",
                          "https://x.example.test/_wmcs",
                          "xrca",
                          "1"};
    const auto before = Snapshot::of(*h.enrollment.store);
    const auto e = capture([&] { h.enrollment.authority->enroll(er, h.caller); });
    expect_refused_and_logged(*h.enrollment.store, before, e, ErrorKind::PolicyDenied,
                              RmsFault::UnsupportedCryptographicSet);
}

TEST_P(AuthorityTest, AWrongPasswordIsRefusedAndChangesNothing) {
    const auto spc = h.machine_spc_chain(machine);
    auto wrong = h.open(h.root, "not-the-password");
    const auto before = Snapshot::of(*h.root.store);
    const auto e = capture([&] { wrong->issue_rac({{spc}, "", "ivan@example.test", false}, h.caller); });
    EXPECT_NE(std::string(e.what()).find("wrong password"), std::string::npos) << e.what();
    const auto after = Snapshot::of(*h.root.store);
    EXPECT_EQ(after.certificates, before.certificates);
    EXPECT_EQ(after.user_keys, before.user_keys);
    EXPECT_EQ(after.refusals, before.refusals + 1);
    EXPECT_EQ(e.kind(), ErrorKind::KeyUnavailable);
}

TEST_P(AuthorityTest, AClusterAwaitingEnrollmentIssuesNothing) {
    auto waiting = h.provision_cluster("waiting", ca::Role::Root, GetParam(), false);
    const auto e = capture([&] { waiting.authority->issue_clc({{"x"}}, h.caller); });
    EXPECT_EQ(e.kind(), ErrorKind::WrongState);
    EXPECT_NE(std::string(e.what()).find("awaiting enrollment"), std::string::npos);
}

TEST_P(AuthorityTest, ActivationChecksTheSlcIsForThisCluster) {
    auto second = h.provision_cluster("second", ca::Role::Root, GetParam(), false);
    // An SLC issued to the first root (another key and GUID) is refused.
    const auto first_chain = h.root.authority->own_chain();
    std::string text;
    for (const auto& d : first_chain) text += d;
    const auto e = capture([&] { second.authority->activate({text}, h.caller); });
    EXPECT_EQ(e.kind(), ErrorKind::PolicyDenied);
    EXPECT_EQ(second.authority->status().state, "awaiting-response");
}

TEST_P(AuthorityTest, CustomRevocationAuthoritiesAreInTheSlc) {
    ca::ProvisionRequest rc;
    rc.role = ca::Role::Root;
    rc.name = "Custom Root";
    rc.base_url = "https://custom.example.test/_wmcs";
    rc.crypto_mode = test::mode_number(GetParam());
    rc.trust_anchor = h.anchor();
    auto custom = h.provision("custom", rc);
    const auto ra1 = xrml::PublicKey::from_botan(test::test_key(2048, 1));
    const auto ra2 = xrml::PublicKey::from_botan(test::test_key(2048, 2));
    ca::ClusterRequest er{ca::ClusterOperation::Enroll,
                          custom.authority->cluster_public_key(),
                          custom.authority->record().guid,
                          rc.name,
                          rc.base_url,
                          "xrca",
                          "1",
                          ca::RevocationMode::Custom,
                          {ra1, ra2}};
    const auto chain = h.enrollment.authority->enroll(er, h.caller);
    const auto slc = xrml::read_documents(chain.documents.front()).documents.front();
    ASSERT_EQ(slc.refresh.size(), 1u);
    ASSERT_EQ(slc.refresh[0].points.size(), 3u) << "the issuer's own key, then each authority";
    EXPECT_EQ(*slc.refresh[0].points[1].key, ra1);
    EXPECT_EQ(*slc.refresh[0].points[2].key, ra2);
    EXPECT_EQ(slc.refresh[0].points[1].object.type, "Revocation");
    custom.authority->activate({chain.text()}, h.caller);
    EXPECT_EQ(custom.authority->status().state, "active");
}

// Crash safety: the store fails between signing and commit. Nothing leaves without its record.
class FailingCompletionStore final : public test::ForwardingStore {
public:
    using ForwardingStore::ForwardingStore;
    void complete_issuance(const std::string&, const std::string&) override {
        throw store::StorageError("disk unplugged");
    }
};

TEST_P(AuthorityTest, NothingLeavesWithoutItsRecord) {
    const auto spc = h.machine_spc_chain(machine);
    FailingCompletionStore failing(*h.root.store);
    ca::Authority authority(h.collaborators(failing, Hierarchy::k_password, ca::CryptoMode::mode2()), h.options);
    const auto before = h.root.store->counts();
    std::optional<IssuedChain> leaked;
    const auto e = capture([&] { leaked = authority.issue_rac({{spc}, "", "judy@example.test", false}, h.caller); });
    EXPECT_FALSE(leaked.has_value()) << "a certificate left without its committed record";
    EXPECT_EQ(e.kind(), ErrorKind::Internal);
    const auto after = h.root.store->counts();
    EXPECT_EQ(after.issued_by_kind, before.issued_by_kind) << "nothing may count as issued";
    // The intent was recorded before signing: the abandoned row is the evidence.
    const auto log = h.root.store->read_log("");
    ASSERT_GE(log.size(), 2u);
    EXPECT_EQ(log[log.size() - 2].outcome, "accepted");
    EXPECT_EQ(log.back().outcome, "failed");
    const auto record = h.root.store->find_certificate(log.back().certificate_id);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->status, "abandoned");
    EXPECT_FALSE(record->xrml.has_value());
    EXPECT_FALSE(record->body.empty()) << "the exact BODY was recorded before signing";
}

TEST_P(AuthorityTest, ConcurrentIssuanceKeepsTheLogIntact) {
    const auto spc = h.machine_spc_chain(machine);
    std::vector<std::thread> threads;
    std::atomic<int> issued{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 3; ++i) {
                const auto id = "user-" + std::to_string(t) + "-" + std::to_string(i);
                h.root.authority->issue_rac({{spc}, "", id + "@example.test", false}, h.caller);
                ++issued;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(issued.load(), 12);
    EXPECT_EQ(h.root.store->counts().issued_by_kind.at("Group-Identity-Credential"), 12);
    EXPECT_TRUE(h.root.store->verify_log().ok);
}

INSTANTIATE_TEST_SUITE_P(CryptoModes, AuthorityTest, ::testing::Values(2, 1),
                         [](const auto& param_info) { return "mode" + std::to_string(param_info.param); });

}  // namespace
}  // namespace xrca::ca

namespace xrca::ca {
namespace {

TEST(Principals, TokensAuthenticateOnlyTheirPrincipalAndAreStoredAsHashes) {
    test::Hierarchy h(2);
    const auto token = h.root.authority->add_principal("alice", "user", "alice@example.test", "", h.caller);
    EXPECT_EQ(token.rfind("xrca_", 0), 0u);
    EXPECT_GE(token.size(), 45u);
    const auto who = h.root.authority->authenticate(token);
    ASSERT_TRUE(who.has_value());
    EXPECT_EQ(who->name, "alice");
    // The user ID defaults to the federated GUID of the email (Python's uuid5 in xrca's name space).
    EXPECT_EQ(who->user_id, "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    auto wrong = token;
    wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
    EXPECT_FALSE(h.root.authority->authenticate(wrong).has_value());
    EXPECT_FALSE(h.root.authority->authenticate("").has_value());
    EXPECT_FALSE(h.root.authority->authenticate("xrca_short").has_value());
    // Two tokens for two principals differ; the store holds no token.
    const auto other = h.root.authority->add_principal("bob", "enroll", "", "", h.caller);
    EXPECT_NE(other, token);
    for (const auto& p : h.root.store->list_principals()) {
        EXPECT_EQ(p.token_hash.size(), 64u);
        EXPECT_EQ(p.token_hash.find(token.substr(5, 20)), std::string::npos);
    }
    std::ifstream db(h.root.dir + "/xrca.db", std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(db), {});
    std::ifstream wal(h.root.dir + "/xrca.db-wal", std::ios::binary);
    const std::string wal_bytes(std::istreambuf_iterator<char>(wal), {});
    EXPECT_EQ((bytes + wal_bytes).find(token.substr(5)), std::string::npos) << "a token was stored in clear";
}

TEST(Principals, AddingAndRemovingIsCheckedAndLogged) {
    test::Hierarchy h(2);
    const auto log_before = h.root.store->counts().log_entries;
    (void)h.root.authority->add_principal("carol", "server", "", "", h.caller);
    EXPECT_THROW(h.root.authority->add_principal("carol", "user", "c@example.test", "", h.caller), Error);
    EXPECT_THROW(h.root.authority->add_principal("dave", "root", "", "", h.caller), Error);
    EXPECT_THROW(h.root.authority->add_principal("erin", "user", "", "", h.caller), Error) << "users need an email";
    EXPECT_THROW(h.root.authority->add_principal("bad name", "enroll", "", "", h.caller), Error);
    EXPECT_EQ(h.root.store->counts().log_entries, log_before + 5) << "one accepted, four refused";
    h.root.authority->remove_principal("carol", h.caller);
    EXPECT_TRUE(h.root.authority->list_principals().empty());
    try {
        h.root.authority->remove_principal("carol", h.caller);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    }
}

}  // namespace
}  // namespace xrca::ca
