// xrca: the composition root. Parses the global options, dispatches to a subcommand, and maps
// every error to an exit code in one place (cli/exit_codes.h).
#include "cli/commands.h"
#include "cli/exit_codes.h"

#include "ca/errors.h"
#include "xrml/errors.h"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>

namespace xrca::cli {
namespace {

struct Command {
    std::function<int(Context&, Args&)> run;
    const char* summary;
    const char* help;
};

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> table = {
        {"verify",
         {cmd_verify, "verify the signatures and chains of XrML files",
          "usage: xrca verify FILE... [--anchor FINGERPRINT|ANCHOR.pub.xml] [--at TIME] [--json]\n"
          "\n"
          "Checks every document's signature against its ISSUER key, builds each leaf's chain\n"
          "from all the documents given (a file may hold several, leaf first), and checks the\n"
          "links, the ISSUE rights, the time rules and, with --anchor, that the chain ends at\n"
          "the pinned root key. Without --anchor the topmost issuer key is reported and trust\n"
          "is NOT established.\n"
          "\n"
          "  --anchor X   the trust anchor: a 64-digit SHA-256 key fingerprint, or a file\n"
          "               holding a <PUBLICKEY> element\n"
          "  --at TIME    evaluate validity at TIME (YYYY-MM-DDTHH:MM, UTC) instead of now\n"
          "  --json       one JSON document on stdout\n"
          "\n"
          "Exit status: 0 verified; 1 a signature, link, time or anchor check failed, or the\n"
          "input is not valid XrML; 2 usage; 4 a file could not be read.\n"
          "\n"
          "example:\n"
          "  xrca verify chain.xml --anchor 25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d \\\n"
          "              --at 2015-04-02T00:00\n"}},
        {"show",
         {cmd_show, "print what XrML documents say",
          "usage: xrca show FILE [--json]\n"
          "\n"
          "Prints each document of FILE in order: kind, ID, times, issuer and principal with\n"
          "their key fingerprints, and the digest algorithm. Nothing is verified: use\n"
          "`xrca verify` for that.\n"
          "\n"
          "  --json   {\"documents\": [ … ]}, one object per document in file order\n"
          "\n"
          "example:\n"
          "  xrca show rac-chain.xml --json\n"}},
    };
    return table;
}

void print_usage(std::ostream& out) {
    out << "xrca — an RMS-style certificate hierarchy and registration authority\n"
           "\n"
           "usage: xrca [--data DIR] COMMAND [OPTIONS]\n"
           "       xrca COMMAND --help\n"
           "\n"
           "  --data DIR   the data directory (default $XRCA_DATA, else ./xrca-data)\n"
           "\n"
           "commands:\n";
    for (const auto& [name, cmd] : commands()) out << "  " << name << std::string(10 - name.size(), ' ') << cmd.summary << '\n';
    out << "\nexit status: 0 ok; 1 checked and refused; 2 usage; 3 wrong state or not found;\n"
           "             4 storage or I/O error; 5 internal error\n";
}

int run(int argc, char** argv) {
    std::vector<std::string> rest(argv + 1, argv + argc);
    Args global(rest);
    // Global options come before the command.
    std::string data_dir;
    if (const char* env = std::getenv("XRCA_DATA")) data_dir = env;
    if (data_dir.empty()) data_dir = "./xrca-data";
    std::size_t i = 0;
    while (i < rest.size() && rest[i].rfind("--", 0) == 0) {
        if (rest[i] == "--data" && i + 1 < rest.size()) {
            data_dir = rest[i + 1];
            i += 2;
        } else if (rest[i].rfind("--data=", 0) == 0) {
            data_dir = rest[i].substr(7);
            ++i;
        } else if (rest[i] == "--help" || rest[i] == "-h") {
            print_usage(std::cout);
            return k_exit_ok;
        } else if (rest[i] == "--version") {
            std::cout << "xrca 0.1.0\n";
            return k_exit_ok;
        } else {
            throw Error(ErrorKind::Usage, "unknown global option " + rest[i] + " (see xrca --help)");
        }
    }
    if (i >= rest.size()) {
        print_usage(std::cerr);
        return k_exit_usage;
    }
    const std::string name = rest[i];
    const auto it = commands().find(name);
    if (it == commands().end()) throw Error(ErrorKind::Usage, "unknown command '" + name + "' (see xrca --help)");
    Args args(std::vector<std::string>(rest.begin() + static_cast<std::ptrdiff_t>(i) + 1, rest.end()));
    if (args.flag("--help") || args.flag("-h")) {
        std::cout << it->second.help;
        return k_exit_ok;
    }
    Context ctx{data_dir, std::cout, std::cerr};
    return it->second.run(ctx, args);
}

}  // namespace
}  // namespace xrca::cli

int main(int argc, char** argv) {
    using namespace xrca;
    try {
        return cli::run(argc, argv);
    } catch (const Error& e) {
        std::cerr << "xrca: " << e.what() << '\n';
        if (e.kind() == ErrorKind::Usage) std::cerr << "(see xrca --help)\n";
        return cli::exit_code_for(e.kind());
    } catch (const xrml::FormatError& e) {
        std::cerr << "xrca: " << e.what() << '\n';
        return cli::k_exit_refused;
    } catch (const std::exception& e) {
        std::cerr << "xrca: internal error: " << e.what() << '\n';
        return cli::k_exit_internal;
    }
}
