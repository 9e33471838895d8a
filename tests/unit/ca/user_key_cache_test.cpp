// Issue 12: the authority's cache of unwrapped user keys is bounded, evicts the least recently
// used user first, and lets go of an evicted key so that Botan scrubs it once no request uses it.
#include "ca/user_key_cache.h"

#include "support/test_keys.h"

#include <botan/rsa.h>

#include <gtest/gtest.h>

namespace xrca::ca {
namespace {

UserKeyCache::Pointer key(std::size_t slot) {
    return std::make_shared<const Botan::RSA_PrivateKey>(test::test_key(1024, slot));
}

TEST(UserKeyCache, HoldsAtMostItsCapacityAndEvictsTheLeastRecentlyUsed) {
    UserKeyCache cache(2);
    std::weak_ptr<const Botan::RSA_PrivateKey> bob_key;
    {
        auto bob = key(1);
        bob_key = bob;
        cache.insert("alice", key(0));
        cache.insert("bob", std::move(bob));
    }
    ASSERT_NE(cache.find("alice"), nullptr);  // alice is now the most recently used
    cache.insert("carol", key(2));
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find("bob"), nullptr) << "the least recently used user goes";
    EXPECT_TRUE(bob_key.expired()) << "an evicted key nobody uses is destroyed (and its memory scrubbed)";
    EXPECT_NE(cache.find("alice"), nullptr);
    EXPECT_NE(cache.find("carol"), nullptr);
}

TEST(UserKeyCache, AKeyInUseOutlivesItsEviction) {
    UserKeyCache cache(1);
    const auto in_use = cache.insert("alice", key(0));
    cache.insert("bob", key(1));
    EXPECT_EQ(cache.find("alice"), nullptr);
    EXPECT_EQ(in_use.use_count(), 1) << "only the request holding it keeps it";
}

TEST(UserKeyCache, TheFirstKeyCachedForAUserStays) {
    UserKeyCache cache(4);
    const auto first = cache.insert("alice", key(0));
    const auto second = cache.insert("alice", key(1));
    EXPECT_EQ(second, first) << "a racing unwrap of the same user returns the cached key";
    EXPECT_EQ(cache.size(), 1u);
}

TEST(UserKeyCache, CapacityZeroKeepsNothing) {
    UserKeyCache cache(0);
    const auto k = cache.insert("alice", key(0));
    EXPECT_NE(k, nullptr);
    EXPECT_EQ(cache.find("alice"), nullptr);
    EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace xrca::ca
