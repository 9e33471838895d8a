// User IDs of RACs (see user_identity.h).
#include "ca/user_identity.h"

#include "ca/errors.h"
#include "ca/hierarchy.h"

#include <botan/hash.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace xrca::ca {
namespace {

// The name space of xrca's federated user IDs (RFC 4122 §4.3). Fixed forever: changing it would
// give every federated user a new ID, and with it a new escrowed key.
constexpr std::array<std::uint8_t, 16> k_federation_namespace = {0xb5, 0xd8, 0x33, 0x61, 0xaa, 0x07, 0x42, 0x3a,
                                                                 0xbf, 0xb6, 0x88, 0x99, 0x83, 0x80, 0x93, 0xa9};

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace

const char* id_type_name(UserIdType type) noexcept { return type == UserIdType::Windows ? "Windows" : "Federation"; }

bool is_windows_sid(std::string_view t) noexcept {
    // S-1-IdentifierAuthority-SubAuthority…: at most 15 sub-authorities, each a 32-bit number.
    if (t.size() > 184 || t.substr(0, 4) != "S-1-") return false;
    std::size_t parts = 0;
    std::size_t i = 4;
    while (true) {
        const auto start = i;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
        if (i == start || i - start > 13) return false;
        ++parts;
        if (i == t.size()) break;
        if (t[i] != '-') return false;
        ++i;
    }
    return parts >= 1 && parts <= 16;
}

std::string federation_user_id(std::string_view email) {
    const auto hash = Botan::HashFunction::create_or_throw("SHA-1");
    hash->update(k_federation_namespace.data(), k_federation_namespace.size());
    hash->update(lower(email));
    auto b = hash->final();
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x50);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
    return guid_text(b.data());
}

std::optional<UserIdentity> parse_user_identity(std::string_view user_id, std::string_view email) {
    if (user_id.empty()) return UserIdentity{UserIdType::Federation, federation_user_id(email)};
    if (is_windows_sid(user_id)) return UserIdentity{UserIdType::Windows, std::string(user_id)};
    const std::string guid = user_id.front() == '{' ? std::string(user_id) : "{" + std::string(user_id) + "}";
    if (is_braced_guid(guid)) return UserIdentity{UserIdType::Federation, lower(guid)};
    return std::nullopt;
}

std::string principal_user_id(const std::string& user_id, const std::string& email, const std::string& name) {
    if (user_id.empty() && email.empty()) return name;
    if (auto identity = parse_user_identity(user_id, email)) return identity->id;
    throw Error(ErrorKind::Usage,
                "--user-id '" + user_id.substr(0, 64) +
                    "' is neither a Windows SID (S-1-5-21-…, for a directory user) nor a GUID (for "
                    "a federated user); leave it out to derive the federated user's GUID from --email");
}

}  // namespace xrca::ca
