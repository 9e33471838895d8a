// The console's own listener, started by `xrca serve --admin-listen ADDRESS[:PORT]`
// (docs/console.md): a second HTTP server beside the service's, HTTPS with the service's
// certificate when it has one, loopback unless told otherwise.
#pragma once

#include "console/console.h"
#include "enrollment/http_server.h"

#include <memory>
#include <string>

namespace xrca::console {

class ConsoleServer {
public:
    ConsoleServer(const enrollment::ServerOptions& options, ca::Authority& authority, store::Store& store,
                  enrollment::Service& service);
    /** "administrator's console on http://127.0.0.1:PORT/admin/" */
    [[nodiscard]] std::string banner() const;
    /**
     * SIGHUP: serves the service's TLS certificate and key from `service_options` (as the service
     * now does) on new connections; the listener and its limits stay. Throws std::runtime_error,
     * and the console serves on with its previous certificate, if they do not load.
     */
    void reload(const enrollment::ServerOptions& service_options);

private:
    Console m_console;  // before the server, which calls it until it is destroyed
    enrollment::ServerOptions m_options;
    std::unique_ptr<enrollment::HttpServer> m_server;
};

/**
 * Reads `--admin-listen`'s value: ADDRESS:PORT, or a PORT alone (on 127.0.0.1). Error(Usage)
 * naming what is wrong.
 */
void parse_admin_listen(const std::string& value, enrollment::ServerOptions& into);

/**
 * Starts the console when `admin_listen` is set (nullptr otherwise): on the listener it names,
 * with the service's TLS certificate and key from `service_options`. Error(Storage) if it cannot listen.
 */
std::unique_ptr<ConsoleServer> start_console(const std::optional<std::string>& admin_listen,
                                             const enrollment::ServerOptions& service_options, ca::Authority& authority,
                                             store::Store& store, enrollment::Service& service);

}  // namespace xrca::console
