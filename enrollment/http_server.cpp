// libmicrohttpd wrapper (see http_server.h).
#include "enrollment/http_server.h"

#include "enrollment/handler_pool.h"
#include "text/clean.h"

#include <botan/mem_ops.h>
#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace xrca::enrollment {

/** A connection as the deadline guard sees it. */
struct Tracked {
    int fd = -1;
    std::chrono::steady_clock::time_point deadline;
    bool answering = false;  ///< the request is complete: the handler or the response has it
    bool busy = false;       ///< a request's headers arrived and its response is not yet sent
    bool closed = false;     ///< the guard (or a drain) shut it down already
};

// One generation: the daemons (one per listening socket) started with one set of options. A
// reload starts the next generation and drains this one.
struct HttpServer::Context {
    Context(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}
    ServerOptions options;
    Handler handler;
    std::unique_ptr<HandlerPool> handlers;  ///< runs `handler`; libmicrohttpd's threads only read and write
    std::vector<MHD_Daemon*> daemons;
    bool quiesced = false;  ///< set by the one thread that reloads or stops (see quiesce)
    // The deadline guard: connections by libmicrohttpd's handle. libmicrohttpd tells us of a
    // connection's end (NOTIFY_CLOSED) before it closes the socket, and the entry goes under
    // this mutex, so the guard never shuts down a descriptor that was reused.
    std::mutex mutex;
    std::condition_variable wake;
    std::condition_variable settled;  ///< a request finished or a connection closed (for drain)
    bool stopping = false;
    std::unordered_map<MHD_Connection*, Tracked> connections;
    std::thread guard;
    // libmicrohttpd's own messages, at most k_library_messages a minute (see on_library_message).
    std::mutex message_mutex;
    std::chrono::steady_clock::time_point message_window{};
    unsigned messages_in_window = 0;
    unsigned long messages_suppressed = 0;

    [[nodiscard]] std::chrono::steady_clock::time_point next_deadline() const {
        return std::chrono::steady_clock::now() + std::chrono::seconds(options.request_deadline_seconds);
    }
    void set_answering(MHD_Connection* connection, bool answering) {
        std::lock_guard<std::mutex> lock(mutex);
        const auto it = connections.find(connection);
        if (it == connections.end()) return;
        it->second.answering = answering;
        if (!answering) {
            it->second.busy = false;
            it->second.deadline = next_deadline();  // keep-alive: the next request's deadline
            settled.notify_all();
        }
    }
    void set_busy(MHD_Connection* connection) {
        std::lock_guard<std::mutex> lock(mutex);
        const auto it = connections.find(connection);
        if (it != connections.end()) it->second.busy = true;
    }
    void start(const std::vector<ListeningSocket>& sockets);
    void guard_deadlines();
    void quiesce() noexcept;
    void drain() noexcept;
};

