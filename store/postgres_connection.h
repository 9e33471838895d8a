// Private to the PostgreSQL store: RAII owners of libpq's connections and results, a small
// connection pool, and run(), the one place where a store call becomes a transaction and where
// libpq's failures become StorageError, ConflictError or StoreUnavailable.
//
// Threading: a Connection is used by one thread at a time (it is leased from the Pool); the Pool
// is thread-safe. Statements are prepared once per connection (by their text) and executed with
// text parameters, but for arrays, which are sent in binary format.
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
    PgFailure(const std::string& message, std::string sqlstate, bool connection_lost, bool refused_before_end = false);
    [[nodiscard]] const std::string& sqlstate() const noexcept { return m_sqlstate; }
    /** The connection is unusable (closed by the server, or the server is going away). */
    [[nodiscard]] bool connection_lost() const noexcept { return m_connection_lost; }
    /**
     * The server itself refused a statement that was not the last one sent with it: the ones
     * after it (a COMMIT among them) were skipped, so they changed nothing, even if the
     * connection was lost then. A failure libpq made up (no answer came) never says so.
     */
    [[nodiscard]] bool refused_before_end() const noexcept { return m_refused_before_end; }

private:
    std::string m_sqlstate;
    bool m_connection_lost;
    bool m_refused_before_end;
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

/**
 * A statement parameter: text in the input format of the parameter's type, or the bytes of
 * PostgreSQL's binary format for it (text_array_param); none is SQL NULL.
 */
class Param {
public:
    Param() = default;
    Param(std::nullopt_t /*null*/) noexcept {}               // NOLINT(google-explicit-constructor): reads as NULL
    Param(std::string text) : m_value(std::move(text)) {}    // NOLINT(google-explicit-constructor)
    Param(const char* text) : m_value(std::string(text)) {}  // NOLINT(google-explicit-constructor)
    Param(std::optional<std::string> text) : m_value(std::move(text)) {}  // NOLINT(google-explicit-constructor)
    /** Bytes already in the binary format of the parameter's type. */
    static Param binary(std::string bytes);

    [[nodiscard]] bool null() const noexcept { return !m_value; }
    [[nodiscard]] bool is_binary() const noexcept { return m_binary; }
    /** The text or bytes; empty for NULL. */
    [[nodiscard]] const std::string& value() const noexcept;

private:
    std::optional<std::string> m_value;
    bool m_binary = false;
};
using Params = std::vector<Param>;

Param param(std::int64_t value);
/** A bytea parameter, in bytea's hex input format. */
Param bytea_param(const std::vector<std::uint8_t>& bytes);
/**
 * A text[] parameter (`$1::text[]`) in PostgreSQL's binary array format: one statement for a
 * batch of rows (unnest), whatever its size, with each element's bytes as they are (no quoting
 * for the server to scan and undo: it did so over every document of a batch). Null elements
 * are NULL; cast in SQL for other element types (`seq::bigint`).
 */
Param text_array_param(const std::vector<Param>& elements);
/** Rows of `width` values as one text[] parameter per column (`unnest($1::text[], $2::text[], …)`). */
Params column_arrays(const std::vector<Params>& rows, std::size_t width);

/** A statement with its parameters, prepared on the connection the first time it is sent. */
struct Statement {
    std::string sql;
    Params params;
};

/**
 * One libpq connection with its prepared statements; its search_path is the store's schema.
 *
 * Round trips: statements whose results nobody needs before the transaction ends (BEGIN, SET
 * LOCAL, an INSERT, the log's append, COMMIT) are queue()d, and go to the server in one flush
 * with the next statement that needs its result, or with flush() (libpq's pipeline mode). The
 * server runs them in order; the first one it refuses makes it skip the rest of that flush.
 */
