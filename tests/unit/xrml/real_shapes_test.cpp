// Shapes real RMS software writes that a strict reader once refused (issue 15): an SPC whose
// hardware-ID DIGEST is longer than its declared algorithm, a licence without DESCRIPTOR, and
// files ending with NUL terminators. Each is accepted where nothing is decided on it; the
// signature and the refusals around it stay as strict as before (the hostile variants of these
// shapes are in hostile_input_test.cpp).
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

namespace xrca::xrml {
namespace {

FormatError format_error_of(const std::string& input) {
    try {
        (void)read_documents(input);
    } catch (const FormatError& e) {
        return e;
    }
    ADD_FAILURE() << "input was accepted";
    return FormatError(FormatReason::NotXml, "accepted");
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::logic_error("no '" + from + "' to replace");
    return text.replace(at, from.size(), to);
}

// Windows activation's shape: ALGORITHM SHA1, size 160, and 40 bytes of value.
Digest windows_hardware_id() {
    std::vector<std::uint8_t> value(40);
    for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<std::uint8_t>(0x30 + i);
    return Digest{DigestAlgorithm::Sha1, value, 160};
}

ChainOptions anchored_at(const test::SampleHierarchy& h) {
    ChainOptions options;
    options.anchor_fingerprint = h.anchor_fingerprint;
    options.at = Time::parse("2026-06-01T00:00");
    return options;
}

TEST(HardwareId, AnOverLongHardwareIdDigestIsReadVerbatimAndTheSpcVerifies) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto spc = test::build_sample_spc(test::Mode{2}, windows_hardware_id());
    // The document says what a real one says: SHA1, size 160, 40 bytes (base64 of 0x30..0x57).
    ASSERT_NE(spc.find("<ALGORITHM>SHA1</ALGORITHM>"), std::string::npos);
    ASSERT_NE(spc.find("<VALUE encoding=\"base64\" size=\"160\">MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVW"
                       "Vw==</VALUE>"),
              std::string::npos)
        << spc;
    const auto docs = read_documents(spc + h.activation_issuer + h.slc_chain()).documents;
    ASSERT_TRUE(docs[0].principal && docs[0].principal->digest);
    EXPECT_EQ(docs[0].principal->digest->value, windows_hardware_id().value);
    EXPECT_EQ(docs[0].principal->digest->algorithm, DigestAlgorithm::Sha1);
    EXPECT_EQ(docs[0].principal->digest->declared_bits, std::optional<std::size_t>(160));
    const auto verdict = verify_ordered_chain(docs, anchored_at(h));
    EXPECT_TRUE(verdict.ok()) << verdict.detail;
}

TEST(HardwareId, TheSignatureDigestStaysStrict) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto spc = test::build_sample_spc(test::Mode{2}, windows_hardware_id());
    // SIGNATURE/DIGEST: a 256-bit value declared as 160 bits is refused, as before.
    const auto e = format_error_of(
        replaced(spc, "<VALUE encoding=\"base64\" size=\"256\">", "<VALUE encoding=\"base64\" size=\"160\">"));
    EXPECT_EQ(e.reason(), FormatReason::BadValue);
    EXPECT_NE(std::string(e.what()).find("SIGNATURE"), std::string::npos) << e.what();
    // Tampering with the hardware ID is a digest mismatch: it is signed like every BODY byte.
    const auto tampered = replaced(spc, "MDEyMzQ1", "MDEyMzQ2");
    EXPECT_EQ(verify_signature(read_documents(tampered).documents[0]).failure, Failure::DigestMismatch);
    (void)h;
}

TEST(HardwareId, TheTemplateWritesTheDeclaredSizeElseTheValueSize) {
    const auto declared = test::build_sample_spc(test::Mode{2}, windows_hardware_id());
    EXPECT_NE(declared.find("size=\"160\">MDEy"), std::string::npos);
    auto plain = windows_hardware_id();
    plain.declared_bits.reset();
    EXPECT_NE(test::build_sample_spc(test::Mode{2}, plain).find("size=\"320\">MDEy"), std::string::npos);
}

// A cloud-RMS-shaped licence: the sample CLC's BODY without its DESCRIPTOR, signed by the SLC key.
std::string clc_without_descriptor(const test::SampleHierarchy& h) {
    const auto clc = read_documents(h.clc).documents[0];
    const std::string body(clc.raw.body_text());
    const auto from = body.find("<DESCRIPTOR>");
    const auto to = body.find("</DESCRIPTOR>") + std::string("</DESCRIPTOR>").size();
    const auto stripped = body.substr(0, from) + body.substr(to);
    return sign_document(stripped, test::test_key(2048, 4), DigestAlgorithm::Sha256, test::test_rng());
}

