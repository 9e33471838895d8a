// What `GET /healthz` answers (docs/soap.md): cheap enough that anyone may poll it at full speed
// without slowing issuance. A verdict is computed at most once per `refresh` by one caller —
// the authority's readiness and state (cached by the authority; no table is scanned), whether
// a database server answers, and the free space where the store keeps its files (a data
// directory) — and every other probe reads the last verdict
// without waiting. Nothing in it comes from a caller, and no internal error text leaves it.
#pragma once

#include "ca/authority.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace xrca::enrollment {

struct HealthOptions {
    std::string data_directory;  ///< where free space is measured; empty: not checked
    /**
     * A cheap read of the store that throws when it cannot be reached (a database server's
     * outage); empty: not probed. The authority answers from its caches, so without it a node
     * whose database is down would still look healthy to its load balancer.
     */
    std::function<void()> store_probe;
    std::uint64_t min_free_bytes = 64ull << 20;  ///< below this the service reports unhealthy
    std::chrono::milliseconds refresh{1000};
};

class Health {
public:
    struct Verdict {
        bool ok = false;
        std::string text;  ///< one line for operators and load balancers
    };
    Health(ca::Authority& authority, HealthOptions options) : m_authority(authority), m_options(std::move(options)) {}
    /** Thread-safe; never blocks on another probe's refresh. */
    Verdict check();

private:
    Verdict compute();
    ca::Authority& m_authority;
    HealthOptions m_options;
    std::mutex m_refreshing;  ///< held by the one probe that computes a new verdict
    std::mutex m_mutex;       ///< guards the two fields below
    Verdict m_last;
    std::chrono::steady_clock::time_point m_computed{};
};

}  // namespace xrca::enrollment
