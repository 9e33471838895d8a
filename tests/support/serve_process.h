// `xrca serve` in a child process, for the tests that drive the real binary (they define
// XRCA_BINARY). The "serving … on URL" line it prints once it is listening is the
// synchronisation: no sleeps. SIGTERM and a wait when it goes.
#pragma once

#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace xrca::test {

class ServeProcess {
public:
    explicit ServeProcess(const std::string& args, const std::vector<std::pair<std::string, std::string>>& env = {}) {
        int fds[2];
        if (::pipe(fds) != 0) return;
        m_pid = ::fork();
        if (m_pid == 0) {
            for (const auto& [name, value] : env)
                ::setenv(name.c_str(), value.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): the child has one thread
            ::dup2(fds[1], 1);
            ::dup2(fds[1], 2);
            ::close(fds[0]);
            ::close(fds[1]);
            const std::string cmd = "exec " + std::string(XRCA_BINARY) + " " + args;
            ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        m_out = ::fdopen(fds[0], "r");
        char line[2048] = {};
        if (m_out && std::fgets(line, sizeof line, m_out)) first_line = line;
        for (const char* scheme : {"https://127.0.0.1:", "http://127.0.0.1:"}) {
            const auto at = first_line.find(scheme);
            if (at == std::string::npos) continue;
            const auto end = first_line.find('/', at + std::strlen(scheme));
            url = first_line.substr(at, end - at) + "/_wmcs";
            break;
        }
    }
    ~ServeProcess() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
        if (m_out) (void)std::fclose(m_out);
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    std::string first_line;
    std::string url;  ///< e.g. http://127.0.0.1:41234/_wmcs; empty if it did not start
    [[nodiscard]] pid_t pid() const noexcept { return m_pid; }

private:
    pid_t m_pid = -1;
    FILE* m_out = nullptr;
};

}  // namespace xrca::test
