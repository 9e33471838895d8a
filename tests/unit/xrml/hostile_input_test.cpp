// Hostile input gives a clear FormatError naming what is wrong — never a crash, never a hang.
#include "support/data_path.h"
#include "support/sample_chain.h"

#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace xrca::xrml {
namespace {

FormatError expect_format_error(const std::string& input) {
    try {
        read_documents(input);
    } catch (const FormatError& e) {
        return e;
    }
    ADD_FAILURE() << "input was accepted";
    return FormatError(FormatReason::NotXml, "accepted");
}

std::string sample() { return test::build_sample_hierarchy(test::Mode{2}).slc_chain(); }

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

TEST(Hostile, EveryTruncationIsRefusedCleanly) {
    const auto text = sample();
    for (std::size_t len = 0; len < text.size(); len += 7) {
        const auto prefix = text.substr(0, len);
        try {
            const auto set = read_documents(prefix);
            // A cut exactly between documents leaves complete documents: those must verify.
            for (const auto& d : set.documents) EXPECT_EQ(d.raw.text.back(), '>');
        } catch (const FormatError& e) {
            EXPECT_FALSE(std::string(e.what()).empty());
        }
    }
}

TEST(Hostile, TwoBodiesAreRefused) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto body = std::string(read_documents(h.ca).documents[0].raw.body_text());
    const auto e = expect_format_error(replace(h.ca, body, body + body));
    EXPECT_EQ(e.reason(), FormatReason::NotXrml);
    EXPECT_NE(std::string(e.what()).find("exactly one BODY"), std::string::npos);
}

TEST(Hostile, MissingSignatureNamesTheElementAndDocument) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto doc = h.ca;
    const auto sig = doc.find("<SIGNATURE>");
    const auto broken = h.slc + doc.substr(0, sig) + "</XrML>";
    const auto e = expect_format_error(broken);
    EXPECT_EQ(e.reason(), FormatReason::MissingElement);
    EXPECT_EQ(e.document(), 1u);
    EXPECT_EQ(e.path(), "XrML");
    EXPECT_NE(std::string(e.what()).find("SIGNATURE"), std::string::npos);
}

TEST(Hostile, MissingIssuedTimeNamesThePath) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto t = read_documents(h.ca).documents[0].issued.to_xrml();
    const auto e = expect_format_error(replace(h.ca, "<ISSUEDTIME>" + t + "</ISSUEDTIME>", ""));
    EXPECT_EQ(e.reason(), FormatReason::MissingElement);
    EXPECT_EQ(e.path(), "XrML/BODY");
    EXPECT_EQ(e.document(), 0u);
}

TEST(Hostile, BadBase64IsNamed) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto d = read_documents(h.ca).documents[0];
    const auto sig = base64_encode(d.signature.value);
    const auto e = expect_format_error(replace(h.ca, sig, "!!!not*base64!!!"));
    EXPECT_EQ(e.reason(), FormatReason::BadBase64);
    EXPECT_EQ(e.path(), "XrML/SIGNATURE/VALUE");
}

TEST(Hostile, WrongModulusSizeAttributeIsRefused) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto e = expect_format_error(replace(h.enrollment_ca, "size=\"2048\">", "size=\"2047\">"));
    EXPECT_EQ(e.reason(), FormatReason::BadKey);
    EXPECT_NE(e.path().find("PUBLICKEY"), std::string::npos);
}

TEST(Hostile, WrongSignatureSizeAttributeIsRefused) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto doc = h.slc;
    const auto sig_at = doc.find("<SIGNATURE>");
    std::string tampered = doc;
    const auto size_at =
        tampered.find("size=\"2048\"", tampered.find("<VALUE encoding=\"base64\" size=\"2048\"", sig_at + 200));
    ASSERT_NE(size_at, std::string::npos);
    tampered.replace(size_at, 11, "size=\"1024\"");
    const auto e = expect_format_error(tampered);
    EXPECT_EQ(e.reason(), FormatReason::BadValue);
}

