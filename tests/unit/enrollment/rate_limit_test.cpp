// Token buckets per source (enrollment/rate_limit.h), driven by explicit time points.
#include "enrollment/rate_limit.h"

#include <gtest/gtest.h>

namespace xrca::enrollment {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, ABurstThenTheSustainedRateThenAWaitThatRefills) {
    RateLimiter limiter({2, 4, 16});
    const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.take("a", t0), 0) << "burst " << i;
    EXPECT_EQ(limiter.take("a", t0), 1) << "empty: retry in a second (2 per second)";
    EXPECT_EQ(limiter.take("b", t0), 0) << "each source has its own bucket";
    EXPECT_EQ(limiter.take("a", t0 + 500ms), 0) << "half a second refills one token";
    EXPECT_EQ(limiter.take("a", t0 + 500ms), 1);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(limiter.take("a", t0 + 10s), 0) << "refilled up to the burst only";
    EXPECT_EQ(limiter.take("a", t0 + 10s), 1);
}

TEST(RateLimiter, SourcesBeyondTheCapShareABucketUntilOthersRefill) {
    RateLimiter limiter({1, 2, 2});
    const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    EXPECT_EQ(limiter.take("a", t0), 0);
    EXPECT_EQ(limiter.take("b", t0), 0);
    // Full table, nobody refilled: new sources share one bucket of 2.
    EXPECT_EQ(limiter.take("c", t0), 0);
    EXPECT_EQ(limiter.take("d", t0), 0);
    EXPECT_GT(limiter.take("e", t0), 0);
    // Later a and b have refilled completely and make room: e gets a bucket of its own.
    EXPECT_EQ(limiter.take("e", t0 + 5s), 0);
}

TEST(RateLimiter, ZeroRateMeansNoLimit) {
    RateLimiter limiter({0, 0, 1});
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.take("a", RateLimiter::Clock::now()), 0);
}

}  // namespace
}  // namespace xrca::enrollment
