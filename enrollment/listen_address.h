// Where the service listens (`serve --listen`, docs/serve.md): `HOST:PORT` with HOST an IPv4
// literal, a host name (every address it resolves to), or an IPv6 literal in brackets
// (`[::1]:8080`); `[::]:PORT` listens on every IPv6 and IPv4 address at once (dual stack).
// The sockets are opened here, not by libmicrohttpd, so that a reload can hand the same bound
// socket to a new daemon (http_server.h) and no connection attempt is refused meanwhile.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::enrollment {

struct ListenAddress {
    std::string host;        ///< as given, without brackets
    std::uint16_t port = 0;  ///< 0: an ephemeral port (tests)
    /** Parses `HOST:PORT` / `[IPV6]:PORT`; throws std::invalid_argument saying what is wrong. */
    static ListenAddress parse(std::string_view text);
    /** `host:port`, with brackets around an IPv6 literal. */
    [[nodiscard]] std::string str() const;
    bool operator==(const ListenAddress& o) const { return host == o.host && port == o.port; }
};

/** One bound, listening TCP socket (closed by the destructor). */
class ListeningSocket {
public:
    explicit ListeningSocket(int fd);
    ~ListeningSocket();
    ListeningSocket(ListeningSocket&& other) noexcept;
    ListeningSocket& operator=(ListeningSocket&&) = delete;
    ListeningSocket(const ListeningSocket&) = delete;
    ListeningSocket& operator=(const ListeningSocket&) = delete;
    [[nodiscard]] int fd() const noexcept { return m_fd; }
    /** The bound address as `1.2.3.4:PORT` or `[::1]:PORT` (the real port when 0 was asked for). */
    [[nodiscard]] std::string address() const;
    [[nodiscard]] std::uint16_t port() const;

private:
    int m_fd;
};

/**
 * Binds and listens on every address `where` names. With port 0 and several addresses (a host
 * name), all take the port the first one was given. An address of a host name that this
 * machine lacks (localhost's ::1 without IPv6) is skipped as long as another one binds; any
 * other failure throws std::runtime_error naming the address.
 */
std::vector<ListeningSocket> listen_on(const ListenAddress& where);

}  // namespace xrca::enrollment
