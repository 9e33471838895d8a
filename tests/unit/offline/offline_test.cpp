// Enrollment by files between three real data directories: the whole hierarchy, and every
// refusal — each with a clear message, a log entry on the refusing side, and no state change.
#include "support/authority_fixture.h"
#include "support/test_keys.h"

#include "ca/errors.h"
#include "ca/signer.h"
#include "offline/request_file.h"
#include "offline/response_file.h"
#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <fstream>

namespace xrca::offline {
namespace {

using xrca::Error;
using xrca::ErrorKind;
using xrca::RmsFault;

// Three nodes provisioned but not enrolled; the enrollment service is the anchor.
class OfflineTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-offline-XXXXXX";
        h = std::make_unique<test::Hierarchy>(2);  // gives a clock, options and an enrollment service
        ca::ProvisionRequest rc;
        rc.role = ca::Role::Root;
        rc.name = "Files Root";
        rc.base_url = "https://files-root.example.test/_wmcs";
        rc.revocation = ca::RevocationMode::Custom;
        rc.revocation_authorities = {ra1, ra2};
        rc.trust_anchor = h->anchor();
        root = h->provision("files-root", rc);
        ca::ProvisionRequest lc;
        lc.role = ca::Role::Licensing;
        lc.name = "Files Licensing";
        lc.base_url = "https://files-lic.example.test/_wmcs";
        lc.trust_anchor = h->anchor();
        lic = h->provision("files-lic", lc);
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    // Writes bytes to a real file and reads them back, as the commands do.
    std::string through_file(const std::string& name, const std::string& bytes) {
        const auto path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << bytes;
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::string request_of(test::Node& node, bool renew = false, bool new_key = false) {
        return through_file("request.xml", write_request_file(node.authority->create_offline_request(
                                               renew, new_key, h->caller, write_request_body)));
    }
    std::string process(test::Node& issuer, const std::string& request_bytes) {
        const auto r = read_request_file(request_bytes);
        const auto chain = r.request.operation == ca::ClusterOperation::Enroll
                               ? issuer.authority->enroll(to_cluster_request(r), h->caller)
                               : issuer.authority->sub_enroll(to_cluster_request(r), h->caller);
        return through_file("response.xml",
                            write_response_file(r.request.request_id, r.request.operation, chain, h->clock.now()));
    }
    void import(test::Node& node, const std::string& response_bytes) {
        const auto r = read_response_file(response_bytes);
        node.authority->import_response(r.request_id, r.chain, h->caller);
    }
    static std::int64_t log_size(test::Node& n) { return n.store->counts().log_entries; }
    static std::string last_outcome(test::Node& n) { return n.store->read_log("").back().outcome; }

    template <typename Fn>
    Error refusal(test::Node& side, Fn&& fn) {
        const auto before = side.store->counts();
        const auto before_state = side.authority->status().state;
        try {
            fn();
        } catch (const Error& e) {
            const auto after = side.store->counts();
            EXPECT_EQ(after.issued_by_kind, before.issued_by_kind) << "a refusal issued something";
            EXPECT_EQ(after.log_entries, before.log_entries + 1) << "a refusal leaves exactly one log entry";
            EXPECT_EQ(last_outcome(side), "refused");
            EXPECT_EQ(side.authority->status().state, before_state);
            return e;
        }
        ADD_FAILURE() << "not refused";
        return Error(ErrorKind::Internal, "none");
    }

    std::unique_ptr<test::Hierarchy> h;
    const xrml::PublicKey ra1 = xrml::PublicKey::from_botan(test::test_key(2048, 1));
    const xrml::PublicKey ra2 = xrml::PublicKey::from_botan(test::test_key(2048, 2));
    test::Node root, lic;
    std::string m_dir;
};

TEST_F(OfflineTest, TheWholeHierarchyByFiles) {
    import(root, process(h->enrollment, request_of(root)));
    EXPECT_EQ(root.authority->status().state, "active");
    const auto slc = xrml::read_documents(root.authority->own_chain().front()).documents.front();
    ASSERT_EQ(slc.refresh.size(), 1u);
    EXPECT_EQ(*slc.refresh[0].points[1].key, ra1);
    EXPECT_EQ(*slc.refresh[0].points[2].key, ra2);

    import(lic, process(root, request_of(lic)));
    EXPECT_EQ(lic.authority->status().state, "active");

    const auto& machine = test::test_key(2048, 8);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto spc = root.authority->certify_machine(m, h->caller).text();
    const auto rac = root.authority->issue_rac({{spc}, "", "alice@example.test", false}, h->caller).text();
    const auto clc = lic.authority->issue_clc({{rac}}, h->caller);
    const auto docs = xrml::read_documents(clc.text()).documents;
    const auto verdict = xrml::verify_ordered_chain(docs, {h->anchor(), h->clock.now(), {}});
    EXPECT_TRUE(verdict.ok()) << verdict.detail;
    EXPECT_EQ(verdict.path.size(), 6u) << "CLC, licensing SLC, root SLC, enrollment service, enrollment CA, CA";
}

TEST_F(OfflineTest, ProcessingTheSameRequestTwiceGivesTheSameSlc) {
    const auto request = request_of(root);
    const auto slcs = [&] { return h->enrollment.store->counts().issued_by_kind.at("Server-Licensor-Certificate"); };
    const auto before = slcs();
    const auto first = read_response_file(process(h->enrollment, request));
    const auto second = read_response_file(process(h->enrollment, request));
    EXPECT_EQ(first.chain, second.chain);
    EXPECT_EQ(slcs(), before + 1) << "one SLC for one request, however often it is processed";
}

TEST_F(OfflineTest, ARequestChangedAfterSigningIsRefused) {
    auto request = request_of(root);
    const auto at = request.find("Files Root");
    request.replace(at, 10, "Evil Rooot");
    const auto e = refusal(h->enrollment, [&] { process(h->enrollment, request); });
    EXPECT_NE(std::string(e.what()).find("proof of possession"), std::string::npos) << e.what();
}

TEST_F(OfflineTest, ARequestSignedByAnotherKeyIsRefused) {
    // Swap in another key's proof: sign the same body with a key that is not the one in it.
    auto signed_request = root.authority->create_offline_request(false, false, h->caller, write_request_body);
    Botan::System_RNG rng;
    Botan::PK_Signer other(test::test_key(2048, 5), rng, "EMSA3(Raw,SHA-256)");
    signed_request.proof.signature =
        other.sign_message(xrml::body_digest(signed_request.body, xrml::DigestAlgorithm::Sha256), rng);
    const auto bytes = write_request_file(signed_request);
    const auto e = refusal(h->enrollment, [&] { process(h->enrollment, bytes); });
    EXPECT_EQ(e.kind(), ErrorKind::PolicyDenied);
}

TEST_F(OfflineTest, ASubEnrollRequestAtAnEnrollmentServiceIsRefused) {
    const auto request = request_of(lic);
    const auto e = refusal(h->enrollment, [&] { process(h->enrollment, request); });
    EXPECT_EQ(e.fault(), RmsFault::UnauthorizedAccess);
}

TEST_F(OfflineTest, AModeOneRequestAtAModeTwoIssuerIsRefused) {
    ca::ProvisionRequest old;
    old.role = ca::Role::Root;
    old.name = "Legacy Root";
    old.base_url = "https://legacy.example.test/_wmcs";
    old.crypto_mode = ca::CryptoMode::mode1();
    old.trust_anchor = h->anchor();
    auto legacy = h->provision("legacy", old);
    const auto request = request_of(legacy);
    const auto e = refusal(h->enrollment, [&] { process(h->enrollment, request); });
    EXPECT_EQ(e.fault(), RmsFault::UnsupportedCryptographicSet);
}

TEST_F(OfflineTest, AResponseForAnotherKeyOrClusterIsRefused) {
    // A second root asks; its response is fed to the first root, under the first root's request ID.
    ca::ProvisionRequest rc;
    rc.role = ca::Role::Root;
    rc.name = "Other Root";
    rc.base_url = "https://files-root.example.test/_wmcs";
    rc.trust_anchor = h->anchor();
    auto other = h->provision("other", rc);
    const auto mine = read_request_file(request_of(root));
    auto theirs = read_response_file(process(h->enrollment, request_of(other)));
    const auto forged =
        through_file("forged.xml", write_response_file(mine.request.request_id, ca::ClusterOperation::Enroll,
                                                       ca::IssuedChain{"", "", {theirs.chain}}, h->clock.now()));
    const auto e = refusal(root, [&] { import(root, forged); });
    EXPECT_NE(std::string(e.what()).find("not this cluster's key"), std::string::npos) << e.what();
}

TEST_F(OfflineTest, AResponseToAnotherClustersRequestIsRefused) {
    auto other = h->provision_cluster("other", ca::Role::Root, 2, false);
    (void)request_of(root);
    const auto response = process(h->enrollment, request_of(other));
    const auto e = refusal(root, [&] { import(root, response); });
    EXPECT_NE(std::string(e.what()).find("never made"), std::string::npos) << e.what();
}

TEST_F(OfflineTest, AReplayedResponseIsRefused) {
    const auto response = process(h->enrollment, request_of(root));
    import(root, response);
    const auto e = refusal(root, [&] { import(root, response); });
    EXPECT_EQ(e.kind(), ErrorKind::Conflict);
    EXPECT_NE(std::string(e.what()).find("replay"), std::string::npos);
}

TEST_F(OfflineTest, AChainThatDoesNotEndAtTheAnchorIsRefused) {
    // A stranger enrollment service signs an SLC for exactly this cluster's request.
    ca::ProvisionRequest es;
    es.role = ca::Role::Enrollment;
    es.name = "Stranger ES";
    auto stranger = h->provision("stranger", es);
    const auto response = process(stranger, request_of(root));
    const auto e = refusal(root, [&] { import(root, response); });
    EXPECT_NE(std::string(e.what()).find("trust anchor"), std::string::npos) << e.what();
}

TEST_F(OfflineTest, BadFilesAreRefusedWithClearErrors) {
    const auto good_request = request_of(root);
    const auto good_response = process(h->enrollment, good_request);
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"empty", ""},
        {"truncated", good_request.substr(0, good_request.size() / 2)},
        {"binary", std::string("\x00\x01\x02\xFF\xFE garbage", 13)},
        {"oversized", std::string(3 * 1024 * 1024, '<')},
        {"not ours", "<?xml version=\"1.0\"?><Envelope/>"},
        {"bomb",
         "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><XrcaEnrollmentRequest "
         "format=\"xrca-offline-1\">&a;</XrcaEnrollmentRequest>"},
    };
    for (const auto& [what, bytes] : bad) {
        EXPECT_THROW(read_request_file(bytes), xrml::FormatError) << what;
        EXPECT_THROW(read_response_file(bytes), xrml::FormatError) << what;
    }
    EXPECT_THROW(read_response_file(good_request), xrml::FormatError) << "a request is not a response";
    EXPECT_THROW(read_request_file(good_response), xrml::FormatError) << "a response is not a request";
    // A response truncated inside its chain parses as XML only if cut between elements; its
    // chain then fails verification at import, without a state change.
    EXPECT_EQ(root.authority->status().state, "awaiting-response");
}

