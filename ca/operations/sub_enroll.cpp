// SubEnroll (reference §3.2): a root cluster issues a licensing cluster its SLC.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::ca {

IssuedChain Authority::sub_enroll(const ClusterRequest& r, const Caller& caller, ClusterIdentity identity) {
    const auto request_id = r.request_id.empty() ? new_id() : r.request_id;
    std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                         "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version;
    return logged("SubEnroll", caller, inputs, [&] {
        // 1. Only a root cluster issues licensing-cluster SLCs; 2. the request's own checks.
        require(Action::SubEnroll, "issue licensing-cluster SLCs (SubEnroll); only a root cluster does");
        if (auto same = check_cluster_request(r)) {
            return *same;
        }
        // 3. The GUID is bound to the keys certified for it, and the principal to its first GUID.
        const std::lock_guard<std::mutex> one_request_per_cluster(cluster_mutex(r.cluster_guid));
        inputs += check_cluster_identity(r, identity);
        bind_to_cluster(caller, r.cluster_guid);
        // 4. SubEnroll stamps the name, when one was sent, into the SLC and carries no revocation
        // information (§3.2; [MS-RMPRS] EnrolleeInformation: every field is optional).
        return issue_slc({request_id,
                          "SubEnroll",
                          &caller,
                          inputs,
                          r.cluster_key,
                          r.cluster_guid,
                          r.name.empty() ? std::nullopt : std::optional<std::string>(r.name),
                          r.url,
                          r.sku,
                          r.version,
                          {},
                          &signer(KeyName::Cluster),
                          own_slc(),
                          own_chain()});
    });
}

}  // namespace xrca::ca
