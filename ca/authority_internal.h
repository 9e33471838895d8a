// Private to ca/: names of stored keys and chains, the Issuance description, and the mapping
// of store errors. Not part of the public API.
#pragma once

#include "ca/authority.h"
#include "ca/errors.h"
#include "store/store.h"
#include "xrml/errors.h"

#include <optional>

namespace xrca::ca {

namespace detail {


inline constexpr const char* k_enrollment_chain = "enrollment";  // ES, enrollment CA, CA
inline constexpr const char* k_slc_chain = "slc";                // SLC, …
inline constexpr const char* k_activation_chain = "activation";  // activation issuer, SLC, …
inline constexpr const char* k_revocation_authorities = "revocation-authorities";  // <PUBLICKEY> elements

/** Runs a store call, turning its errors into xrca::Error (Storage / Conflict). */
template <typename Fn>
auto storage(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const store::ConflictError& e) {
        throw Error(ErrorKind::Conflict, e.what());
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}


}  // namespace detail

/** One certificate to issue through the cycle. */
struct Authority::Issuance {
    std::string request_id;
    const char* operation = "";
    const Caller* caller = nullptr;
    std::string inputs;
    std::string id;
    std::string kind;
    std::string subject;
    std::string key_fingerprint;
    xrml::Time issued;
    std::optional<xrml::TimeRange> validity;
    std::string body;
    Signer* signer = nullptr;
};

struct Authority::SlcIssue {
    std::string request_id;
    const char* operation;
    const Caller* caller;
    std::string inputs;
    xrml::PublicKey cluster_key;
    std::string cluster_guid;
    std::optional<std::string> name_in_slc;
    std::string url, sku, version;
    std::vector<xrml::PublicKey> revocation_authorities;  ///< non-empty: custom revocation
    Signer* signer;
    xrml::Certificate issuer_certificate;
    std::vector<std::string> issuer_chain;
};

template <typename Fn>
auto Authority::logged(const char* operation, const Caller& caller, const std::string& inputs, Fn&& fn) -> decltype(fn()) {
    return m_audit.run(operation, caller, inputs, std::forward<Fn>(fn));
}

}  // namespace xrca::ca
