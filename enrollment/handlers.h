// The SOAP operations: thin translators (STYLE.md §9.2) that read a request with messages.h,
// call the authority with the caller's identity, and write the result. Authentication and
// roles are checked by the router before a handler runs.
#pragma once

#include "ca/authority.h"
#include "enrollment/soap.h"

#include <optional>
#include <string>

namespace xrca::enrollment {

struct OperationContext {
    ca::Authority& authority;
    const SoapRequest& soap;
    const ca::Caller& caller;
    const std::optional<store::PrincipalRecord>& principal;  ///< set when the operation needs a role
};

struct OperationResult {
    std::string xml;          ///< the `<…Result>` element
    std::string issued_kind;  ///< the kind of certificate issued, for /metrics; empty if none
};

// Cluster enrollment (enrollment service and root cluster).
OperationResult handle_enroll(const OperationContext& c);
OperationResult handle_sub_enroll(const OperationContext& c);
// Machines and users (root cluster).
OperationResult handle_activate(const OperationContext& c);
OperationResult handle_certify(const OperationContext& c);
OperationResult handle_server_certify(const OperationContext& c);
// Publishing (root and licensing clusters).
OperationResult handle_get_client_licensor_cert(const OperationContext& c);
// Public information: no token needed.
OperationResult handle_get_licensor_certificate(const OperationContext& c);
OperationResult handle_find_service_locations(const OperationContext& c);
OperationResult handle_find_service_locations_for_user(const OperationContext& c);
OperationResult handle_get_server_info(const OperationContext& c);

}  // namespace xrca::enrollment
