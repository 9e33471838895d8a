// The health verdict (see health.h).
#include "enrollment/health.h"

#include <sys/statvfs.h>

namespace xrca::enrollment {
namespace {

using Clock = std::chrono::steady_clock;

std::string megabytes(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// Whole days, rounded down, for people: "expires in 0 days" means within a day.
std::string days(std::int64_t seconds) {
    const auto d = seconds / 86400;
    return std::to_string(d) + (d == 1 ? " day" : " days");
}

// The caller the list's re-signing is logged under when a probe finds it due.
ca::Caller health_caller() {
    ca::Caller c;
    c.principal = "service:healthz";
    return c;
}

}  // namespace

std::string Health::failure(Verdict& v, std::string& disk) {
    if (m_options.store_probe) {
        const auto started = Clock::now();
        try {
            m_options.store_probe();
        } catch (const std::exception&) {
            return "store unavailable";
        }
        v.store_probe_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    }
    if (m_authority.record().state == ca::state_name(ca::AuthorityState::AwaitingResponse))
        return "not active: awaiting its SLC response";
    if (m_authority.decommissioned()) return "decommissioned";
    if (m_authority.own_chain().empty()) return "not enrolled";

    // A key that stopped signing (a token unplugged, a PIN changed) is found within the interval;
    // a failed proof is not retried sooner either: a wrong password costs a key derivation each time.
    const auto now = Clock::now();
    if (m_signed == Clock::time_point{} || now - m_signed >= m_options.signing_proof_interval) {
        m_signed = now;
        try {
            m_authority.prove_signing_key();
            m_signing_ok = true;
        } catch (const std::exception&) {
            m_signing_ok = false;
        }
    }
    if (!m_signing_ok) return "keys cannot sign";

    v.certificate_expires_in_seconds = m_authority.own_certificate_seconds_left();
    if (v.certificate_expires_in_seconds && *v.certificate_expires_in_seconds <= 0) return "SLC expired";

    // The published list is renewed here when it is due, as a request for it would: a node
    // nobody asks for its list keeps it fresh, and one that cannot renew it says so.
    try {
        (void)m_authority.current_revocation_list(health_caller());
    } catch (const std::exception&) {
        // Judged by the age of what is published below: a list still valid still serves.
    }
    const auto list = m_authority.published_revocation_list_age();
    if (!list) return "no revocation list published";
    v.revocation_list_age_seconds = list->age_seconds;
    if (list->age_seconds >= list->valid_seconds) return "revocation list expired";

    if (!m_options.data_directory.empty()) {
        struct statvfs fs {};
        if (::statvfs(m_options.data_directory.c_str(), &fs) != 0) {
            disk = "; free space unknown";
            return "free space unknown";
        }
        const std::uint64_t free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
        disk = "; " + megabytes(free_bytes) + " free";
        if (free_bytes < m_options.min_free_bytes) {
            disk += " (below the " + megabytes(m_options.min_free_bytes) + " needed)";
            return "disk nearly full";
        }
    }
    return "";
}

Health::Verdict Health::compute() {
    Verdict v;
    try {
        std::string disk;
        const auto why = failure(v, disk);
        if (why == "store unavailable") {
            v.text = why;
            return v;
        }
        const auto role = std::string(ca::role_name(m_authority.role()));
        const auto state = m_authority.decommissioned() ? std::string("decommissioned") : m_authority.record().state;
        const auto facts = " (" + role + ", " + state + disk + ")";
        const auto warn = std::chrono::duration_cast<std::chrono::seconds>(m_options.warn_expiry).count();
        v.ok = why.empty();
        if (!v.ok) {
            v.text = why + facts;
        } else if (v.certificate_expires_in_seconds && *v.certificate_expires_in_seconds < warn) {
            v.warning = true;
            v.text = "warning: the " +
                     std::string(m_authority.role() == ca::Role::Enrollment ? "service certificate" : "SLC") +
                     " expires in " + days(*v.certificate_expires_in_seconds) + facts;
        } else {
            v.text = "ok" + facts;
        }
    } catch (const std::exception&) {
        v.ok = false;
        v.text = "store unavailable";
    }
    return v;
}

Health::Verdict Health::check() {
    const auto now = Clock::now();
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_computed != Clock::time_point{} && now - m_computed < m_options.refresh) return m_last;
    }
    std::unique_lock<std::mutex> refreshing(m_refreshing, std::try_to_lock);
    if (!refreshing.owns_lock()) {  // another probe is computing: the last verdict will do
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_computed != Clock::time_point{}) return m_last;
    }
    if (!refreshing.owns_lock()) refreshing.lock();  // the very first verdict: wait for it once
    auto verdict = compute();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_last = verdict;
    m_computed = Clock::now();
    return verdict;
}

}  // namespace xrca::enrollment
