// Revocation lists (reference §5.2): built, signed, read back, and looked up by every REVOKE
// type against the sample hierarchy; unrevoked siblings stay clear; hostile lists are refused.
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

namespace xrca::xrml {
namespace {

Certificate first(const std::string& text) { return read_documents(text).documents.front(); }

RevokeEntry by_object(RevokeType type, const std::string& id_type, const std::string& id) {
    RevokeEntry e;
    e.type = type;
    e.object = {type == RevokeType::PrincipalId ? "Group-Identity" : "", {id_type, id}, std::nullopt, {}};
    return e;
}

RevokeEntry by_key(RevokeType type, const PublicKey& key) {
    RevokeEntry e;
    e.type = type;
    e.key = key;
    return e;
}

RevokeEntry by_hash(const Certificate& d) {
    RevokeEntry e;
    e.type = RevokeType::LicenseHash;
    e.sha1 = body_digest(d.raw.body_text(), DigestAlgorithm::Sha1);
    return e;
}

std::string signed_list(const std::vector<RevokeEntry>& entries, const Botan::RSA_PrivateKey& signer) {
    RevocationListTemplate t;
    t.id = "{2f1a5c3e-0000-4000-8000-000000000001}";
    t.issued = Time::parse("2026-03-01T12:00");
    t.validity = TimeRange{t.issued, Time::parse("2026-03-08T12:00")};
    t.issuer = test::make_principal(names::revocation_list, names::guid, "{2f1a5c3e-0000-4000-8000-0000000000ff}",
                                    std::string("xrca revocation"), PublicKey::from_botan(signer));
    t.issuer.object.addresses.push_back({"URL", "https://rms.example.test/_wmcs/revocation/list.xml"});
    t.entries = entries;
    return sign_document(build_revocation_list_body(t), signer, DigestAlgorithm::Sha256, test::test_rng());
}

class Revocation : public ::testing::Test {
protected:
    test::SampleHierarchy h = test::build_sample_hierarchy({2});
    Certificate slc = first(h.slc), clc = first(h.clc), spc = first(h.spc), rac = first(h.rac);
    const Botan::RSA_PrivateKey& signer = test::test_key(2048, 11);

    std::optional<RevocationMatch> check(const RevokeEntry& entry, const Certificate& d) {
        RevocationIndex index;
        index.add(read_revocation_list(signed_list({entry}, signer)));
        return index.find(d);
    }
};

TEST_F(Revocation, AListRoundTripsAndItsSignatureVerifies) {
    const auto text = signed_list({by_object(RevokeType::LicenseId, names::guid, rac.descriptor.id.value), by_hash(spc),
                                   by_key(RevokeType::IssuerKey, *slc.issuer.key), by_key(RevokeType::PrincipalKey, *rac.principal->key),
                                   by_object(RevokeType::ContentId, names::guid, "{0b6c1c2a-1111-4222-8333-444455556666}")},
                                  signer);
    const auto list = read_revocation_list(text);
    EXPECT_EQ(list.document.kind(), names::revocation_list);
    EXPECT_TRUE(verify_signature(list.document).ok());
    ASSERT_EQ(list.entries.size(), 5u);
    EXPECT_EQ(list.entries[0].type, RevokeType::LicenseId);
    EXPECT_EQ(list.entries[1].match_value(), license_hash(spc));
    EXPECT_EQ(list.entries[2].match_value(), slc.issuer.key->fingerprint());
    EXPECT_EQ(list.entries[4].type, RevokeType::ContentId);
    ASSERT_TRUE(list.document.validity.has_value());
    // Tampering with an entry breaks the signature.
    auto tampered = text;
    tampered.replace(tampered.find("license-id"), 10, "license-iD");
    EXPECT_FALSE(verify_signature(read_documents(tampered).documents.front()).ok());
}

TEST_F(Revocation, EachTypeRevokesItsTargetAndNotTheSiblings) {
    // license-id: the RAC by its ID, not the CLC.
    auto m = check(by_object(RevokeType::LicenseId, names::guid, rac.descriptor.id.value), rac);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, RevokeType::LicenseId);
    EXPECT_FALSE(check(by_object(RevokeType::LicenseId, names::guid, rac.descriptor.id.value), clc));
    // IDs compare trimmed and case-folded.
    std::string upper = rac.descriptor.id.value;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(check(by_object(RevokeType::LicenseId, names::guid, "  " + upper + "\n"), rac));
    // license-hash: the SPC by the SHA-1 of its BODY.
    m = check(by_hash(spc), spc);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, RevokeType::LicenseHash);
    EXPECT_FALSE(check(by_hash(spc), rac));
    // issuer-key: everything the SLC key signed (CLC, RAC), not the SLC itself.
    const auto slc_key = *clc.issuer.key;
    EXPECT_TRUE(check(by_key(RevokeType::IssuerKey, slc_key), clc));
    EXPECT_TRUE(check(by_key(RevokeType::IssuerKey, slc_key), rac));
    EXPECT_FALSE(check(by_key(RevokeType::IssuerKey, slc_key), slc));
    // issuer-id: by the issuer's OBJECT ID.
    EXPECT_TRUE(check(by_object(RevokeType::IssuerId, names::guid, rac.issuer.object.id.value), rac));
    EXPECT_FALSE(check(by_object(RevokeType::IssuerId, names::guid, rac.issuer.object.id.value), slc));
    // principal-id and principal-key: the RAC's user, not the machine.
    EXPECT_TRUE(check(by_object(RevokeType::PrincipalId, rac.principal->object.id.type, rac.principal->object.id.value), rac));
    EXPECT_FALSE(check(by_object(RevokeType::PrincipalId, rac.principal->object.id.type, rac.principal->object.id.value), spc));
    EXPECT_TRUE(check(by_key(RevokeType::PrincipalKey, *rac.principal->key), rac));
    EXPECT_FALSE(check(by_key(RevokeType::PrincipalKey, *rac.principal->key), spc));
    // An empty index revokes nothing.
    EXPECT_FALSE(RevocationIndex().find(rac));
}

TEST_F(Revocation, HostileListsAreRefused) {
    const auto good = signed_list({by_object(RevokeType::LicenseId, names::guid, "{a}")}, signer);
    auto unknown = good;
    unknown.replace(unknown.find("license-id"), 10, "license-xx");
    EXPECT_THROW(read_revocation_list(unknown), FormatError);
    auto empty_id = good;
    empty_id.replace(empty_id.find(">{a}<"), 5, "> <");
    EXPECT_THROW(read_revocation_list(empty_id), FormatError);
    EXPECT_THROW(read_revocation_list(h.rac), FormatError) << "a RAC is not a list";
    EXPECT_THROW(read_revocation_list(good + good), FormatError) << "one list per file";
    EXPECT_THROW(read_revocation_list(good.substr(0, good.size() / 2)), FormatError);
    EXPECT_THROW(read_revocation_list("<!DOCTYPE x [<!ENTITY a \"b\">]><XrML/>"), FormatError);
}

}  // namespace
}  // namespace xrca::xrml
