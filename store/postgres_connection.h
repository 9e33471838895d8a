// Private to the PostgreSQL store: RAII owners of libpq's connections and results, a small
// connection pool, and run(), the one place where a store call becomes a transaction and where
// libpq's failures become StorageError, ConflictError or StoreUnavailable.
//
// Threading: a Connection is used by one thread at a time (it is leased from the Pool); the Pool
// is thread-safe. Statements are prepared once per connection (by their text) and executed with
// text parameters.
#pragma once

#include "store/postgres_locator.h"
#include "store/store.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace xrca::store::pg_detail {

/** What libpq reported; run() maps it once to the store's errors. */
class PgFailure final : public std::runtime_error {
public:
    PgFailure(const std::string& message, std::string sqlstate, bool connection_lost);
    [[nodiscard]] const std::string& sqlstate() const noexcept { return m_sqlstate; }
    /** The connection is unusable (closed by the server, or the server is going away). */
    [[nodiscard]] bool connection_lost() const noexcept { return m_connection_lost; }

private:
    std::string m_sqlstate;
    bool m_connection_lost;
};

/** A query's result, owned (PQclear on destruction). Values are read in text format. */
class Result {
public:
    explicit Result(pg_result* result) noexcept : m_result(result) {}
    ~Result();
    Result(Result&& other) noexcept : m_result(other.m_result) { other.m_result = nullptr; }
    Result& operator=(Result&&) = delete;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    [[nodiscard]] int rows() const noexcept;
    /** Rows an INSERT, UPDATE or DELETE changed. */
    [[nodiscard]] std::int64_t affected() const;
    [[nodiscard]] bool null(int row, int column) const noexcept;
    [[nodiscard]] std::string text(int row, int column) const;
    [[nodiscard]] std::optional<std::string> optional_text(int row, int column) const;
    [[nodiscard]] std::int64_t int64(int row, int column) const;
    /** A bytea column (hex output format, which every connection sets). */
    [[nodiscard]] std::vector<std::uint8_t> bytes(int row, int column) const;

private:
    pg_result* m_result;
};

/** A statement parameter in text format; nullopt is SQL NULL. */
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

Param param(std::int64_t value);
/** A bytea parameter, in bytea's hex input format. */
Param bytea_param(const std::vector<std::uint8_t>& bytes);

/** One libpq connection with its prepared statements; its search_path is the store's schema. */
class Connection {
public:
    /** Connects; StoreUnavailable when the server cannot be reached now, StorageError otherwise. */
    explicit Connection(const PgLocator& locator);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /** Runs one or more statements without parameters (BEGIN, COMMIT, a migration). */
    Result exec(const std::string& sql);
    /** Runs `sql` ($1, $2 … placeholders) as a statement prepared once on this connection. */
    Result query(const std::string& sql, const Params& params = {});
    /** Whether libpq still considers the connection open. */
    [[nodiscard]] bool open() const noexcept;
    /**
     * COPY … FROM STDIN: `copy_sql` starts it, `put` sends data in COPY's text format (any
     * pieces), `end` finishes it and reports the server's verdict (PgFailure).
     */
    void begin_copy(const std::string& copy_sql);
    void put_copy(const std::string& data);
    void end_copy();

private:
    [[noreturn]] void fail(pg_result* result, const std::string& what);
    Result checked(pg_result* result, const std::string& what);
    pg_conn* m_conn = nullptr;
    const PgLocator* m_locator;
    std::unordered_map<std::string, std::string> m_prepared;  ///< SQL text -> statement name
};

/**
 * Up to `capacity` connections, opened when a caller finds none idle (one per concurrently
 * calling thread, in practice); a caller beyond the cap waits for one to come back.
 */
class Pool {
public:
    Pool(PgLocator locator, std::size_t capacity);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /** A connection on loan: back to the pool when destroyed, unless discard() was called. */
    class Lease {
    public:
        Lease(Pool& pool, std::unique_ptr<Connection> connection) noexcept
            : m_pool(&pool), m_connection(std::move(connection)) {}
        ~Lease();
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Connection& operator*() const noexcept { return *m_connection; }
        Connection* operator->() const noexcept { return m_connection.get(); }
        /** The connection is broken: it is closed instead of going back. */
        void discard() noexcept;

