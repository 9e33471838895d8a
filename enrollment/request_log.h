// The per-request log (docs/logging.md): one line per HTTP request on stdout, for the operator's
// log collector, beside the enrollment log (which is the audit record and lives in the store).
//
//   text: time=2026-12-03T06:30:00.123Z request=… remote=127.0.0.1 method=POST
//         operation=Certify principal=user:alice status=200 fault=- duration_ms=12.345
//         user_agent="…"                                   (one line, logfmt)
//   json: {"time":…,"request_id":…,"remote":…,"method":…,"operation":…,"principal":…|null,
//          "status":200,"fault":…|null,"duration_ms":12.345,"user_agent":…}
//
// What a client sent (the path, the User-Agent) is untrusted: in text it is made printable (no
// control character reaches a terminal, text/clean.h), in JSON too, and then JSON-escaped: a
// line is always valid UTF-8. Each line is formatted whole and written with one call under a lock, then flushed, so
// the server's threads never interleave.
#pragma once

#include "enrollment/http_server.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace xrca::enrollment {

enum class RequestLogFormat { None, Text, Json };

/** "text" | "json" | "none"; nullopt otherwise. */
std::optional<RequestLogFormat> parse_request_log_format(std::string_view name);

/** One request as logged. */
struct RequestLogEntry {
    std::chrono::system_clock::time_point time;  ///< when the request was complete
    std::string request_id;
    std::string remote;
    std::string method;
    std::string operation;  ///< the SOAP operation, else the path as sent
    std::string principal;  ///< "" when anonymous
    int status = 0;
    std::string fault;  ///< "" when none
    double duration_ms = 0;
    std::string user_agent;
};

/** The line for `entry` (without the newline); "" for RequestLogFormat::None. */
std::string format_request_log_line(RequestLogFormat format, const RequestLogEntry& entry);

class RequestLog {
public:
    /** Writes to `out` (stdout in `serve`), which must outlive the log. */
    RequestLog(std::FILE* out, RequestLogFormat format) : m_out(out), m_format(format) {}
    /** Changes the format for requests from now on (SIGHUP); thread-safe. */
    void set_format(RequestLogFormat format) noexcept { m_format.store(format); }
    /** `inner`, timed, and each request it answers logged. */
    [[nodiscard]] Handler wrap(Handler inner);
    /** Writes one line; never throws (a line that cannot be written is lost, not the request). */
    void write(const RequestLogEntry& entry) noexcept;

private:
    std::FILE* m_out;
    std::atomic<RequestLogFormat> m_format;
    std::mutex m_mutex;
};

}  // namespace xrca::enrollment
