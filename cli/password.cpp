// Reading the key password without it ever appearing in argv, output or logs.
#include "cli/password.h"

#include "ca/errors.h"
#include "cli/files.h"

#include <botan/mem_ops.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere in C++

namespace xrca::cli {
namespace {

constexpr const char* k_password_variable = "XRCA_KEY_PASSWORD";
constexpr const char* k_pin_variable = "XRCA_PKCS11_PIN";
constexpr const char* k_export_password_variable = "XRCA_EXPORT_PASSWORD";

// Statics are destroyed in the reverse order of their construction. A password held in one of
// these lives in Botan's locked-memory pool, itself a static made at its first use: unless the
// pool exists before the slot, it is gone when the slot frees into it at exit (a crash seen
// with XRCA_KEY_PASSWORD set). Touching the pool first makes it outlive both slots.
void make_locked_pool_outlive_slots() {
    static const bool made = [] {
        Botan::secure_vector<std::uint8_t> touch(1);
        return !touch.empty();
    }();
    (void)made;
}

std::optional<ca::Password>& environment_password() {
    make_locked_pool_outlive_slots();
    static std::optional<ca::Password> password;
    return password;
}

std::optional<ca::Password>& environment_pin() {
    make_locked_pool_outlive_slots();
    static std::optional<ca::Password> pin;
    return pin;
}

std::optional<ca::Password>& environment_export_password() {
    make_locked_pool_outlive_slots();
    static std::optional<ca::Password> password;
    return password;
}

// Keeps the value of `variable` in `slot`, removes the variable and overwrites its bytes in place.
void take_from_environment(const char* variable, std::optional<ca::Password>& slot) {
    const std::size_t name_length = std::strlen(variable);
    for (char** entry = environ; entry && *entry; ++entry) {
        char* text = *entry;
        if (std::strncmp(text, variable, name_length) != 0 || text[name_length] != '=') continue;
        if (text[name_length + 1] != '\0') slot.emplace(text + name_length + 1);
        // unsetenv() only drops the pointer from environ; the bytes stay where the kernel put
        // them (and /proc/PID/environ reads them there) unless overwritten. The whole
        // "NAME=value" goes, so not even the variable's name remains.
        const std::size_t length = std::strlen(text);
        ::unsetenv(variable);  // NOLINT(concurrency-mt-unsafe): main() calls this before any thread exists
        Botan::secure_scrub_memory(text, length);
        break;
    }
}

/** Makes a password of `text` and overwrites `text`: the std::string's buffer is freed unscrubbed otherwise. */
ca::Password take(std::string& text) {
    ca::Password password(text);
    Botan::secure_scrub_memory(text.data(), text.size());
    text.clear();
    return password;
}

std::string strip_newline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// The terminal whose echo a prompt turned off, and its settings before: a signal that ends the
// prompt (Ctrl-C, a hangup, a kill) puts them back before the process dies of it, or the shell
// is left without echo.
volatile std::sig_atomic_t g_prompt_fd = -1;
termios g_saved_terminal{};
constexpr int k_prompt_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};

extern "C" void restore_terminal_and_reraise(int sig) {
    if (g_prompt_fd >= 0) ::tcsetattr(g_prompt_fd, TCSANOW, &g_saved_terminal);
    (void)::signal(sig, SIG_DFL);
    (void)::raise(sig);
}

// Echo off for as long as it lives, whatever ends the prompt.
class QuietTerminal {
public:
    explicit QuietTerminal(int fd) {
        if (::tcgetattr(fd, &g_saved_terminal) != 0) return;
        struct sigaction action {};
        action.sa_handler = restore_terminal_and_reraise;
        ::sigemptyset(&action.sa_mask);
        for (std::size_t i = 0; i < std::size(k_prompt_signals); ++i)
            ::sigaction(k_prompt_signals[i], &action, &m_previous[i]);
        g_prompt_fd = fd;
        termios quiet = g_saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSANOW, &quiet);
    }
    ~QuietTerminal() {
        if (g_prompt_fd < 0) return;
        ::tcsetattr(g_prompt_fd, TCSANOW, &g_saved_terminal);
        g_prompt_fd = -1;
        for (std::size_t i = 0; i < std::size(k_prompt_signals); ++i)
            ::sigaction(k_prompt_signals[i], &m_previous[i], nullptr);
    }
    QuietTerminal(const QuietTerminal&) = delete;
    QuietTerminal& operator=(const QuietTerminal&) = delete;

private:
    struct sigaction m_previous[std::size(k_prompt_signals)]{};
};

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

