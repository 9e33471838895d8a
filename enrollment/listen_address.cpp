// Listening sockets (see listen_address.h).
#include "enrollment/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace xrca::enrollment {

ListenAddress ListenAddress::parse(std::string_view text) {
    ListenAddress a;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            throw std::invalid_argument("'" + std::string(text) + "': an IPv6 address is written [ADDRESS]:PORT");
        a.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
        in6_addr probe{};
        if (::inet_pton(AF_INET6, a.host.c_str(), &probe) != 1)
            throw std::invalid_argument("'" + a.host + "' is not an IPv6 address");
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            throw std::invalid_argument("'" + std::string(text) + "': give ADDRESS:PORT, e.g. 127.0.0.1:8080");
        a.host = std::string(text.substr(0, colon));
        if (a.host.find(':') != std::string::npos)
            throw std::invalid_argument("'" + std::string(text) + "': an IPv6 address goes in brackets, [::1]:8080");
        port = text.substr(colon + 1);
    }
    if (a.host.empty()) throw std::invalid_argument("'" + std::string(text) + "' names no host");
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
        std::stoul(std::string(port)) > 65535) {
        throw std::invalid_argument("'" + std::string(port) + "' is not a port number");
    }
    a.port = static_cast<std::uint16_t>(std::stoul(std::string(port)));
    return a;
}

std::string ListenAddress::str() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

ListeningSocket::ListeningSocket(int fd) : m_fd(fd) {}
ListeningSocket::~ListeningSocket() {
    if (m_fd >= 0) ::close(m_fd);
}
ListeningSocket::ListeningSocket(ListeningSocket&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

namespace {

sockaddr_storage local_address(int fd) {
    sockaddr_storage s{};
    socklen_t size = sizeof s;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&s), &size) != 0) s.ss_family = AF_UNSPEC;
    return s;
}

std::uint16_t port_of(const sockaddr_storage& s) {
    if (s.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(s).sin_port);
    if (s.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(s).sin6_port);
    return 0;
}

std::string text_of(const sockaddr_storage& s) {
    char text[INET6_ADDRSTRLEN] = {};
    if (s.ss_family == AF_INET) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(s).sin_addr, text, sizeof text);
        return std::string(text) + ":" + std::to_string(port_of(s));
    }
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(s).sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(port_of(s));
}

bool unspecified_v6(const sockaddr* a) {
    if (a->sa_family != AF_INET6) return false;
    const auto& in6 = reinterpret_cast<const sockaddr_in6*>(a)->sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&in6);
}

void set_port(sockaddr* a, std::uint16_t port) {
    if (a->sa_family == AF_INET) reinterpret_cast<sockaddr_in*>(a)->sin_port = htons(port);
    if (a->sa_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(a)->sin6_port = htons(port);
}

}  // namespace

std::string ListeningSocket::address() const { return text_of(local_address(m_fd)); }
std::uint16_t ListeningSocket::port() const { return port_of(local_address(m_fd)); }

std::vector<ListeningSocket> listen_on(const ListenAddress& where) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const int resolved = ::getaddrinfo(where.host.c_str(), std::to_string(where.port).c_str(), &hints, &found);
    if (resolved != 0) throw std::runtime_error("cannot listen on " + where.str() + ": " + ::gai_strerror(resolved));
    const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
    const bool several = found && found->ai_next;
    std::vector<ListeningSocket> sockets;
    std::vector<std::string> bound;
    std::string skipped;
    std::uint16_t port = where.port;
    for (const addrinfo* a = found; a; a = a->ai_next) {
        sockaddr_storage address{};
        std::memcpy(&address, a->ai_addr, std::min<std::size_t>(a->ai_addrlen, sizeof address));
        auto* sa = reinterpret_cast<sockaddr*>(&address);
        set_port(sa, port);
        ListeningSocket s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
        const auto text = text_of(address);
        if (s.fd() < 0) {
            if (several && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
                skipped = text;
                continue;
            }
            throw std::runtime_error("cannot listen on " + text + ": " + std::generic_category().message(errno));
        }
        // A restart finds the port free though old connections linger in TIME_WAIT.
        const int on = 1;
        ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (a->ai_family == AF_INET6) {
            // `[::]` alone is dual stack (IPv4 arrives as ::ffff:a.b.c.d); every other IPv6
            // address, and `::` beside an IPv4 address of the same name, is IPv6 only.
            const int v6only = unspecified_v6(sa) && !several ? 0 : 1;
            ::setsockopt(s.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
        }
        bool duplicate = false;
        for (const auto& b : bound) duplicate = duplicate || b == text;
        if (duplicate) continue;
        if (::bind(s.fd(), sa, static_cast<socklen_t>(a->ai_addrlen)) != 0 || ::listen(s.fd(), SOMAXCONN) != 0) {
            if (several && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
                skipped = text;
                continue;
            }
            throw std::runtime_error("cannot listen on " + text + ": " + std::generic_category().message(errno));
        }
        if (port == 0) port = s.port();
        bound.push_back(s.address());
        sockets.push_back(std::move(s));
    }
    if (sockets.empty())
        throw std::runtime_error("cannot listen on " + where.str() +
                                 (skipped.empty() ? ": no address" : ": this machine lacks " + skipped));
    return sockets;
}

}  // namespace xrca::enrollment
