// Who may do what (docs/policy.md): the one table of the three roles' powers. Operations ask it
// before anything else, so a request to the wrong kind of authority is refused the same way
// everywhere (PolicyDenied, System.UnauthorizedAccessException).
#pragma once

#include "ca/requests.h"

namespace xrca::ca {

enum class Action {
    Enroll,             ///< issue root-cluster SLCs
    SubEnroll,          ///< issue licensing-cluster SLCs
    ActivateMachines,   ///< issue SPCs through the activation issuer
    Certify,            ///< issue RACs
    IssueClcs,          ///< issue CLCs
    KeepTrustLists,     ///< trust other RAC issuers
    TrustSpcIssuers,    ///< trust other SPC issuers, set a minimum security-processor version
    RequestEnrollment,  ///< write enrollment requests and import their SLCs
};

/** True when an authority of `role` may do `action`. */
constexpr bool role_may(Role role, Action action) noexcept {
    switch (action) {
        case Action::Enroll: return role == Role::Enrollment;
        case Action::SubEnroll:
        case Action::ActivateMachines:
        case Action::Certify:
        case Action::TrustSpcIssuers: return role == Role::Root;
        case Action::IssueClcs:
        case Action::KeepTrustLists:
        case Action::RequestEnrollment: return role == Role::Root || role == Role::Licensing;
    }
    return false;
}

}  // namespace xrca::ca