// Asks on the controlling terminal itself (/dev/tty), so that the question and the answer
// never mix with what the command reads from stdin or writes to stdout; stdin and stderr when
// there is none.
std::string prompt(const std::string& text) {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    const int in = tty >= 0 ? tty : STDIN_FILENO;
    const int out = tty >= 0 ? tty : STDERR_FILENO;
    write_all(out, text);
    std::string line;
    {
        QuietTerminal quiet(in);
        char c = 0;
        while (line.size() < k_max_password_file_bytes) {
            const ssize_t n = ::read(in, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0 || c == '\n') break;
            line += c;
        }
    }
    write_all(out, "\n");
    if (tty >= 0) ::close(tty);
    return strip_newline(line);
}

}  // namespace

void warn_if_others_may_read(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
    std::cerr << "xrca: warning: " << path << " may be read by " << ((st.st_mode & 007) ? "every user" : "its group")
              << " (mode " << std::oct << (st.st_mode & 0777) << std::dec << "); chmod 600 it\n";
}

void take_password_from_environment() {
    take_from_environment(k_password_variable, environment_password());
    take_from_environment(k_pin_variable, environment_pin());
    take_from_environment(k_export_password_variable, environment_export_password());
}

ca::Password read_password(Args& args, const std::string& whose, bool confirm) {
    if (auto file = args.option("--password-file")) {
        warn_if_others_may_read(*file);
        auto text = strip_newline(read_file(*file, k_max_password_file_bytes));
        if (text.empty()) throw Error(ErrorKind::Usage, "the password file " + *file + " is empty");
        return take(text);
    }
    if (environment_password()) return *environment_password();
    if (::isatty(STDIN_FILENO)) {
        auto first = prompt("password of " + whose + ": ");
        if (confirm) {
            auto again = prompt("the same password again: ");
            const bool same = again == first;
            Botan::secure_scrub_memory(again.data(), again.size());
            if (!same) {
                Botan::secure_scrub_memory(first.data(), first.size());
                throw Error(ErrorKind::Usage, "the two passwords differ");
            }
        }
        return take(first);
    }
    throw Error(ErrorKind::Usage,
                "no key password: give --password-file FILE, set XRCA_KEY_PASSWORD, or run in a terminal to be asked");
}

ca::Password read_pin(Args& args, const std::string& token) {
    if (auto file = args.option("--pin-file")) {
        warn_if_others_may_read(*file);
        auto text = strip_newline(read_file(*file, k_max_password_file_bytes));
        if (text.empty()) throw Error(ErrorKind::Usage, "the PIN file " + *file + " is empty");
        return take(text);
    }
    if (environment_pin()) return *environment_pin();
    if (::isatty(STDIN_FILENO)) {
        auto pin = prompt("PIN of token '" + token + "': ");
        if (pin.empty()) throw Error(ErrorKind::Usage, "no PIN given for token '" + token + "'");
        return take(pin);
    }
    throw Error(ErrorKind::Usage, "no PIN for token '" + token +
                                      "': give --pin-file FILE, set XRCA_PKCS11_PIN, or run in a terminal to be asked");
}

ca::Password read_export_password(Args& args, bool confirm) {
    if (auto file = args.option("--export-password-file")) {
        auto text = strip_newline(read_file(*file, k_max_password_file_bytes));
        if (text.empty()) throw Error(ErrorKind::Usage, "the export password file " + *file + " is empty");
        return take(text);
    }
    if (environment_export_password()) return *environment_export_password();
    if (::isatty(STDIN_FILENO)) {
        auto first = prompt("export password: ");
        if (confirm) {
            auto again = prompt("export password again: ");
            const bool same = again == first;
            Botan::secure_scrub_memory(again.data(), again.size());
            if (!same) {
                Botan::secure_scrub_memory(first.data(), first.size());
                throw Error(ErrorKind::Usage, "the two export passwords differ");
            }
        }
        if (first.empty()) throw Error(ErrorKind::Usage, "no export password given");
        return take(first);
    }
    throw Error(ErrorKind::Usage,
                "no export password: give --export-password-file FILE, set XRCA_EXPORT_PASSWORD, or run in a "
                "terminal to be asked");
}

}  // namespace xrca::cli
