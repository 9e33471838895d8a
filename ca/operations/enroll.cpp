// Enroll (reference §3.1): an enrollment service issues a root cluster its SLC.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "ca/hierarchy.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

namespace xrca::ca {

IssuedChain Authority::enroll(const ClusterRequest& r, const Caller& caller, ClusterIdentity identity) {
    const auto request_id = r.request_id.empty() ? new_id() : r.request_id;
    std::string inputs = "guid=" + r.cluster_guid + "; key=" + r.cluster_key.fingerprint() + "; name=" + r.name +
                         "; url=" + r.url + "; sku=" + r.sku + "; version=" + r.version +
                         "; revocation=" + revocation_mode_name(r.revocation) +
                         "; authorities=" + fingerprints(r.revocation_authorities);
    return logged("Enroll", caller, inputs, [&] {
        // 1. Only an enrollment service issues root-cluster SLCs.
        require(Action::Enroll, "issue root-cluster SLCs (Enroll); only an enrollment service does");
        // 2. Check the request against the crypto mode and the Enroll schema (reference §3.1),
        //    and the proof that the requester holds the key (offline requests).
        if (auto same = check_cluster_request(r)) {
            return *same;
        }
        if ((r.revocation == RevocationMode::Custom) != !r.revocation_authorities.empty()) {
            throw Error(ErrorKind::Malformed,
                        "custom revocation needs at least one revocation authority key, and "
                        "standard revocation takes none",
                        RmsFault::Argument);
        }
        // 3. The GUID is bound to the keys certified for it (a new key needs a renewal proof).
        const std::lock_guard<std::mutex> one_request_per_cluster(cluster_mutex(r.cluster_guid));
        inputs += check_cluster_identity(r, identity);
        // 4. Issue under the enrollment service key, with the enrollment chain behind it.
        const auto chain = m_store.load_chain(detail::k_enrollment_chain);
        return issue_slc({request_id, "Enroll", &caller, inputs, r.cluster_key, r.cluster_guid, std::nullopt, r.url,
                          r.sku, r.version, r.revocation_authorities, &signer(KeyName::EnrollmentService), own_slc(),
                          chain});
    });
}

}  // namespace xrca::ca
