// Token buckets per source (see rate_limit.h).
#include "enrollment/rate_limit.h"

#include <algorithm>
#include <cmath>

namespace xrca::enrollment {

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    if (elapsed > 0) {
        b.tokens = std::min(m_options.burst, b.tokens + elapsed * m_options.rate_per_second);
        b.updated = now;
    }
}

std::int64_t RateLimiter::take(const std::string& source, Clock::time_point now) {
    if (m_options.rate_per_second <= 0) return 0;
    std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_buckets.find(source);
    Bucket* bucket = nullptr;
    if (it != m_buckets.end()) {
        bucket = &it->second;
    } else {
        if (m_buckets.size() >= m_options.max_sources) {
            for (auto i = m_buckets.begin(); i != m_buckets.end();) {
                refill(i->second, now);
                i = i->second.tokens >= m_options.burst ? m_buckets.erase(i) : std::next(i);
            }
        }
        if (m_buckets.size() < m_options.max_sources) {
            bucket = &m_buckets.emplace(source, Bucket{m_options.burst, now}).first->second;
        } else {
            if (!m_shared_started) m_shared = Bucket{m_options.burst, now};
            m_shared_started = true;
            bucket = &m_shared;
        }
    }
    refill(*bucket, now);
    if (bucket->tokens >= 1) {
        bucket->tokens -= 1;
        return 0;
    }
    return std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil((1 - bucket->tokens) / m_options.rate_per_second)));
}

}  // namespace xrca::enrollment