    private:
        Pool* m_pool;
        std::unique_ptr<Connection> m_connection;
    };

    Lease acquire();
    /** Closes every idle connection (after one was found broken, the others likely are too). */
    void discard_idle() noexcept;
    [[nodiscard]] const PgLocator& locator() const noexcept { return m_locator; }

private:
    void give_back(std::unique_ptr<Connection> connection) noexcept;
    PgLocator m_locator;
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Connection>> m_idle;  ///< guarded by m_mutex
    std::size_t m_open = 0;                           ///< connections idle or on loan; guarded by m_mutex
};

/** How run() wraps a call. */
enum class Tx {
    None,      ///< one statement on its own (it commits by itself)
    Write,     ///< BEGIN (read committed) … COMMIT
    Snapshot,  ///< BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY … COMMIT: reads of one snapshot
};

namespace run_steps {
/** How long one store call keeps retrying serialization failures and deadlocks in all. */
inline constexpr std::chrono::seconds k_give_up{60};
Pool::Lease acquire(Pool& pool, const char* what);
void begin(Connection& connection, Tx tx);
void commit(Connection& connection);
/** Ends the failed call's transaction: rolls back, or discards a connection that cannot. */
void abandon(Pool& pool, Pool::Lease& lease, bool connection_lost) noexcept;
bool retryable(const PgFailure& failure) noexcept;
/** A short randomised pause before retrying, growing with the attempts. */
void pause(int attempt);
[[noreturn]] void throw_mapped(const char* what, const PgFailure& failure, bool commit_sent);
}  // namespace run_steps

/**
 * Runs `body(connection)` as one store call (see Tx) and maps failures once: SQLSTATE class 23
 * → ConflictError; serialization failures and deadlocks (40001, 40P01) retried whole; a lost
 * connection retried once on a fresh one when nothing can have been committed (the failure came
 * before COMMIT was sent), StoreUnavailable when the server cannot be reached, StorageError when
 * the commit's outcome is unknown; anything else StorageError naming `what`. Exceptions the
 * body throws itself (ConflictError, a writer's) roll back and pass through. The body may run
 * more than once, so it must have no effect outside the database (or one that can be repeated).
 */
template <typename Body>
auto run(Pool& pool, const char* what, Tx tx, Body&& body) -> decltype(body(std::declval<Connection&>())) {
    using Out = decltype(body(std::declval<Connection&>()));
    const auto give_up = std::chrono::steady_clock::now() + run_steps::k_give_up;
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
        auto lease = run_steps::acquire(pool, what);
        bool commit_sent = false;
        try {
            if (tx != Tx::None) run_steps::begin(*lease, tx);
            if constexpr (std::is_void_v<Out>) {
                body(*lease);
                commit_sent = true;
                if (tx != Tx::None) run_steps::commit(*lease);
                return;
            } else {
                Out out = body(*lease);
                commit_sent = true;
                if (tx != Tx::None) run_steps::commit(*lease);
                return out;
            }
        } catch (const PgFailure& failure) {
            run_steps::abandon(pool, lease, failure.connection_lost());
            // A statement on its own (Tx::None) that lost its connection may have committed
            // unless it only reads; callers run every write in a transaction, so retrying is safe.
            const bool unsent = !commit_sent || tx == Tx::Snapshot;
            if (failure.connection_lost() && unsent && !reconnected) {
                reconnected = true;
                continue;
            }
            if (run_steps::retryable(failure) && std::chrono::steady_clock::now() < give_up) {
                run_steps::pause(attempt);
                continue;
            }
            run_steps::throw_mapped(what, failure, commit_sent && tx == Tx::Write);
        } catch (...) {
            run_steps::abandon(pool, lease, false);
            throw;
        }
    }
}

}  // namespace xrca::store::pg_detail
