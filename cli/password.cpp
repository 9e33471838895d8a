// Reading the key password without it ever appearing in argv, output or logs.
#include "cli/password.h"

#include "ca/errors.h"
#include "cli/files.h"

#include <termios.h>
#include <unistd.h>
#include <cstdlib>
#include <iostream>

namespace xrca::cli {
namespace {

std::string strip_newline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

std::string prompt(const char* text) {
    std::cerr << text << std::flush;
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string line;
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << '\n';
    return strip_newline(line);
}

}  // namespace

ca::Password read_password(Args& args, bool confirm) {
    if (auto file = args.option("--password-file")) {
        auto text = strip_newline(read_file(*file, 4096));
        if (text.empty()) throw Error(ErrorKind::Usage, "the password file " + *file + " is empty");
        return ca::Password(text);
    }
    if (const char* env = std::getenv("XRCA_KEY_PASSWORD"); env && *env) return ca::Password(env);
    if (::isatty(STDIN_FILENO)) {
        auto first = prompt("key password: ");
        if (confirm && prompt("key password again: ") != first)
            throw Error(ErrorKind::Usage, "the two passwords differ");
        return ca::Password(first);
    }
    throw Error(ErrorKind::Usage,
                "no key password: give --password-file FILE, set XRCA_KEY_PASSWORD, or run in a terminal to be asked");
}

}  // namespace xrca::cli
