// Activate, Certify, ServerCertification and GetClientLicensorCert (reference §3.4-§3.6).
#include "enrollment/handlers.h"
#include "enrollment/messages.h"

namespace xrca::enrollment {
namespace {

// The RAC's identity comes from the principal, never from the request (users certify themselves).
const std::string& user_id_of(const store::PrincipalRecord& p) { return p.user_id.empty() ? p.name : p.user_id; }

}  // namespace

OperationResult handle_activate(const OperationContext& c) {
    const auto chain = c.authority.certify_machine(read_activation_request(c.soap), c.caller);
    return {activation_result(chain.documents), chain.kind};
}

OperationResult handle_certify(const OperationContext& c) {
    const auto in = read_certify_request(c.soap);
    if (!in.user_id.empty()) {
        throw Error(ErrorKind::Malformed, "Certify certifies the caller; naming a user is for ServerCertification.asmx",
                    RmsFault::Argument);
    }
    // [MS-RMPR] Persistent: true asks for a RAC kept for its full term, false for a temporary one.
    const auto chain =
        c.authority.issue_rac({in.spc_chain, user_id_of(*c.principal), c.principal->email, !in.persistent}, c.caller);
    return {certify_result(chain.documents), chain.kind};
}

// A server (Exchange, a portal) certifies itself, as against AD RMS; naming a user in <XrcaUser>
// is xrca's extension, for the users its grants name.
OperationResult handle_server_certify(const OperationContext& c) {
    const auto in = read_certify_request(c.soap);
    const bool own = in.user_id.empty();
    if (own && c.principal->email.empty()) {
        throw Error(ErrorKind::PolicyDenied,
                    "server principal " + c.principal->name + " has no email address for its RAC",
                    RmsFault::VerifyEmailAddressFailed);
    }
    const auto& user = own ? user_id_of(*c.principal) : in.user_id;
    const auto& email = own ? c.principal->email : in.email;
    const auto chain = c.authority.issue_rac({in.spc_chain, user, email, !in.persistent}, c.caller);
    return {certify_result(chain.documents), chain.kind};
}

OperationResult handle_get_client_licensor_cert(const OperationContext& c) {
    const auto chain = c.authority.issue_clc({read_clc_request(c.soap), user_id_of(*c.principal)}, c.caller);
    return {clc_result(chain.documents), chain.kind};
}

}  // namespace xrca::enrollment
