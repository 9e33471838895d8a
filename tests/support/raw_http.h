// A minimal HTTP/1.1 client over a real socket to 127.0.0.1, one request per connection, for
// the tests that check status lines, headers and bodies byte for byte (HEAD included).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace xrca::test {

struct HttpReply {
    int status = 0;
    std::string headers;  ///< the status line and header lines, as received
    std::string body;
};

inline HttpReply http(std::uint16_t port, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& extra_headers = "") {
    HttpReply reply;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return reply;
    }
    std::string request = method + " " + path +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nUser-Agent: xrca-test\r\n" +
                          extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    for (std::size_t sent = 0; sent < request.size();) {
        const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buf[65536];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (raw.size() > 12) reply.status = std::stoi(raw.substr(9, 3));
    const auto split = raw.find("\r\n\r\n");
    if (split != std::string::npos) reply.body = raw.substr(split + 4);
    reply.headers = raw.substr(0, split);
    return reply;
}

}  // namespace xrca::test
