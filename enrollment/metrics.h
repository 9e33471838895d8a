// What `GET /metrics` shows, in Prometheus text format: requests by operation and outcome, a
// latency histogram, and certificates issued by kind, since the server started.
#pragma once

#include "enrollment/activity.h"

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace xrca::enrollment {

class Metrics {
public:
    /** One finished SOAP request: `outcome` is "ok" or the RMS fault's short name. */
    void record(const std::string& operation, const std::string& outcome, double seconds,
                const std::string& issued_kind);
    /** The Prometheus exposition text. */
    [[nodiscard]] std::string render() const;
    /** The last hour, minute by minute, per operation (the administrator's console). */
    [[nodiscard]] ActivitySnapshot activity() const { return m_activity.snapshot(); }

    static constexpr std::array<double, 10> k_buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0};

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, std::uint64_t> m_requests;
    std::map<std::string, std::uint64_t> m_issued;
    std::array<std::uint64_t, k_buckets.size()> m_bucket_counts{};
    std::uint64_t m_count = 0;
    double m_sum = 0;
    ActivityWindow m_activity;  ///< locks on its own
};

}  // namespace xrca::enrollment
