// xrca: the composition root. Parses the global options, dispatches to a subcommand, and maps
// every error to an exit code in one place (cli/exit_codes.h).
#include "cli/command_table.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/help.h"
#include "cli/locked_memory.h"
#include "cli/password.h"
#include "cli/process_hardening.h"
#include "cli/session.h"
#include "store/store.h"

#include "ca/errors.h"
#include "text/clean.h"
#include "xrml/errors.h"

#include <cstdlib>
#include <iostream>

namespace xrca::cli {
namespace {

/**
 * The store the command works on: --store LOCATOR (or its older name --data DIR), else
 * $XRCA_STORE, else $XRCA_DATA, else ./xrca-data. A password may come in $XRCA_STORE, never on
 * the command line, where every user of the machine can read it.
 */
class StoreChoice {
public:
    StoreChoice() {
        for (const char* name : {"XRCA_STORE", "XRCA_DATA"}) {
            const char* env = std::getenv(name);
            if (env && *env) {
                m_locator = env;
                m_chosen = true;
                return;
            }
        }
    }
    void take(const std::string& option, const std::string& locator) {
        if (!m_given_as.empty() && m_given_as != option + locator)
            throw Error(ErrorKind::Usage, "the store is given twice (--store and --data name the same thing)");
        if (locator.empty()) throw Error(ErrorKind::Usage, option + " needs a data directory or a postgresql:// URI");
        refuse_password_on_argv(option, locator);
        m_given_as = option + locator;
        m_locator = locator;
        m_chosen = true;
    }
    [[nodiscard]] const std::string& locator() const { return m_locator; }
    /** Named by an option or the environment, not the default. */
    [[nodiscard]] bool chosen() const { return m_chosen; }

private:
    std::string m_locator = "./xrca-data";
    bool m_chosen = false;
    std::string m_given_as;
};

int run(int argc, char** argv) {
    std::vector<std::string> rest(argv + 1, argv + argc);
    // Global options before the command (and, below, after it).
    StoreChoice store;
    std::vector<std::string> carried;  // --password-file, --pin-file: handed to the command
    std::size_t i = 0;
    while (i < rest.size() && rest[i].rfind("--", 0) == 0) {
        const auto equals = rest[i].find('=');
        const auto option = rest[i].substr(0, equals);
        if (option == "--password-file" || option == "--pin-file") {
            const auto n = equals != std::string::npos ? 1U : 2U;
            if (i + n > rest.size()) throw Error(ErrorKind::Usage, option + " needs a value");
            carried.insert(carried.end(), rest.begin() + static_cast<std::ptrdiff_t>(i),
                           rest.begin() + static_cast<std::ptrdiff_t>(i + n));
            i += n;
        } else if (option == "--store" || option == "--data") {
            if (equals != std::string::npos) {
                store.take(option, rest[i].substr(equals + 1));
                ++i;
            } else {
                if (i + 1 >= rest.size()) throw Error(ErrorKind::Usage, option + " needs a value");
                store.take(option, rest[i + 1]);
                i += 2;
            }
        } else if (rest[i] == "--help" || rest[i] == "-h") {
            std::cout << overview(command_specs());
            return k_exit_ok;
        } else if (rest[i] == "--version") {
            std::cout << "xrca 0.1.0\n";
            return k_exit_ok;
        } else {
            throw Error(ErrorKind::Usage, "unknown global option " + rest[i] + " (see xrca --help)");
        }
    }
    if (i >= rest.size()) {
        std::cerr << overview(command_specs());
        return k_exit_usage;
    }
    const std::string name = rest[i];
    const auto* command = find_command(name);
    if (!command) throw Error(ErrorKind::Usage, "unknown command '" + name + "' (see xrca --help)");
    std::vector<std::string> after(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end());
    after.insert(after.end(), carried.begin(), carried.end());  // after any verb
    Args args(std::move(after), *command);
    if (args.flag("--help") || args.flag("-h")) {
        std::cout << command_help(*command);
        return k_exit_ok;
    }
    // Global options may also follow the command, where people put them; and a password or
    // PIN file is accepted by every command, used by those that open keys.
    for (const char* option : {"--store", "--data"}) {
        for (const auto& locator : args.options(option)) store.take(option, locator);
    }
    args.tolerate({"--password-file", "--pin-file"});
    Context ctx{store.locator(), std::cout, std::cerr, store.chosen()};
    return command->run(ctx, args);
}

}  // namespace
}  // namespace xrca::cli

namespace {

/** Prints an error for a person: its text may quote untrusted input (a path, a document), so escaped. */
int report(const char* prefix, const std::exception& e, int exit_code) {
    std::cerr << "xrca: " << prefix << xrca::text::printable(e.what()) << '\n';
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace xrca;
    // Before anything is read: no core dump may hold the password or a key, and the password
    // leaves the environment at once (docs/key-protection.md).
    for (const auto& failure : cli::keep_secrets_out_of_dumps())
        std::cerr << "xrca: warning: secrets may reach a core dump: " << failure << '\n';
    // A run that holds no secret needs no pool of locked memory: Botan builds it (128 pages, each
    // mapped, guarded and locked, and undone at exit) at its first secure allocation, which is
    // the next line (cli/locked_memory.h). Botan's own switch; an operator's setting stands.
    if (!cli::needs_locked_memory(argc, argv))
        ::setenv("BOTAN_MLOCK_POOL_SIZE", "0", 0);  // NOLINT(concurrency-mt-unsafe): no thread yet
    cli::take_password_from_environment();
    try {
        return cli::run(argc, argv);
    } catch (const Error& e) {
        report("", e, 0);
        if (e.kind() == ErrorKind::Usage) std::cerr << "(see xrca --help)\n";
        return cli::exit_code_for(e.kind());
    } catch (const xrml::FormatError& e) {
        return report("", e, cli::k_exit_refused);
    } catch (const store::ConflictError& e) {
        // Reads of the store outside an operation (status, lists) reach here unmapped.
        return report("", e, cli::exit_code_for(ErrorKind::Conflict));
    } catch (const store::StorageError& e) {
        return report("", e, cli::exit_code_for(ErrorKind::Storage));
    } catch (const std::exception& e) {
        return report("internal error: ", e, cli::k_exit_internal);
    }
}
