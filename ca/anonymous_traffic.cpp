// Anonymous traffic counted per source and window (see anonymous_traffic.h).
#include "ca/anonymous_traffic.h"

#include "xrml/time_format.h"

#include <algorithm>
#include <limits>

namespace xrca::ca {
namespace {

const std::string k_other_sources = "(other sources)";

std::string summary(const AnonymousTraffic::Window& w) {
    std::string out = "window=" + xrml::Time::from_unix(w.opened).to_iso8601() + "/" +
                      xrml::Time::from_unix(w.last).to_iso8601() + "; requests=" + std::to_string(w.requests) +
                      "; refused=" + std::to_string(w.refused);
    for (const auto& [operation, n] : w.by_operation) out += "; " + operation + "=" + std::to_string(n);
    return out;
}

}  // namespace

AnonymousTraffic::AnonymousTraffic(const Clock& clock, AnonymousTrafficOptions options, Write write)
    : m_clock(clock), m_options(options), m_write(std::move(write)) {
    m_options.window_seconds = std::max<std::int64_t>(1, m_options.window_seconds);
    m_options.max_sources = std::max<std::size_t>(1, m_options.max_sources);
}

void AnonymousTraffic::count(const Caller& caller, const std::string& operation, const std::string& refusal) {
    const auto now = m_clock.now().unix_seconds();
    std::vector<Window> closed;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        closed = take_closed(now);
        auto it = m_open.find(caller.address);
        if (it == m_open.end()) {
            const bool room = m_open.size() < m_options.max_sources;
            Caller source = caller;
            if (!room) {
                source.address = k_other_sources;
                source.user_agent.clear();
            }
            it = m_open.try_emplace(source.address).first;
            if (it->second.requests == 0) {
                it->second.source = source;
                it->second.opened = now;
                m_next_due = std::min(m_next_due == 0 ? std::numeric_limits<std::int64_t>::max() : m_next_due,
                                      now + m_options.window_seconds);
            }
        }
        auto& w = it->second;
        w.last = now;
        ++w.requests;
        ++w.by_operation[operation];
        if (!refusal.empty()) {
            ++w.refused;
            if (w.sample.empty()) w.sample = refusal;
        }
    }
    write_all(closed);
}

void AnonymousTraffic::flush() {
    std::vector<Window> all;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        for (auto& [source, w] : m_open) all.push_back(std::move(w));
        m_open.clear();
        m_next_due = 0;
    }
    write_all(all);
}

std::vector<AnonymousTraffic::Window> AnonymousTraffic::take_closed(std::int64_t now) {
    std::vector<Window> closed;
    if (m_next_due == 0 || now < m_next_due) return closed;
    m_next_due = 0;
    for (auto it = m_open.begin(); it != m_open.end();) {
        const auto due = it->second.opened + m_options.window_seconds;
        if (due <= now) {
            closed.push_back(std::move(it->second));
            it = m_open.erase(it);
        } else {
            m_next_due = m_next_due == 0 ? due : std::min(m_next_due, due);
            ++it;
        }
    }
    return closed;
}

void AnonymousTraffic::write_all(const std::vector<Window>& windows) noexcept {
    for (const auto& w : windows) {
        try {
            m_write(w.source, summary(w),
                    w.sample.empty() ? "anonymous requests, all answered" : "first refusal: " + w.sample);
        } catch (const std::exception&) {
            // The counts are lost with the log; the requests were answered (or refused) already.
        }
    }
}

}  // namespace xrca::ca
