// What a process remembers between requests on a PostgreSQL store (see postgres_policy_cache.h).
#include "store/postgres_policy_cache.h"

#include "store/postgres_connection.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace xrca::store::pg_detail {

namespace {

// After the listening connection failed, the next attempt waits this long (the server is
// restarting, or gone: requests meanwhile read the database, and learn that themselves).
constexpr std::chrono::milliseconds k_retry_after{1000};

}  // namespace

PolicyCache::PolicyCache(const PgLocator& locator) : m_locator(locator) {
    if (::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw StorageError(std::string("cannot make a pipe for the policy listener: ") +
                           std::generic_category().message(errno));
    }
}

PolicyCache::~PolicyCache() {
    if (m_thread.joinable()) {
        const char stop = 's';
        (void)!::write(m_wake[1], &stop, 1);
        m_thread.join();
    }
    ::close(m_wake[0]);
    ::close(m_wake[1]);
}

void PolicyCache::start() {
    std::call_once(m_started, [this] { m_thread = std::thread([this] { listen_loop(); }); });
}

PolicyCache::Ticket PolicyCache::ticket() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return Ticket{m_generation};
}

std::optional<PrincipalRecord> PolicyCache::principal(const std::string& token_hash) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_listening) return std::nullopt;
    const auto found = m_principals.find(token_hash);
    if (found == m_principals.end() || Clock::now() - found->second.read >= k_max_age) return std::nullopt;
    return found->second.principal;
}

std::optional<std::int64_t> PolicyCache::revision() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_listening || !m_revision || Clock::now() - m_revision_read >= k_max_age) return std::nullopt;
    return m_revision;
}

void PolicyCache::remember(const Ticket& t, const std::string& token_hash, const PrincipalRecord& p,
                           std::int64_t revision) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_listening || t.generation != m_generation) return;
    if (m_principals.size() >= k_max_principals) m_principals.clear();
    m_principals[token_hash] = Entry{p, now};
    m_revision = revision;
    m_revision_read = now;
}

void PolicyCache::remember(const Ticket& t, std::int64_t revision) {
    const auto now = Clock::now();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_listening || t.generation != m_generation) return;
    m_revision = revision;
    m_revision_read = now;
}

void PolicyCache::forget() {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_generation;
    m_principals.clear();
    m_revision.reset();
}

bool PolicyCache::listening() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_listening;
}

void PolicyCache::new_generation(bool listening) {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_generation;
    m_listening = listening;
    m_principals.clear();
    m_revision.reset();
}

bool PolicyCache::pause(std::chrono::milliseconds timeout) const {
    pollfd wake{m_wake[0], POLLIN, 0};
    return ::poll(&wake, 1, static_cast<int>(timeout.count())) <= 0;  // 0: the time passed; -1: a signal
}

void PolicyCache::listen_loop() {
    for (;;) {
        try {
            Connection c(m_locator);
            (void)c.exec(std::string("LISTEN ") + k_channel);
            // Anything changed before LISTEN took effect was forgotten when the previous
            // connection failed (or never remembered): remembering starts from here.
            new_generation(true);
            for (;;) {
                std::array<pollfd, 2> fds{pollfd{c.socket(), POLLIN, 0}, pollfd{m_wake[0], POLLIN, 0}};
                if (::poll(fds.data(), fds.size(), -1) < 0) {
                    if (errno == EINTR) continue;
                    throw StorageError("poll failed");
                }
                if (fds[1].revents != 0) {
                    new_generation(false);
                    return;
                }
                for (const auto& schema : c.notifications(k_channel)) {
                    if (schema == m_locator.schema) forget();
                }
            }
        } catch (const std::exception&) {
            // The server is gone or refuses: requests read the database meanwhile (and report
            // what they find there); this thread tries again.
        }
        new_generation(false);
        if (!pause(k_retry_after)) return;
    }
}

}  // namespace xrca::store::pg_detail