namespace {

// Per-connection state: the request as it arrives.
struct Pending {
    HttpRequest request;
    bool too_large = false;
    unsigned content_lengths = 0;
    bool transfer_encoding = false;
    /** Set by a handler thread before it resumes the connection (the request is not touched after). */
    std::optional<HttpResponse> response;
    bool unanswerable = false;  ///< not even a 500 could be made (out of memory): the connection closes
};

// libmicrohttpd's threads only parse requests and write answers (and TLS): one per core, at most 4.
unsigned polling_threads() { return std::clamp(std::thread::hardware_concurrency(), 1U, 4U); }

// The handler's answer, or a 500 when it threw; throws only when not even that can be made.
HttpResponse answer(const Handler& handler, const HttpRequest& request) {
    try {
        return handler(request);
    } catch (const std::exception&) {
        return plain_response(500, "internal error");
    }
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Names and values as valid UTF-8 (text/clean.h): whatever bytes came, nothing downstream sees
// a broken character; control characters are escaped where the text is logged or shown.
MHD_Result collect(void* cls, MHD_ValueKind kind, const char* key, const char* value) {
    auto* pending = static_cast<Pending*>(cls);
    const auto clean_value = text::valid_utf8(value ? value : "");
    if (kind == MHD_HEADER_KIND) {
        const auto name = lower(text::valid_utf8(key ? key : ""));
        if (name == "content-length") ++pending->content_lengths;
        if (name == "transfer-encoding") pending->transfer_encoding = true;
        auto& stored = pending->request.headers[name];
        // Proxies may each add an X-Forwarded-For header: one list, in order (RFC 9110 §5.3).
        stored = name == "x-forwarded-for" && !stored.empty() ? stored + ", " + clean_value : clean_value;
    }
    if (kind == MHD_GET_ARGUMENT_KIND) pending->request.query[text::valid_utf8(key ? key : "")] = clean_value;
    return MHD_YES;
}

// A shared body is handed to libmicrohttpd as it is; the response holds a reference to it,
// dropped by this callback when libmicrohttpd destroys the response (after the last byte went).
void release_shared_body(void* holder) { delete static_cast<std::shared_ptr<const std::string>*>(holder); }

MHD_Response* create_response(const HttpResponse& r) {
    if (!r.shared_body) {
        return MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
    }
    auto* holder = new std::shared_ptr<const std::string>(r.shared_body);
    // libmicrohttpd only reads the buffer: the const_cast is its C signature's.
    MHD_Response* response = MHD_create_response_from_buffer_with_free_callback_cls(
        r.shared_body->size(), const_cast<char*>(r.shared_body->data()), release_shared_body, holder);
    if (!response) delete holder;
    return response;
}

MHD_Result send(MHD_Connection* connection, const HttpResponse& r) {
    MHD_Response* response = create_response(r);
    if (!response) return MHD_NO;
    MHD_add_response_header(response, "Content-Type", r.content_type.c_str());
    for (const auto& [name, value] : r.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
    const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
    MHD_destroy_response(response);
    return queued;
}

// The TCP peer as text; an IPv4 client of a dual-stack socket as a dotted quad, like any other.
std::string peer_address(MHD_Connection* connection) {
    const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr) return "";
    IpAddress address;
    if (info->client_addr->sa_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(info->client_addr);
        char text[INET_ADDRSTRLEN] = {};
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        return text;
    }
    if (info->client_addr->sa_family != AF_INET6) return "";
    std::memcpy(address.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(info->client_addr)->sin6_addr, 16);
    return address.str();
}

MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                      const char* upload_data, size_t* upload_data_size, void** con_cls) noexcept {
    auto* context = static_cast<HttpServer::Context*>(cls);
    try {
        auto* pending = static_cast<Pending*>(*con_cls);
        if (!pending) {  // first call: headers only
            pending = new Pending;
            *con_cls = pending;
            pending->request.method = method;
            pending->request.path = url;
            pending->request.tls = context->options.tls();
            MHD_get_connection_values(connection, static_cast<MHD_ValueKind>(MHD_HEADER_KIND | MHD_GET_ARGUMENT_KIND),
                                      collect, pending);
            context->set_busy(connection);
            pending->request.remote_address = context->options.trusted_proxies.client_address(
                peer_address(connection), pending->request.header("x-forwarded-for"));
            // Two lengths, or a length beside chunked encoding, let a proxy and this server
            // disagree on where the request ends (request smuggling): refused before the body.
            if (pending->content_lengths > 1 || (pending->content_lengths > 0 && pending->transfer_encoding)) {
                context->set_answering(connection, true);
                return send(connection, plain_response(400, pending->content_lengths > 1
                                                                ? "more than one Content-Length header"
                                                                : "Content-Length together with Transfer-Encoding"));
            }
            return MHD_YES;
        }
        if (*upload_data_size > 0) {  // body data: keep it while under the limit
            if (pending->request.body.size() + *upload_data_size > context->options.max_body_bytes) {
                pending->too_large = true;
                pending->request.body.clear();
            } else if (!pending->too_large) {
                pending->request.body.append(upload_data, *upload_data_size);
            }
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (pending->unanswerable) return MHD_NO;
        if (pending->response) return send(connection, *pending->response);  // resumed: the answer is ready
        pending->request.body_too_large = pending->too_large;
        context->set_answering(connection, true);
        // The request waits its turn among all connections' (handler_pool.h); libmicrohttpd
        // leaves the connection alone until it is resumed, and then calls here again.
        MHD_suspend_connection(connection);
        const bool queued = context->handlers->post([context, connection, pending]() noexcept {
            try {
                pending->response = answer(context->handler, pending->request);
            } catch (...) {
                pending->unanswerable = true;
            }
            MHD_resume_connection(connection);
        });
        if (!queued) {  // stopping: the handlers are gone
            pending->response = plain_response(503, "the server is stopping");
            MHD_resume_connection(connection);
        }
        return MHD_YES;
    } catch (const std::exception&) {
        try {
            return send(connection, plain_response(500, "internal error"));
        } catch (...) {
            return MHD_NO;
        }
    } catch (...) {
        return MHD_NO;
    }
}

void on_completed(void* cls, MHD_Connection* connection, void** con_cls, MHD_RequestTerminationCode) noexcept {
    delete static_cast<Pending*>(*con_cls);
    *con_cls = nullptr;
    try {
        static_cast<HttpServer::Context*>(cls)->set_answering(connection, false);
    } catch (...) {  // a mutex that cannot be locked: the idle timeout still ends the connection
    }
}

// libmicrohttpd reports what clients did wrong (a connection refused at the limit, a request
// cut short) on stderr. A flood would make it say so thousands of times a second, so at most
// this many messages a minute get through, and then how many were left out.
constexpr unsigned k_library_messages = 20;

// The format is libmicrohttpd's own (a literal in the library): declared as a printf format so
// that the compiler checks the call below against it instead of warning that it is no literal.
__attribute__((format(printf, 2, 0))) void on_library_message(void* cls, const char* format,
                                                              va_list arguments) noexcept {
    auto* context = static_cast<HttpServer::Context*>(cls);
    try {
        char line[512];
        if (std::vsnprintf(line, sizeof line, format, arguments) < 0) return;
        std::lock_guard<std::mutex> lock(context->message_mutex);
        const auto now = std::chrono::steady_clock::now();
        if (now - context->message_window >= std::chrono::minutes(1)) {
            if (context->messages_suppressed > 0) {
                static_cast<void>(std::fprintf(stderr, "xrca: http: %lu more messages left out in the last minute\n",
                                               context->messages_suppressed));
            }
            context->message_window = now;
            context->messages_in_window = 0;
            context->messages_suppressed = 0;
        }
        if (++context->messages_in_window > k_library_messages) {
            ++context->messages_suppressed;
            return;
        }
        std::string message = line;
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
        static_cast<void>(std::fprintf(stderr, "xrca: http: %s\n", text::printable(message).c_str()));
    } catch (...) {  // a message that cannot be written is dropped
    }
}

void on_connection(void* cls, MHD_Connection* connection, void**, MHD_ConnectionNotificationCode code) noexcept {
    auto* context = static_cast<HttpServer::Context*>(cls);
    try {
        std::lock_guard<std::mutex> lock(context->mutex);
        if (code == MHD_CONNECTION_NOTIFY_STARTED) {
            const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
            if (info) context->connections[connection] = Tracked{info->connect_fd, context->next_deadline()};
        } else {
            context->connections.erase(connection);
            context->settled.notify_all();
        }
    } catch (...) {  // out of memory: the connection goes unguarded, the idle timeout still applies
    }
}

}  // namespace

HttpResponse plain_response(int status, const std::string& text) {
    HttpResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = text + "\n";
    return r;
}

std::string HttpRequest::header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

HttpServer::HttpServer(const ServerOptions& options, Handler handler) : m_handler(std::move(handler)) {
    if (options.listen.empty()) throw std::runtime_error("no address to listen on");
    for (const auto& where : options.listen) {
        for (auto& socket : listen_on(where)) m_sockets.push_back(std::move(socket));
    }
    m_current = std::make_unique<Context>(options, m_handler);
    m_current->start(m_sockets);
}

std::uint16_t HttpServer::port() const { return m_sockets.empty() ? 0 : m_sockets.front().port(); }

std::vector<std::string> HttpServer::addresses() const {
    std::vector<std::string> out;
    for (const auto& s : m_sockets) out.push_back(s.address());
    return out;
}

void HttpServer::Context::start(const std::vector<ListeningSocket>& sockets) {
    if (options.request_deadline_seconds == 0 || options.per_address_connection_limit == 0 ||
        options.max_header_bytes < 1024) {
        throw std::runtime_error(
            "the request deadline and the per-address limit must be at least 1, and the "
            "header limit at least 1024 bytes");
    }
    if (options.tls() && options.tls_key_pem.empty())
        throw std::runtime_error("HTTPS needs both a certificate and its private key");
    handlers = std::make_unique<HandlerPool>(options.threads);
    for (const auto& socket : sockets) {
        // Each daemon gets its own descriptor of the shared socket: the old generation's is
        // handed back by MHD_quiesce_daemon and closed, while the socket itself stays open.
        const int fd = ::dup(socket.fd());
        if (fd < 0) {
            drain();
            throw std::runtime_error("cannot share the socket of " + socket.address());
        }
        std::vector<MHD_OptionItem> items = {
            {MHD_OPTION_EXTERNAL_LOGGER, reinterpret_cast<intptr_t>(&on_library_message), this},
            {MHD_OPTION_LISTEN_SOCKET, fd, nullptr},
            {MHD_OPTION_THREAD_POOL_SIZE, static_cast<intptr_t>(polling_threads()), nullptr},
            {MHD_OPTION_CONNECTION_LIMIT, static_cast<intptr_t>(options.connection_limit), nullptr},
            {MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<intptr_t>(options.per_address_connection_limit), nullptr},
            {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(options.connection_timeout_seconds), nullptr},
            // Request line and headers must fit in this per-connection buffer (else 414/431).
            {MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<intptr_t>(options.max_header_bytes), nullptr},
            {MHD_OPTION_NOTIFY_COMPLETED, reinterpret_cast<intptr_t>(&on_completed), this},
            {MHD_OPTION_NOTIFY_CONNECTION, reinterpret_cast<intptr_t>(&on_connection), this},
        };
        // MHD_USE_ITC: MHD_quiesce_daemon needs it with a thread pool (drain, reload), and a
        // resumed connection is served at once (not at the next network event).
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_ITC |
                         MHD_ALLOW_SUSPEND_RESUME;
        if (options.tls()) {
            flags |= MHD_USE_TLS;
            items.push_back({MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(options.tls_certificate_pem.c_str())});
            items.push_back({MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(options.tls_key_pem.c_str())});
        }
        items.push_back({MHD_OPTION_END, 0, nullptr});
        MHD_Daemon* daemon = MHD_start_daemon(flags, 0, nullptr, nullptr, on_request, this, MHD_OPTION_ARRAY,
                                              items.data(), MHD_OPTION_END);
        if (!daemon) {
            ::close(fd);
            drain();
            throw std::runtime_error(
                "cannot serve on " + socket.address() +
                (options.tls() ? " with TLS (the certificate and key do not load together)" : " (out of resources)"));
        }
        daemons.push_back(daemon);
    }
    guard = std::thread([this] { guard_deadlines(); });
}

void HttpServer::Context::guard_deadlines() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
        wake.wait_for(lock, std::chrono::milliseconds(200));
        const auto now = std::chrono::steady_clock::now();
        for (auto& [connection, tracked] : connections) {
            if (tracked.answering || tracked.closed || now < tracked.deadline) continue;
            // libmicrohttpd sees end-of-stream on its next poll and closes the connection itself.
            ::shutdown(tracked.fd, SHUT_RDWR);
            tracked.closed = true;
        }
    }
}

