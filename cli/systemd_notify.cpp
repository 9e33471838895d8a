// The sd_notify protocol: one datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET.
#include "cli/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace xrca::cli {

bool notify_service_manager(const std::string& state) noexcept {
    const char* name = std::getenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe): nothing sets it after start
    if (name == nullptr || state.empty()) return false;
    const std::size_t length = std::strlen(name);
    sockaddr_un address{};
    // systemd hands out a path or, with '@', a name in the abstract namespace (a leading NUL,
    // no terminator counted); anything else, e.g. a relative path, is not its doing.
    if (length < 2 || length >= sizeof address.sun_path || (name[0] != '/' && name[0] != '@')) return false;
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name, length);
    if (name[0] == '@') address.sun_path[0] = '\0';
    const auto address_length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length + (name[0] == '@' ? 0 : 1));
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    ssize_t sent = -1;
    do {
        sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
                        address_length);
    } while (sent < 0 && errno == EINTR);
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

}  // namespace xrca::cli
