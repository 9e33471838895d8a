// What `xrca serve` checks before it listens: an authority that could only fail its callers is
// not served at all, so that "serving" means the service can answer (docs/soap.md).
#pragma once

#include "ca/authority.h"

namespace xrca::cli {

/**
 * Error(WrongState) when the cluster awaits its SLC response or is decommissioned;
 * Error(KeyUnavailable) when its key does not open or sign (a wrong key password or PIN), found
 * by making one real signature; the key store's own errors (Error(Unavailable) for a token that
 * cannot be reached) as they come. Each says what to do; nothing is changed or logged.
 */
void refuse_to_serve_unless_ready(ca::Authority& authority);

}  // namespace xrca::cli
