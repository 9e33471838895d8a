// `xrca serve`: the online service on libmicrohttpd, until SIGINT or SIGTERM.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/session.h"

#include "console/server.h"
#include "enrollment/http_server.h"
#include "enrollment/service.h"
#include "store/factory.h"

#include <botan/mem_ops.h>

#include <csignal>
#include <ctime>
#include <mutex>
#include <ostream>
#include <sstream>

namespace xrca::cli {
namespace {

/**
 * How often a running node closes issuances left pending (older than the authority's
 * stale_pending_minutes, so never another live node's) by a node that died: a cluster whose
 * nodes run for months would otherwise keep them pending until some node restarts.
 */
constexpr std::time_t k_reconcile_seconds = 60;

/** One line on stderr per log entry the store refused (a database outage), written whole. */
ca::UnwrittenEntrySink unwritten_to(std::ostream& err) {
    auto lock = std::make_shared<std::mutex>();  // the server's threads write concurrently
    return [&err, lock](const store::LogEntry& e, const std::string& why) {
        std::ostringstream line;
        line << "xrca: enrollment log unavailable (" << why << "); unwritten entry: time=" << e.time
             << " request=" << e.request_id << " operation=" << e.operation << " caller=" << e.caller
             << " certificate=" << e.certificate_id << " outcome=" << e.outcome << " reason=" << e.reason
             << " inputs=" << e.inputs << '\n';
        const std::lock_guard<std::mutex> hold(*lock);
        err << line.str() << std::flush;
    };
}

}  // namespace

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
    if (const auto n = number_option(args, "--threads", 1, 256)) options.threads = static_cast<unsigned>(*n);
    if (const auto n = number_option(args, "--per-address-connections", 1, 10000))
        options.per_address_connection_limit = static_cast<unsigned>(*n);
    if (const auto n = number_option(args, "--request-deadline", 1, 3600))
        options.request_deadline_seconds = static_cast<unsigned>(*n);
    enrollment::ServiceOptions service_options;
    const bool database = store::is_postgresql_locator(ctx.data_dir);
    // Free space is a data directory's concern; a database server's is the DBA's.
    if (!database) service_options.health.data_directory = ctx.data_dir;
    if (const auto n = number_option(args, "--anonymous-rate", 0, 100000)) {
        service_options.anonymous.rate_per_second = static_cast<double>(*n);
        service_options.anonymous.burst = 10.0 * static_cast<double>(*n);
    }
    if (const auto n = number_option(args, "--min-free-mb", 0, 1u << 30))
        service_options.health.min_free_bytes = static_cast<std::uint64_t>(*n) << 20;
    const auto tls_cert = args.option("--tls-cert");
    const auto tls_key = args.option("--tls-key");
    const auto admin_listen = args.option("--admin-listen");
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
    ClientKeyPoolSize pool;
    if (const auto n = number_option(args, "--clc-key-pool", 1, 1000000)) pool.capacity = *n;
    if (const auto n = number_option(args, "--clc-key-threads", 0, 64)) pool.threads = *n;
    const bool warm = args.flag("--warm-key-pool");
    if (warm && pool.threads == 0)
        throw Error(ErrorKind::Usage, "--warm-key-pool needs --clc-key-threads of 1 or more");
    auto session = open_session(ctx, args, pool);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "serve takes no positional arguments");
    if (warm) {
        // Every CLC takes a fresh RSA key (~0.1 s of one core each): a full pool lets the
        // service answer a burst of GetClientLicensorCert at signing speed.
        ctx.out << "generating " << pool.capacity << " CLC keys before serving (--warm-key-pool)" << std::endl;
        session->client_keys->wait_until_filled(pool.capacity);
    }
    if (database) {
        // One indexed row: whether the server answers now, not what it holds.
        store::Store& store = *session->store;
        service_options.health.store_probe = [&store] { (void)store.policy_revision(); };
    }
    session->authority->audit().on_unwritten(unwritten_to(ctx.err));
    enrollment::Service service(*session->authority, service_options);

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
    // --admin-listen: the administrator's console, on a listener of its own (docs/console.md).
    const auto admin_console =
        console::start_console(admin_listen, options, *session->authority, *session->store, service);
    Botan::secure_scrub_memory(options.tls_key_pem.data(),
                               options.tls_key_pem.size());  // the server holds its own copy
    const auto& record = session->authority->record();
    ctx.out << "serving the " << record.role << " authority '" << record.name << "' on "
            << (options.tls() ? "https://" : "http://") << options.listen_address << ":" << server->port() << "/_wmcs ("
            << options.threads << " threads); stop with Ctrl-C" << std::endl;
    if (admin_console) ctx.out << admin_console->banner() << std::endl;
    const timespec reconcile{k_reconcile_seconds, 0};
    while (sigtimedwait(&stop, nullptr, &reconcile) < 0) {
        try {
            if (const auto n = session->authority->abandon_interrupted_issuances(local_caller()))
                ctx.err << "xrca: marked " << n << " issuances left pending by a stopped node as abandoned\n";
        } catch (const std::exception& e) {
            ctx.err << "xrca: could not look for issuances left pending: " << e.what() << '\n';
        }
    }
    ctx.out << "stopping: finishing requests in flight" << std::endl;
    server.reset();
    return k_exit_ok;
}

}  // namespace xrca::cli
