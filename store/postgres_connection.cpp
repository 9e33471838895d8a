// libpq connections, results, the pool, and the steps of run() (see postgres_connection.h).
#include "store/postgres_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <random>
#include <thread>

namespace xrca::store::pg_detail {
namespace {

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

bool connection_class(const std::string& sqlstate) {
    // 08: connection exceptions; 57P01-57P03: the server is shutting down, crashed, or starting.
    return sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

PgFailure::PgFailure(const std::string& message, std::string sqlstate, bool connection_lost, bool refused_before_end)
    : std::runtime_error(message),
      m_sqlstate(std::move(sqlstate)),
      m_connection_lost(connection_lost),
      m_refused_before_end(refused_before_end) {}

// --- Result -------------------------------------------------------------------------------------

Result::~Result() {
    if (m_result != nullptr) PQclear(m_result);
}

int Result::rows() const noexcept { return PQntuples(m_result); }

std::int64_t Result::affected() const {
    const std::string n = PQcmdTuples(m_result);
    return n.empty() ? 0 : std::stoll(n);
}

bool Result::null(int row, int column) const noexcept { return PQgetisnull(m_result, row, column) != 0; }

std::string Result::text(int row, int column) const {
    return std::string(PQgetvalue(m_result, row, column), static_cast<std::size_t>(PQgetlength(m_result, row, column)));
}

std::optional<std::string> Result::optional_text(int row, int column) const {
    if (null(row, column)) return std::nullopt;
    return text(row, column);
}

std::int64_t Result::int64(int row, int column) const {
    const auto value = text(row, column);
    try {
        return std::stoll(value);
    } catch (const std::exception&) {
        throw StorageError("the database returned '" + value + "' where a number was expected");
    }
}

std::vector<std::uint8_t> Result::bytes(int row, int column) const {
    const auto hex = text(row, column);
    if (hex.size() < 2 || hex.compare(0, 2, "\\x") != 0 || hex.size() % 2 != 0) {
        throw StorageError("the database returned a bytea value not in hex format");
    }
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw StorageError("the database returned a bytea value with a non-hex digit");
    };
    std::vector<std::uint8_t> out;
    out.reserve((hex.size() - 2) / 2);
    for (std::size_t i = 2; i < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
    }
    return out;
}

Param param(std::int64_t value) { return std::to_string(value); }

Param bytea_param(const std::vector<std::uint8_t>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out = "\\x";
    out.reserve(2 + bytes.size() * 2);
    for (const auto b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0F]);
    }
    return out;
}

Param Param::binary(std::string bytes) {
    Param p(std::move(bytes));
    p.m_binary = true;
    return p;
}

const std::string& Param::value() const noexcept {
    static const std::string none;
    return m_value ? *m_value : none;
}

namespace {

// PostgreSQL's binary formats are big-endian.
void put_int32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

constexpr std::uint32_t k_text_oid = 25;  // pg_type's text

// Parameters as libpq takes them: values, lengths (read for binary ones only) and formats.
struct WireParams {
    explicit WireParams(const Params& params) {
        values.reserve(params.size());
        for (const auto& p : params) {
            values.push_back(p.null() ? nullptr : p.value().c_str());
            lengths.push_back(static_cast<int>(p.value().size()));
            formats.push_back(p.is_binary() ? 1 : 0);
        }
    }
    [[nodiscard]] int count() const noexcept { return static_cast<int>(values.size()); }
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
};

}  // namespace

Param text_array_param(const std::vector<Param>& elements) {
    // array_send's layout: dimensions, a has-nulls flag, the element type, each dimension's
    // length and lower bound, then each element as its length (-1: NULL) and its bytes.
    std::size_t size = 20;
    bool nulls = false;
    for (const auto& e : elements) {
        size += 4 + e.value().size();
        nulls = nulls || e.null();
    }
    std::string out;
    out.reserve(size);
    put_int32(out, elements.empty() ? 0 : 1);
    put_int32(out, nulls ? 1 : 0);
    put_int32(out, k_text_oid);
    if (!elements.empty()) {
        if (elements.size() > 0x7FFFFFFF) throw StorageError("an array of more than 2^31 elements");
        put_int32(out, static_cast<std::uint32_t>(elements.size()));
        put_int32(out, 1);
    }
    for (const auto& e : elements) {
        if (e.is_binary()) throw StorageError("an array element in binary format");
        if (e.value().size() > 0x3FFFFFFF) throw StorageError("an array element of more than 1 GiB");
        put_int32(out, e.null() ? 0xFFFFFFFFU : static_cast<std::uint32_t>(e.value().size()));
        out += e.value();
    }
    return Param::binary(std::move(out));
}

