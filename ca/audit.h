// The one audit path (docs/logging.md): every request that enters the core leaves exactly one
// enrollment-log entry saying how it ended — accepted, refused, or failed after its intent was
// recorded. Errors carry no audit state; the request does.
//
// A transport (the SOAP service, a CLI command reading a file) opens an audited request around
// everything it does for one request; the authority's operations open their own inside it. A
// refusal is logged by the innermost audited call that saw it — the one that knows the
// operation and its inputs best — unless an entry was already written for the request (an
// accepted issuance, or a failed one after its intent was recorded); the calls around it then
// know the request has its entry. So a refusal is logged once whether it was made by the
// transport, before the authority saw the request, or deep in an operation.
#pragma once

#include "ca/anonymous_traffic.h"
#include "ca/clock.h"
#include "ca/errors.h"
#include "ca/requests.h"
#include "store/store.h"

#include <functional>
#include <string>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::ca {

/** A caller as the log names it: "PRINCIPAL from ADDRESS (TLS) [USER-AGENT]". */
std::string describe_caller(const Caller& caller);

/**
 * Told of each log entry the store refused to take (a database outage, a full disk) with why, so
 * that no outcome is lost unseen: the composition root writes it where an operator looks (the
 * service's stderr). The core knows no stream; it only hands the entry on.
 */
using UnwrittenEntrySink = std::function<void(const store::LogEntry& entry, const std::string& why)>;

class Audit {
public:
    Audit(store::LogStore& log, const Clock& clock, Botan::RandomNumberGenerator& rng,
          AnonymousTrafficOptions anonymous = {});

    /** A log entry of this request, stamped now. */
    [[nodiscard]] store::LogEntry entry(const std::string& request_id, const char* operation, const Caller& caller,
                                        const std::string& inputs, const std::string& certificate_id,
                                        const std::string& outcome, const std::string& reason) const;
    /** Appends an entry that tells how the current request ended: nothing more is logged for it. */
    void append(const store::LogEntry& entry);
    /** A read anyone may make (GetLicensorCertificate): logged, or counted when the caller is anonymous. */
    void append_read(const Caller& caller, const store::LogEntry& entry);
    /** Writes the counts of anonymous traffic not yet in the log (when the service stops). */
    void flush_anonymous() { m_anonymous.flush(); }
    /**
     * The request ID of the last entry made (entry()) for an identified caller within an audited
     * request on this thread, and forgets it: "" when none was. The transport prints it in its
     * own request log, so that a line there leads to the enrollment log's entry.
     */
    static std::string take_entry_id();
    /** Tells the current request that an entry for it was written by another write (reserve, a change). */
    static void recorded() noexcept;
    /**
     * Where entries that could not be appended go (see UnwrittenEntrySink). Set it before the
     * audit is shared between threads (the service sets it before it listens); none by default.
     */
    void on_unwritten(UnwrittenEntrySink sink) { m_unwritten = std::move(sink); }
    /** Hands `entry`, which the store refused with `why`, to the sink; never throws. */
    void unwritten(const store::LogEntry& entry, const std::exception& why) const noexcept;

    /**
     * Runs `fn` as one audited request. Errors leave as xrca::Error (store and XrML errors are
     * mapped here, once: a store that cannot be reached is Unavailable); the outermost call logs a refusal unless the
     * request was recorded. `operation` and `inputs` are read when the refusal is logged, so a caller may refine them
     * as it learns (a transport learns the operation once it has read the request).
     */
    template <typename Fn>
    auto run(const char* const& operation, const Caller& caller, const std::string& inputs, Fn&& fn) -> decltype(fn());

private:
    struct Scope;
    /** The innermost audited request of this thread, or nullptr. */
    static Scope*& current_scope() noexcept;
    void refuse(const Scope& scope, const Error& error) noexcept;
    static Error as_error(const std::exception_ptr& failure);

    store::LogStore& m_log;
    const Clock& m_clock;
    Botan::RandomNumberGenerator& m_rng;
    UnwrittenEntrySink m_unwritten;
    AnonymousTraffic m_anonymous;
};

/** What the audited request on this thread knows so far. */
struct Audit::Scope {
    const char* const* operation;
    const Caller* caller;
    const std::string* inputs;
    bool recorded;
    Scope* outer;
};

template <typename Fn>
auto Audit::run(const char* const& operation, const Caller& caller, const std::string& inputs, Fn&& fn)
    -> decltype(fn()) {
    auto*& current = current_scope();
    Scope scope{&operation, &caller, &inputs, false, current};
    current = &scope;
    struct Restore {
        Scope*& current;
        Scope* outer;
        Restore(const Restore&) = delete;
        Restore& operator=(const Restore&) = delete;
        ~Restore() { current = outer; }
    } restore{current, scope.outer};
    try {
        return fn();
    } catch (...) {
        Error error = as_error(std::current_exception());
        if (!scope.recorded) refuse(scope, error);
        for (Scope* s = scope.outer; s; s = s->outer) s->recorded = true;
        throw Error(std::move(error));
    }
}

}  // namespace xrca::ca
