// ENABLINGBITS: sealing and unsealing round trips, the sizes real RMS documents show, and the
// refusals (another recipient, another ISSUER).
#include "support/test_keys.h"

#include "xrml/enabling_bits.h"
#include "xrml/errors.h"
#include "xrml/public_key.h"

#include <botan/rsa.h>
#include <gtest/gtest.h>

namespace xrca::xrml {
namespace {

struct Case {
    std::size_t bits;
    SealVersion version;
    std::size_t observed_size_bits;  // what real RAC/CLC ENABLINGBITS of this kind measure
};

class Sealing : public ::testing::TestWithParam<Case> {};

TEST_P(Sealing, RoundTripsAndHasTheObservedSize) {
    const auto [bits, version, observed] = GetParam();
    const auto& payload = test::test_key(bits, 5);
    const auto& recipient = test::test_key(bits, 8);
    const std::string issuer = "<ISSUER><OBJECT type=\"MS-DRM-Server\"><ID type=\"MS-GUID\">{x}</ID></OBJECT></ISSUER>";
    const auto sealed = seal_private_key(payload, PublicKey::from_botan(recipient), version, issuer, test::test_rng());
    EXPECT_EQ(sealed.type, version == SealVersion::V2 ? "sealed-key-v2" : "sealed-key");
    EXPECT_EQ(sealed.size_bits, observed);
    EXPECT_EQ(sealed.value.size() * 8, observed);

    const auto opened = unseal_private_key(sealed, recipient, issuer, test::test_rng());
    EXPECT_EQ(opened->get_n(), payload.get_n());
    EXPECT_EQ(opened->get_d(), payload.get_d());
    EXPECT_TRUE(opened->check_key(test::test_rng(), false));
}

// 6144 bits for RSA-1024 sealed-key and 11904 for RSA-2048 sealed-key-v2 are the sizes seen
// in real RACs and CLCs (reference §2.7).
INSTANTIATE_TEST_SUITE_P(Modes, Sealing,
                         ::testing::Values(Case{1024, SealVersion::V1, 6144}, Case{2048, SealVersion::V2, 11904}));

TEST(Unsealing, AnotherRecipientCannotOpen) {
    const auto sealed = seal_private_key(test::test_key(1024, 5), PublicKey::from_botan(test::test_key(1024, 8)),
                                         SealVersion::V1, "<ISSUER/>", test::test_rng());
    EXPECT_THROW(unseal_private_key(sealed, test::test_key(1024, 7), "<ISSUER/>", test::test_rng()), FormatError);
}

TEST(Unsealing, AnotherIssuerTextIsRefused) {
    const auto sealed = seal_private_key(test::test_key(2048, 5), PublicKey::from_botan(test::test_key(2048, 8)),
                                         SealVersion::V2, "<ISSUER>a</ISSUER>", test::test_rng());
    try {
        unseal_private_key(sealed, test::test_key(2048, 8), "<ISSUER>b</ISSUER>", test::test_rng());
        FAIL() << "opened with the wrong ISSUER";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("ISSUER"), std::string::npos) << e.what();
    }
}

TEST(Unsealing, TamperedBitsAreRefused) {
    auto sealed = seal_private_key(test::test_key(1024, 5), PublicKey::from_botan(test::test_key(1024, 8)),
                                   SealVersion::V2, "<ISSUER/>", test::test_rng());
    sealed.value[200] ^= 0x01;
    EXPECT_THROW(unseal_private_key(sealed, test::test_key(1024, 8), "<ISSUER/>", test::test_rng()), FormatError);
}

}  // namespace
}  // namespace xrca::xrml
