// GetLicensorCertificate (reference §3.3): this authority's own chain, to anyone.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::ca {

std::vector<std::string> Authority::get_licensor_certificate(const Caller& caller) {
    return logged("GetLicensorCertificate", caller, "", [&] {
        // [MS-RMPR] 3.7.4.1: a decommissioned server answers ClusterDecommissionedException, so that
        // no one sets up new trust in it or publishes to it. What it issued stays verifiable: the
        // chain travels with every certificate, and the revocation list is still served.
        if (decommissioned())
            throw Error(ErrorKind::PolicyDenied, "this cluster is decommissioned", RmsFault::ClusterDecommissioned);
        auto chain = own_chain();
        if (chain.empty())
            throw Error(ErrorKind::WrongState, "this cluster is awaiting enrollment and has no chain yet");
        const auto slc_id = xrml::read_documents(chain.front()).documents.at(0).id_text();
        m_audit.append_read(caller, log_entry(new_id(), "GetLicensorCertificate", caller, "", slc_id, "accepted",
                                              "returned the chain of " + std::to_string(chain.size()) + " documents"));
        return chain;
    });
}

}  // namespace xrca::ca
