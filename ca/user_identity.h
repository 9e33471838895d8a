// Who a RAC is issued to ([MS-RMPR] 2.2.9.5.4; docs/principals.md "User IDs"): the ID type
// follows how the user signs in. A directory (Active Directory) user is named by its SID, with
// ID type "Windows" and no email alias; a federated user by a GUID unique to its e-mail address,
// with ID type "Federation" and the address as an alias. The user ID is also the key under which
// the user's key pair is escrowed, so it must never change for a user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xrca::ca {

enum class UserIdType {
    Windows,     ///< a directory user: the ID is its SID
    Federation,  ///< a federated user: the ID is a GUID unique to its e-mail address
};

struct UserIdentity {
    UserIdType type = UserIdType::Federation;
    std::string id;  ///< the SID, or the GUID braced and lower-case
};

/** "Windows" or "Federation": the ID element's type attribute in a RAC. */
const char* id_type_name(UserIdType type) noexcept;

/** True for a Windows security identifier: "S-1-" and then dash-separated decimal numbers. */
[[nodiscard]] bool is_windows_sid(std::string_view text) noexcept;

/**
 * The federated user ID of `email`: a name-based (version 5, SHA-1) GUID of the address in
 * lower case, braced and lower-case, so every node and every later run derive the same one.
 */
std::string federation_user_id(std::string_view email);

/**
 * The identity a user ID names: a SID, or a GUID (braced or bare, any case). Empty `user_id`
 * names the federated user of `email`. Nullopt for anything else.
 */
std::optional<UserIdentity> parse_user_identity(std::string_view user_id, std::string_view email);

/**
 * The user ID to store for a new principal: `user_id` as parse_user_identity reads it, or, when
 * none is given, the federated ID of `email` (or `name` for principals without an email, which
 * are never certified). Error(Usage) saying what is expected for anything else.
 */
std::string principal_user_id(const std::string& user_id, const std::string& email, const std::string& name);

}  // namespace xrca::ca
