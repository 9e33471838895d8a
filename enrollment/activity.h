// Requests per operation over the last hour, minute by minute, for the administrator's console
// (docs/console.md): a ring of 60 per-minute slots, so what it holds stays small and fixed
// whatever the traffic. Thread-safe; recording costs one short lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace xrca::enrollment {

/** One operation's requests in one minute. */
struct MinuteCount {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;  ///< answered with a fault
    double total_seconds = 0;  ///< summed latency (the mean is total_seconds / requests)
    double max_seconds = 0;
};

/** The last hour, oldest minute first: `minutes[i]` maps operation to its counts. */
struct ActivitySnapshot {
    std::int64_t last_minute = 0;  ///< minutes since the epoch of the newest slot
    std::vector<std::map<std::string, MinuteCount>> minutes;
};

class ActivityWindow {
public:
    static constexpr std::size_t k_minutes = 60;
    /** `at` is injectable for tests; the service passes the system clock's now. */
    void record(const std::string& operation, bool ok, double seconds,
                std::chrono::system_clock::time_point at = std::chrono::system_clock::now());
    [[nodiscard]] ActivitySnapshot snapshot(
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

private:
    struct Slot {
        std::int64_t minute = -1;  ///< which minute the slot holds now (-1: none yet)
        std::map<std::string, MinuteCount> counts;
    };
    mutable std::mutex m_mutex;
    std::array<Slot, k_minutes> m_slots;
};

}  // namespace xrca::enrollment