TEST(Hostile, SignatureSizeUnlikeTheIssuerKeyIsASignatureSizeFailure) {
    // A well-formed 1024-bit signature on a document whose issuer key is 2048 bits.
    const auto h2 = test::build_sample_hierarchy(test::Mode{2});
    const auto h1 = test::build_sample_hierarchy(test::Mode{1});
    const auto d2 = read_documents(h2.slc).documents[0];
    const auto d1 = read_documents(h1.slc).documents[0];
    std::string mixed = h2.slc;
    mixed = replace(mixed, base64_encode(d2.signature.value), base64_encode(d1.signature.value));
    const auto sig_at = mixed.find("<SIGNATURE>");
    const auto size_at = mixed.find("size=\"2048\"", sig_at);
    mixed.replace(size_at, 11, "size=\"1024\"");
    const auto verdict = verify_signature(read_documents(mixed).documents[0]);
    EXPECT_EQ(verdict.failure, Failure::SignatureSize);
}

TEST(Hostile, NonXmlAndBinaryAreRefused) {
    for (const std::string& input : {std::string("hello world"), std::string("{\"json\": true}"), std::string(""),
                                     std::string("\x89PNG\r\n\x1a\n\0\0\0", 11), std::string("<XrML"),
                                     std::string("<<<>>>"), std::string("<XrML version=\"1.2\"><BODY></XrML>")}) {
        EXPECT_THROW(read_documents(input), FormatError) << input;
    }
}

TEST(Hostile, AFiftyMegabyteFileIsRefusedQuickly) {
    std::string big = sample();
    big.append(std::size_t{50} * 1024 * 1024 - big.size(), ' ');
    const auto start = std::chrono::steady_clock::now();
    const auto e = expect_format_error(big);
    EXPECT_EQ(e.reason(), FormatReason::TooLarge);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(Hostile, DeepNestingIsRefused) {
    std::string deep = "<XrML version=\"1.2\"><BODY type=\"LICENSE\" version=\"3.0\">";
    for (int i = 0; i < 200000; ++i) deep += "<a>";
    const auto e = expect_format_error(deep);
    EXPECT_EQ(e.reason(), FormatReason::TooDeep);
}

TEST(Hostile, AnEntityBombIsRefusedBeforeExpansion) {
    const std::string bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<XrML version=\"1.2\"><BODY type=\"x\" version=\"1\">&lol3;</BODY></XrML>";
    const auto e = expect_format_error(bomb);
    EXPECT_EQ(e.reason(), FormatReason::DtdNotAllowed);
    // A DOCTYPE inside a document too.
    EXPECT_EQ(expect_format_error("<XrML version=\"1.2\"><!DOCTYPE x><BODY/></XrML>").reason(),
              FormatReason::DtdNotAllowed);
}

TEST(Hostile, UndefinedEntitiesAreNotXml) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto e = expect_format_error(replace(h.ca, "xrca Test Root</NAME>", "&xxe;</NAME>"));
    EXPECT_TRUE(e.reason() == FormatReason::NotXml || e.reason() == FormatReason::BadValue) << e.what();
}

TEST(Hostile, TooManyDocumentsAreRefused) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    std::string many;
    for (int i = 0; i < 70; ++i) many += h.ca;
    EXPECT_EQ(expect_format_error(many).reason(), FormatReason::TooLarge);
}

TEST(Hostile, TextBetweenDocumentsIsRefused) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    EXPECT_EQ(expect_format_error(h.slc + "garbage" + h.ca).reason(), FormatReason::NotXml);
    EXPECT_EQ(expect_format_error(h.slc + "<Other/>").reason(), FormatReason::NotXrml);
}

TEST(Hostile, BadEncodingsAreRefused) {
    EXPECT_EQ(expect_format_error(std::string("\xFE\xFF\0<", 4)).reason(), FormatReason::Encoding);
    EXPECT_EQ(expect_format_error(std::string("<XrML \xC3\x28>", 9)).reason(), FormatReason::Encoding);
    EXPECT_EQ(expect_format_error(std::string("<\0X\0\0\xD8", 6)).reason(), FormatReason::Encoding);
    EXPECT_EQ(expect_format_error(std::string("<Xr\0ML>", 7)).reason(), FormatReason::Encoding);
}

