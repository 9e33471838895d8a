// Refusing to serve an authority that could not answer (see serve_readiness.h).
#include "cli/serve_readiness.h"

namespace xrca::cli {

void refuse_to_serve_unless_ready(ca::Authority& authority) {
    const auto& record = authority.record();
    if (record.state == ca::state_name(ca::AuthorityState::AwaitingResponse)) {
        throw Error(ErrorKind::WrongState, "not serving: the " + record.role + " cluster '" + record.name +
                                               "' awaits its SLC response and would refuse every request; "
                                               "import it first (xrca import RESPONSE.xml)");
    }
    if (authority.decommissioned()) {
        throw Error(ErrorKind::WrongState, "not serving: the " + record.role + " cluster '" + record.name +
                                               "' is decommissioned and issues nothing");
    }
    try {
        authority.prove_signing_key();
    } catch (const Error& e) {
        throw Error(e.kind(), std::string("not serving: ") + e.what(), e.fault());
    }
}

}  // namespace xrca::cli
