// `xrca serve` in a child process, for the tests that drive the real binary (they define
// XRCA_BINARY). The "serving … on URL" line it prints once it is listening is the
// synchronisation: no sleeps. Everything it writes after that (the request log, stderr) is
// read on a thread as it comes, so that a full pipe never stalls the server, and kept for
// wait_for(). SIGTERM and a wait when it goes.
#pragma once

#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
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
        // Warnings may come first: the line that says where it serves, or the last one (why not).
        char line[4096] = {};
        while (m_out && std::fgets(line, sizeof line, m_out)) {
            first_line = line;
            if (first_line.rfind("serving ", 0) == 0) break;
            m_early += first_line;
        }
        for (const char* scheme : {"https://127.0.0.1:", "http://127.0.0.1:", "https://[::1]:", "http://[::1]:"}) {
            const auto at = first_line.find(scheme);
            if (at == std::string::npos) continue;
            const auto end = first_line.find('/', at + std::strlen(scheme));
            url = first_line.substr(at, end - at) + "/_wmcs";
            break;
        }
        if (m_out) m_reader = std::thread([this] { read_rest(); });
    }
    ~ServeProcess() { stop(); }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    std::string first_line;
    std::string url;  ///< e.g. http://127.0.0.1:41234/_wmcs; empty if it did not start
    [[nodiscard]] pid_t pid() const noexcept { return m_pid; }

    /** What it wrote before the serving line (warnings), in order. */
    [[nodiscard]] const std::string& early_output() const noexcept { return m_early; }
    /** The lines written after the serving line so far, without their newlines. */
    std::vector<std::string> lines() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_lines;
    }
    /** Waits (at most `seconds`, or until the output ends) until `done` holds of the lines so far. */
    bool wait_until(const std::function<bool(const std::vector<std::string>&)>& done, int seconds = 30) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait_for(lock, std::chrono::seconds(seconds), [&] { return m_ended || done(m_lines); });
        return done(m_lines);
    }
    /** Waits until some line satisfies `wanted`. */
    bool wait_for(const std::function<bool(const std::string&)>& wanted, int seconds = 30) {
        return wait_until(
            [&](const std::vector<std::string>& lines) {
                for (const auto& l : lines) {
                    if (wanted(l)) return true;
                }
                return false;
            },
            seconds);
    }
    bool wait_for_text(const std::string& text, int seconds = 30) {
        return wait_for([&](const std::string& l) { return l.find(text) != std::string::npos; }, seconds);
    }
    /** Sends `sig` and leaves it running (SIGHUP). */
    void send(int sig) const {
        if (m_pid > 0) ::kill(m_pid, sig);
    }
    /** Sends `sig` and waits for the exit: the exit code, or -1 if a signal killed it. */
    int stop(int sig = SIGTERM) {
        if (m_pid <= 0) return m_status;
        ::kill(m_pid, sig);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        if (m_reader.joinable()) m_reader.join();
        if (m_out) (void)std::fclose(m_out);
        m_out = nullptr;
        m_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return m_status;
    }

private:
    void read_rest() {
        char line[16384];
        while (std::fgets(line, sizeof line, m_out)) {
            std::string l = line;
            if (!l.empty() && l.back() == '\n') l.pop_back();
            std::lock_guard<std::mutex> lock(m_mutex);
            m_lines.push_back(std::move(l));
            m_changed.notify_all();
        }
        std::lock_guard<std::mutex> lock(m_mutex);
        m_ended = true;
        m_changed.notify_all();
    }
    pid_t m_pid = -1;
    FILE* m_out = nullptr;
    int m_status = -1;
    std::string m_early;
    std::thread m_reader;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<std::string> m_lines;
    bool m_ended = false;
};

}  // namespace xrca::test