Params column_arrays(const std::vector<Params>& rows, std::size_t width) {
    std::vector<std::vector<Param>> columns(width);
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < columns.size(); ++i) columns[i].push_back(row.at(i));
    }
    Params arrays;
    for (const auto& column : columns) arrays.push_back(text_array_param(column));
    return arrays;
}

// --- Connection ---------------------------------------------------------------------------------

Connection::Connection(const PgLocator& locator, const std::string& settings) : m_locator(&locator) {
    // The URI comes last, so that what it says overrides these defaults.
    const char* const keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* const values[] = {"10", "xrca", locator.uri.c_str(), nullptr};
    // A server that is starting or stopping refuses with a message and no code; it may be
    // ready by the time the ping below asks. A second try tells that from a real refusal (a
    // wrong database, user or password), which fails again while the server answers pings.
    for (int attempt = 1;; ++attempt) {
        m_conn = PQconnectdbParams(keywords, values, 1);
        if (m_conn != nullptr && PQstatus(m_conn) == CONNECTION_OK) break;
        const auto message = m_conn != nullptr ? trimmed(PQerrorMessage(m_conn)) : "out of memory";
        PQfinish(m_conn);
        m_conn = nullptr;
        // The server's state tells a transient failure from a wrong locator: PQping needs no
        // valid database or user to answer.
        const auto ping = PQpingParams(keywords, values, 1);
        if (ping == PQPING_OK && attempt == 1) continue;
        const auto text = "cannot connect to " + describe_locator(locator) + ": " + redact(locator, message);
        if (ping == PQPING_NO_RESPONSE || ping == PQPING_REJECT) throw StoreUnavailable(text);
        throw StorageError(text);
    }
    PQsetNoticeProcessor(m_conn, ignore_notice, nullptr);  // libpq would print notices to stderr
    exec("SET search_path TO " + quoted_schema(locator.schema) +
         "; SET bytea_output TO hex; SET client_encoding TO 'UTF8'; SET client_min_messages TO warning" +
         (settings.empty() ? "" : "; " + settings));
}

Connection::~Connection() {
    if (m_conn != nullptr) PQfinish(m_conn);
}

bool Connection::open() const noexcept {
    return m_conn != nullptr && PQstatus(m_conn) == CONNECTION_OK && PQpipelineStatus(m_conn) == PQ_PIPELINE_OFF;
}

bool Connection::quiet() const noexcept {
    pollfd idle{};
    idle.fd = PQsocket(m_conn);
    idle.events = POLLIN;
    return idle.fd >= 0 && ::poll(&idle, 1, 0) == 0;
}

int Connection::socket() const noexcept { return m_conn != nullptr ? PQsocket(m_conn) : -1; }

std::vector<std::string> Connection::notifications(const std::string& channel) {
    if (PQconsumeInput(m_conn) != 1 || PQstatus(m_conn) != CONNECTION_OK) fail(nullptr, "reading notifications");
    std::vector<std::string> payloads;
    while (PGnotify* n = PQnotifies(m_conn)) {
        if (channel == n->relname) payloads.emplace_back(n->extra);
        PQfreemem(n);
    }
    return payloads;
}

PgFailure Connection::failure(pg_result* result, const std::string& what, bool refused_before_end) {
    std::string sqlstate;
    std::string message;
    if (result != nullptr) {
        if (const char* s = PQresultErrorField(result, PG_DIAG_SQLSTATE)) sqlstate = s;
        if (const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)) message = primary;
        if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
            message += std::string(" (") + detail + ")";
        }
    }
    if (message.empty()) message = trimmed(PQerrorMessage(m_conn));
    if (message.empty()) message = what + " failed";
    const bool lost = PQstatus(m_conn) != CONNECTION_OK || connection_class(sqlstate);
    // Only the server's own error (it carries a SQLSTATE) proves that it read the statement and
    // refused it; libpq's (the connection broke) says nothing about what the server ran.
    return PgFailure(redact(*m_locator, message), sqlstate, lost, refused_before_end && !sqlstate.empty());
}

void Connection::fail(pg_result* result, const std::string& what) {
    const std::unique_ptr<pg_result, decltype(&PQclear)> cleared(result, &PQclear);  // after the message is read
    throw failure(result, what);
}

Result Connection::checked(pg_result* result, const std::string& what) {
    const auto status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, what);
    return Result(result);
}

