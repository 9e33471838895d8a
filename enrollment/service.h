// The online service's front door (docs/soap.md): one canonical path used for routing and for
// authorisation, bearer-token authentication, the operations this authority's role offers,
// service pages, WSDL, health and metrics. Handlers (handlers.h) only translate.
// Every request that reaches an operation is in the enrollment log, accepted or refused.
#pragma once

#include "ca/authority.h"
#include "enrollment/health.h"
#include "enrollment/http_server.h"
#include "enrollment/metrics.h"
#include "enrollment/rate_limit.h"

namespace xrca::enrollment {

/** The service's own limits; the defaults are what `xrca serve` uses. */
struct ServiceOptions {
    HealthOptions health;
    RateLimitOptions anonymous;  ///< per source, for requests without a bearer token
};

class Service {
public:
    explicit Service(ca::Authority& authority, const ServiceOptions& options = {})
        : m_authority(authority), m_health(authority, options.health), m_anonymous_limit(options.anonymous) {}
    /** Writes the counts of anonymous traffic not yet in the log. */
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;
    /** Thread-safe: called concurrently by the server's threads. */
    HttpResponse handle(const HttpRequest& request);

    /** The path as used for routing: lower case, one slash between segments, no trailing slash;
     *  empty for a path that is not acceptable (dot segments, backslashes, control characters). */
    static std::string canonical_path(const std::string& path);

    [[nodiscard]] const Metrics& metrics() const noexcept { return m_metrics; }
    /** What GET /healthz answers now (the administrator's console shows it too). */
    [[nodiscard]] Health::Verdict health() { return m_health.check(); }

    /** Where GET serves the authority's current revocation list (canonical form). */
    static const std::string& revocation_list_path();

private:
    HttpResponse revocation_list(const HttpRequest& request);
    ca::Authority& m_authority;
    Metrics m_metrics;
    Health m_health;
    RateLimiter m_anonymous_limit;
};

}  // namespace xrca::enrollment
