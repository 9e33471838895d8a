// The console's listener (see server.h).
#include "console/server.h"

#include <botan/mem_ops.h>

#include <stdexcept>

namespace xrca::console {

void parse_admin_listen(const std::string& value, enrollment::ServerOptions& into) {
    // A port alone means loopback; otherwise the same forms as --listen (host names, [::1]:PORT).
    const bool port_only = !value.empty() && value.find_first_not_of("0123456789") == std::string::npos;
    try {
        into.listen = {enrollment::ListenAddress::parse(port_only ? "127.0.0.1:" + value : value)};
    } catch (const std::invalid_argument& e) {
        throw Error(ErrorKind::Usage,
                    std::string("--admin-listen takes ADDRESS:PORT or PORT, e.g. 127.0.0.1:8443: ") + e.what());
    }
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

void ConsoleServer::reload(const enrollment::ServerOptions& service_options) {
    enrollment::ServerOptions next = m_options;
    next.tls_certificate_pem = service_options.tls_certificate_pem;
    next.tls_key_pem = service_options.tls_key_pem;
    const auto scrub = [&next] { Botan::secure_scrub_memory(next.tls_key_pem.data(), next.tls_key_pem.size()); };
    try {
        m_server->reload(next);  // throws, and the current daemons serve on
    } catch (...) {
        scrub();
        throw;
    }
    scrub();  // the new daemons hold their own copy
    m_options.tls_certificate_pem = std::move(next.tls_certificate_pem);
}

std::string ConsoleServer::banner() const {
    std::string text = "administrator's console on";
    for (const auto& address : m_server->addresses())
        text += std::string(" ") + (m_options.tls() ? "https://" : "http://") + address + "/admin/";
    return text;
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
