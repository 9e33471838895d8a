// `xrca serve`: the online service on libmicrohttpd, until SIGINT or SIGTERM.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/session.h"

#include "enrollment/http_server.h"
#include "enrollment/service.h"

#include <csignal>
#include <ostream>

namespace xrca::cli {

int cmd_serve(Context& ctx, Args& args) {
    enrollment::ServerOptions options;
    if (auto listen = args.option("--listen")) {
        const auto colon = listen->rfind(':');
        if (colon == std::string::npos) throw Error(ErrorKind::Usage, "--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080");
        options.listen_address = listen->substr(0, colon);
        const auto port = listen->substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
            throw Error(ErrorKind::Usage, "--listen: '" + port + "' is not a port number");
        }
        options.port = static_cast<std::uint16_t>(std::stoul(port));
    }
    if (auto threads = args.option("--threads")) {
        if (threads->empty() || threads->find_first_not_of("0123456789") != std::string::npos || std::stoul(*threads) == 0 ||
            std::stoul(*threads) > 256) {
            throw Error(ErrorKind::Usage, "--threads takes a number from 1 to 256");
        }
        options.threads = static_cast<unsigned>(std::stoul(*threads));
    }
    if (args.option("--tls-cert") || args.option("--tls-key")) {
        throw Error(ErrorKind::Usage, "HTTPS (--tls-cert/--tls-key) is not available yet in this version of xrca");
    }
    auto session = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "serve takes no positional arguments");
    enrollment::Service service(*session->authority);

    // Block the stop signals before the server's threads exist, so that they inherit the mask
    // and only sigwait() below sees them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    std::unique_ptr<enrollment::HttpServer> server;
    try {
        server = std::make_unique<enrollment::HttpServer>(options, [&](const enrollment::HttpRequest& r) { return service.handle(r); });
    } catch (const std::runtime_error& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    const auto status = session->authority->status();
    ctx.out << "serving the " << status.role << " authority '" << status.name << "' on http://" << options.listen_address << ":"
            << server->port() << "/_wmcs (" << options.threads << " threads); stop with Ctrl-C" << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    ctx.out << "stopping: finishing requests in flight" << std::endl;
    server.reset();
    return k_exit_ok;
}

}  // namespace xrca::cli
