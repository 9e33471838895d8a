// The short names operators give certificate kinds (`xrca certs list --kind`, the console's
// search) and the DESCRIPTOR types they stand for: one table, so the command line and the
// console accept and show the same words.
#pragma once

#include "xrml/templates.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace xrca::ca {

struct CertificateKindName {
    const char* short_name;
    const char* type;  ///< the DESCRIPTOR's OBJECT type
};

/** In the order they are offered; "spc" is also accepted for machine (certificate_kind_of). */
inline constexpr std::array<CertificateKindName, 5> k_certificate_kinds = {{
    {"machine", xrml::names::machine_certificate},
    {"rac", xrml::names::rights_account_certificate},
    {"clc", xrml::names::client_licensor_certificate},
    {"slc", xrml::names::server_licensor_certificate},
    {"activation-issuer", "Activation-Issuer"},
}};

/** The type a short name ("rac", "spc") or a type itself names; nullopt if neither. */
inline std::optional<std::string> certificate_kind_of(std::string_view name) {
    if (name == "spc") return std::string(xrml::names::machine_certificate);
    for (const auto& k : k_certificate_kinds) {
        if (name == k.short_name || name == k.type) return std::string(k.type);
    }
    return std::nullopt;
}

/** The short name of a type, or nullptr when it has none. */
inline const char* certificate_kind_short_name(std::string_view type) {
    for (const auto& k : k_certificate_kinds) {
        if (type == k.type) return k.short_name;
    }
    return nullptr;
}

}  // namespace xrca::ca
