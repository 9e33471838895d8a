// Which runs need Botan's locked pool (see locked_memory.h): read from the arguments alone.
#include "cli/locked_memory.h"

#include <cstddef>
#include <cstring>
#include <initializer_list>

namespace xrca::cli {
namespace {

// Commands that open no private key and read no password or PIN. A command that starts to
// (a key, `read_password`, `open_session`) must leave this list.
constexpr const char* k_commands_without_secrets[] = {"status", "anchor",     "chain",     "verify",
                                                      "show",   "export-key", "completion"};

// The global options main.cpp reads before the command, and whether each takes a value.
bool global_option_with_value(const char* arg, std::size_t name_length) noexcept {
    for (const char* name : {"--store", "--data", "--password-file", "--pin-file"}) {
        if (std::strlen(name) == name_length && std::strncmp(arg, name, name_length) == 0) return true;
    }
    return false;
}

}  // namespace

bool needs_locked_memory(int argc, const char* const* argv) noexcept {
    if (argc < 1 || argv == nullptr) return true;
    int i = 1;
    while (i < argc && argv[i] != nullptr && std::strncmp(argv[i], "--", 2) == 0) {
        const char* arg = argv[i];
        if (std::strcmp(arg, "--version") == 0 || std::strcmp(arg, "--help") == 0) return false;
        const char* equals = std::strchr(arg, '=');
        const auto name_length = equals ? static_cast<std::size_t>(equals - arg) : std::strlen(arg);
        if (!global_option_with_value(arg, name_length)) return true;
        i += equals ? 1 : 2;
    }
    if (i >= argc || argv[i] == nullptr) return false;  // no command: the overview only
    if (std::strcmp(argv[i], "-h") == 0) return false;
    for (const char* command : k_commands_without_secrets) {
        if (std::strcmp(argv[i], command) == 0) return false;
    }
    return true;
}

}  // namespace xrca::cli
