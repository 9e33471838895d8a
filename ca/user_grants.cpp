// Matching grants of server principals (see user_grants.h).
#include "ca/user_grants.h"

#include "ca/errors.h"

#include <algorithm>
#include <cctype>

namespace xrca::ca {
namespace {

bool same_letter(char a, char b) noexcept {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
}

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_letter);
}

bool any_grant_matches(const std::vector<std::string>& grants, std::string_view text) noexcept {
    return std::any_of(grants.begin(), grants.end(), [&](const std::string& g) { return grant_matches(g, text); });
}

}  // namespace

void check_grant_pattern(const std::string& pattern) {
    if (pattern.empty() || pattern.size() > 256) {
        throw Error(ErrorKind::Usage, "a grant pattern is 1 to 256 characters");
    }
    if (!std::all_of(pattern.begin(), pattern.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
        throw Error(ErrorKind::Usage, "a grant pattern is printable ASCII without spaces");
    }
}

// Iterative glob matching with one backtrack point (the last `*`): linear in practice, and
// never worse than |pattern| x |text| — no recursion an attacker's user ID could deepen.
bool grant_matches(std::string_view pattern, std::string_view text) noexcept {
    std::size_t p = 0, t = 0;
    std::size_t star = std::string_view::npos, resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && same_letter(pattern[p], text[t])))) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

bool may_certify(const store::PrincipalRecord& server, const std::string& user_id, const std::string& email) noexcept {
    const auto& own_id = server.user_id.empty() ? server.name : server.user_id;
    if (user_id == own_id && !server.email.empty() && equal_ignoring_case(email, server.email)) return true;
    return any_grant_matches(server.may_certify, user_id) && any_grant_matches(server.may_certify, email);
}

}  // namespace xrca::ca
