// The PKCS#11 key ring against a real SoftHSM2 token: keys made in the token and never readable
// from it, signatures that verify, escrow under the token's AES key, and clear refusals.
#include "support/capture_error.h"
#include "support/softhsm_token.h"

#include "ca/errors.h"
#include "ca/key_protection.h"
#include "ca/pkcs11_key_ring.h"
#include "ca/pkcs11_reference.h"
#include "store/factory.h"
#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace xrca {
namespace {

using test::k_softhsm_module;

class Pkcs11Ring : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-pkcs11-ring-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_store = store::open_store(m_dir, store::OpenMode::Create);
    }
    void TearDown() override {
        m_ring.reset();
        m_store.reset();
        std::filesystem::remove_all(m_dir);
    }
    ca::Pkcs11KeyRing& ring() {
        if (!m_ring) {
            m_ring = std::make_unique<ca::Pkcs11KeyRing>(
                *m_store, ca::Pkcs11Token::open(k_softhsm_module, m_token.label(), ca::Password(m_token.pin())), m_rng);
        }
        return *m_ring;
    }
    // The private key object the ring made for `record`, in a session of its own.
    CK_OBJECT_HANDLE object_of(const store::KeyBlob& record, CK_OBJECT_CLASS kind, ca::Pkcs11Token::Session& session) {
        const auto ref = ca::read_pkcs11_reference(record.encrypted, record.name);
        auto id = ref.id;
        auto label = ref.object;
        std::vector<CK_ATTRIBUTE> match{
            {CKA_CLASS, &kind, sizeof kind}, {CKA_ID, id.data(), id.size()}, {CKA_LABEL, label.data(), label.size()}};
        const auto found = token().find(session, match);
        EXPECT_EQ(found.size(), 1u);
        return found.empty() ? CK_INVALID_HANDLE : found.front();
    }
    ca::Pkcs11Token& token() { return ring().token(); }

    test::SoftHsmToken m_token;
    std::string m_dir;
    Botan::System_RNG m_rng;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<ca::Pkcs11KeyRing> m_ring;
};

bool verifies(const xrml::PublicKey& key, std::string_view text, xrml::DigestAlgorithm digest,
              const std::vector<std::uint8_t>& signature) {
    Botan::PK_Verifier verifier(*key.botan_key(),
                                std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(digest) + ")");
    return verifier.verify_message(xrml::body_digest(text, digest), signature);
}

TEST_F(Pkcs11Ring, AKeyIsMadeInTheTokenAndItsPrivateHalfCannotBeRead) {
    const auto key = ring().generate(ca::KeyName::Cluster, 2048, xrml::DigestAlgorithm::Sha256);
    EXPECT_EQ(key.public_key.bits(), 2048u);
    EXPECT_EQ(key.record.custody, store::KeyCustody::Pkcs11);
    EXPECT_EQ(key.record.fingerprint, key.public_key.fingerprint());
    EXPECT_LT(key.record.encrypted.size(), 512u) << "a reference, not a key";
    const auto ref = ca::read_pkcs11_reference(key.record.encrypted, "cluster");
    EXPECT_EQ(ref.module, k_softhsm_module);
    EXPECT_EQ(ref.token, m_token.label());
    EXPECT_EQ(ref.object, "xrca-cluster-" + key.public_key.fingerprint().substr(0, 16));

    auto session = ring().token().session();
    const auto handle = object_of(key.record, CKO_PRIVATE_KEY, session);
    auto& api = ring().token().api();
    for (const CK_ATTRIBUTE_TYPE secret : {CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_VALUE}) {
        std::vector<std::uint8_t> buffer(1024);
        CK_ATTRIBUTE a{secret, buffer.data(), buffer.size()};
        const auto rv = api.C_GetAttributeValue(session.handle(), handle, &a, 1);
        EXPECT_TRUE(rv == CKR_ATTRIBUTE_SENSITIVE || (secret == CKA_VALUE && rv == CKR_ATTRIBUTE_TYPE_INVALID))
            << "attribute " << secret << ": " << ca::pkcs11_return_name(rv);
        EXPECT_EQ(a.ulValueLen, ~CK_ULONG{0}) << "CK_UNAVAILABLE_INFORMATION";
    }
    std::vector<CK_ATTRIBUTE_TYPE> flags{CKA_EXTRACTABLE, CKA_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_ALWAYS_SENSITIVE,
                                         CKA_TOKEN};
    std::vector<CK_BBOOL> expected{CK_FALSE, CK_TRUE, CK_TRUE, CK_TRUE, CK_TRUE};
    for (std::size_t i = 0; i < flags.size(); ++i) {
        EXPECT_EQ(ring().token().attribute(session, handle, flags[i]), std::vector<std::uint8_t>{expected[i]})
            << "attribute " << flags[i];
    }
}