TEST(NoDescriptor, ALicenceWithoutDescriptorIsReadAndVerifies) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto licence = clc_without_descriptor(h);
    ASSERT_EQ(licence.find("<DESCRIPTOR>"), std::string::npos);
    const auto docs = read_documents(licence + h.slc_chain()).documents;
    EXPECT_FALSE(docs[0].descriptor.has_value());
    EXPECT_EQ(docs[0].kind(), "");
    EXPECT_EQ(docs[0].id(), std::nullopt);
    EXPECT_EQ(docs[0].description(), "LICENSE");
    EXPECT_TRUE(verify_signature(docs[0]).ok());
    const auto verdict = verify_ordered_chain(docs, anchored_at(h));
    EXPECT_TRUE(verdict.ok()) << verdict.detail;
    // A DESCRIPTOR that is there must still hold an OBJECT.
    const auto e = format_error_of(replaced(h.clc, "<DESCRIPTOR><OBJECT", "<DESCRIPTOR><OBJECX"));
    EXPECT_NE(e.reason(), FormatReason::Encoding);
}

TEST(NoDescriptor, NoLicenceIdRevocationMatchesADocumentWithoutDescriptor) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto licence = read_documents(clc_without_descriptor(h)).documents[0];
    RevocationIndex index;
    // An empty licence ID, and the ID the CLC had before its DESCRIPTOR was taken away.
    index.add(RevokeType::LicenseId, "", "{list}");
    index.add(RevokeType::LicenseId, revocation_id_value("{11111111-2222-4333-8444-555555555505}"), "{list}");
    EXPECT_FALSE(index.find(licence));
    // The same index does match the CLC that has its DESCRIPTOR.
    EXPECT_TRUE(index.find(read_documents(h.clc).documents[0]));
    // Other types still match it: the issuer's key.
    index.add(RevokeType::IssuerKey, licence.issuer.key->fingerprint(), "{list}");
    const auto m = index.find(licence);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, RevokeType::IssuerKey);
}

TEST(NoDescriptor, ARevocationListWithoutDescriptorIsRefusedByName) {
    RevocationListTemplate t;
    t.id = "{2f1a5c3e-0000-4000-8000-000000000009}";
    t.issued = Time::parse("2026-03-01T12:00");
    const auto& signer = test::test_key(2048, 11);
    t.issuer = test::make_principal(names::revocation_list, names::guid, "{2f1a5c3e-0000-4000-8000-0000000000ff}",
                                    std::nullopt, PublicKey::from_botan(signer));
    const auto body = build_revocation_list_body(t);
    const auto from = body.find("<DESCRIPTOR>");
    const auto to = body.find("</DESCRIPTOR>") + std::string("</DESCRIPTOR>").size();
    const auto list =
        sign_document(body.substr(0, from) + body.substr(to), signer, DigestAlgorithm::Sha256, test::test_rng());
    try {
        (void)read_revocation_list(list);
        ADD_FAILURE() << "a list without DESCRIPTOR was read";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("not a Revocation-List"), std::string::npos) << e.what();
    }
}

std::string utf16(const std::string& utf8) {
    const auto units = to_utf16le(utf8);
    return std::string(units.begin(), units.end());
}

TEST(Terminators, TrailingNulsAfterTheLastDocumentAreAccepted) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto chain = h.slc_chain();
    const std::string nul2("\0\0", 2);
    const std::vector<std::pair<std::string, SourceEncoding>> inputs = {
        {"\xFF\xFE" + utf16(chain) + nul2, SourceEncoding::Utf16LeBom},
        {"\xFF\xFE" + utf16(chain + "\r\n") + nul2 + nul2, SourceEncoding::Utf16LeBom},
        {utf16(chain) + nul2, SourceEncoding::Utf16Le},
        {"\xFF\xFE" + utf16(chain) + nul2 + utf16("\r\n"), SourceEncoding::Utf16LeBom},
        {chain + std::string(1, '\0'), SourceEncoding::Utf8},
        {chain + "\n" + std::string(3, '\0') + "\n", SourceEncoding::Utf8},
        {"\xEF\xBB\xBF" + chain + std::string(1, '\0'), SourceEncoding::Utf8Bom},
    };
    for (const auto& [input, encoding] : inputs) {
        const auto set = read_documents(input);
        EXPECT_EQ(set.encoding, encoding);
        ASSERT_EQ(set.documents.size(), 4u);
        EXPECT_EQ(set.documents.back().raw.text.back(), '>');
        EXPECT_TRUE(verify_ordered_chain(set.documents, anchored_at(h)).ok());
        // The owned-input path (revocation lists) drops them the same way.
        EXPECT_EQ(decode_owned_input(input).utf8, decode_input(input).utf8);
    }
}

}  // namespace
}  // namespace xrca::xrml
