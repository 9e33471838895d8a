// An RAII owner of a libmicrohttpd daemon. Handlers see only complete requests; nothing a
// client sends can make an exception unwind through libmicrohttpd's C frames (every callback
// has a firewall), and bodies above the limit are dropped as they arrive: the handler sees the
// request with `body_too_large` set, so that the refusal is answered and logged like any other.
//
// Threading: a pool of `threads` polling threads (epoll) per listening socket runs the handler
// concurrently; the handler must be thread-safe. The destructor drains: it stops accepting,
// finishes the requests in flight and joins the threads. reload() and drain() are called from
// one thread (serve's signal loop).
//
// Listening: the sockets are opened once (listen_address.h) and outlive the daemons, so a
// reload starts new daemons on the same sockets and then drains the old ones: no connection
// attempt is refused and no request in flight is dropped while the certificate changes.
//
// The client's address is resolved once, here (client_address.h): the handler sees in
// `remote_address` the TCP peer, or the client a trusted proxy forwarded for.
//
// What one client can hold (docs/soap.md): at most `per_address_connection_limit` connections
// per source address; a request line and headers of at most `max_header_bytes` (longer ones are
// answered 414/431 by libmicrohttpd and closed); and `request_deadline_seconds` from the moment
// a connection starts waiting for a request until that request is complete, headers and body —
// a deadline that trickling bytes do not reset (the idle timeout they do reset is only a
// backstop). A guard thread closes connections past their deadline. Header values reach the
// handler as valid UTF-8; a request with two Content-Length headers, or Content-Length together
// with Transfer-Encoding, is answered 400 before its body is read.
#pragma once

#include "enrollment/client_address.h"
#include "enrollment/listen_address.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

struct MHD_Daemon;

namespace xrca::enrollment {

struct HttpRequest {
    std::string method;
    std::string path;  ///< as sent, without the query string
    std::map<std::string, std::string> query;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;
    bool body_too_large = false;  ///< the body exceeded max_body_bytes and was dropped (answer 413)
    std::string remote_address;   ///< the client (see client_address.h), IPv4 as a dotted quad
    bool tls = false;
    [[nodiscard]] std::string header(const std::string& lower_name) const;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/xml; charset=utf-8";
    std::string body;
    /**
     * When set, the body instead: a buffer shared with its owner (the cached revocation list,
     * some 170 MB at a million entries), sent without a copy and kept alive until sent.
     */
    std::shared_ptr<const std::string> shared_body;
    std::vector<std::pair<std::string, std::string>> headers;
    /** What the request log says of the request besides its status (filled in by the service). */
    struct Note {
        std::string operation;   ///< the SOAP operation, or empty: the path is logged
        std::string principal;   ///< the authenticated caller, or empty
        std::string fault;       ///< the RMS fault name, or empty
        std::string request_id;  ///< the enrollment log's ID for this request, or empty
    } note;
};

/** Limits and listening; the defaults are the safe ones (loopback only). */
struct ServerOptions {
    /** Where to listen (port 0: an ephemeral port, tests); fixed at construction, reload keeps it. */
    std::vector<ListenAddress> listen{{"127.0.0.1", 8080}};
    /** Whose X-Forwarded-For is believed (client_address.h); none by default. */
    TrustedProxies trusted_proxies;
    /// Each libmicrohttpd thread serves its connections one request at a time, and a request
    /// waits on the disk (the group-committed sync) as well as signing: more threads than cores
    /// keep the cores busy (docs/soap.md has the measurement).
    unsigned threads = 64;
    std::size_t max_body_bytes = 1024 * 1024;
    unsigned connection_limit = 256;
    unsigned per_address_connection_limit = 64;
    unsigned connection_timeout_seconds = 30;  ///< idle: no byte for this long closes a connection
    unsigned request_deadline_seconds = 20;    ///< a whole request (headers and body) must arrive in this time
    std::size_t max_header_bytes = 16 * 1024;  ///< request line and headers together
    /** HTTPS when both are set: PEM certificate (chain) and PEM private key, held in memory. */
    std::string tls_certificate_pem;
    std::string tls_key_pem;
    [[nodiscard]] bool tls() const noexcept { return !tls_certificate_pem.empty(); }
};

/** A short text/plain answer (a refusal, a redirect's body): `text` and a line end. */
HttpResponse plain_response(int status, const std::string& text);

using Handler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
public:
    /** Starts listening; throws std::runtime_error naming the address if it cannot. */
    HttpServer(const ServerOptions& options, Handler handler);
    /** drain() */
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /** The port actually bound by the first address (useful with port 0). */
    [[nodiscard]] std::uint16_t port() const;
    /** Every bound address, `1.2.3.4:PORT` or `[::1]:PORT`. */
    [[nodiscard]] std::vector<std::string> addresses() const;

    /**
     * New connections are served with `options` (all but `listen`: the sockets stay) by new
     * daemons; the old ones finish their requests in flight in the background, then stop.
     * Throws std::runtime_error, and the old daemons go on serving, if the new ones cannot
     * start (a certificate and key that do not load).
     */
    void reload(const ServerOptions& options);
    /** Stops accepting: the sockets close, so new connections are refused. Idempotent. */
    void stop_accepting();
    /**
     * stop_accepting(), closes idle keep-alive connections, waits for the requests in flight
     * (at most the request deadline plus the idle timeout), then stops. Idempotent.
     */
    void drain();

    struct Context;  // per-generation state shared with the C callbacks (implementation detail)

private:
    std::vector<ListeningSocket> m_sockets;
    Handler m_handler;
    std::unique_ptr<Context> m_current;
    /** An old generation draining after a reload, on its own thread. */
    struct Retiring {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Retiring> m_retiring;
};

}  // namespace xrca::enrollment