void HttpServer::Context::quiesce() noexcept {
    // Once: the descriptors handed back are closed here, and a second close could hit a reused number.
    if (quiesced) return;
    quiesced = true;
    for (auto* daemon : daemons) {
        const auto fd = MHD_quiesce_daemon(daemon);  // accepts no more; our descriptor comes back
        if (fd != MHD_INVALID_SOCKET) ::close(fd);
    }
}

void HttpServer::Context::drain() noexcept {
    quiesce();
    {
        // Idle keep-alive connections are closed; those with a request wait for its response.
        const auto give_up =
            std::chrono::steady_clock::now() +
            std::chrono::seconds(options.request_deadline_seconds + options.connection_timeout_seconds);
        std::unique_lock<std::mutex> lock(mutex);
        while (!daemons.empty()) {
            bool busy = false;
            for (auto& [connection, tracked] : connections) {
                if (tracked.busy) {
                    busy = true;
                } else if (!tracked.closed) {
                    ::shutdown(tracked.fd, SHUT_RDWR);
                    tracked.closed = true;
                }
            }
            if (!busy || settled.wait_until(lock, give_up) == std::cv_status::timeout) break;
        }
        stopping = true;
    }
    wake.notify_all();
    if (guard.joinable()) guard.join();
    // Every request handed to the handlers is answered and its connection resumed first:
    // libmicrohttpd must not be stopped with a connection suspended.
    if (handlers) handlers->finish();
    for (auto* daemon : daemons) MHD_stop_daemon(daemon);  // joins the threads
    daemons.clear();
    // libmicrohttpd has parsed its own copy; ours of the TLS private key is wiped.
    Botan::secure_scrub_memory(options.tls_key_pem.data(), options.tls_key_pem.size());
}

