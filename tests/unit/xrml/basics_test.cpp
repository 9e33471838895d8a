// Encodings, times, keys, the builder and the chain rules, one behaviour per test.
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/builder.h"
#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <gtest/gtest.h>

namespace xrca::xrml {
namespace {

TEST(Encoding, DetectsEachAcceptedEncoding) {
    const std::string text = "<a>é𝄞</a>";
    for (auto enc :
         {SourceEncoding::Utf8, SourceEncoding::Utf8Bom, SourceEncoding::Utf16Le, SourceEncoding::Utf16LeBom}) {
        const auto decoded = decode_input(encode_output(text, enc));
        EXPECT_EQ(decoded.encoding, enc);
        EXPECT_EQ(decoded.utf8, text);
    }
}

TEST(Encoding, Utf16LeOfSupplementaryCharactersUsesSurrogates) {
    const auto units = to_utf16le("𝄞");
    EXPECT_EQ(units, (std::vector<uint8_t>{0x34, 0xD8, 0x1E, 0xDD}));
    EXPECT_EQ(to_utf16le("A"), (std::vector<uint8_t>{0x41, 0x00}));
}

TEST(Encoding, RefusesOverlongAndSurrogateUtf8) {
    EXPECT_THROW(validate_utf8("\xC0\xAF"), FormatError);
    EXPECT_THROW(validate_utf8("\xED\xA0\x80"), FormatError);
    EXPECT_THROW(validate_utf8(std::string("a\0b", 3)), FormatError);
    EXPECT_NO_THROW(validate_utf8("plain ascii and é"));
}

TEST(Time, ParsesMinutesSecondsAndZulu) {
    EXPECT_EQ(Time::parse("2015-04-01T22:39").to_xrml(), "2015-04-01T22:39");
    EXPECT_EQ(Time::parse("2015-04-01T22:39:59").unix_seconds(), Time::parse("2015-04-01T22:39").unix_seconds() + 59);
    EXPECT_EQ(Time::parse("2015-04-01T22:39Z"), Time::parse("2015-04-01T22:39"));
    EXPECT_EQ(Time::parse("1970-01-01T00:00").unix_seconds(), 0);
    EXPECT_EQ(Time::parse("2255-04-18T16:50").to_xrml(), "2255-04-18T16:50");
    EXPECT_EQ(Time::parse("2024-02-29T12:00").to_iso8601(), "2024-02-29T12:00:00Z");
}

TEST(Time, RefusesImpossibleDates) {
    for (const char* bad : {"2015-02-29T00:00", "2015-13-01T00:00", "2015-04-01T24:00", "2015-04-01 22:39",
                            "2015-04-01T22:39+01:00", "15-04-01T22:39", "", "2015-04-01T22:60"}) {
        EXPECT_FALSE(Time::try_parse(bad).has_value()) << bad;
    }
}

TEST(Time, RangesAreHalfOpen) {
    const TimeRange r{Time::parse("2020-01-01T00:00"), Time::parse("2021-01-01T00:00")};
    EXPECT_TRUE(r.contains(Time::parse("2020-01-01T00:00")));
    EXPECT_FALSE(r.contains(Time::parse("2021-01-01T00:00")));
    EXPECT_FALSE(r.contains(Time::parse("2019-12-31T23:59")));
}

TEST(Keys, LittleEndianModulusRoundTrips) {
    const auto& k = test::test_key(1024, 3);
    const auto key = PublicKey::from_botan(k);
    EXPECT_EQ(key.bits(), 1024u);
    EXPECT_EQ(key.exponent(), 65537u);
    const auto again = PublicKey::from_little_endian(key.modulus_little_endian(), 65537, 1024);
    EXPECT_EQ(again, key);
    EXPECT_EQ(again.fingerprint(), key.fingerprint());
    EXPECT_EQ(key.modulus_big_endian().front() & 0x80, 0x80);
    EXPECT_THROW(PublicKey::from_little_endian(key.modulus_little_endian(), 65537, 2048), FormatError);
    EXPECT_THROW(PublicKey::from_little_endian(key.modulus_little_endian(), 65536, 1024), FormatError);
}

TEST(Keys, PublicKeyFilesRoundTrip) {
    const auto key = PublicKey::from_botan(test::test_key(2048, 1));
    const auto text = build_public_key_element(key);
    EXPECT_EQ(read_public_key_file(text), key);
    EXPECT_EQ(read_public_key_file(encode_output(text, SourceEncoding::Utf16LeBom)), key);
    EXPECT_THROW(read_public_key_file("<KEY/>"), FormatError);
}

TEST(Keys, HostilePublicKeyFilesAreRefused) {
    const auto key = PublicKey::from_botan(test::test_key(1024, 3));
    const auto text = build_public_key_element(key);
    const auto refused = [](const std::string& input) {
        try {
            read_public_key_file(input);
        } catch (const FormatError& e) {
            return e.reason();
        }
        ADD_FAILURE() << "accepted: " << input.substr(0, 60);
        return FormatReason::NotXml;
    };
    EXPECT_EQ(refused(""), FormatReason::NotXml);
    EXPECT_EQ(refused("not xml at all"), FormatReason::NotXml);
    EXPECT_EQ(refused("<!DOCTYPE k [<!ENTITY a \"b\">]>" + text), FormatReason::DtdNotAllowed);
    EXPECT_EQ(refused(text.substr(0, text.size() / 2)), FormatReason::NotXml);
    EXPECT_EQ(refused(std::string(std::size_t{70} * 1024, ' ') + text), FormatReason::TooLarge);
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    EXPECT_EQ(refused(deep), FormatReason::TooDeep);
    std::string wrong_size = text;
    wrong_size.replace(wrong_size.find("size=\"1024\""), 11, "size=\"2048\"");
    EXPECT_EQ(refused(wrong_size), FormatReason::BadKey);
    std::string bad_base64 = text;
    bad_base64.replace(bad_base64.find("size=\"1024\">") + 13, 4, "!!!!");
    EXPECT_EQ(refused(bad_base64), FormatReason::BadBase64);
}

TEST(Builder, EscapesAndRefusesControlCharacters) {
    XmlBuilder b;
    b.open("A", {{"x", "\"<&>\n"}}).element("B", {}, "<&>\"").empty("C").close();
    EXPECT_EQ(std::move(b).str(), "<A x=\"&quot;&lt;&amp;&gt;&#10;\"><B>&lt;&amp;&gt;\"</B><C/></A>");
    XmlBuilder bad;
    EXPECT_THROW(bad.element("A", {}, std::string("\x01", 1)), FormatError);
    XmlBuilder unclosed;
    unclosed.open("A");
    EXPECT_THROW(std::move(unclosed).str(), FormatError);
}

TEST(Normalise, RemovesOnlyWhitespaceBetweenTags) {
    EXPECT_EQ(strip_inter_element_whitespace("<A>\n  <B> x </B>\n</A>"), "<A><B> x </B></A>");
    EXPECT_EQ(strip_inter_element_whitespace("<A x=\"> <\">\n<B/></A>"), "<A x=\"> <\"><B/></A>");
}

// Chain rules, on the sample hierarchy with one thing changed each time.
class ChainRules : public ::testing::Test {
protected:
    test::SampleHierarchy h = test::build_sample_hierarchy(test::Mode{1});
    ChainOptions options{h.anchor_fingerprint, Time::parse("2026-06-01T00:00"), {}};
};

TEST_F(ChainRules, AWrongAnchorIsUntrusted) {
    options.anchor_fingerprint = std::string(64, 'a');
    const auto chain = verify_ordered_chain(read_documents(h.clc_chain()).documents, options);
    EXPECT_EQ(chain.failure, Failure::UntrustedAnchor);
    EXPECT_EQ(chain.failed_document, 4u);
}

TEST_F(ChainRules, AnAnchorInsideTheChainEndsItThere) {
    options.anchor_fingerprint = read_documents(h.slc).documents[0].issuer.key->fingerprint();
    const auto chain = verify_ordered_chain(read_documents(h.clc_chain()).documents, options);
    EXPECT_TRUE(chain.ok()) << chain.detail;
    EXPECT_EQ(chain.path, (std::vector<std::size_t>{0, 1}));
}

TEST_F(ChainRules, RacValidityIsCheckedAgainstTheEvaluationTime) {
    const auto docs = read_documents(h.rac_chain()).documents;
    options.at = Time::parse("2026-01-15T10:14");
    EXPECT_EQ(verify_ordered_chain(docs, options).failure, Failure::NotYetValid);
    options.at = Time::parse("2026-01-15T10:15");
    EXPECT_TRUE(verify_ordered_chain(docs, options).ok());
    options.at = Time::parse("2027-01-15T10:30");  // UNTIL is exclusive
    EXPECT_EQ(verify_ordered_chain(docs, options).failure, Failure::Expired);
}

TEST_F(ChainRules, IssuedOutsideTheIssuersRangeIsRefused) {
    // A CLC issued before the SLC's ISSUE range began, signed by the real SLC key.
    auto clc = read_documents(h.clc).documents[0];
    std::string body(clc.raw.body_text());
    const auto at = body.find("<ISSUEDTIME>2026-01-15T10:30");
    body.replace(at, 28, "<ISSUEDTIME>2026-01-15T10:29");
    const auto early = sign_document(body, test::test_key(1024, 4), DigestAlgorithm::Sha1, test::test_rng());
    const auto chain = verify_ordered_chain(read_documents(early + h.slc_chain()).documents, options);
    EXPECT_EQ(chain.failure, Failure::IssuedOutsideIssuerRange);
    EXPECT_EQ(chain.failed_document, 0u);
}

TEST_F(ChainRules, AnIssuerWithoutTheIssueRightIsRefused) {
    // The RAC's principal key signs a document: a RAC carries no ISSUE right.
    const auto rac = read_documents(h.rac).documents[0];
    IssuingCertificateTemplate t;
    t.kind = IssuingKind::ServerLicensor;
    t.id = "{11111111-2222-4333-8444-555555555577}";
    t.issued = h.issued;
    t.issue_range = {h.issued, Time::parse("2030-01-01T00:00")};
    t.issuer = *rac.principal;
    t.issuer.internal_id.reset();
    t.subject = test::make_principal("MS-DRM-Server", "MS-GUID", "{11111111-2222-4333-8444-555555555576}", std::nullopt,
                                     PublicKey::from_botan(test::test_key(1024, 7)));
    const auto doc = sign_document(build_issuing_certificate_body(t), test::test_key(1024, 5), DigestAlgorithm::Sha1,
                                   test::test_rng());
    const auto chain = verify_ordered_chain(read_documents(doc + h.rac_chain()).documents, options);
    EXPECT_EQ(chain.failure, Failure::NoIssueRight);
    EXPECT_EQ(chain.failed_document, 1u);
}

TEST_F(ChainRules, AChainOutOfOrderIsAnIssuerMismatch) {
    const auto docs = read_documents(h.clc + h.enrollment_service + h.slc + h.enrollment_ca + h.ca).documents;
    EXPECT_EQ(verify_ordered_chain(docs, options).failure, Failure::IssuerMismatch);
}

TEST_F(ChainRules, AChainWithAMissingLinkDoesNotReachTheAnchor) {
    const auto docs = read_documents(h.clc + h.slc + h.enrollment_ca + h.ca).documents;
    const auto chain = verify_ordered_chain(docs, options);
    EXPECT_FALSE(chain.ok());
}

}  // namespace
}  // namespace xrca::xrml

namespace xrca::xrml {
namespace {

TEST(Base64, DecodesWhatBotanEncodesAtEveryLength) {
    std::vector<uint8_t> bytes;
    for (int n = 0; n < 70; ++n) {
        EXPECT_EQ(base64_decode(base64_encode(bytes), "test"), bytes) << "length " << n;
        bytes.push_back(static_cast<uint8_t>(n * 37 + 11));
    }
    EXPECT_EQ(base64_decode("AQID\n  BA==", "test"), (std::vector<uint8_t>{1, 2, 3, 4}));
}

TEST(Base64, RefusesMalformedInput) {
    for (const char* bad : {"A", "AB=", "A===", "AB==C", "AQ=x", "AB*C", "AR==", "=AAA"}) {
        EXPECT_THROW(base64_decode(bad, "test"), FormatError) << bad;
    }
}

}  // namespace
}  // namespace xrca::xrml