TEST_F(Pkcs11Ring, SignaturesVerifyFromTheNewKeyAndFromTheStoredReference) {
    auto key = ring().generate(ca::KeyName::Activation, 2048, xrml::DigestAlgorithm::Sha256);
    const std::string text = "<BODY type=\"LICENSE\">signed in the token</BODY>";
    EXPECT_TRUE(verifies(key.public_key, text, xrml::DigestAlgorithm::Sha256, key.signer->sign_text(text)));
    m_store->save_key_if_absent(key.record);
    for (const auto digest : {xrml::DigestAlgorithm::Sha256, xrml::DigestAlgorithm::Sha1}) {
        auto& signer = ring().signer(ca::KeyName::Activation, digest);
        EXPECT_EQ(signer.public_key(), key.public_key);
        EXPECT_TRUE(verifies(key.public_key, text, digest, signer.sign_text(text)));
        EXPECT_FALSE(verifies(key.public_key, text + " ", digest, signer.sign_text(text)));
    }
}

TEST_F(Pkcs11Ring, ConcurrentSignersEachGetASessionAndEverySignatureVerifies) {
    auto key = ring().generate(ca::KeyName::Cluster, 1024, xrml::DigestAlgorithm::Sha1);
    m_store->save_key_if_absent(key.record);
    auto& signer = ring().signer(ca::KeyName::Cluster, xrml::DigestAlgorithm::Sha1);
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const auto text = "<BODY>" + std::to_string(t) + "/" + std::to_string(i) + "</BODY>";
                if (verifies(key.public_key, text, xrml::DigestAlgorithm::Sha1, signer.sign_text(text))) ++good;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), 200);
}

TEST_F(Pkcs11Ring, UserKeysAreEscrowedUnderTheTokensAesKeyBoundToTheUser) {
    const auto secrets = ring().provisioning_secrets();
    ASSERT_EQ(secrets.size(), 1u);
    EXPECT_EQ(secrets[0].name, ca::k_pkcs11_escrow_key);
    EXPECT_EQ(secrets[0].custody, store::KeyCustody::Pkcs11);
    m_store->save_key_if_absent(secrets[0]);
    {
        auto session = ring().token().session();
        const auto handle = object_of(secrets[0], CKO_SECRET_KEY, session);
        std::vector<std::uint8_t> buffer(64);
        CK_ATTRIBUTE a{CKA_VALUE, buffer.data(), buffer.size()};
        EXPECT_EQ(ring().token().api().C_GetAttributeValue(session.handle(), handle, &a, 1), CKR_ATTRIBUTE_SENSITIVE);
        EXPECT_EQ(ring().token().attribute(session, handle, CKA_EXTRACTABLE), std::vector<std::uint8_t>{CK_FALSE});
    }
    const auto user_key = ca::generate_rsa_key(1024, m_rng);
    const auto sealed = ring().escrow_user_key(*user_key, "alice");
    const auto recovered = ring().recover_user_key(sealed, "alice");
    EXPECT_EQ(recovered->get_d(), user_key->get_d());
    EXPECT_EQ(test::capture_error([&] { (void)ring().recover_user_key(sealed, "mallory"); }).kind(),
              ErrorKind::Unauthorized);
    auto tampered = sealed;
    tampered[tampered.size() / 2] ^= 1;
    EXPECT_EQ(test::capture_error([&] { (void)ring().recover_user_key(tampered, "alice"); }).kind(),
              ErrorKind::Unauthorized);
    // A new ring on the same token finds the escrow key again from the store.
    m_ring.reset();
    EXPECT_EQ(ring().recover_user_key(sealed, "alice")->get_d(), user_key->get_d());
}

