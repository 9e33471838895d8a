// Principals of the online service and their bearer tokens (docs/principals.md).
#include "ca/authority.h"
#include "ca/authority_internal.h"
#include "ca/hierarchy.h"
#include "ca/user_grants.h"
#include "ca/user_identity.h"

#include <botan/base64.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/mem_ops.h>
#include <botan/rng.h>

#include <algorithm>

namespace xrca::ca {
namespace {

constexpr std::string_view k_token_prefix = "xrca_";

std::string token_hash(std::string_view token) {
    const auto digest = Botan::HashFunction::create_or_throw("SHA-256")->process(
        reinterpret_cast<const std::uint8_t*>(token.data()), token.size());
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '@';
    });
}

}  // namespace

std::string Authority::add_principal(const std::string& name, const std::string& role, const std::string& email,
                                     const std::string& user_id, const Caller& caller,
                                     const std::vector<std::string>& may_certify) {
    std::string inputs = "name=" + name + "; role=" + role + "; email=" + email + "; user=" + user_id;
    for (const auto& pattern : may_certify) inputs += "; may-certify=" + pattern;
    return logged("PrincipalAdd", caller, inputs, [&] {
        if (!valid_name(name)) throw Error(ErrorKind::Usage, "a principal name is 1 to 64 letters, digits and . _ - @");
        // admin: signs in to the administrator's console (docs/console.md), calls no SOAP operation.
        if (role != "enroll" && role != "sub-enroll" && role != "server" && role != "user" && role != "admin") {
            throw Error(ErrorKind::Usage, "--role must be enroll, sub-enroll, server, user or admin");
        }
        if (role == "user" && (email.find('@') == std::string::npos || email.size() > 254)) {
            throw Error(ErrorKind::Usage, "a user principal needs --email (the RAC is issued to it)");
        }
        if (!may_certify.empty() && role != "server") {
            throw Error(ErrorKind::Usage, "--may-certify is for server principals");
        }
        for (const auto& pattern : may_certify) check_grant_pattern(pattern);
        const auto stored_user_id = principal_user_id(user_id, email, name);
        std::vector<std::string> grants = may_certify;
        std::sort(grants.begin(), grants.end());
        grants.erase(std::unique(grants.begin(), grants.end()), grants.end());
        // 256 random bits, base64url without padding, with a prefix that makes leaked tokens recognisable.
        auto random = m_rng.random_vec(32);
        std::string token = Botan::base64_encode(random);
        std::replace(token.begin(), token.end(), '+', '-');
        std::replace(token.begin(), token.end(), '/', '_');
        token.erase(std::remove(token.begin(), token.end(), '='), token.end());
        token.insert(0, k_token_prefix);
        store::PrincipalRecord record{name, role,  email, stored_user_id, token_hash(token), m_clock.now().to_iso8601(),
                                      "",   grants};
        const auto reason = "added " + role + " principal " + name +
                            (grants.empty() ? ""
                                            : " (may certify the users, and receive the keys, of " +
                                                  std::to_string(grants.size()) + " grant(s))");
        try {
            m_store.add_principal(record, log_entry(new_id(), "PrincipalAdd", caller, inputs, "", "accepted", reason));
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, "a principal named " + name + " exists already");
        }
        return token;
    });
}

void Authority::remove_principal(const std::string& name, const Caller& caller) {
    const std::string inputs = "name=" + name;
    logged("PrincipalRemove", caller, inputs, [&] {
        const bool removed = m_store.remove_principal(
            name, log_entry(new_id(), "PrincipalRemove", caller, inputs, "", "accepted", "removed"));
        if (!removed) throw Error(ErrorKind::NotFound, "no principal is named " + name);
        return 0;
    });
}

void Authority::grant_principal(const std::string& name, const std::string& pattern, const Caller& caller) {
    const std::string inputs = "name=" + name + "; pattern=" + pattern;
    logged("PrincipalGrant", caller, inputs, [&] {
        check_grant_pattern(pattern);
        const auto principal = m_store.find_principal(name);
        if (!principal) throw Error(ErrorKind::NotFound, "no principal is named " + name);
        if (principal->role != "server") {
            throw Error(ErrorKind::Usage, "principal " + name + " has the role '" + principal->role +
                                              "'; only server principals certify other users");
        }
        try {
            const bool added =
                m_store.add_principal_grant(name, pattern,
                                            log_entry(new_id(), "PrincipalGrant", caller, inputs, "", "accepted",
                                                      "server " + name + " may certify the users matching " + pattern +
                                                          " and receives their keys"));
            if (!added) throw Error(ErrorKind::NotFound, "no principal is named " + name);
        } catch (const store::ConflictError&) {
            throw Error(ErrorKind::Conflict, "principal " + name + " holds the grant " + pattern + " already");
        }
        return 0;
    });
}

void Authority::revoke_principal_grant(const std::string& name, const std::string& pattern, const Caller& caller) {
    const std::string inputs = "name=" + name + "; pattern=" + pattern;
    logged("PrincipalRevokeGrant", caller, inputs, [&] {
        const bool removed = m_store.remove_principal_grant(
            name, pattern,
            log_entry(new_id(), "PrincipalRevokeGrant", caller, inputs, "", "accepted", "grant withdrawn"));
        if (!removed) throw Error(ErrorKind::NotFound, "principal " + name + " holds no grant " + pattern);
        return 0;
    });
}

void Authority::set_principal_cluster(const std::string& name, const std::string& guid, const Caller& caller) {
    const std::string inputs = "name=" + name + "; guid=" + guid;
    logged("PrincipalBind", caller, inputs, [&] {
        if (!guid.empty() && !is_braced_guid(guid))
            throw Error(ErrorKind::Usage, "cluster GUID '" + guid + "' is not a braced GUID");
        const auto principal = m_store.find_principal(name);
        if (!principal) throw Error(ErrorKind::NotFound, "no principal is named " + name);
        if (principal->role != "sub-enroll") {
            throw Error(ErrorKind::Usage, "principal " + name + " has the role '" + principal->role +
                                              "'; only sub-enroll principals are bound to a cluster");
        }
        const auto reason =
            guid.empty() ? "unbound from cluster " + principal->cluster_guid + "; its next SubEnroll binds it again"
                         : "bound to cluster " + guid + " (was " +
                               (principal->cluster_guid.empty() ? "unbound" : principal->cluster_guid) + ")";
        if (!m_store.set_principal_cluster(
                name, guid, log_entry(new_id(), "PrincipalBind", caller, inputs, "", "accepted", reason)))
            throw Error(ErrorKind::NotFound, "no principal is named " + name);
        return 0;
    });
}

std::vector<store::PrincipalRecord> Authority::list_principals() { return m_store.list_principals(); }

std::optional<store::PrincipalRecord> Authority::authenticate(std::string_view token) {
    if (token.size() < k_token_prefix.size() + 40 || token.size() > 128 ||
        token.substr(0, k_token_prefix.size()) != k_token_prefix) {
        return std::nullopt;
    }
    const auto hash = token_hash(token);
    auto found = m_store.find_principal_by_token_hash(hash);
    // The lookup is by an unpredictable hash; comparing again in constant time costs nothing
    // and keeps the decision itself free of early exits.
    if (!found || found->token_hash.size() != hash.size() ||
        !Botan::constant_time_compare(reinterpret_cast<const std::uint8_t*>(found->token_hash.data()),
                                      reinterpret_cast<const std::uint8_t*>(hash.data()), hash.size())) {
        return std::nullopt;
    }
    return found;
}

}  // namespace xrca::ca
