// The audit path (see audit.h).
#include "ca/audit.h"

#include "ca/hierarchy.h"
#include "text/clean.h"
#include "xrml/errors.h"

#include <optional>
#include <utility>

namespace xrca::ca {
namespace {

// Caps of logged fields, in bytes (on code-point boundaries, text::capped). Generous for what
// xrca writes itself; what a caller sends is cut.
constexpr std::size_t k_max_id = 128;
constexpr std::size_t k_max_operation = 64;
constexpr std::size_t k_max_caller = 512;
constexpr std::size_t k_max_user_agent = 200;
constexpr std::size_t k_max_inputs = 4096;
constexpr std::size_t k_max_reason = 2048;

}  // namespace

std::string describe_caller(const Caller& c) {
    std::string out = text::log_field(c.principal, k_max_caller / 2);
    if (!c.address.empty()) out += " from " + text::log_field(c.address, 64);
    if (c.tls) out += " (TLS)";
    if (!c.user_agent.empty()) out += " [" + text::log_field(c.user_agent, k_max_user_agent) + "]";
    return out;
}

Audit::Scope*& Audit::current_scope() noexcept {
    thread_local Scope* current = nullptr;
    return current;
}

Audit::Audit(store::LogStore& log, const Clock& clock, Botan::RandomNumberGenerator& rng,
             AnonymousTrafficOptions anonymous)
    : m_log(log),
      m_clock(clock),
      m_rng(rng),
      m_anonymous(clock, anonymous, [this](const Caller& source, const std::string& inputs, const std::string& reason) {
          const auto e = entry(new_guid(m_rng), "AnonymousTraffic", source, inputs, "", "aggregated", reason);
          try {
              m_log.append_log(e);
          } catch (const std::exception& why) {
              unwritten(e, why);
              throw;
          }
      }) {}

namespace {
thread_local std::string t_entry_id;  // see Audit::take_entry_id
}  // namespace

std::string Audit::take_entry_id() { return std::exchange(t_entry_id, std::string()); }

store::LogEntry Audit::entry(const std::string& request_id, const char* operation, const Caller& caller,
                             const std::string& inputs, const std::string& certificate_id, const std::string& outcome,
                             const std::string& reason) const {
    if (current_scope() && !caller.anonymous) t_entry_id = request_id;
    store::LogEntry e;
    e.request_id = text::log_field(request_id, k_max_id);
    e.time = m_clock.now().to_iso8601();
    e.operation = text::log_field(operation, k_max_operation);
    e.caller = text::capped(describe_caller(caller), k_max_caller);
    e.inputs = text::log_field(inputs, k_max_inputs);
    e.certificate_id = text::log_field(certificate_id, k_max_id);
    e.outcome = outcome;
    e.reason = text::log_field(reason, k_max_reason);
    return e;
}

void Audit::append(const store::LogEntry& entry) {
    try {
        m_log.append_log(entry);
    } catch (const store::StorageError& e) {
        unwritten(entry, e);
        throw as_error(std::current_exception());
    }
    recorded();
}

void Audit::unwritten(const store::LogEntry& entry, const std::exception& why) const noexcept {
    if (!m_unwritten) return;
    try {
        m_unwritten(entry, why.what());
    } catch (...) {
        // The sink is the last resort: if it fails too, the caller's error is all that is left.
    }
}

void Audit::append_read(const Caller& caller, const store::LogEntry& entry) {
    if (!caller.anonymous) return append(entry);
    m_anonymous.count(caller, entry.operation, "");
    recorded();
}

void Audit::recorded() noexcept {
    for (Scope* s = current_scope(); s; s = s->outer) s->recorded = true;
}

void Audit::refuse(const Scope& scope, const Error& error) noexcept {
    std::optional<store::LogEntry> refusal;
    try {
        const std::string fault = rms_fault_name(error.fault());
        const std::string reason =
            (fault.empty() ? std::string(error_kind_name(error.kind())) : fault) + ": " + error.what();
        if (scope.caller->anonymous) {
            m_anonymous.count(*scope.caller, *scope.operation, text::log_field(reason, k_max_reason));
            return;
        }
        refusal = entry(new_guid(m_rng), *scope.operation, *scope.caller, *scope.inputs, "", "refused", reason);
        m_log.append_log(*refusal);
    } catch (const std::exception& e) {
        // The refusal stands even if the log cannot be written; the caller sees the error and
        // the entry goes to the sink (the node's stderr), so that it is not lost unseen.
        if (refusal) unwritten(*refusal, e);
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
    } catch (const store::StoreUnavailable& e) {
        return Error(ErrorKind::Unavailable, e.what());
    } catch (const store::CommitOutcomeUnknown& e) {
        return Error(ErrorKind::Unavailable, e.what());
    } catch (const store::StorageError& e) {
        return Error(ErrorKind::Storage, e.what());
    } catch (const std::exception& e) {
        return Error(ErrorKind::Internal, e.what());
    }
}

}  // namespace xrca::ca
