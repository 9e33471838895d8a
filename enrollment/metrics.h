// What `GET /metrics` shows, in Prometheus text format (docs/soap.md): requests by operation and
// outcome, a latency histogram per operation and certificates issued by kind since the server
// started, and gauges of the moment (the authority's certificate, its revocation list, the CLC
// key pool, the store, health). Every counter is an integer, durations in microseconds, so that
// what is printed is exact however long the server runs.
#pragma once

#include "enrollment/activity.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace xrca::enrollment {

/** The gauges, read when /metrics is asked (from the cached health verdict: cheap); nullopt: not known. */
struct MetricGauges {
    std::optional<std::int64_t> slc_expiry_seconds;  ///< until the authority's own certificate ends
    std::optional<std::int64_t> revocation_list_age_seconds;
    std::size_t clc_keys_ready = 0;
    std::optional<std::chrono::microseconds> store_probe_time;
    bool healthy = false;
};

class Metrics {
public:
    /** One finished request: `outcome` is "ok" or the RMS fault's short name. */
    void record(const std::string& operation, const std::string& outcome, std::chrono::microseconds elapsed,
                const std::string& issued_kind);
    /** The Prometheus exposition text. */
    [[nodiscard]] std::string render(const MetricGauges& gauges) const;
    /** The last hour, minute by minute, per operation (the administrator's console). */
    [[nodiscard]] ActivitySnapshot activity() const { return m_activity.snapshot(); }

    /** Upper bounds of the latency buckets, in microseconds (printed in seconds). */
    static constexpr std::array<std::int64_t, 10> k_bucket_microseconds = {1000,  2500,   5000,   10000,   25000,
                                                                           50000, 100000, 250000, 1000000, 5000000};

private:
    struct Histogram {
        std::array<std::uint64_t, k_bucket_microseconds.size()> buckets{};  ///< cumulative, as exposed
        std::uint64_t count = 0;
        std::uint64_t sum_microseconds = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, std::uint64_t> m_requests;
    std::map<std::string, Histogram> m_latency;  ///< by operation
    std::map<std::string, std::uint64_t> m_issued;
    ActivityWindow m_activity;  ///< locks on its own
};

}  // namespace xrca::enrollment
