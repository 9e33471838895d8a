// `xrca serve`: the online service on libmicrohttpd, until SIGINT or SIGTERM; SIGHUP reloads
// the TLS files and the configuration file (cli/serve_config.h).
#include "cli/allocator_tuning.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/serve_config.h"
#include "cli/serve_readiness.h"
#include "cli/serve_signals.h"
#include "cli/session.h"
#include "cli/systemd_notify.h"

#include "console/server.h"
#include "enrollment/http_server.h"
#include "enrollment/request_log.h"
#include "enrollment/service.h"
#include "store/factory.h"
#include "text/clean.h"

#include <botan/mem_ops.h>

#include <chrono>
#include <csignal>
#include <cstdio>
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
constexpr int k_reconcile_seconds = 60;

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

void scrub(enrollment::ServerOptions& options) {
    Botan::secure_scrub_memory(options.tls_key_pem.data(), options.tls_key_pem.size());
}

/**
 * SIGHUP: the configuration file again, and what of it can change while serving; the console
 * (when there is one) takes the service's new TLS certificate and key too.
 */
void reload(Context& ctx, const Args& command_line, const std::optional<std::string>& config,
            const MergedSettings& running, enrollment::HttpServer& server, console::ConsoleServer* admin_console,
            enrollment::RequestLog& log) {
    try {
        const auto next = merge_config(command_line, config, ctx.err);
        Args args = next.args;
        auto live = read_live_settings(args);
        for (const auto& change : restart_only_changes(running, next)) ctx.err << "xrca: reload: " << change << '\n';
        server.reload(live.server);
        if (admin_console) {
            // The service took these files a moment ago, so a failure here is not theirs (no
            // threads left, say): the console keeps its certificate and the service its new one.
            try {
                admin_console->reload(live.server);
            } catch (const std::exception& e) {
                ctx.err << "xrca: reload: the administrator's console kept its previous TLS certificate: "
                        << text::printable(e.what()) << '\n';
            }
        }
        scrub(live.server);  // the new daemons hold their own copy
        log.set_format(live.log_format);
        ctx.err << "xrca: reloaded" << (live.server.tls() ? " the TLS certificate and key," : "") << " the settings of "
                << (config ? text::printable(*config) : "the command line")
                << "; requests in flight finish on the old ones" << std::endl;
    } catch (const std::exception& e) {
        ctx.err << "xrca: reload failed, still serving with the previous settings: " << text::printable(e.what())
                << std::endl;
    }
}

}  // namespace

int cmd_serve(Context& ctx, Args& command_args) {
    // Before any worker thread exists, so that every arena is created under these settings.
    if (!keep_freed_memory_for_reuse()) ctx.err << "xrca: note: glibc refused the allocator settings for serving\n";
    const auto config = serve_config_path(command_args);
    const Args command_line = command_args;  // kept for SIGHUP, which merges the file again
    const auto merged = merge_config(command_line, config, ctx.err);
    if (merged.store && !ctx.store_chosen) ctx.data_dir = *merged.store;
    Args args = merged.args;
    auto live = read_live_settings(args);
    auto& options = live.server;
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
    if (const auto n = number_option(args, "--warn-slc-days", 0, 3650))
        service_options.health.warn_expiry = std::chrono::hours(static_cast<std::chrono::hours::rep>(*n) * 24);
    const auto admin_listen = args.option("--admin-listen");
    ClientKeyPoolSize pool;
    if (const auto n = number_option(args, "--clc-key-pool", 1, 1000000)) pool.capacity = *n;
    if (const auto n = number_option(args, "--clc-key-threads", 0, 64)) pool.threads = *n;
    const bool warm = args.flag("--warm-key-pool");
    if (warm && pool.threads == 0)
        throw Error(ErrorKind::Usage, "--warm-key-pool needs --clc-key-threads of 1 or more");
    auto session = open_session(ctx, args, pool);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "serve takes no positional arguments");
    refuse_to_serve_unless_ready(*session->authority);
    if (warm) {
        // Every CLC takes a fresh RSA key (~0.1 s of one core each): a full pool lets the
        // service answer a burst of GetClientLicensorCert at signing speed.
        ctx.out << "generating " << pool.capacity << " CLC keys before serving (--warm-key-pool)" << std::endl;
        session->client_keys->wait_until_filled(pool.capacity);
    }
    service_options.health.store_probe = store::store_probe(*session->store, ctx.data_dir);
    session->authority->audit().on_unwritten(unwritten_to(ctx.err));
    enrollment::Service service(*session->authority, service_options);
    enrollment::RequestLog request_log(stdout, live.log_format);

    ServeSignals signals;  // from here SIGHUP reloads and SIGINT/SIGTERM drain
    std::unique_ptr<enrollment::HttpServer> server;
    try {
        server = std::make_unique<enrollment::HttpServer>(
            options, request_log.wrap([&](const enrollment::HttpRequest& r) { return service.handle(r); }));
    } catch (const std::runtime_error& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    // --admin-listen: the administrator's console, on a listener of its own (docs/console.md).
    const auto admin_console =
        console::start_console(admin_listen, options, *session->authority, *session->store, service);
    scrub(options);  // the servers hold their own copies
    const auto& record = session->authority->record();
    std::ostringstream serving;  // one write: request log lines may already be arriving
    serving << "serving the " << record.role << " authority '" << record.name << "' on";
    for (const auto& address : server->addresses())
        serving << ' ' << (options.tls() ? "https://" : "http://") << address << "/_wmcs";
    serving << " (" << options.threads << " threads); stop with Ctrl-C\n";
    if (admin_console) serving << admin_console->banner() << '\n';
    ctx.out << serving.str() << std::flush;
    notify_service_manager("READY=1");  // systemd's Type=notify: the keys are open and the socket is bound
    for (;;) {
        const int sig = signals.wait(k_reconcile_seconds);
        if (sig == SIGHUP) {
            notify_service_manager("RELOADING=1");
            reload(ctx, command_line, config, merged, *server, admin_console.get(), request_log);
            notify_service_manager("READY=1");
            continue;
        }
        if (sig == SIGINT || sig == SIGTERM) break;
        try {
            if (const auto n = session->authority->abandon_interrupted_issuances(local_caller()))
                ctx.err << "xrca: marked " << n << " issuances left pending by a stopped node as abandoned\n";
        } catch (const std::exception& e) {
            ctx.err << "xrca: could not look for issuances left pending: " << e.what() << '\n';
        }
    }
    server->stop_accepting();
    ctx.out << "stopping: finishing requests in flight" << std::endl;
    notify_service_manager("STOPPING=1");
    server->drain();
    server.reset();
    return k_exit_ok;
}

}  // namespace xrca::cli
