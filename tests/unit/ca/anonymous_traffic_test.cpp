// Anonymous traffic is counted per source and window (ca/anonymous_traffic.h), driven by a fixed clock.
#include "ca/anonymous_traffic.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace xrca::ca {
namespace {

struct Written {
    std::string source, inputs, reason;
};

class AnonymousTrafficTest : public ::testing::Test {
protected:
    FixedClock clock{xrml::Time::parse("2026-03-01T12:00")};
    std::vector<Written> written;
    AnonymousTraffic traffic{clock, {60, 2}, [this](const Caller& c, const std::string& i, const std::string& r) {
                                 written.push_back({c.address, i, r});
                             }};
    static Caller from(const std::string& address) {
        Caller c;
        c.principal = "anonymous";
        c.address = address;
        c.anonymous = true;
        return c;
    }
};

TEST_F(AnonymousTrafficTest, OneEntryPerSourceAndWindowWithCountsAndTheFirstRefusal) {
    traffic.count(from("10.0.0.1"), "SOAP", "System.ArgumentException: not XML");
    traffic.count(from("10.0.0.1"), "GetLicensorCertificate", "");
    traffic.count(from("10.0.0.1"), "SOAP", "System.ArgumentException: second");
    EXPECT_TRUE(written.empty()) << "nothing is written while the window is open";
    clock.advance_seconds(59);
    traffic.count(from("10.0.0.2"), "SOAP", "x");
    EXPECT_TRUE(written.empty());
    clock.advance_seconds(1);  // the first source's window closes; its entry goes with the next request
    traffic.count(from("10.0.0.2"), "SOAP", "y");
    ASSERT_EQ(written.size(), 1u);
    EXPECT_EQ(written[0].source, "10.0.0.1");
    EXPECT_EQ(
        written[0].inputs,
        "window=2026-03-01T12:00:00Z/2026-03-01T12:00:00Z; requests=3; refused=2; GetLicensorCertificate=1; SOAP=2");
    EXPECT_EQ(written[0].reason, "first refusal: System.ArgumentException: not XML");
    traffic.flush();
    ASSERT_EQ(written.size(), 2u);
    EXPECT_EQ(written[1].source, "10.0.0.2");
    EXPECT_NE(written[1].inputs.find("requests=2; refused=2"), std::string::npos) << written[1].inputs;
    traffic.flush();
    EXPECT_EQ(written.size(), 2u) << "a flush with nothing open writes nothing";
}

TEST_F(AnonymousTrafficTest, SourcesBeyondTheCapShareOneWindow) {
    for (int i = 0; i < 50; ++i) traffic.count(from("10.0.1." + std::to_string(i)), "SOAP", "r");
    traffic.flush();
    ASSERT_EQ(written.size(), 3u) << "two sources of their own, then everyone else together";
    EXPECT_EQ(written[0].source, "(other sources)");
    EXPECT_NE(written[0].inputs.find("requests=48"), std::string::npos) << written[0].inputs;
}

TEST_F(AnonymousTrafficTest, ReadsAloneSayTheyWereAllAnswered) {
    traffic.count(from("10.0.0.9"), "GetLicensorCertificate", "");
    traffic.flush();
    ASSERT_EQ(written.size(), 1u);
    EXPECT_EQ(written[0].reason, "anonymous requests, all answered");
}

}  // namespace
}  // namespace xrca::ca
