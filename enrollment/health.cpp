// The health verdict (see health.h).
#include "enrollment/health.h"

#include <sys/statvfs.h>

namespace xrca::enrollment {
namespace {

std::string megabytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

}  // namespace

Health::Verdict Health::compute() {
    Verdict v;
    try {
        if (m_options.store_probe) m_options.store_probe();
        const bool ready = !m_authority.own_chain().empty();
        const auto role = std::string(ca::role_name(m_authority.role()));
        const auto state = m_authority.decommissioned() ? std::string("decommissioned") : m_authority.record().state;
        std::string disk;
        bool disk_ok = true;
        if (!m_options.data_directory.empty()) {
            struct statvfs fs {};
            if (::statvfs(m_options.data_directory.c_str(), &fs) != 0) {
                disk_ok = false;
                disk = "; free space unknown";
            } else {
                const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
                disk_ok = free_bytes >= m_options.min_free_bytes;
                disk = "; " + megabytes(free_bytes) + " free" +
                       (disk_ok ? "" : " (below the " + megabytes(m_options.min_free_bytes) + " needed)");
            }
        }
        v.ok = ready && disk_ok;
        v.text = std::string(!disk_ok ? "disk nearly full"
                             : ready  ? "ok"
                                      : "not enrolled") +
                 " (" + role + ", " + state + disk + ")";
    } catch (const std::exception&) {
        v.ok = false;
        v.text = "store unavailable";
    }
    return v;
}

Health::Verdict Health::check() {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_computed != std::chrono::steady_clock::time_point{} && now - m_computed < m_options.refresh)
            return m_last;
    }
    std::unique_lock<std::mutex> refreshing(m_refreshing, std::try_to_lock);
    if (!refreshing.owns_lock()) {  // another probe is computing: the last verdict will do
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_computed != std::chrono::steady_clock::time_point{}) return m_last;
    }
    if (!refreshing.owns_lock()) refreshing.lock();  // the very first verdict: wait for it once
    auto verdict = compute();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_last = verdict;
    m_computed = std::chrono::steady_clock::now();
    return verdict;
}

}  // namespace xrca::enrollment
