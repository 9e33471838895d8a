// What `GET /healthz` answers (docs/soap.md): cheap enough that anyone may poll it at full speed
// without slowing issuance. A verdict is computed at most once per `refresh` by one caller and
// every other probe reads the last verdict without waiting. It says 200 only when the store
// answers (a cheap read), the cluster is active and holds its chain, its key signs (a real test
// signature, made at most once per `signing_proof_interval`), the published revocation list is
// within its validity and the data directory has room; a warning (still 200) when the
// authority's own certificate ends within `warn_expiry`. Nothing in it comes from a caller, and
// no internal error text leaves it.
#pragma once

#include "ca/authority.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace xrca::enrollment {

struct HealthOptions {
    std::string data_directory;  ///< where free space is measured; empty: not checked
    /**
     * A cheap read of the store that throws when it cannot be reached (a database server's
     * outage, a data directory's database gone or unreadable); empty: not probed. The authority
     * answers from its caches, so without it a node whose store is gone would still look healthy.
     */
    std::function<void()> store_probe;
    std::uint64_t min_free_bytes = 64ull << 20;  ///< below this the service reports unhealthy
    std::chrono::milliseconds refresh{1000};
    /** How long a test signature proves the key signs: each costs one signature (or a token round trip). */
    std::chrono::seconds signing_proof_interval{30};
    /** A warning (still 200) when the authority's own certificate ends within this. */
    std::chrono::seconds warn_expiry{std::chrono::hours(24 * 30)};
};

class Health {
public:
    struct Verdict {
        bool ok = false;       ///< 200 (ok or warning) rather than 503
        bool warning = false;  ///< ok, but something needs an operator soon
        std::string text;      ///< one line for operators and load balancers
        // What /metrics shows as gauges, as of this verdict; nullopt when not known.
        std::optional<std::int64_t> certificate_expires_in_seconds;
        std::optional<std::int64_t> revocation_list_age_seconds;
        std::optional<std::chrono::microseconds> store_probe_time;
    };
    Health(ca::Authority& authority, HealthOptions options) : m_authority(authority), m_options(std::move(options)) {}
    /** Thread-safe; never blocks on another probe's refresh. */
    Verdict check();

private:
    Verdict compute();
    /** Why the authority cannot serve now ("" when it can), filling `v`'s facts as found. */
    std::string failure(Verdict& v, std::string& disk);
    ca::Authority& m_authority;
    HealthOptions m_options;
    std::mutex m_refreshing;  ///< held by the one probe that computes a new verdict
    // Used only by the probe that holds m_refreshing.
    std::chrono::steady_clock::time_point m_signed{};  ///< when the key was last tried
    bool m_signing_ok = false;                         ///< and whether it signed then
    std::mutex m_mutex;                                ///< guards the two fields below
    Verdict m_last;
    std::chrono::steady_clock::time_point m_computed{};
};

}  // namespace xrca::enrollment
