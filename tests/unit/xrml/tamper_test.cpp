// Any change to a signed BODY, a signature value or a modulus must make verification fail, and
// fail for the right reason.
#include "support/data_path.h"
#include "support/sample_chain.h"

#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/public_key.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <fstream>

namespace xrca::xrml {
namespace {

const char* k_anchor = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";

std::string vector_text() {
    std::ifstream in(test::data_path("vectors/ms-onprem-pl-chain-2015.xml"), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Replaces the first `old_value` at or after `from` (the start of the document to change:
// the vector holds two identical CLCs, so values are not unique across the file).
std::string replace_once(std::string text, const std::string& old_value, const std::string& new_value,
                         std::size_t from = 0) {
    const auto at = text.find(old_value, from);
    EXPECT_NE(at, std::string::npos);
    return text.replace(at, old_value.size(), new_value);
}

// Every non-whitespace character of every BODY, sampled at a fixed stride, changed to another
// non-whitespace character: the document must either be refused as malformed or its signature
// must fail with digest-mismatch. Never may it verify.
TEST(Tamper, ChangingAnyBodyCharacterIsDetected) {
    const std::string original = vector_text();
    const auto set = read_documents(original);
    std::size_t tried = 0, malformed = 0, digest_mismatch = 0;
    for (const auto& doc : set.documents) {
        const std::size_t body_start = doc.raw.input_offset + doc.raw.body.begin;
        const std::size_t body_end = doc.raw.input_offset + doc.raw.body.end;
        for (std::size_t pos = body_start; pos < body_end; pos += 23) {
            if (is_space(original[pos])) continue;
            std::string tampered = original;
            tampered[pos] = original[pos] == 'Q' ? 'R' : 'Q';
            ++tried;
            try {
                const auto t = read_documents(tampered);
                const auto verdict = verify_signature(t.documents[doc.index()]);
                ASSERT_FALSE(verdict.ok()) << "change at " << pos << " went unnoticed";
                ASSERT_EQ(verdict.failure, Failure::DigestMismatch) << "at " << pos << ": " << verdict.detail;
                ++digest_mismatch;
            } catch (const FormatError&) {
                ++malformed;
            }
        }
    }
    EXPECT_GT(tried, 1000u);
    EXPECT_GT(digest_mismatch, tried / 2) << "most single-character changes keep the XML readable";
    EXPECT_EQ(tried, malformed + digest_mismatch);
}

TEST(Tamper, FlippingAnySignatureByteIsABadSignature) {
    const std::string original = vector_text();
    const auto set = read_documents(original);
    for (const auto& doc : set.documents) {
        const auto old_b64 = base64_encode(doc.signature.value);
        for (std::size_t byte = 0; byte < doc.signature.value.size(); ++byte) {
            auto value = doc.signature.value;
            value[byte] ^= 0x01;
            const auto tampered =
                read_documents(replace_once(original, old_b64, base64_encode(value), doc.raw.input_offset));
            const auto verdict = verify_signature(tampered.documents[doc.index()]);
            ASSERT_EQ(verdict.failure, Failure::BadSignature) << "document " << doc.index() << " byte " << byte;
        }
    }
}

TEST(Tamper, ChangingTheDigestValueIsDetected) {
    const std::string original = vector_text();
    const auto set = read_documents(original);
    auto digest = set.documents[4].signature.digest;
    const auto old_b64 = base64_encode(digest);
    digest[0] ^= 0x80;
    const auto tampered =
        read_documents(replace_once(original, old_b64, base64_encode(digest), set.documents[4].raw.input_offset));
    EXPECT_EQ(verify_signature(tampered.documents[4]).failure, Failure::DigestMismatch);
}

// A changed issuer modulus changes the BODY too, so the digest no longer matches.
TEST(Tamper, ChangingAnIssuerModulusInTheVectorIsADigestMismatch) {
    const std::string original = vector_text();
    const auto set = read_documents(original);
    const auto& doc = set.documents[5];
    auto le = doc.issuer.key->modulus_little_endian();
    le[3] ^= 0x10;  // a low-order byte: size and parity stay valid
    const std::string old_b64 = base64_encode(doc.issuer.key->modulus_little_endian());
    // The same modulus appears as doc 6's principal key as well; change only doc 5's copy.
    std::string tampered = original;
    const auto at = tampered.find(old_b64, doc.raw.input_offset);
    ASSERT_LT(at, doc.raw.input_offset + doc.raw.text.size());
    tampered.replace(at, old_b64.size(), base64_encode(le));
    const auto t = read_documents(tampered);
    EXPECT_EQ(verify_signature(t.documents[5]).failure, Failure::DigestMismatch);
    ChainOptions options{std::string(k_anchor), Time::parse("2015-04-02T00:00"), {}};
    EXPECT_FALSE(verify_documents(t.documents, options).ok());
}

// With the digest recomputed over the changed BODY, it is the RSA check itself that fails: the
// signature no longer verifies under the changed issuer key.
TEST(Tamper, ChangingAModulusAndFixingTheDigestIsABadSignature) {
    for (int mode : {2, 1}) {
        const auto h = test::build_sample_hierarchy(test::Mode{mode});
        const auto set = read_documents(h.slc);
        const auto& doc = set.documents[0];
        auto le = doc.issuer.key->modulus_little_endian();
        le[5] ^= 0x01;
        std::string body(doc.raw.body_text());
        body = replace_once(body, base64_encode(doc.issuer.key->modulus_little_endian()), base64_encode(le));
        const auto new_digest = body_digest(body, doc.signature.digest_algorithm);
        const auto forged = assemble_document(body, doc.signature.digest_algorithm, new_digest, doc.signature.value,
                                              doc.issuer.key->bits());
        const auto verdict = verify_signature(read_documents(forged).documents[0]);
        EXPECT_EQ(verdict.failure, Failure::BadSignature) << "mode " << mode << ": " << verdict.detail;
    }
}

TEST(Tamper, WhitespaceAddedToOurOwnCompactDocumentStillVerifiesOnlyAsNormalised) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    std::string pretty = h.slc;
    const auto at = pretty.find("<ISSUEDTIME>");
    pretty.insert(at, "\n    ");
    const auto verdict = verify_signature(read_documents(pretty).documents[0]);
    EXPECT_TRUE(verdict.ok());
    EXPECT_EQ(verdict.form, BodyForm::WhitespaceNormalised);
    EXPECT_EQ(verify_signature(read_documents(h.slc).documents[0]).form, BodyForm::Exact);
}

}  // namespace
}  // namespace xrca::xrml
