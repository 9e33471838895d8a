// Which users a `server` principal may certify (docs/principals.md): its own user, and those its
// grants match. A grant is a pattern in which `*` stands for any run of characters and `?` for
// one; it is compared ignoring ASCII case, with the user ID and with the email alike.
#pragma once

#include "store/records.h"

#include <string>
#include <string_view>

namespace xrca::ca {

/** Error(Usage) naming what is wrong unless `pattern` is 1–256 printable ASCII characters without spaces. */
void check_grant_pattern(const std::string& pattern);

/** Whether `pattern` matches all of `text` (`*` any run, `?` one character; ASCII case ignored). */
[[nodiscard]] bool grant_matches(std::string_view pattern, std::string_view text) noexcept;

/**
 * Whether `server` may certify the user (`user_id`, `email`): its own user (its user ID with its
 * email), or a user whose ID matches one of its grants and whose email matches one of its grants.
 * Both must match: the escrowed key is the user ID's, and the email is what licences name.
 */
[[nodiscard]] bool may_certify(const store::PrincipalRecord& server, const std::string& user_id,
                               const std::string& email) noexcept;

}  // namespace xrca::ca
