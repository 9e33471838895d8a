// The online service's front door: one canonical path used for routing, SOAP operations
// dispatched to handlers that only decode, call the authority, encode and map errors
// (STYLE.md §9.2). Every request that reaches an operation is in the enrollment log.
#pragma once

#include "ca/authority.h"
#include "enrollment/http_server.h"

namespace xrca::enrollment {

class Service {
public:
    explicit Service(ca::Authority& authority) : m_authority(authority) {}
    /** Thread-safe: called concurrently by the server's threads. */
    HttpResponse handle(const HttpRequest& request);

    /** The path as used for routing: lower case, one slash between segments, no trailing slash;
     *  empty for a path that is not acceptable (dot segments, backslashes, control characters). */
    static std::string canonical_path(const std::string& path);

private:
    ca::Authority& m_authority;
};

}  // namespace xrca::enrollment
