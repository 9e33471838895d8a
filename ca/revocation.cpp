// What an authority and a custom revocation authority share to revoke (docs/revocation.md):
// one REVOKE entry per request, and signing a list. The authority's operations are in
// operations/revocation.cpp, its checks against revocations in policy.cpp; the verifier side is
// xrml/revocation.h.
#include "ca/revocation.h"

#include "ca/authority.h"
#include "ca/authority_internal.h"
#include "ca/hierarchy.h"
#include "ca/user_identity.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/hex.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace xrca::ca {

// --- lists, independent of any authority --------------------------------------------------

void check_revocable_id(const std::string& id, const char* what) {
    if (id.empty() || id.size() > 256)
        throw Error(ErrorKind::Malformed, std::string(what) + " must be 1 to 256 characters");
    // RMS compares IDs as written: whitespace inside one breaks matching (reference §5.2).
    if (std::any_of(id.begin(), id.end(), [](unsigned char c) { return std::isspace(c) || std::iscntrl(c); })) {
        throw Error(ErrorKind::Malformed,
                    std::string(what) + " '" + id + "' contains whitespace or control characters");
    }
}

xrml::RevokeEntry revoke_entry(const RevocationRequest& r) {
    xrml::RevokeEntry e;
    e.type = r.type;
    switch (r.type) {
        case xrml::RevokeType::LicenseHash: {
            const bool hex = r.value.size() == 40 && std::all_of(r.value.begin(), r.value.end(),
                                                                 [](unsigned char c) { return std::isxdigit(c); });
            if (!hex) {
                throw Error(ErrorKind::Malformed,
                            "a certificate hash is the SHA-1 of its UTF-16LE BODY: 40 hex digits, not '" +
                                r.value.substr(0, 80) + "'");
            }
            const auto bytes = Botan::hex_decode(r.value);
            e.sha1.assign(bytes.begin(), bytes.end());
            break;
        }
        case xrml::RevokeType::IssuerKey:
        case xrml::RevokeType::PrincipalKey:
            if (!r.key)
                throw Error(ErrorKind::Usage, std::string(xrml::revoke_type_name(r.type)) + " needs a public key");
            e.key = r.key;
            break;
        case xrml::RevokeType::LicenseId:
        case xrml::RevokeType::ContentId:
        case xrml::RevokeType::IssuerId:
        case xrml::RevokeType::PrincipalId:
            check_revocable_id(r.value, xrml::revoke_type_name(r.type));
            e.object.id = {is_braced_guid(r.value) ? xrml::names::guid : "", r.value};
            if (r.type == xrml::RevokeType::PrincipalId) {
                // As the RAC names its user (reference §2.3.3, §5.2): a SID is a Windows ID, any
                // other user ID a federation ID. Matching compares the value only.
                e.object.type = xrml::names::group_identity;
                e.object.id.type = id_type_name(is_windows_sid(r.value) ? UserIdType::Windows : UserIdType::Federation);
            }
            break;
    }
    return e;
}

xrml::XrmlObject custom_authority_list_issuer(const std::string& name, const std::string& url) {
    xrml::XrmlObject o{xrml::names::revocation_list,
                       {xrml::names::ascii_tag, xrml::names::external_revocation_authority},
                       name.empty() ? std::nullopt : std::optional<std::string>(name),
                       {}};
    if (!url.empty()) o.addresses.push_back({"URL", url});
    return o;
}

std::string sign_revocation_list(Signer& signer, const RevocationListHeader& header,
                                 const std::vector<xrml::RevokeEntry>& entries) {
    xrml::RevocationListTemplate t;
    t.id = header.id;
    t.issued = header.issued;
    t.validity = header.validity;
    t.issuer.object = header.issuer;
    t.issuer.key = signer.public_key();
    t.entries = entries;
    return signer.sign_document(xrml::build_revocation_list_body(t));
}

}  // namespace xrca::ca
