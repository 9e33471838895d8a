// Private to the PostgreSQL store: what a process remembers between requests, so that a request
// sends no statement of its own before its work. Every request of the service looks up its
// caller's token and then asks for the policy revision; on PostgreSQL that was a round trip and a
// server process woken for each request, and the larger part of the server's CPU per request
// with several nodes (docs/performance.md, "A node remembers its callers").
//
// What is remembered stays right by notification: the schema's triggers NOTIFY the channel
// xrca_policy with the schema's name when principals, their grants or the policy revision
// change (010_policy_notifications.sql), at the commit of whoever changed them. A thread of this
// process LISTENs on a connection of its own; each notification for this schema, and each change
// of that connection's state, starts a new generation and forgets everything. While the thread
// is not listening (not started, connecting, the server gone), nothing is remembered and every
// request reads the database as before. And nothing is used older than k_max_age, whatever the
// thread heard: a listening connection that died silently costs at most that much staleness.
//
// A reader that looked something up remembers it only for the generation it started in (a
// Ticket): a change that committed while it read, and was heard before it returned, makes it
// keep nothing, so a value read before a change never outlives the change's notification.
#pragma once

#include "store/postgres_locator.h"
#include "store/records.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

namespace xrca::store::pg_detail {

class PolicyCache {
public:
    /** Nothing is used older than this, heard or not (a change is honoured within 1 s). */
    static constexpr std::chrono::milliseconds k_max_age{500};
    /** Remembered principals at most; past it the oldest generation is forgotten whole. */
    static constexpr std::size_t k_max_principals = 10000;
    /** The channel the schema's triggers notify. */
    static constexpr const char* k_channel = "xrca_policy";

    /** Listens for `locator`'s schema once start() is called; `locator` must outlive it. */
    explicit PolicyCache(const PgLocator& locator);
    /** Stops the listening thread (wakes it; at most a connection attempt's timeout). */
    ~PolicyCache();
    PolicyCache(const PolicyCache&) = delete;
    PolicyCache& operator=(const PolicyCache&) = delete;

    /** Starts the listening thread, once: `serve` does with its first token lookup. */
    void start();

    /** The generation a lookup starts in. */
    struct Ticket {
        std::uint64_t generation;
    };
    [[nodiscard]] Ticket ticket();

    /** The principal holding `token_hash`, if remembered and fresh. */
    [[nodiscard]] std::optional<PrincipalRecord> principal(const std::string& token_hash);
    /** The policy revision, if remembered and fresh. */
    [[nodiscard]] std::optional<std::int64_t> revision();

    /** Remembers what a lookup that began at `t` read, unless the generation moved since. */
    void remember(const Ticket& t, const std::string& token_hash, const PrincipalRecord& p, std::int64_t revision);
    void remember(const Ticket& t, std::int64_t revision);
    /** Forgets everything: this process has just changed principals or the policy. */
    void forget();

    /** Whether the thread is listening now (for tests and status). */
    [[nodiscard]] bool listening();

private:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        PrincipalRecord principal;
        Clock::time_point read;
    };
    void listen_loop();
    /** Forgets everything and says whether the thread listens from now on. */
    void new_generation(bool listening);
    /** Waits up to `timeout` for the wake-up pipe; false when stop was asked. */
    bool pause(std::chrono::milliseconds timeout) const;

    const PgLocator& m_locator;
    std::mutex m_mutex;
    std::uint64_t m_generation = 0;                       ///< guarded by m_mutex
    bool m_listening = false;                             ///< guarded by m_mutex
    std::unordered_map<std::string, Entry> m_principals;  ///< guarded by m_mutex
    std::optional<std::int64_t> m_revision;               ///< guarded by m_mutex
    Clock::time_point m_revision_read;                    ///< guarded by m_mutex
    int m_wake[2] = {-1, -1};                             ///< a pipe: a byte written stops the thread
    std::once_flag m_started;
    std::thread m_thread;
};

}  // namespace xrca::store::pg_detail
