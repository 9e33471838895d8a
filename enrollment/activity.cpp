// The per-minute ring of requests (see activity.h).
#include "enrollment/activity.h"

#include <algorithm>

namespace xrca::enrollment {
namespace {

std::int64_t minute_of(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}

std::size_t slot_of(std::int64_t minute) {
    const auto n = static_cast<std::int64_t>(ActivityWindow::k_minutes);
    return static_cast<std::size_t>(((minute % n) + n) % n);
}

}  // namespace

void ActivityWindow::record(const std::string& operation, bool ok, double seconds,
                            std::chrono::system_clock::time_point at) {
    const auto minute = minute_of(at);
    std::lock_guard<std::mutex> lock(m_mutex);
    auto& slot = m_slots[slot_of(minute)];
    if (slot.minute != minute) {  // the slot held a minute an hour ago (or none): start it afresh
        slot.minute = minute;
        slot.counts.clear();
    }
    auto& c = slot.counts[operation];
    ++c.requests;
    if (!ok) ++c.errors;
    c.total_seconds += seconds;
    c.max_seconds = std::max(c.max_seconds, seconds);
}

ActivitySnapshot ActivityWindow::snapshot(std::chrono::system_clock::time_point now) const {
    ActivitySnapshot s;
    s.last_minute = minute_of(now);
    s.minutes.resize(k_minutes);
    std::lock_guard<std::mutex> lock(m_mutex);
    for (std::size_t i = 0; i < k_minutes; ++i) {
        const auto minute = s.last_minute - static_cast<std::int64_t>(k_minutes - 1 - i);
        const auto& slot = m_slots[slot_of(minute)];
        if (slot.minute == minute) s.minutes[i] = slot.counts;
    }
    return s;
}

}  // namespace xrca::enrollment