TEST(Hostile, HardwareIdsAreOpaqueButBounded) {
    // Windows activation's shape: SHA1, size 160, 40 bytes (issue 15); its value is opaque but bounded.
    std::vector<std::uint8_t> bytes(40);
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(0x30 + i);
    const auto spc = test::build_sample_spc(test::Mode{2}, Digest{DigestAlgorithm::Sha1, bytes, 160});
    const std::string value = "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWVw==";
    // Empty, over the cap, not base64, an absurd size attribute, an unknown algorithm.
    EXPECT_EQ(expect_format_error(replace(spc, value, "")).reason(), FormatReason::BadValue);
    const std::string huge = base64_encode(std::vector<std::uint8_t>(k_max_hardware_id_bytes + 1, 0x41));
    EXPECT_EQ(expect_format_error(replace(spc, value, huge)).reason(), FormatReason::TooLarge);
    EXPECT_EQ(expect_format_error(replace(spc, value, "not*base64")).reason(), FormatReason::BadBase64);
    EXPECT_EQ(expect_format_error(replace(spc, "size=\"160\"", "size=\"16x\"")).reason(), FormatReason::BadValue);
    EXPECT_EQ(expect_format_error(replace(spc, "<ALGORITHM>SHA1</ALGORITHM>", "<ALGORITHM>MD5</ALGORITHM>")).reason(),
              FormatReason::Unsupported);
    // Exactly at the cap, and without a size attribute, it is read.
    const std::string at_cap = base64_encode(std::vector<std::uint8_t>(k_max_hardware_id_bytes, 0x41));
    EXPECT_EQ(read_documents(replace(spc, value, at_cap)).documents[0].principal->digest->value.size(),
              k_max_hardware_id_bytes);
    EXPECT_FALSE(
        read_documents(replace(spc, " size=\"160\"", "")).documents[0].principal->digest->declared_bits.has_value());
}

// NUL terminators are accepted only at the very end (issue 15): everywhere else still refused.
TEST(Hostile, NulsAreAcceptedOnlyAsTerminatorsAtTheEnd) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const std::string doc = h.ca;
    const std::string nul2("\0\0", 2);
    const auto utf16 = [](const std::string& utf8) {
        const auto units = to_utf16le(utf8);
        return std::string(units.begin(), units.end());
    };
    const auto middle = doc.size() / 2;
    const std::vector<std::string> inputs = {
        // Inside a document, in both encodings.
        "\xFF\xFE" + utf16(doc.substr(0, middle)) + nul2 + utf16(doc.substr(middle)),
        doc.substr(0, middle) + std::string(1, '\0') + doc.substr(middle),
        // Between two documents.
        "\xFF\xFE" + utf16(doc) + nul2 + utf16(doc),
        doc + std::string(1, '\0') + doc,
        // Followed by text that is not whitespace.
        utf16(doc) + nul2 + utf16("x"),
        doc + std::string(1, '\0') + "x",
        // A lone NUL byte after UTF-16LE text (an odd length).
        utf16(doc) + std::string(1, '\0'),
        // Before the first document.
        std::string(1, '\0') + doc,
    };
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        EXPECT_EQ(expect_format_error(inputs[i]).reason(), FormatReason::Encoding) << "input " << i;
        EXPECT_THROW((void)decode_owned_input(inputs[i]), FormatError) << "input " << i;
    }
    // Nothing but terminators is no document.
    EXPECT_EQ(expect_format_error(std::string(4, '\0')).reason(), FormatReason::NotXrml);
}

TEST(Hostile, AngleBracketInsideAnAttributeValueDoesNotConfuseTheSplitter) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    // A '>' inside a quoted attribute value is legal XML; the tampered BODY is still located.
    const auto tampered = replace(h.ca, "<BODY type=\"LICENSE\"", "<BODY type=\"LI>CENSE\"");
    const auto set = read_documents(tampered);
    EXPECT_EQ(set.documents[0].body_type, "LI>CENSE");
    EXPECT_EQ(verify_signature(set.documents[0]).failure, Failure::DigestMismatch);
}

TEST(Hostile, UnsupportedAlgorithmsAreNamed) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    EXPECT_EQ(
        expect_format_error(replace(h.ca, "<ALGORITHM>SHA256</ALGORITHM>", "<ALGORITHM>MD5</ALGORITHM>")).reason(),
        FormatReason::Unsupported);
    EXPECT_EQ(expect_format_error(replace(h.ca, "RSA PKCS#1-V1.5", "DSA")).reason(), FormatReason::Unsupported);
}

}  // namespace
}  // namespace xrca::xrml
