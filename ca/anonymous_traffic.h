// What anonymous callers do is counted, not logged one by one (docs/logging.md). Requests that
// name no authenticated principal — refusals before authentication, and reads anyone may make
// (GetLicensorCertificate) — cost an attacker nothing, so a permanent log row each would let
// anyone fill the disk. Instead each source gets one entry per window: how many requests, how
// many refused, by operation, and a sample refusal. Authenticated requests are never aggregated.
//
// Bounded: at most `max_sources` windows are open at once; requests from further sources are
// counted in one shared window for "other sources". A window's entry is written at the first
// anonymous request after it closed, or by flush() (the service calls it when it stops).
//
// Thread-safe.
#pragma once

#include "ca/clock.h"
#include "ca/requests.h"
#include "store/store.h"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace xrca::ca {

struct AnonymousTrafficOptions {
    std::int64_t window_seconds = 60;  ///< one entry per source and window
    std::size_t max_sources = 1024;    ///< open windows; more sources share one
};

class AnonymousTraffic {
public:
    /** `write` appends a finished window's entry to the log (the audit path supplies it). */
    using Write = std::function<void(const Caller& source, const std::string& inputs, const std::string& reason)>;
    AnonymousTraffic(const Clock& clock, AnonymousTrafficOptions options, Write write);

    /** Counts one anonymous request; `refusal` is empty for an accepted read. Writes closed windows. */
    void count(const Caller& caller, const std::string& operation, const std::string& refusal);
    /** Writes every open window now. */
    void flush();

    /** The summary kept as an entry's inputs: "window=…; requests=N; refused=N; OP=N …". */
    struct Window {
        Caller source;
        std::int64_t opened = 0;
        std::int64_t last = 0;
        std::int64_t requests = 0;
        std::int64_t refused = 0;
        std::map<std::string, std::int64_t> by_operation;
        std::string sample;  ///< the first refusal of the window
    };

private:
    std::vector<Window> take_closed(std::int64_t now);
    void write_all(const std::vector<Window>& windows) noexcept;

    const Clock& m_clock;
    AnonymousTrafficOptions m_options;
    Write m_write;
    std::mutex m_mutex;
    std::map<std::string, Window> m_open;  ///< by source address
    std::int64_t m_next_due = 0;           ///< no window closes before this (unix seconds)
};

}  // namespace xrca::ca
