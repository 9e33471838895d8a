// `xrca serve`: the online service on libmicrohttpd, until SIGINT or SIGTERM.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/session.h"

#include "enrollment/http_server.h"
#include "enrollment/service.h"

#include <botan/mem_ops.h>

#include <csignal>
#include <ostream>

namespace xrca::cli {

int cmd_serve(Context& ctx, Args& args) {
    enrollment::ServerOptions options;
    if (auto listen = args.option("--listen")) {
        const auto colon = listen->rfind(':');
        if (colon == std::string::npos)
            throw Error(ErrorKind::Usage, "--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8080");
        options.listen_address = listen->substr(0, colon);
        const auto port = listen->substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(port) > 65535) {
            throw Error(ErrorKind::Usage, "--listen: '" + port + "' is not a port number");
        }
        options.port = static_cast<std::uint16_t>(std::stoul(port));
    }
    if (auto threads = args.option("--threads")) {
        if (threads->empty() || threads->find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(*threads) == 0 || std::stoul(*threads) > 256) {
            throw Error(ErrorKind::Usage, "--threads takes a number from 1 to 256");
        }
        options.threads = static_cast<unsigned>(std::stoul(*threads));
    }
    const auto tls_cert = args.option("--tls-cert");
    const auto tls_key = args.option("--tls-key");
    if (tls_cert.has_value() != tls_key.has_value())
        throw Error(ErrorKind::Usage, "HTTPS needs both --tls-cert and --tls-key");
    if (tls_cert) {
        options.tls_certificate_pem = read_file(*tls_cert, k_max_pem_bytes);
        options.tls_key_pem = read_file(*tls_key, k_max_pem_bytes);
        if (options.tls_certificate_pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
            throw Error(ErrorKind::Usage, "--tls-cert " + *tls_cert + " holds no PEM certificate");
        }
        if (options.tls_key_pem.find("PRIVATE KEY-----") == std::string::npos) {
            throw Error(ErrorKind::Usage, "--tls-key " + *tls_key + " holds no PEM private key");
        }
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
        server = std::make_unique<enrollment::HttpServer>(
            options, [&](const enrollment::HttpRequest& r) { return service.handle(r); });
    } catch (const std::runtime_error& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    Botan::secure_scrub_memory(options.tls_key_pem.data(),
                               options.tls_key_pem.size());  // the server holds its own copy
    const auto status = session->authority->status();
    ctx.out << "serving the " << status.role << " authority '" << status.name << "' on "
            << (options.tls() ? "https://" : "http://") << options.listen_address << ":" << server->port() << "/_wmcs ("
            << options.threads << " threads); stop with Ctrl-C" << std::endl;
    int signal = 0;
    sigwait(&stop, &signal);
    ctx.out << "stopping: finishing requests in flight" << std::endl;
    server.reset();
    return k_exit_ok;
}

}  // namespace xrca::cli