Result Connection::exec(const std::string& sql) {
    (void)flush();
    return checked(PQexec(m_conn, sql.c_str()), "a statement");
}

void Connection::queue(std::string sql, Params params) { m_queue.push_back({std::move(sql), std::move(params)}); }

std::vector<Result> Connection::flush() {
    if (m_queue.empty()) return {};
    const auto statements = std::move(m_queue);
    m_queue.clear();
    return pipeline(statements);
}

Result Connection::query(const std::string& sql, const Params& params) {
    if (!m_queue.empty()) {
        auto statements = std::move(m_queue);
        m_queue.clear();
        statements.push_back({sql, params});
        auto results = pipeline(statements);
        return std::move(results.back());
    }
    auto found = m_prepared.find(sql);
    if (found == m_prepared.end()) {
        // Its preparation and its first execution in one round trip, not one each: a short-lived
        // process (`xrca status`) uses most of its statements once.
        auto results = pipeline({{sql, params}});
        return std::move(results.back());
    }
    const WireParams wire(params);
    return checked(PQexecPrepared(m_conn, found->second.c_str(), wire.count(), wire.values.data(), wire.lengths.data(),
                                  wire.formats.data(), 0),
                   "a statement");
}

std::vector<Result> Connection::pipeline(const std::vector<Statement>& statements) {
    // Blocking mode is safe here: what one flush sends (a few statements, a certificate's
    // body) fits in the socket's buffers, so the server never waits for us to read while we
    // wait for it to read.
    if (PQenterPipelineMode(m_conn) != 1) fail(nullptr, "entering pipeline mode");
    // What each result read back answers: a statement, or the preparation of one (its name).
    struct Sent {
        std::size_t statement;
        std::string prepared;  ///< the name a preparation gives; empty for the statement itself
    };
    std::vector<Sent> sent;
    std::unordered_map<std::string, std::string> naming;  // SQL prepared in this flush -> name
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const auto& s = statements[i];
        std::string name;
        if (const auto known = m_prepared.find(s.sql); known != m_prepared.end()) {
            name = known->second;
        } else if (const auto now = naming.find(s.sql); now != naming.end()) {
            name = now->second;
        } else {
            name = "xrca_" + std::to_string(m_names++);
            if (PQsendPrepare(m_conn, name.c_str(), s.sql.c_str(), 0, nullptr) != 1)
                fail(nullptr, "preparing a statement");
            naming.emplace(s.sql, name);
            sent.push_back({i, name});
        }
        const WireParams wire(s.params);
        if (PQsendQueryPrepared(m_conn, name.c_str(), wire.count(), wire.values.data(), wire.lengths.data(),
                                wire.formats.data(), 0) != 1) {
            fail(nullptr, "sending a statement");
        }
        sent.push_back({i, ""});
    }
    if (PQpipelineSync(m_conn) != 1) fail(nullptr, "sending statements");

    // Each statement's (and preparation's) result, then a null; an aborted pipeline answers the
    // statements after the refused one with PGRES_PIPELINE_ABORTED; then the sync's own result.
    std::vector<Result> out;
    out.reserve(statements.size());
    std::exception_ptr refused;  // the first statement the server refused
    for (const auto& s : sent) {
        auto* result = PQgetResult(m_conn);
        if (result == nullptr) {
            if (refused) std::rethrow_exception(refused);
            fail(nullptr, "reading a result");
        }
        const auto status = PQresultStatus(result);
        if (status == PGRES_PIPELINE_ABORTED) {
            PQclear(result);
        } else if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            if (!refused) {
                refused = std::make_exception_ptr(failure(result, "a statement", s.statement + 1 < statements.size()));
            }
            PQclear(result);
            if (PQstatus(m_conn) != CONNECTION_OK) std::rethrow_exception(refused);  // nothing more will come
        } else if (!s.prepared.empty()) {
            m_prepared.emplace(statements[s.statement].sql, s.prepared);
            PQclear(result);
        } else {
            out.emplace_back(result);
        }
        if (auto* extra = PQgetResult(m_conn)) {  // the end of this one's results
            PQclear(extra);
            fail(nullptr, "reading a pipeline's results (more than one result for a statement)");
        }
    }
    auto* sync = PQgetResult(m_conn);
    const auto synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    if (sync != nullptr) PQclear(sync);
    if (!synced) {
        if (refused) std::rethrow_exception(refused);
        fail(nullptr, "ending a pipeline");
    }
    if (PQexitPipelineMode(m_conn) != 1) fail(nullptr, "leaving pipeline mode");
    if (refused) std::rethrow_exception(refused);
    return out;
}

