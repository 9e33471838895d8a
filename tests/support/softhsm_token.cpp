// A throwaway SoftHSM2 token (see softhsm_token.h).
#include "support/softhsm_token.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere in C++

namespace xrca::test {
namespace {

void write_config(const std::string& path, const std::string& token_dir) {
    std::filesystem::create_directories(token_dir);
    std::ofstream(path) << "directories.tokendir = " << token_dir
                        << "\nobjectstore.backend = file\nlog.level = ERROR\n";
}

// softhsm2-util, without a shell. The PINs are this test's throwaway values.
void run_softhsm_util(std::vector<std::string> args) {
    args.insert(args.begin(), "softhsm2-util");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t quiet;
    ::posix_spawn_file_actions_init(&quiet);
    ::posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = ::posix_spawnp(&pid, "softhsm2-util", &quiet, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&quiet);
    if (spawned != 0) throw std::runtime_error("cannot run softhsm2-util (is softhsm2 installed?)");
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("softhsm2-util --init-token failed");
}

}  // namespace

SoftHsmToken::SoftHsmToken(std::string label, std::string pin) : m_label(std::move(label)), m_pin(std::move(pin)) {
    char tmpl[] = "/tmp/xrca-softhsm-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot create a temporary directory");
    m_dir = tmpl;
    try {
        write_config(config(), m_dir + "/tokens");
        write_config(empty_config(), m_dir + "/no-tokens");
        // NOLINTNEXTLINE(concurrency-mt-unsafe): set before the test starts any thread
        ::setenv("SOFTHSM2_CONF", config().c_str(), 1);
        run_softhsm_util({"--init-token", "--free", "--label", m_label, "--so-pin", "so-" + m_pin, "--pin", m_pin});
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(m_dir, ignored);
        throw;
    }
}

SoftHsmToken::~SoftHsmToken() {
    ::unsetenv("SOFTHSM2_CONF");  // NOLINT(concurrency-mt-unsafe): the test's threads are gone by now
    std::error_code ignored;
    std::filesystem::remove_all(m_dir, ignored);
}

}  // namespace xrca::test
