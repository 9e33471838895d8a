// serve's signals (see serve_signals.h).
#include "cli/serve_signals.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace xrca::cli {
namespace {

volatile std::sig_atomic_t g_write_end = -1;
constexpr int k_signals[] = {SIGINT, SIGTERM, SIGHUP};
int g_pipe[2] = {-1, -1};
struct sigaction g_previous[3]{};

extern "C" void note_signal(int sig) {
    const int saved = errno;
    const auto byte = static_cast<unsigned char>(sig);
    if (g_write_end >= 0) (void)::write(g_write_end, &byte, 1);  // a full pipe: a signal is waiting already
    errno = saved;
}

}  // namespace

ServeSignals::ServeSignals() {
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("cannot create the signal pipe");
    g_write_end = g_pipe[1];
    struct sigaction action {};
    action.sa_handler = note_signal;
    action.sa_flags = SA_RESTART;
    ::sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(k_signals); ++i) ::sigaction(k_signals[i], &action, &g_previous[i]);
}

ServeSignals::~ServeSignals() {
    for (std::size_t i = 0; i < std::size(k_signals); ++i) ::sigaction(k_signals[i], &g_previous[i], nullptr);
    g_write_end = -1;
    ::close(g_pipe[0]);
    ::close(g_pipe[1]);
}

int ServeSignals::wait(int timeout_seconds) {
    pollfd p{g_pipe[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_seconds * 1000);
    if (ready == 0 || (ready < 0 && errno != EINTR)) return 0;
    unsigned char sig = 0;  // the pipe does not block: after EINTR it holds the signal, or nothing
    return ::read(g_pipe[0], &sig, 1) == 1 ? sig : 0;
}

}  // namespace xrca::cli