void Connection::begin_copy(const std::string& copy_sql) {
    (void)flush();
    auto* result = PQexec(m_conn, copy_sql.c_str());
    if (result == nullptr || PQresultStatus(result) != PGRES_COPY_IN) fail(result, "starting a copy");
    PQclear(result);
}

void Connection::put_copy(const std::string& data) {
    if (PQputCopyData(m_conn, data.data(), static_cast<int>(data.size())) != 1) fail(nullptr, "sending rows");
}

void Connection::end_copy() {
    if (PQputCopyEnd(m_conn, nullptr) != 1) fail(nullptr, "ending a copy");
    // The verdict, then the end of results (libpq needs the queue drained before the next call).
    checked(PQgetResult(m_conn), "a copy");
    while (auto* more = PQgetResult(m_conn)) PQclear(more);
}

// --- Pool ---------------------------------------------------------------------------------------

Pool::Pool(PgLocator locator, std::size_t capacity, std::string settings)
    : m_locator(std::move(locator)), m_capacity(capacity), m_settings(std::move(settings)) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
    if (m_connection) m_pool->give_back(std::move(m_connection));
}

void Pool::Lease::discard() noexcept {
    if (!m_connection) return;
    m_connection.reset();
    m_pool->give_back(nullptr);
}

Pool::Lease Pool::acquire() {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        if (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            if (connection->quiet()) return Lease(*this, std::move(connection));
            --m_open;  // the server ended it (or sent what an idle session never gets): closed
            continue;
        }
        if (m_open < m_capacity) {
            ++m_open;
            lock.unlock();
            try {
                return Lease(*this, std::make_unique<Connection>(m_locator, m_settings));
            } catch (...) {
                give_back(nullptr);
                throw;
            }
        }
        m_returned.wait(lock);
    }
}

void Pool::give_back(std::unique_ptr<Connection> connection) noexcept {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (connection && connection->open()) {
            m_idle.push_back(std::move(connection));
        } else {
            --m_open;
        }
    }
    m_returned.notify_one();
}

void Pool::discard_idle() noexcept {
    std::vector<std::unique_ptr<Connection>> closing;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        closing.swap(m_idle);
        m_open -= closing.size();
    }
    m_returned.notify_all();
}

// --- run() --------------------------------------------------------------------------------------

namespace run_steps {

Pool::Lease acquire(Pool& pool, const char* what) {
    try {
        return pool.acquire();
    } catch (const StoreUnavailable& e) {
        throw StoreUnavailable(std::string(what) + ": " + e.what());
    } catch (const StorageError& e) {
        throw StorageError(std::string(what) + ": " + e.what());
    } catch (const PgFailure& e) {
        // The new connection's first statements failed: the server went away meanwhile.
        if (e.connection_lost()) throw StoreUnavailable(std::string(what) + ": " + e.what());
        throw StorageError(std::string(what) + ": " + e.what());
    }
}

void begin(Connection& connection, Tx tx) {
    if (tx == Tx::Write) connection.queue("BEGIN");
    if (tx == Tx::Snapshot) connection.queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

void commit(Connection& connection, Tx tx) {
    if (tx == Tx::Write || tx == Tx::Snapshot) connection.queue("COMMIT");
    (void)connection.flush();
}

void abandon(Pool& pool, Pool::Lease& lease, bool connection_lost) noexcept {
    lease->drop_queued();
    if (connection_lost || !lease->open()) {
        lease.discard();
        pool.discard_idle();
        return;
    }
    try {
        lease->exec("ROLLBACK");  // outside a transaction, only a warning
    } catch (...) {
        lease.discard();
    }
}

bool retryable(const PgFailure& failure) noexcept {
    return failure.sqlstate() == "40001" || failure.sqlstate() == "40P01";
}

void pause(int attempt) {
    thread_local std::minstd_rand jitter(std::random_device{}());
    const auto ms = 1 + jitter() % static_cast<unsigned>(std::min(attempt, 10) * 5);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void throw_mapped(const char* what, const PgFailure& failure, bool commit_sent) {
    const std::string message = std::string(what) + ": " + failure.what();
    if (failure.connection_lost()) {
        if (commit_sent) {
            throw CommitOutcomeUnknown(message +
                                       " (the connection was lost while committing: the change may or may not "
                                       "have been made)");
        }
        throw StoreUnavailable(message);
    }
    if (failure.sqlstate().rfind("23", 0) == 0) throw ConflictError(message);
    throw StorageError(message);
}

}  // namespace run_steps
}  // namespace xrca::store::pg_detail