void HttpServer::reload(const ServerOptions& options) {
    auto next = std::make_unique<Context>(options, m_handler);
    next->options.listen = m_current->options.listen;
    next->start(m_sockets);  // throws, and the current generation serves on
    std::unique_ptr<Context> old = std::move(m_current);
    m_current = std::move(next);
    // The old generation stops accepting before this returns, so that a connection made after
    // "reloaded" is served with the new settings; it finishes its requests in the background.
    old->quiesce();
    // Generations that finished draining since the last reload are joined: a service reloaded
    // daily for months keeps no finished threads.
    for (auto it = m_retiring.begin(); it != m_retiring.end();) {
        if (*it->done) {
            it->thread.join();
            it = m_retiring.erase(it);
        } else {
            ++it;
        }
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    m_retiring.push_back({std::thread([old = std::shared_ptr<Context>(std::move(old)), done] {
                              old->drain();
                              *done = true;
                          }),
                          done});
}

void HttpServer::stop_accepting() {
    // New connections are refused from now on, not left waiting in a backlog nobody accepts.
    if (m_current) m_current->quiesce();
    m_sockets.clear();
}

void HttpServer::drain() {
    stop_accepting();
    if (m_current) m_current->drain();
    for (auto& r : m_retiring) r.thread.join();
    m_retiring.clear();
}

HttpServer::~HttpServer() { drain(); }

}  // namespace xrca::enrollment
