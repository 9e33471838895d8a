// Identifiers, principals and ranges (see hierarchy.h).
#include "ca/hierarchy.h"

#include "ca/errors.h"

#include <botan/hex.h>
#include <botan/rng.h>

namespace xrca::ca {

std::string new_guid(Botan::RandomNumberGenerator& rng) {
    auto b = rng.random_vec(16);
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    return guid_text(b.data());
}

std::string guid_text(const std::uint8_t* bytes) {
    const auto hex = Botan::hex_encode(bytes, 16, false);
    return "{" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20, 12) + "}";
}

bool is_braced_guid(const std::string& t) noexcept {
    if (t.size() != 38 || t.front() != '{' || t.back() != '}') return false;
    for (std::size_t i = 1; i < 37; ++i) {
        const char c = t[i];
        const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
        if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

xrml::TimeRange days_from(xrml::Time from, std::int64_t days) { return {from, from.plus_seconds(days * 86400)}; }

xrml::Principal authority_principal(const std::string& name, const xrml::PublicKey& key) {
    xrml::Principal p;
    p.object = xrml::XrmlObject{xrml::names::certificate_authority, {xrml::names::ascii_tag, name}, name, {}};
    p.key = key;
    return p;
}

xrml::Principal cluster_principal(const std::string& guid, const std::optional<std::string>& name,
                                  const std::string& url, const xrml::PublicKey& key, const std::string& version,
                                  const std::string& sku) {
    xrml::Principal p;
    p.object = xrml::XrmlObject{xrml::names::drm_server, {xrml::names::guid, guid}, name, {{"URL", url}}};
    p.key = key;
    p.security_levels = {{"Server-Version", version}, {"Server-SKU", sku}};
    return p;
}

xrml::Principal as_issuer(const xrml::Certificate& issuer_certificate) {
    if (!issuer_certificate.principal) {
        throw Error(ErrorKind::Internal, "certificate " + issuer_certificate.id_text() + " has no principal");
    }
    xrml::Principal p = *issuer_certificate.principal;
    p.internal_id.reset();
    return p;
}

std::string chain_text(const std::vector<std::string>& documents) {
    std::string out;
    for (const auto& d : documents) out += d;
    return out;
}

}  // namespace xrca::ca
