// Who is signed in to the console (docs/console.md). A session is a random 256-bit ID held in
// an HttpOnly cookie; the table keeps only its SHA-256, with the admin principal it belongs to,
// the CSRF token its forms carry, and when it was last used. It ends after `idle` without a
// request, or at sign-out. A visitor who is not signed in gets an anonymous session too, so
// that the sign-in form carries a CSRF token like every other form. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::console {

struct SessionView {
    std::string id;         ///< the cookie's value (only for a session just made)
    std::string principal;  ///< the admin principal signed in; empty: not signed in
    std::string csrf;
};

class SessionTable {
public:
    SessionTable(Botan::RandomNumberGenerator& rng, std::chrono::seconds idle, std::size_t capacity = 10000)
        : m_rng(rng), m_idle(idle), m_capacity(capacity) {}

    /** The live session of cookie value `id` (touched: its idle time starts again), or nullopt. */
    std::optional<SessionView> find(const std::string& id);
    /** A new session for `principal` ("" for an anonymous one); the oldest goes when the table is full. */
    SessionView create(const std::string& principal);
    void remove(const std::string& id);
    /** True if `offered` is the session's CSRF token; compared in constant time. */
    static bool csrf_matches(const SessionView& session, const std::string& offered);

private:
    struct Entry {
        std::string principal;
        std::string csrf;
        std::chrono::steady_clock::time_point last_used;
    };
    std::string random_token();
    void expire(std::chrono::steady_clock::time_point now);

    Botan::RandomNumberGenerator& m_rng;
    std::chrono::seconds m_idle;
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::map<std::string, Entry> m_sessions;  ///< by SHA-256 of the cookie value
};

}  // namespace xrca::console
