// Revocation lists (reference §5.2): built, signed, read back, and looked up by every REVOKE
// type against the sample hierarchy; unrevoked siblings stay clear; hostile lists are refused.
#include "support/data_path.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <fstream>

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
    const auto text = signed_list(
        {by_object(RevokeType::LicenseId, names::guid, rac.descriptor->id.value), by_hash(spc),
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
    auto m = check(by_object(RevokeType::LicenseId, names::guid, rac.descriptor->id.value), rac);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->type, RevokeType::LicenseId);
    EXPECT_FALSE(check(by_object(RevokeType::LicenseId, names::guid, rac.descriptor->id.value), clc));
    // IDs compare trimmed and case-folded.
    std::string upper = rac.descriptor->id.value;
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
    EXPECT_TRUE(
        check(by_object(RevokeType::PrincipalId, rac.principal->object.id.type, rac.principal->object.id.value), rac));
    EXPECT_FALSE(
        check(by_object(RevokeType::PrincipalId, rac.principal->object.id.type, rac.principal->object.id.value), spc));
    EXPECT_TRUE(check(by_key(RevokeType::PrincipalKey, *rac.principal->key), rac));
    EXPECT_FALSE(check(by_key(RevokeType::PrincipalKey, *rac.principal->key), spc));
    // An empty index revokes nothing.
    EXPECT_FALSE(RevocationIndex().find(rac));
}

