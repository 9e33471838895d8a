// Issue 15, item 5: a RAC names a directory user by its SID (ID type "Windows", no email alias)
// and a federated user by a GUID unique to its email (ID type "Federation", with the alias); a
// principal whose user ID is neither is refused when it is added.
#include "support/authority_fixture.h"
#include "support/capture_error.h"
#include "support/test_keys.h"

#include "ca/errors.h"
#include "ca/user_identity.h"
#include "xrml/reader.h"

#include <gtest/gtest.h>

namespace xrca::ca {
namespace {

TEST(UserIdentity, SidsAreDecimalPartsAfterS1) {
    EXPECT_TRUE(is_windows_sid("S-1-5-21-1004336348-1177238915-682003330-1001"));
    EXPECT_TRUE(is_windows_sid("S-1-5-18"));
    EXPECT_TRUE(is_windows_sid("S-1-1-0"));
    EXPECT_FALSE(is_windows_sid("S-1-"));
    EXPECT_FALSE(is_windows_sid("S-1-5-"));
    EXPECT_FALSE(is_windows_sid("S-1-5--21"));
    EXPECT_FALSE(is_windows_sid("S-2-5-21"));
    EXPECT_FALSE(is_windows_sid("s-1-5-21"));
    EXPECT_FALSE(is_windows_sid("S-1-5-21-x"));
    EXPECT_FALSE(is_windows_sid("S-1-5-21-1 "));
    EXPECT_FALSE(is_windows_sid("alice"));
    EXPECT_FALSE(is_windows_sid("S-1-" + std::string(200, '1')));
}

TEST(UserIdentity, TheFederatedIdIsAVersion5GuidOfTheLowerCasedEmail) {
    // Expected values from Python's uuid.uuid5 with xrca's name space b5d83361-aa07-423a-bfb6-8899838093a9.
    EXPECT_EQ(federation_user_id("alice@example.test"), "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    EXPECT_EQ(federation_user_id("Alice@Example.TEST"), "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    EXPECT_EQ(federation_user_id("bob@example.test"), "{8a117aae-a502-55f1-9dc0-0e4afc82b542}");
}

TEST(UserIdentity, AUserIdIsASidOrAGuidOrNothing) {
    const auto sid = parse_user_identity("S-1-5-21-7-1001", "a@example.test");
    ASSERT_TRUE(sid);
    EXPECT_EQ(sid->type, UserIdType::Windows);
    EXPECT_EQ(sid->id, "S-1-5-21-7-1001");
    const auto guid = parse_user_identity("8D6F1C2E-4B7A-4E1D-9C3F-0A1B2C3D4E5F", "a@example.test");
    ASSERT_TRUE(guid);
    EXPECT_EQ(guid->type, UserIdType::Federation);
    EXPECT_EQ(guid->id, "{8d6f1c2e-4b7a-4e1d-9c3f-0a1b2c3d4e5f}") << "braced and lower-case";
    const auto derived = parse_user_identity("", "alice@example.test");
    ASSERT_TRUE(derived);
    EXPECT_EQ(derived->type, UserIdType::Federation);
    EXPECT_EQ(derived->id, "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    EXPECT_FALSE(parse_user_identity("alice", "alice@example.test"));
    EXPECT_FALSE(parse_user_identity("{8d6f1c2e-4b7a-4e1d-9c3f-0a1b2c3d4e5}", "a@example.test"));
    EXPECT_FALSE(parse_user_identity("{}", "a@example.test"));
}

class RacIdentityTest : public ::testing::Test {
protected:
    test::Hierarchy h{2};
    Authority& root() { return *h.root.authority; }
    std::string spc = h.machine_spc_chain(test::test_key(2048, 8));
    xrml::Certificate rac_of(const std::string& user_id, const std::string& email) {
        return xrml::read_documents(root().issue_rac({{spc}, user_id, email, false}, h.caller).documents.front())
            .documents.front();
    }
};

TEST_F(RacIdentityTest, ADirectoryUserIsNamedByItsSidWithoutAlias) {
    const auto rac = rac_of("S-1-5-21-7-1001", "alice@example.test");
    const auto& user = rac.principal->object;
    EXPECT_EQ(user.type, "Group-Identity");
    EXPECT_EQ(user.id.type, "Windows");
    EXPECT_EQ(user.id.value, "S-1-5-21-7-1001");
    EXPECT_EQ(user.name, "alice@example.test");
    EXPECT_TRUE(user.addresses.empty());
}

TEST_F(RacIdentityTest, AFederatedUserIsNamedByTheGuidOfItsEmailWithTheAlias) {
    const auto rac = rac_of("", "alice@example.test");
    const auto& user = rac.principal->object;
    EXPECT_EQ(user.id.type, "Federation");
    EXPECT_EQ(user.id.value, "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    EXPECT_EQ(user.name, "alice@example.test");
    ASSERT_EQ(user.addresses.size(), 1u);
    EXPECT_EQ(user.addresses[0].type, "email_alias");
    EXPECT_EQ(user.addresses[0].value, "alice@example.test");
    // The same user named by its GUID gets the same identity, and so the same escrowed key.
    const auto again = rac_of("{3C8B7E7F-CDAD-589C-BCDC-731BA7D45CB9}", "alice@example.test");
    EXPECT_EQ(again.principal->object.id.value, user.id.value);
    EXPECT_EQ(*again.principal->key, *rac.principal->key);
}

TEST_F(RacIdentityTest, AUserIdThatIsNeitherIsRefusedWhereverItIsNamed) {
    const auto before = h.root.store->counts().issued_by_kind;
    const auto e = test::capture_error([&] { (void)rac_of("alice", "alice@example.test"); });
    EXPECT_EQ(e.kind(), ErrorKind::Malformed);
    EXPECT_NE(std::string(e.what()).find("neither a Windows SID"), std::string::npos) << std::string(e.what());
    const auto p = test::capture_error(
        [&] { (void)root().add_principal("alice", "user", "alice@example.test", "alice", h.caller); });
    EXPECT_EQ(p.kind(), ErrorKind::Usage);
    EXPECT_NE(std::string(p.what()).find("neither a Windows SID (S-1-5-21-…, for a directory user) nor a GUID"),
              std::string::npos)
        << std::string(p.what());
    EXPECT_FALSE(h.root.store->find_principal("alice"));
    EXPECT_EQ(h.root.store->counts().issued_by_kind, before) << "nothing issued";
}

TEST_F(RacIdentityTest, PrincipalsStoreTheIdTheirRacsCarry) {
    (void)root().add_principal("alice", "user", "Alice@Example.test", "", h.caller);
    EXPECT_EQ(h.root.store->find_principal("alice")->user_id, "{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}");
    (void)root().add_principal("bob", "user", "bob@example.test", "S-1-5-21-7-1002", h.caller);
    EXPECT_EQ(h.root.store->find_principal("bob")->user_id, "S-1-5-21-7-1002");
    (void)root().add_principal("carol", "user", "carol@example.test", "{8D6F1C2E-4B7A-4E1D-9C3F-0A1B2C3D4E5F}",
                               h.caller);
    EXPECT_EQ(h.root.store->find_principal("carol")->user_id, "{8d6f1c2e-4b7a-4e1d-9c3f-0a1b2c3d4e5f}");
}

}  // namespace
}  // namespace xrca::ca
