// Running a command as a user would, for the tests that drive the real binaries: its exit code
// and everything it wrote (stdout and stderr together, in order).
#pragma once

#include <sys/wait.h>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace xrca::test {

struct CommandResult {
    int exit_code = -1;
    std::string out;
};

/** Runs `command` through the shell; exit_code is -1 if it did not exit normally. */
inline CommandResult run_command(const std::string& command) {
    CommandResult r;
    // NOLINTNEXTLINE(cert-env33-c): the tests run the built binaries through a shell on purpose
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

/** The whole content of a file ("" if it cannot be read). */
inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace xrca::test
