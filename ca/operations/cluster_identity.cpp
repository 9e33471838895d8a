// A cluster's identity is bound to its key (issue 12, item 8; docs/principals.md). RMS lets any
// caller of Enroll/SubEnroll name any GUID; here a GUID whose SLCs certify other keys gets an SLC
// for a new key only with a renewal proof by one of those keys, or when an administrator replaces
// the cluster. A sub-enroll principal is bound to the GUID it first enrolled.
#include "ca/authority.h"
#include "ca/authority_internal.h"

#include "xrml/reader.h"
#include "xrml/templates.h"

#include <cctype>
#include <functional>

namespace xrca::ca {
namespace {

bool same_guid(const std::string& a, const std::string& b) {
    return xrml::ObjectId{xrml::names::guid, a}.same_as({xrml::names::guid, b});
}

std::string short_fingerprint(const std::string& fp) { return fp.substr(0, 16) + "…"; }

}  // namespace

std::mutex& Authority::cluster_mutex(const std::string& guid) {
    std::string folded = guid;
    for (auto& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return m_cluster_mutexes[std::hash<std::string>{}(folded) % m_cluster_mutexes.size()];
}

std::string Authority::check_cluster_identity(const ClusterRequest& r, ClusterIdentity identity) {
    const auto& guid = r.cluster_guid;
    // 1. No cluster is certified under this authority's own GUID.
    if (same_guid(guid, m_record.guid)) {
        throw Error(ErrorKind::PolicyDenied, "cluster GUID " + guid + " is this authority's own",
                    RmsFault::UnauthorizedAccess);
    }
    // 2. The keys this authority certified for the GUID, in SLCs not revoked since.
    const auto snapshot = policy();
    std::vector<xrml::PublicKey> keys;
    for (const auto& record :
         m_store.find_by_kind_and_subject_ignoring_case(xrml::names::server_licensor_certificate, guid)) {
        if (!record.xrml) continue;
        const auto slc = xrml::read_documents(*record.xrml).documents.front();
        if (!slc.principal || !slc.principal->key || snapshot->revoked.find(slc)) continue;
        if (*slc.principal->key == r.cluster_key) return "";  // the same key again: a retry or a re-issue
        keys.push_back(*slc.principal->key);
    }
    if (keys.empty()) return "";  // the cluster's first SLC here
    // 3. Another key: a renewal proves possession of one of the certified keys over the same request.
    if (r.renewal_proof) {
        for (const auto& key : keys) {
            if (proof_verifies(*r.renewal_proof, key)) return "; renewal proved by key " + key.fingerprint();
        }
        throw Error(ErrorKind::PolicyDenied,
                    "the renewal proof for cluster GUID " + guid + " verifies with none of the " +
                        std::to_string(keys.size()) + " key(s) certified for it",
                    RmsFault::UnauthorizedAccess);
    }
    // 4. Or an administrator replaces the cluster, knowingly; the log says whose keys it replaced.
    std::string certified;
    for (const auto& key : keys) certified += (certified.empty() ? "" : ",") + key.fingerprint();
    if (identity == ClusterIdentity::AdminReplace) return "; replace-cluster: replaces keys " + certified;
    throw Error(ErrorKind::PolicyDenied,
                "cluster GUID " + guid + " is certified here for another key (" +
                    short_fingerprint(keys.back().fingerprint()) +
                    "): a renewal with a new key must carry a proof by the current key (`xrca request --renew "
                    "--new-key` makes one), or an administrator replaces the cluster (`xrca process "
                    "--replace-cluster`)",
                RmsFault::UnauthorizedAccess);
}

void Authority::bind_to_cluster(const Caller& caller, const std::string& guid) {
    if (!caller.account || caller.account->role != "sub-enroll") return;
    const auto& name = caller.account->name;
    const auto refuse = [&](const std::string& bound) {
        throw Error(ErrorKind::PolicyDenied,
                    "principal " + name + " is bound to cluster GUID " + bound + " and may not enroll cluster GUID " +
                        guid + " (an administrator rebinds it: `xrca principal bind " + name + " GUID`)",
                    RmsFault::UnauthorizedAccess);
    };
    if (!caller.account->cluster_guid.empty() && !same_guid(caller.account->cluster_guid, guid)) {
        refuse(caller.account->cluster_guid);
    }
    // The first GUID wins, even between two requests racing to bind the same principal.
    const auto bound = m_store.bind_principal_cluster(name, guid);
    if (!bound)
        throw Error(ErrorKind::Unauthorized, "principal " + name + " was removed", RmsFault::UnauthorizedAccess);
    if (!same_guid(*bound, guid)) refuse(*bound);
}

}  // namespace xrca::ca