TEST_F(Revocation, TheSampleListFileHoldsEveryType) {
    std::ifstream in(test::data_path("revocation/sample-list.xml"), std::ios::binary);
    const auto list = read_revocation_list(std::string(std::istreambuf_iterator<char>(in), {}));
    EXPECT_TRUE(verify_signature(list.document).ok());
    ASSERT_EQ(list.entries.size(), 7u);
    for (std::size_t i = 0; i < list.entries.size(); ++i) EXPECT_EQ(static_cast<std::size_t>(list.entries[i].type), i);
    RevocationIndex index;
    index.add(list);
    EXPECT_TRUE(index.find(rac)) << "the sample list revokes the sample RAC";
    EXPECT_FALSE(index.find(slc));
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

// --- lists honoured while verifying chains ---------------------------------------------------

class ChainRevocationTest : public ::testing::Test {
protected:
    Time at = Time::parse("2026-03-02T12:00");
    struct Checked {
        std::vector<Certificate> docs;
        ChainResult chain;
        std::vector<RevocationList> lists;
        ChainRevocation result;
    };
    // Verifies `chain_text` and checks it against lists signed by the given keys.
    Checked run(const test::SampleHierarchy& h, const std::string& chain_text,
                const std::vector<std::pair<std::vector<RevokeEntry>, const Botan::RSA_PrivateKey*>>& lists,
                std::optional<std::int64_t> max_age = std::nullopt) {
        Checked c;
        c.docs = read_documents(chain_text).documents;
        c.chain = verify_ordered_chain(c.docs, {h.anchor_fingerprint, h.issued.plus_seconds(3600), {}});
        EXPECT_TRUE(c.chain.ok()) << c.chain.detail;
        for (const auto& [entries, key] : lists) c.lists.push_back(read_revocation_list(signed_list(entries, *key)));
        std::vector<CheckedList> checked;
        for (const auto& l : c.lists) checked.push_back(check_list(l, at, max_age));
        c.result = check_chain_revocation(c.docs, c.chain, checked, at);
        return c;
    }
};

TEST_F(ChainRevocationTest, RevokingTheSlcFailsEveryChainUnderIt) {
    const auto h = test::build_sample_hierarchy({2});
    const auto slc = first(h.slc);
    // The enrollment service (the SLC's issuer) revokes the SLC by ID: the CLC and RAC chains fail.
    const std::vector<RevokeEntry> entries = {by_object(RevokeType::LicenseId, names::guid, slc.descriptor->id.value)};
    for (const auto& chain : {h.clc_chain(), h.rac_chain(), h.spc_chain()}) {
        const auto c = run(h, chain, {{entries, &test::test_key(2048, 3)}});
        ASSERT_TRUE(c.result.revoked()) << "every chain under the SLC";
        EXPECT_EQ(c.docs[*c.result.revoked_document].descriptor->id.value, slc.descriptor->id.value);
    }
    // The SLC's own key may not revoke the SLC (only its issuer and those above); its list
    // counts for the CLC under it, which it does not name.
    const auto c = run(h, h.clc_chain(), {{entries, &test::test_key(2048, 4)}});
    EXPECT_FALSE(c.result.revoked());
    EXPECT_TRUE(c.result.ignored.empty());
    // A key from outside the chain: ignored.
    const auto outsider = run(h, h.clc_chain(), {{entries, &test::test_key(2048, 12)}});
    EXPECT_FALSE(outsider.result.revoked());
    EXPECT_NE(outsider.result.ignored.front().find("may not revoke"), std::string::npos)
        << outsider.result.ignored.front();
}

TEST_F(ChainRevocationTest, TheSlcRevokesWhatItIssuedAndSiblingsStillVerify) {
    const auto h = test::build_sample_hierarchy({2});
    const auto rac = first(h.rac);
    const std::vector<RevokeEntry> entries = {by_key(RevokeType::PrincipalKey, *rac.principal->key)};
    const auto revoked = run(h, h.rac_chain(), {{entries, &test::test_key(2048, 4)}});
    ASSERT_TRUE(revoked.result.revoked());
    EXPECT_EQ(revoked.result.match.type, RevokeType::PrincipalKey);
    EXPECT_EQ(revoked.result.revoked_document, 0u);
    EXPECT_FALSE(run(h, h.spc_chain(), {{entries, &test::test_key(2048, 4)}}).result.revoked())
        << "the machine is not the user";
}

TEST_F(ChainRevocationTest, TamperedAndStaleListsAreIgnored) {
    const auto h = test::build_sample_hierarchy({2});
    const auto slc = first(h.slc);
    const std::vector<RevokeEntry> entries = {by_object(RevokeType::LicenseId, names::guid, slc.descriptor->id.value)};
    // Stale by --max-age: issued 2026-03-01T12:00, checked a day later with a 1 h limit.
    const auto stale = run(h, h.rac_chain(), {{entries, &test::test_key(2048, 3)}}, 3600);
    EXPECT_FALSE(stale.result.revoked());
    EXPECT_NE(stale.result.ignored.front().find("allowed age"), std::string::npos) << stale.result.ignored.front();
    // Tampered: the signature no longer verifies.
    auto text = signed_list(entries, test::test_key(2048, 3));
    text.replace(text.find("revocation/list.xml"), 4, "revX");
    const auto list = read_revocation_list(text);
    const auto checked = check_list(list, at, std::nullopt);
    EXPECT_NE(checked.problem.find("signature"), std::string::npos);
    EXPECT_EQ(checked.index.size(), 0u);
}

TEST_F(ChainRevocationTest, ACustomAuthorityCountsOnlyForChainsWhoseSlcNamesIt) {
    const auto custom = test::build_sample_hierarchy({2}, true);
    const auto standard = test::build_sample_hierarchy({2}, false);
    const auto& authority = test::test_key(2048, 9);
    const auto entries_for = [](const test::SampleHierarchy& h) {
        return std::vector<RevokeEntry>{
            by_object(RevokeType::LicenseId, names::guid, first(h.slc).descriptor->id.value)};
    };
    EXPECT_TRUE(run(custom, custom.clc_chain(), {{entries_for(custom), &authority}}).result.revoked());
    EXPECT_FALSE(run(standard, standard.clc_chain(), {{entries_for(standard), &authority}}).result.revoked());
}

}  // namespace
}  // namespace xrca::xrml
