// The per-request log (see request_log.h).
#include "enrollment/request_log.h"

#include "text/clean.h"

#include <array>
#include <cstdint>
#include <ctime>
#include <random>

namespace xrca::enrollment {
namespace {

// What a client chose is cut to this many bytes (on a code-point boundary, marked).
constexpr std::size_t k_max_client_text = 256;

std::string rfc3339_ms(std::chrono::system_clock::time_point t) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    std::array<char, 96> text{};  // room for any int, as the compiler counts
    static_cast<void>(std::snprintf(text.data(), text.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                                    utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                                    static_cast<int>(ms % 1000)));
    return text.data();
}

std::string milliseconds(double ms) {
    std::array<char, 32> text{};
    static_cast<void>(std::snprintf(text.data(), text.size(), "%.3f", ms));
    return text.data();
}

// A request the enrollment log has no entry for (a page, an anonymous read) still gets an ID,
// so that its line can be named; random, in the enrollment log's GUID form ({…}).
std::string generated_id() {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const std::uint64_t a = random();
    const std::uint64_t b = random();
    std::array<char, 64> text{};
    static_cast<void>(std::snprintf(
        text.data(), text.size(), "{%08x-%04x-4%03x-%04x-%012llx}", static_cast<unsigned>(a >> 32),
        static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
        static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)), static_cast<unsigned long long>(b & 0xffffffffffffULL)));
    return text.data();
}

// A logfmt value: printable, and quoted when it holds a space, a quote or nothing.
std::string text_value(std::string_view raw) {
    auto shown = text::log_field(raw, k_max_client_text);
    if (shown.empty()) return "-";
    if (shown.find_first_of(" \"=") == std::string::npos) return shown;
    std::string quoted = "\"";
    for (const char c : shown) {
        if (c == '"' || c == '\\') quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

void json_field(std::string& out, const char* name, std::string_view value, bool null_when_empty = false) {
    out += out.size() > 1 ? ",\"" : "\"";
    out += name;
    out += "\":";
    if (null_when_empty && value.empty()) {
        out += "null";
    } else {
        // Printable first, as in the text form and the enrollment log: a JSON line read on a
        // terminal (journalctl) drives it no more than a text line, C1 controls included.
        text::append_json_string(out, text::log_field(value, k_max_client_text));
    }
}

}  // namespace

std::optional<RequestLogFormat> parse_request_log_format(std::string_view name) {
    if (name == "text") return RequestLogFormat::Text;
    if (name == "json") return RequestLogFormat::Json;
    if (name == "none") return RequestLogFormat::None;
    return std::nullopt;
}

std::string format_request_log_line(RequestLogFormat format, const RequestLogEntry& e) {
    if (format == RequestLogFormat::Text) {
        return "time=" + rfc3339_ms(e.time) + " request=" + text_value(e.request_id) +
               " remote=" + text_value(e.remote) + " method=" + text_value(e.method) +
               " operation=" + text_value(e.operation) + " principal=" + text_value(e.principal) +
               " status=" + std::to_string(e.status) + " fault=" + text_value(e.fault) +
               " duration_ms=" + milliseconds(e.duration_ms) + " user_agent=" + text_value(e.user_agent);
    }
    if (format == RequestLogFormat::None) return "";
    std::string out = "{";
    json_field(out, "time", rfc3339_ms(e.time));
    json_field(out, "request_id", e.request_id);
    json_field(out, "remote", e.remote);
    json_field(out, "method", e.method);
    json_field(out, "operation", e.operation);
    json_field(out, "principal", e.principal, true);
    out += ",\"status\":" + std::to_string(e.status);
    json_field(out, "fault", e.fault, true);
    out += ",\"duration_ms\":" + milliseconds(e.duration_ms);
    json_field(out, "user_agent", e.user_agent, true);
    return out + "}";
}

void RequestLog::write(const RequestLogEntry& entry) noexcept {
    try {
        const auto line = format_request_log_line(m_format.load(), entry);
        if (line.empty()) return;
        const std::lock_guard<std::mutex> hold(m_mutex);
        // A line that cannot be written (stdout closed) is lost; the request is still answered.
        static_cast<void>(std::fwrite(line.data(), 1, line.size(), m_out));
        static_cast<void>(std::fputc('\n', m_out));
        static_cast<void>(std::fflush(m_out));
    } catch (...) {  // out of memory: this line is lost, the request is answered
    }
}

Handler RequestLog::wrap(Handler inner) {
    return [this, inner = std::move(inner)](const HttpRequest& request) {
        const auto started = std::chrono::steady_clock::now();
        auto response = inner(request);
        if (m_format.load() == RequestLogFormat::None) return response;
        RequestLogEntry e;
        e.time = std::chrono::system_clock::now();
        e.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        e.request_id = response.note.request_id.empty() ? generated_id() : response.note.request_id;
        e.remote = request.remote_address;
        e.method = request.method;
        e.operation = response.note.operation.empty() ? request.path : response.note.operation;
        e.principal = response.note.principal;
        e.status = response.status;
        e.fault = response.note.fault;
        e.user_agent = request.header("user-agent");
        write(e);
        return response;
    };
}

}  // namespace xrca::enrollment
