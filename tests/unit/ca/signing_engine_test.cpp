// Issue 13: the software signing engines. RSASSA-PKCS1-v1_5 is deterministic, so libcrypto and
// Botan must produce the very same bytes for the same key and text; both must verify as XrML.
#include "ca/signing_engine.h"
#include "ca/libcrypto_signer.h"

#include "support/test_keys.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"

#include <botan/pubkey.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <gtest/gtest.h>

#include <thread>

namespace xrca::ca {
namespace {

std::unique_ptr<Botan::RSA_PrivateKey> copy_of(const Botan::RSA_PrivateKey& key) {
    return std::make_unique<Botan::RSA_PrivateKey>(key.get_p(), key.get_q(), key.get_e());
}

/** A signature made directly with Botan's PK_Signer: the reference the engines are held to. */
std::vector<std::uint8_t> reference_signature(const Botan::RSA_PrivateKey& key, std::string_view text,
                                              xrml::DigestAlgorithm digest) {
    Botan::System_RNG rng;
    Botan::PK_Signer signer(key, rng, std::string("EMSA3(Raw,") + xrml::digest_algorithm_botan_name(digest) + ")");
    return signer.sign_message(xrml::body_digest(text, digest), rng);
}

TEST(SigningEngine, NamesRoundTripAndUnknownNamesAreRefused) {
    for (const auto engine : {SigningEngine::Libcrypto, SigningEngine::Botan})
        EXPECT_EQ(parse_signing_engine(signing_engine_name(engine)), engine);
    EXPECT_FALSE(parse_signing_engine("openssl"));
    EXPECT_FALSE(parse_signing_engine(""));
    EXPECT_EQ(k_default_signing_engine, SigningEngine::Libcrypto);
}

TEST(SigningEngine, EveryEngineSignsTheSameBytesAsBotanDirectly) {
    Botan::System_RNG rng;
    const std::string text = "<BODY type=\"LICENSE\" version=\"3.0\">caf\xC3\xA9 \xE2\x82\xAC</BODY>";
    for (const std::size_t bits : {std::size_t{1024}, std::size_t{2048}}) {
        const auto& key = test::test_key(bits, 0);
        for (const auto digest : {xrml::DigestAlgorithm::Sha1, xrml::DigestAlgorithm::Sha256}) {
            const auto expected = reference_signature(key, text, digest);
            for (const auto engine : {SigningEngine::Libcrypto, SigningEngine::Botan}) {
                const auto signer = make_software_signer(engine, copy_of(key), digest, rng);
                EXPECT_EQ(signer->sign_text(text), expected) << signing_engine_name(engine) << ", RSA-" << bits << ", "
                                                             << xrml::digest_algorithm_botan_name(digest);
                EXPECT_EQ(signer->public_key().fingerprint(), xrml::PublicKey::from_botan(key).fingerprint());
                EXPECT_EQ(signer->digest_algorithm(), digest);
            }
        }
    }
}

TEST(SigningEngine, LibcryptoDocumentsVerifyAsXrml) {
    Botan::System_RNG rng;
    const auto& key = test::test_key(2048, 1);
    xrml::RevocationListTemplate t;
    t.id = "{3c6d8a2e-0000-4000-8000-000000000001}";
    t.issued = xrml::Time::parse("2026-03-01T12:00");
    t.issuer.object = {xrml::names::revocation_list, {"MS-GUID", t.id}, std::string("Engine test"), {}};
    t.issuer.key = xrml::PublicKey::from_botan(key);
    LibcryptoSigner signer(key, xrml::DigestAlgorithm::Sha256);
    const auto text = signer.sign_document(xrml::build_revocation_list_body(t));
    const auto set = xrml::read_documents(text);
    ASSERT_EQ(set.documents.size(), 1u);
    const auto verdict = xrml::verify_signature(set.documents.front());
    EXPECT_TRUE(verdict.ok()) << verdict.detail;
}

TEST(SigningEngine, LibcryptoSignsFromManyThreadsAtOnce) {
    const auto& key = test::test_key(1024, 2);
    LibcryptoSigner signer(key, xrml::DigestAlgorithm::Sha256);
    constexpr int k_threads = 4, k_each = 25;
    std::vector<std::thread> threads;
    std::vector<int> good(k_threads, 0);
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < k_each; ++i) {
                const auto text = "<BODY>" + std::to_string(t) + "/" + std::to_string(i) + "</BODY>";
                if (signer.sign_text(text) == reference_signature(key, text, xrml::DigestAlgorithm::Sha256))
                    ++good[static_cast<std::size_t>(t)];
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < k_threads; ++t) EXPECT_EQ(good[static_cast<std::size_t>(t)], k_each) << "thread " << t;
}

}  // namespace
}  // namespace xrca::ca
