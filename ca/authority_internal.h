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

inline std::string describe_caller(const Caller& c) {
    std::string out = c.principal;
    if (!c.address.empty()) out += " from " + c.address;
    if (c.tls) out += " (TLS)";
    if (!c.user_agent.empty()) out += " [" + c.user_agent + "]";
    return out;
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
    const auto refuse = [&](const Error& e) {
        const std::string fault = rms_fault_name(e.fault());
        const std::string reason = (fault.empty() ? std::string(error_kind_name(e.kind())) : fault) + ": " + e.what();
        try {
            m_store.append_log(log_entry(new_id(), operation, caller, inputs, "", "refused", reason));
        } catch (const std::exception&) {
            // The refusal stands even if the log cannot be written; the caller sees the error.
        }
    };
    // Everything that leaves is marked as logged, so that no outer layer logs it a second time.
    try {
        return fn();
    } catch (const Error& e) {
        if (!e.already_logged()) refuse(e);
        throw e.as_logged();
    } catch (const xrml::FormatError& e) {
        const Error err(ErrorKind::Malformed, e.what(), RmsFault::Argument);
        refuse(err);
        throw err.as_logged();
    } catch (const store::StorageError& e) {
        const Error err(ErrorKind::Storage, e.what());
        refuse(err);
        throw err.as_logged();
    }
}

}  // namespace xrca::ca
