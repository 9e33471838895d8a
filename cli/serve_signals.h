// The signals `xrca serve` answers (docs/serve.md): SIGINT and SIGTERM drain and stop, SIGHUP
// reloads. A handler only writes the signal's number into a pipe that the serving loop reads,
// so it works whichever thread the kernel picks (the key pool's threads and libmicrohttpd's
// do not block these signals) and does nothing that is unsafe in a handler.
#pragma once

namespace xrca::cli {

class ServeSignals {
public:
    /** Installs the handlers (until destroyed); throws std::runtime_error if it cannot. */
    ServeSignals();
    ~ServeSignals();
    ServeSignals(const ServeSignals&) = delete;
    ServeSignals& operator=(const ServeSignals&) = delete;
    /** The next signal, waiting at most `timeout_seconds`; 0 when none came in that time. */
    int wait(int timeout_seconds);
};

}  // namespace xrca::cli