TEST_F(Pkcs11Ring, AWrongPinAMissingTokenAndAMissingModuleAreNamed) {
    auto wrong = test::capture_error(
        [&] { (void)ca::Pkcs11Token::open(k_softhsm_module, m_token.label(), ca::Password("0000")); });
    EXPECT_EQ(wrong.kind(), ErrorKind::KeyUnavailable);
    EXPECT_NE(std::string(wrong.what()).find("the PIN does not open token '" + m_token.label() + "'"),
              std::string::npos)
        << wrong.what();
    auto token =
        test::capture_error([&] { (void)ca::Pkcs11Token::open(k_softhsm_module, "no-such-token", ca::Password("1")); });
    EXPECT_EQ(token.kind(), ErrorKind::Unavailable);
    EXPECT_NE(std::string(token.what()).find("no token labelled 'no-such-token'"), std::string::npos) << token.what();
    auto module =
        test::capture_error([&] { (void)ca::Pkcs11Token::open("/nonexistent/libpkcs11.so", "x", ca::Password("1")); });
    EXPECT_EQ(module.kind(), ErrorKind::Unavailable);
    EXPECT_NE(std::string(module.what()).find("/nonexistent/libpkcs11.so"), std::string::npos) << module.what();
}

TEST_F(Pkcs11Ring, AKeyOfAnotherTokenOrADeletedObjectIsRefusedByName) {
    auto key = ring().generate(ca::KeyName::Cluster, 1024, xrml::DigestAlgorithm::Sha1);
    auto elsewhere = key.record;
    auto ref = ca::read_pkcs11_reference(elsewhere.encrypted, "cluster");
    ref.token = "another-token";
    elsewhere.encrypted = ca::write_pkcs11_reference(ref);
    m_store->save_key_if_absent(elsewhere);
    const auto other =
        test::capture_error([&] { (void)ring().signer(ca::KeyName::Cluster, xrml::DigestAlgorithm::Sha1); });
    EXPECT_EQ(other.kind(), ErrorKind::WrongState);
    EXPECT_NE(std::string(other.what()).find("another-token"), std::string::npos) << other.what();

    auto gone = key.record;
    gone.name = "activation";
    ref = ca::read_pkcs11_reference(gone.encrypted, "activation");
    ref.object = "xrca-deleted";
    gone.encrypted = ca::write_pkcs11_reference(ref);
    m_store->save_key_if_absent(gone);
    const auto missing =
        test::capture_error([&] { (void)ring().signer(ca::KeyName::Activation, xrml::DigestAlgorithm::Sha1); });
    EXPECT_EQ(missing.kind(), ErrorKind::NotFound);
    EXPECT_NE(std::string(missing.what()).find("xrca-deleted"), std::string::npos) << missing.what();
}

TEST(Pkcs11Reference, IsReadBackExactlyAndAnythingElseIsRefused) {
    const ca::Pkcs11Reference ref{
        "/usr/lib/softhsm/libsofthsm2.so", "xrca", "xrca-cluster-0123456789abcdef", {0x8c, 0x1f, 0x00, 0xff}};
    const auto bytes = ca::write_pkcs11_reference(ref);
    EXPECT_EQ(std::string(bytes.begin(), bytes.end()),
              "xrca-pkcs11-key 1\nmodule /usr/lib/softhsm/libsofthsm2.so\ntoken xrca\n"
              "object xrca-cluster-0123456789abcdef\nid 8c1f00ff\n");
    EXPECT_TRUE(ca::read_pkcs11_reference(bytes, "cluster") == ref);
    const std::string good(bytes.begin(), bytes.end());
    for (const std::string& bad : std::vector<std::string>{
             std::string(), good.substr(0, good.size() - 1), good + "extra 1\n",
             "xrca-pkcs11-key 2\n" + good.substr(good.find('\n') + 1),
             "xrca-pkcs11-key 1\nmodule relative.so\ntoken xrca\nobject o\nid 00\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken xrca\nobject o\nid 0\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken xrca\nobject o\nid 0G\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken xrca\nobject o\nid 8C\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken \nobject o\nid 00\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken 0123456789abcdef0123456789abcdefX\nobject o\nid 00\n",
             "xrca-pkcs11-key 1\ntoken xrca\nmodule /m.so\nobject o\nid 00\n",
             "xrca-pkcs11-key 1\nmodule /m.so\ntoken xr\tca\nobject o\nid 00\n"}) {
        const auto e = test::capture_error(
            [&] { (void)ca::read_pkcs11_reference(std::vector<std::uint8_t>(bad.begin(), bad.end()), "cluster"); });
        EXPECT_EQ(e.kind(), ErrorKind::Storage) << bad;
        EXPECT_NE(std::string(e.what()).find("cluster"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace xrca
