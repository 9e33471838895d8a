// The authority's extranet URL (reference §3.4, §3.7): where clients outside the organisation
// reach it. Kept in the authority record; read through the policy snapshot, so that a running
// `xrca serve` answers a change made by `xrca set-url` at its next request.
#include "ca/authority.h"
#include "ca/authority_internal.h"

namespace xrca::ca {

std::string checked_base_url(const std::string& url, const char* option) {
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        throw Error(ErrorKind::Usage, std::string(option) +
                                          " must be a base URL, e.g. https://rms.example.com/_wmcs (got '" +
                                          url.substr(0, 80) + "')");
    }
    if (url.size() > 2048) throw Error(ErrorKind::Usage, std::string(option) + " is longer than 2048 characters");
    for (const char c : url) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F || c == '?' || c == '#') {
            throw Error(ErrorKind::Usage,
                        std::string(option) + " must not hold white space, control characters, a query or a fragment");
        }
    }
    const auto host = url.find("//") + 2;
    if (host >= url.size() || url[host] == '/') throw Error(ErrorKind::Usage, std::string(option) + " names no host");
    auto out = url;
    while (out.back() == '/') out.pop_back();
    return out;
}

std::string Authority::extranet_url() { return policy()->extranet_url; }

void Authority::set_extranet_url(const std::string& url, const Caller& caller) {
    logged("SetExtranetUrl", caller, "url=" + url.substr(0, 200), [&] {
        if (m_role == Role::Enrollment) throw Error(ErrorKind::Usage, "an enrollment service has no extranet URL");
        const auto value = url.empty() ? std::string() : checked_base_url(url, "--extranet");
        store::AuthorityChange change;
        change.extranet_url = value;
        change.bump_policy_revision = true;  // running services re-read it with the policy
        change.entry = log_entry(new_id(), "SetExtranetUrl", caller, "url=" + value, "", "accepted",
                                 value.empty() ? "no extranet URL: clients outside use the base URL"
                                               : "RACs and CLCs issued from now on name " + value);
        m_store.apply(change);
        m_record.extranet_url = value;
        return 0;
    });
}

}  // namespace xrca::ca
