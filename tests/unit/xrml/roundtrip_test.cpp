// Build -> sign -> write -> read -> verify for every template, in both crypto modes and every
// accepted file encoding. What xrca emits has no inter-element whitespace and re-verifies
// byte for byte.
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <regex>

namespace xrca::xrml {
namespace {

struct Case {
    int mode;
    SourceEncoding encoding;
};

class RoundTrip : public ::testing::TestWithParam<Case> {};

TEST_P(RoundTrip, EveryTemplateVerifiesAndKeepsItsExactBytes) {
    const auto [mode, encoding] = GetParam();
    const auto h = test::build_sample_hierarchy(test::Mode{mode}, /*custom_revocation=*/true);
    const std::vector<std::string> docs = {
        h.ca, h.enrollment_ca, h.enrollment_service, h.slc, h.clc, h.activation_issuer, h.spc, h.rac};
    ASSERT_EQ(h.bodies.size(), docs.size());
    const std::regex inter_element_space(">[ \t\r\n]+<");
    for (std::size_t i = 0; i < docs.size(); ++i) {
        EXPECT_FALSE(std::regex_search(docs[i], inter_element_space))
            << "document " << i << " has whitespace between tags";
        const auto file = encode_output(docs[i], encoding);
        const auto set = read_documents(file);
        ASSERT_EQ(set.encoding, encoding);
        ASSERT_EQ(set.documents.size(), 1u);
        const auto& d = set.documents[0];
        EXPECT_EQ(d.raw.text, docs[i]) << "the text read back differs from what was written";
        EXPECT_EQ(d.raw.body_text(), h.bodies[i]) << "the signed BODY differs from the built one";
        const auto verdict = verify_signature(d);
        EXPECT_TRUE(verdict.ok()) << "document " << i << ": " << verdict.detail;
        EXPECT_EQ(verdict.form, BodyForm::Exact);
        EXPECT_EQ(d.signature.digest_algorithm, test::Mode{mode}.digest());
        EXPECT_EQ(d.issued, h.issued);
    }
}

INSTANTIATE_TEST_SUITE_P(ModesAndEncodings, RoundTrip,
                         ::testing::Values(Case{2, SourceEncoding::Utf8}, Case{2, SourceEncoding::Utf8Bom},
                                           Case{2, SourceEncoding::Utf16Le}, Case{2, SourceEncoding::Utf16LeBom},
                                           Case{1, SourceEncoding::Utf8}, Case{1, SourceEncoding::Utf8Bom},
                                           Case{1, SourceEncoding::Utf16Le}, Case{1, SourceEncoding::Utf16LeBom}),
                         [](const auto& param_info) {
                             return "mode" + std::to_string(param_info.param.mode) + "_" +
                                    std::to_string(static_cast<int>(param_info.param.encoding));
                         });

class Chains : public ::testing::TestWithParam<int> {};

TEST_P(Chains, EveryLeafChainsToTheAnchor) {
    const auto h = test::build_sample_hierarchy(test::Mode{GetParam()});
    ChainOptions options{h.anchor_fingerprint, Time::parse("2026-06-01T00:00"), {}};
    for (const auto& [name, text, length] :
         std::vector<std::tuple<std::string, std::string, std::size_t>>{{"CLC", h.clc_chain(), 5},
                                                                        {"SPC", h.spc_chain(), 6},
                                                                        {"RAC", h.rac_chain(), 5},
                                                                        {"SLC", h.slc_chain(), 4}}) {
        const auto set = read_documents(encode_output(text, SourceEncoding::Utf16LeBom));
        const auto chain = verify_ordered_chain(set.documents, options);
        EXPECT_TRUE(chain.ok()) << name << ": " << chain.detail;
        EXPECT_TRUE(chain.anchored) << name;
        EXPECT_EQ(chain.path.size(), length) << name;
    }
}

INSTANTIATE_TEST_SUITE_P(BothModes, Chains, ::testing::Values(2, 1));

TEST(RoundTripFields, TheReaderSeesWhatTheTemplatesWrote) {
    const auto h = test::build_sample_hierarchy(test::Mode{2}, true);
    const auto slc = read_documents(h.slc).documents[0];
    EXPECT_EQ(slc.kind(), "Server-Licensor-Certificate");
    ASSERT_TRUE(slc.principal);
    EXPECT_EQ(slc.principal->object.addresses.at(0).value, "https://rms.example.test/_wmcs");
    EXPECT_EQ(slc.principal->security_level("Server-SKU"), "xrca");
    ASSERT_EQ(slc.refresh.size(), 1u);
    ASSERT_EQ(slc.refresh[0].points.size(), 1u);
    EXPECT_EQ(slc.refresh[0].points[0].key->fingerprint(),
              PublicKey::from_botan(test::test_key(2048, 9)).fingerprint());
    EXPECT_TRUE(slc.refresh[0].has_interval);
    EXPECT_FALSE(slc.refresh[0].interval_seconds.has_value());
    ASSERT_TRUE(slc.issue_right && slc.issue_right->range);
    EXPECT_EQ(slc.issue_right->range->from.to_xrml(), "2026-01-15T10:30");

    const auto rac = read_documents(h.rac).documents[0];
    EXPECT_EQ(rac.kind(), "Group-Identity-Credential");
    ASSERT_TRUE(rac.federation_principal && rac.federation_principal->enabling_bits);
    EXPECT_EQ(rac.federation_principal->enabling_bits->type, "sealed-key-v2");
    EXPECT_EQ(rac.principal->security_level("Group-Identity-Credential-Type"), "Persistent");

    const auto clc = read_documents(h.clc).documents[0];
    ASSERT_TRUE(clc.issue_right && clc.issue_right->enabling_bits);
    EXPECT_EQ(clc.principal->object.name, "alice@example.test");

    const auto spc = read_documents(h.spc).documents[0];
    ASSERT_TRUE(spc.principal && spc.principal->digest);
    EXPECT_EQ(spc.principal->digest->value, std::vector<uint8_t>(32, 0x11));
    EXPECT_FALSE(spc.principal->internal_id.has_value());
}

TEST(RoundTripFields, TextIsEscapedAndReadBack) {
    const auto& key = test::test_key(1024, 0);
    IssuingCertificateTemplate t;
    t.kind = IssuingKind::ServerLicensor;
    t.id = "{11111111-2222-4333-8444-555555555599}";
    t.issued = Time::parse("2026-01-01T00:00");
    t.issue_range = {Time::parse("2026-01-01T00:00"), Time::parse("2027-01-01T00:00")};
    t.issuer = test::make_principal("MS-DRM-Server", "MS-GUID", "{11111111-2222-4333-8444-555555555598}",
                                    std::string("A & B <\"quoted\"> Ünïcødé 𝄞"), PublicKey::from_botan(key));
    t.subject = t.issuer;
    const auto doc = sign_document(build_issuing_certificate_body(t), key, DigestAlgorithm::Sha1, test::test_rng());
    const auto read = read_documents(encode_output(doc, SourceEncoding::Utf16Le)).documents[0];
    EXPECT_EQ(read.issuer.object.name, "A & B <\"quoted\"> Ünïcødé 𝄞");
    EXPECT_TRUE(verify_signature(read).ok());
}

}  // namespace
}  // namespace xrca::xrml
