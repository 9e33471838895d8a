// The client side of the online service (`xrca enroll`, `xrca client …`): SOAP over HTTP or
// HTTPS with libcurl. Refusals come back as Error carrying the server's fault name and message;
// network failures as Error(Storage) naming the URL and what went wrong.
#pragma once

#include "enrollment/messages.h"

#include <string>

namespace xrca::enrollment {

struct ClientOptions {
    std::string server;   ///< the service's base URL: http(s)://HOST[:PORT][/_wmcs]
    std::string token;    ///< bearer token, if the operation needs one
    std::string ca_file;  ///< PEM certificates to trust for https (default: the system's)
    long timeout_seconds = 60;
};

class SoapClient {
public:
    /** Error(Usage) if the URL is not http:// or https://. */
    explicit SoapClient(ClientOptions options);
    /** POSTs `operation_xml` (the body's operation element) to `service` and reads the reply. */
    SoapReply call(const ServiceAddress& service, const char* operation, const std::string& operation_xml) const;
    /** The full URL of a service on this server. */
    [[nodiscard]] std::string url_of(const ServiceAddress& service) const;

private:
    ClientOptions m_options;
    std::string m_origin;  ///< scheme://host[:port]
};

}  // namespace xrca::enrollment
