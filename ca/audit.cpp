// The audit path (see audit.h).
#include "ca/audit.h"

#include "ca/hierarchy.h"
#include "xrml/errors.h"

namespace xrca::ca {
std::string describe_caller(const Caller& c) {
    std::string out = c.principal;
    if (!c.address.empty()) out += " from " + c.address;
    if (c.tls) out += " (TLS)";
    if (!c.user_agent.empty()) out += " [" + c.user_agent + "]";
    return out;
}

Audit::Scope*& Audit::current_scope() noexcept {
    thread_local Scope* current = nullptr;
    return current;
}

Audit::Audit(store::LogStore& log, const Clock& clock, Botan::RandomNumberGenerator& rng)
    : m_log(log), m_clock(clock), m_rng(rng) {}

store::LogEntry Audit::entry(const std::string& request_id, const char* operation, const Caller& caller,
                             const std::string& inputs, const std::string& certificate_id, const std::string& outcome,
                             const std::string& reason) const {
    store::LogEntry e;
    e.request_id = request_id;
    e.time = m_clock.now().to_iso8601();
    e.operation = operation;
    e.caller = describe_caller(caller);
    e.inputs = inputs;
    e.certificate_id = certificate_id;
    e.outcome = outcome;
    e.reason = reason;
    return e;
}

void Audit::append(const store::LogEntry& entry) {
    try {
        m_log.append_log(entry);
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    recorded();
}

void Audit::recorded() noexcept {
    for (Scope* s = current_scope(); s; s = s->outer) s->recorded = true;
}

void Audit::refuse(const Scope& scope, const Error& error) noexcept {
    try {
        const std::string fault = rms_fault_name(error.fault());
        const std::string reason =
            (fault.empty() ? std::string(error_kind_name(error.kind())) : fault) + ": " + error.what();
        m_log.append_log(entry(new_guid(m_rng), *scope.operation, *scope.caller, *scope.inputs, "", "refused", reason));
    } catch (const std::exception&) {
        // The refusal stands even if the log cannot be written; the caller sees the error.
    }
}

Error Audit::as_error(const std::exception_ptr& failure) {
    // The one mapping of what the layers below throw: store and XrML errors become kinds here.
    try {
        std::rethrow_exception(failure);
    } catch (const Error& e) {
        return e;
    } catch (const xrml::FormatError& e) {
        return Error(ErrorKind::Malformed, e.what(), RmsFault::Argument);
    } catch (const store::ConflictError& e) {
        return Error(ErrorKind::Conflict, e.what());
    } catch (const store::StorageError& e) {
        return Error(ErrorKind::Storage, e.what());
    } catch (const std::exception& e) {
        return Error(ErrorKind::Internal, e.what());
    }
}

}  // namespace xrca::ca
