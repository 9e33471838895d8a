// The console's listener (see server.h).
#include "console/server.h"

#include <botan/mem_ops.h>

namespace xrca::console {

void parse_admin_listen(const std::string& value, enrollment::ServerOptions& into) {
    const auto colon = value.rfind(':');
    const auto port = colon == std::string::npos ? value : value.substr(colon + 1);
    into.listen_address = colon == std::string::npos ? "127.0.0.1" : value.substr(0, colon);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535) {
        throw Error(ErrorKind::Usage, "--admin-listen takes ADDRESS:PORT or PORT, e.g. 127.0.0.1:8443; '" + port +
                                          "' is not a port number");
    }
    into.port = static_cast<std::uint16_t>(std::stoul(port));
}

ConsoleServer::ConsoleServer(const enrollment::ServerOptions& options, ca::Authority& authority, store::Store& store,
                             enrollment::Service& service)
    : m_console(authority, store, service), m_options(options) {
    try {
        m_server = std::make_unique<enrollment::HttpServer>(
            options, [this](const enrollment::HttpRequest& r) { return m_console.handle(r); });
    } catch (const std::runtime_error& e) {
        throw Error(ErrorKind::Storage, std::string("the administrator's console: ") + e.what());
    }
    Botan::secure_scrub_memory(m_options.tls_key_pem.data(), m_options.tls_key_pem.size());
    m_options.tls_key_pem.clear();
}

std::string ConsoleServer::banner() const {
    return std::string("administrator's console on ") + (m_options.tls() ? "https://" : "http://") +
           m_options.listen_address + ":" + std::to_string(m_server->port()) + "/admin/";
}

std::unique_ptr<ConsoleServer> start_console(const std::optional<std::string>& admin_listen,
                                             const enrollment::ServerOptions& service_options, ca::Authority& authority,
                                             store::Store& store, enrollment::Service& service) {
    if (!admin_listen) return nullptr;
    enrollment::ServerOptions options;
    parse_admin_listen(*admin_listen, options);
    // A few administrators, not the world: a small pool, and the same TLS identity as the service.
    options.threads = 4;
    options.connection_limit = 64;
    options.per_address_connection_limit = 32;
    options.tls_certificate_pem = service_options.tls_certificate_pem;
    options.tls_key_pem = service_options.tls_key_pem;
    auto server = std::make_unique<ConsoleServer>(options, authority, store, service);
    Botan::secure_scrub_memory(options.tls_key_pem.data(), options.tls_key_pem.size());
    return server;
}

}  // namespace xrca::console
