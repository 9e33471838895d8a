// Finding what this authority issued (docs/certificates.md): listings for `xrca certs` and the
// console. Reads only: nothing here is logged.
#include "ca/authority.h"

namespace xrca::ca {

std::vector<store::ListedCertificate> Authority::list_certificates(const store::CertificateFilter& filter) {
    return m_store.list_certificates(filter);
}

std::optional<store::ListedCertificate> Authority::find_certificate(const std::string& id) {
    store::CertificateFilter one;
    one.id = id;
    one.status.clear();
    one.limit = 1;
    auto found = m_store.list_certificates(one);
    if (found.empty()) return std::nullopt;
    // The listing leaves documents out; this one is wanted whole.
    if (auto record = m_store.find_certificate(found.front().certificate.id)) found.front().certificate = *record;
    return found.front();
}

}  // namespace xrca::ca