TEST_F(OfflineTest, UtfSixteenResponsesAreAccepted) {
    const auto response = process(h->enrollment, request_of(root));
    import(root, xrml::encode_output(response, xrml::SourceEncoding::Utf16LeBom));
    EXPECT_EQ(root.authority->status().state, "active");
}

TEST_F(OfflineTest, RenewalWithANewKeyKeepsOldCertificatesValid) {
    import(root, process(h->enrollment, request_of(root)));
    const auto& machine = test::test_key(2048, 8);
    ca::MachineRequest m{xrml::PublicKey::from_botan(machine), {}, "p", "m", "1"};
    const auto spc = root.authority->certify_machine(m, h->caller).text();
    const auto old_rac = root.authority->issue_rac({{spc}, "", "bob@example.test", false}, h->caller).text();
    const auto old_key = root.authority->cluster_public_key();

    const auto renewal = request_of(root, true, true);
    EXPECT_EQ(read_request_file(renewal).request.cluster_guid, root.authority->record().guid);
    EXPECT_NE(read_request_file(renewal).request.cluster_key, old_key);
    // Until the response is imported, the old SLC keeps working.
    EXPECT_NO_THROW(root.authority->issue_rac({{spc}, "", "bob@example.test", false}, h->caller));
    import(root, process(h->enrollment, renewal));
    EXPECT_NE(root.authority->cluster_public_key(), old_key);
    // Certificates issued under the old SLC still verify, and its RACs still get CLCs.
    const auto docs = xrml::read_documents(old_rac).documents;
    EXPECT_TRUE(xrml::verify_ordered_chain(docs, {h->anchor(), h->clock.now(), {}}).ok());
    const auto clc = root.authority->issue_clc({{old_rac}}, h->caller);
    EXPECT_TRUE(
        xrml::verify_ordered_chain(xrml::read_documents(clc.text()).documents, {h->anchor(), h->clock.now(), {}}).ok());
    // New issuance uses the new key.
    const auto rac =
        xrml::read_documents(root.authority->issue_rac({{spc}, "", "carol@example.test", false}, h->caller).text())
            .documents;
    EXPECT_EQ(*rac[0].issuer.key, root.authority->cluster_public_key());
}