class Connection {
public:
    /**
     * Connects, then runs `settings` (SET statements for this session) with the store's own;
     * StoreUnavailable when the server cannot be reached now, StorageError otherwise.
     */
    explicit Connection(const PgLocator& locator, const std::string& settings = "");
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /** Runs one or more statements without parameters (a migration); sends what is queued first. */
    Result exec(const std::string& sql);
    /**
     * Runs `sql` ($1, $2 … placeholders) as a statement prepared once on this connection, in
     * the same flush as what is queued (whose failures it throws first).
     */
    Result query(const std::string& sql, const Params& params = {});
    /** Sends `sql` later, with the next statement or flush(); a failure is thrown by that call. */
    void queue(std::string sql, Params params = {});
    /** Sends what is queued, if anything, in one flush, and returns the results (in order). */
    std::vector<Result> flush();
    /** Forgets what is queued, unsent (its transaction is being abandoned). */
    void drop_queued() noexcept { m_queue.clear(); }
    /** Whether libpq still considers the connection open, and it is out of pipeline mode. */
    [[nodiscard]] bool open() const noexcept;
    /**
     * Whether an idle connection has received nothing: the server sends an idle session nothing
     * unasked but its end (a restart's "terminating connection"), so one that did is discarded
     * before a statement is sent on it (the statement would otherwise fail, with an outcome
     * that is unknown for a write that commits by itself).
     */
    [[nodiscard]] bool quiet() const noexcept;
    /** The connection's socket, to wait for what the server sends (poll); -1 when closed. */
    [[nodiscard]] int socket() const noexcept;
    /**
     * Reads what the server has sent without waiting and returns the payloads of the
     * notifications on `channel` received so far (LISTEN); PgFailure when the connection is lost.
     */
    std::vector<std::string> notifications(const std::string& channel);
    /**
     * COPY … FROM STDIN: `copy_sql` starts it, `put` sends data in COPY's text format (any
     * pieces), `end` finishes it and reports the server's verdict (PgFailure).
     */
    void begin_copy(const std::string& copy_sql);
    void put_copy(const std::string& data);
    void end_copy();

private:
    [[nodiscard]] PgFailure failure(pg_result* result, const std::string& what, bool refused_before_end = false);
    [[noreturn]] void fail(pg_result* result, const std::string& what);
    Result checked(pg_result* result, const std::string& what);
    /** Sends `statements` in one flush (pipeline mode) and returns their results in order. */
    std::vector<Result> pipeline(const std::vector<Statement>& statements);
    pg_conn* m_conn = nullptr;
    const PgLocator* m_locator;
    std::unordered_map<std::string, std::string> m_prepared;  ///< SQL text -> statement name
    std::size_t m_names = 0;                                  ///< statement names given so far
    std::vector<Statement> m_queue;                           ///< not sent yet
};

/**
 * Up to `capacity` connections, opened when a caller finds none idle (one per concurrently
 * calling thread, in practice); a caller beyond the cap waits for one to come back.
 */
class Pool {
public:
    /** `settings`: SET statements each of its connections runs once connected (Connection). */
    Pool(PgLocator locator, std::size_t capacity, std::string settings = "");
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
    std::string m_settings;
    std::mutex m_mutex;
    std::condition_variable m_returned;
    std::vector<std::unique_ptr<Connection>> m_idle;  ///< guarded by m_mutex
    std::size_t m_open = 0;                           ///< connections idle or on loan; guarded by m_mutex
};

/** How run() wraps a call. BEGIN is queued, to go with the body's first statement. */
enum class Tx {
    None,      ///< one statement that only reads, on its own
    Single,    ///< one statement that writes, on its own: it commits by itself when it succeeds
    Write,     ///< BEGIN (read committed) … COMMIT; COMMIT goes with what the body left queued
    Snapshot,  ///< BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY … COMMIT: reads of one snapshot
};

namespace run_steps {
/** How long one store call keeps retrying serialization failures and deadlocks in all. */
inline constexpr std::chrono::seconds k_give_up{60};
Pool::Lease acquire(Pool& pool, const char* what);
/** Queues BEGIN for Tx::Write and Tx::Snapshot. */
void begin(Connection& connection, Tx tx);
/** Sends what is queued, with COMMIT after it for Tx::Write and Tx::Snapshot. */
void commit(Connection& connection, Tx tx);
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
 * before COMMIT, or a Tx::Single write, was sent, or the server refused a statement sent before
 * it), StoreUnavailable when the server cannot be reached, CommitOutcomeUnknown when the commit's
 * outcome is unknown; anything else StorageError naming `what`. Exceptions the body throws
 * itself (ConflictError, a writer's) roll back and pass through. The body may run more than
 * once, so it must have no effect outside the database (or one that can be repeated).
 */
template <typename Body>
auto run(Pool& pool, const char* what, Tx tx, Body&& body) -> decltype(body(std::declval<Connection&>())) {
    using Out = decltype(body(std::declval<Connection&>()));
    const auto give_up = std::chrono::steady_clock::now() + run_steps::k_give_up;
    const bool writes = tx == Tx::Write || tx == Tx::Single;
    bool reconnected = false;
    for (int attempt = 1;; ++attempt) {
        auto lease = run_steps::acquire(pool, what);
        // A Tx::Single statement commits as it runs: once sent, its outcome is the server's.
        bool commit_sent = tx == Tx::Single;
        try {
            run_steps::begin(*lease, tx);
            if constexpr (std::is_void_v<Out>) {
                body(*lease);
                commit_sent = true;
                run_steps::commit(*lease, tx);
                return;
            } else {
                Out out = body(*lease);
                commit_sent = true;
                run_steps::commit(*lease, tx);
                return out;
            }
        } catch (const PgFailure& failure) {
            run_steps::abandon(pool, lease, failure.connection_lost());
            const bool uncommitted = !writes || !commit_sent || failure.refused_before_end();
            if (failure.connection_lost() && uncommitted && !reconnected) {
                reconnected = true;
                continue;
            }
            if (run_steps::retryable(failure) && std::chrono::steady_clock::now() < give_up) {
                run_steps::pause(attempt);
                continue;
            }
            run_steps::throw_mapped(what, failure, !uncommitted);
        } catch (...) {
            run_steps::abandon(pool, lease, false);
            throw;
        }
    }
}

}  // namespace xrca::store::pg_detail
