// Per-source rate limits for callers without a token (docs/soap.md): a token bucket per source
// address. Anonymous requests are cheap to send and each costs the service a parse, perhaps a
// signature check and a count; a source that sends faster than `rate` per second (after a
// burst) is answered with a fault and Retry-After until its bucket refills.
//
// Bounded memory: at most `max_sources` buckets; when full, buckets that have refilled
// completely are dropped (they hold no information), and if none has, new sources share one
// bucket — so a flood from many addresses slows anonymous traffic as a whole, never tokens.
//
// Thread-safe. Time is passed in so that tests can drive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace xrca::enrollment {

struct RateLimitOptions {
    double rate_per_second = 20;  ///< sustained anonymous requests per source; 0 turns limits off
    double burst = 200;           ///< what a quiet source may send at once
    std::size_t max_sources = 4096;
};

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    explicit RateLimiter(RateLimitOptions options) : m_options(options) {}

    /** 0 if `source` may make a request now (and the request is counted), else the seconds to wait. */
    std::int64_t take(const std::string& source, Clock::time_point now);

private:
    struct Bucket {
        double tokens;
        Clock::time_point updated;
    };
    void refill(Bucket& b, Clock::time_point now) const;

    RateLimitOptions m_options;
    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
    Bucket m_shared{0, {}};
    bool m_shared_started = false;
};

}  // namespace xrca::enrollment
