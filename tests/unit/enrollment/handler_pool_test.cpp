// The handler threads behind the HTTP server: first come, first served, and nothing queued is lost
// when they stop.
#include "enrollment/handler_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace xrca::enrollment {
namespace {

// A gate the first job waits at, so that the others queue behind it.
struct Gate {
    std::mutex mutex;
    std::condition_variable changed;
    bool open = false;
    bool waiting = false;
    void wait() {
        std::unique_lock<std::mutex> lock(mutex);
        waiting = true;
        changed.notify_all();
        changed.wait(lock, [this] { return open; });
    }
    bool wait_for_waiter() {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, std::chrono::seconds(10), [this] { return waiting; });
    }
    void release() {
        std::lock_guard<std::mutex> lock(mutex);
        open = true;
        changed.notify_all();
    }
};

TEST(HandlerPool, OneThreadRunsTheJobsInTheOrderTheyCame) {
    Gate gate;
    std::mutex mutex;
    std::vector<int> order;
    HandlerPool pool(1);
    ASSERT_TRUE(pool.post([&]() noexcept {
        gate.wait();
        std::lock_guard<std::mutex> lock(mutex);
        order.push_back(0);
    }));
    ASSERT_TRUE(gate.wait_for_waiter());  // the one thread is busy: the rest queue
    for (int i = 1; i <= 20; ++i) {
        ASSERT_TRUE(pool.post([&, i]() noexcept {
            std::lock_guard<std::mutex> lock(mutex);
            order.push_back(i);
        }));
    }
    gate.release();
    pool.finish();
    std::vector<int> expected;
    for (int i = 0; i <= 20; ++i) expected.push_back(i);
    EXPECT_EQ(order, expected);
}

TEST(HandlerPool, FinishRunsEverythingQueuedAndThenRefusesMore) {
    Gate gate;
    std::atomic<int> ran{0};
    HandlerPool pool(3);
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(pool.post([&]() noexcept {
            gate.wait();
            ++ran;
        }));
    }
    ASSERT_TRUE(gate.wait_for_waiter());
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.post([&]() noexcept { ++ran; }));
    gate.release();
    pool.finish();
    EXPECT_EQ(ran.load(), 103);
    EXPECT_FALSE(pool.post([&]() noexcept { ++ran; }));
    pool.finish();  // idempotent
    EXPECT_EQ(ran.load(), 103);
}

}  // namespace
}  // namespace xrca::enrollment
