// Console sessions (see sessions.h).
#include "console/sessions.h"

#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/mem_ops.h>
#include <botan/rng.h>

#include <algorithm>

namespace xrca::console {
namespace {

std::string digest(const std::string& id) {
    const auto d = Botan::HashFunction::create_or_throw("SHA-256")->process(
        reinterpret_cast<const std::uint8_t*>(id.data()), id.size());
    return Botan::hex_encode(d.data(), d.size(), false);
}

}  // namespace

std::string SessionTable::random_token() {
    const auto bytes = m_rng.random_vec(32);
    return Botan::hex_encode(bytes.data(), bytes.size(), false);
}

void SessionTable::expire(std::chrono::steady_clock::time_point now) {
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        it = now - it->second.last_used >= m_idle ? m_sessions.erase(it) : std::next(it);
    }
}

std::optional<SessionView> SessionTable::find(const std::string& id) {
    if (id.size() != 64) return std::nullopt;
    const auto key = digest(id);
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = m_sessions.find(key);
    if (it == m_sessions.end()) return std::nullopt;
    if (now - it->second.last_used >= m_idle) {
        m_sessions.erase(it);
        return std::nullopt;
    }
    it->second.last_used = now;
    return SessionView{"", it->second.principal, it->second.csrf};
}

SessionView SessionTable::create(const std::string& principal) {
    SessionView s{random_token(), principal, random_token()};
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_sessions.size() >= m_capacity) expire(now);
    if (m_sessions.size() >= m_capacity) {
        // Still full: the least recently used goes (anonymous visitors cannot crowd out for long).
        const auto oldest = std::min_element(m_sessions.begin(), m_sessions.end(), [](const auto& a, const auto& b) {
            return a.second.last_used < b.second.last_used;
        });
        m_sessions.erase(oldest);
    }
    m_sessions[digest(s.id)] = Entry{principal, s.csrf, now};
    return s;
}

void SessionTable::remove(const std::string& id) {
    const auto key = digest(id);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_sessions.erase(key);
}

bool SessionTable::csrf_matches(const SessionView& session, const std::string& offered) {
    return offered.size() == session.csrf.size() && !session.csrf.empty() &&
           Botan::constant_time_compare(reinterpret_cast<const std::uint8_t*>(offered.data()),
                                        reinterpret_cast<const std::uint8_t*>(session.csrf.data()), offered.size());
}

}  // namespace xrca::console
