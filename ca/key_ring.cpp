// What every key ring shares (see key_ring.h): the names keys are stored under, and the
// promotion of a renewal key.
#include "ca/key_ring.h"

namespace xrca::ca {

const char* key_name(KeyName name) noexcept {
    switch (name) {
        case KeyName::Root: return "root";
        case KeyName::Ca: return "ca";
        case KeyName::EnrollmentCa: return "enrollment-ca";
        case KeyName::EnrollmentService: return "enrollment-service";
        case KeyName::Cluster: return "cluster";
        case KeyName::ClusterNext: return "cluster-next";
        case KeyName::ClusterPrevious: return "cluster-previous";
        case KeyName::Activation: return "activation";
    }
    return "unknown";
}

void add_key_promotion(store::AuthorityChange& change) {
    change.delete_keys.emplace_back(key_name(KeyName::ClusterPrevious));
    change.rename_keys.push_back({key_name(KeyName::Cluster), key_name(KeyName::ClusterPrevious)});
    change.rename_keys.push_back({key_name(KeyName::ClusterNext), key_name(KeyName::Cluster)});
}

}  // namespace xrca::ca