// Issue 12 item 8: a licensing cluster renewing with a new key signs its request with its
// current key too (<RenewalProof>); without that proof the root refuses the new key for the
// GUID, unless the administrator replaces the cluster.
TEST_F(OfflineTest, ARenewalWithANewKeyProvesItselfWithTheCurrentKey) {
    import(lic, process(h->root, request_of(lic)));
    ASSERT_EQ(lic.authority->status().state, "active");
    const auto guid = lic.authority->record().guid;

    const auto renewal = request_of(lic, true, true);
    const auto read = read_request_file(renewal);
    ASSERT_TRUE(read.renewal_proof.has_value()) << "a new key comes with its renewal proof";
    EXPECT_EQ(read.renewal_proof->signed_text, read.proof.signed_text) << "both proofs sign the same body";
    // The same file without the proof: another key for a certified GUID.
    auto stripped = read;
    stripped.renewal_proof.reset();
    const auto e = refusal(h->root, [&] { h->root.authority->sub_enroll(to_cluster_request(stripped), h->caller); });
    EXPECT_EQ(e.kind(), ErrorKind::PolicyDenied);
    EXPECT_NE(std::string(e.what()).find(guid), std::string::npos) << e.what();
    // With it: issued, and the licensing cluster moves to the new key.
    import(lic, process(h->root, renewal));
    EXPECT_EQ(lic.authority->cluster_public_key(), read.request.cluster_key);
    EXPECT_NE(h->root.store->read_log("").back().inputs.find("renewal proved by key"), std::string::npos);

    // The administrator's replacement (`xrca process --replace-cluster`) needs no proof, and says so.
    const auto& lost = test::test_key(2048, 12);
    auto replacement = stripped;
    replacement.request.cluster_key = xrml::PublicKey::from_botan(lost);
    replacement.request.request_id = "replacement-1";
    replacement.proof =
        ca::prove_possession(lost, replacement.proof.signed_text, xrml::DigestAlgorithm::Sha256, h->rng);
    const auto chain =
        h->root.authority->sub_enroll(to_cluster_request(replacement), h->caller, ca::ClusterIdentity::AdminReplace);
    EXPECT_EQ(*xrml::read_documents(chain.documents.front()).documents.front().principal->key,
              xrml::PublicKey::from_botan(lost));
    const auto last = h->root.store->read_log("").back();
    EXPECT_EQ(last.outcome, "accepted");
    EXPECT_NE(last.inputs.find("replace-cluster: replaces keys"), std::string::npos) << last.inputs;
}

TEST_F(OfflineTest, AClusterRefusesToIssueUntilItImports) {
    (void)request_of(root);
    ca::MachineRequest m{xrml::PublicKey::from_botan(test::test_key(2048, 8)), {}, "p", "m", "1"};
    try {
        root.authority->certify_machine(m, h->caller);
        FAIL() << "issued while awaiting enrollment";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::WrongState);
        EXPECT_NE(std::string(e.what()).find("awaiting enrollment"), std::string::npos);
    }
    EXPECT_FALSE(root.authority->status().pending_request_id.empty());
}

}  // namespace
}  // namespace xrca::offline
