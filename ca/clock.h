// Time is an input to the authority (ARCHITECTURE.md invariant 6): it asks a Clock it was given.
#pragma once

#include "xrml/time_format.h"

namespace xrca::ca {

class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual xrml::Time now() const = 0;
};

/** The system's UTC clock. */
class SystemClock final : public Clock {
public:
    [[nodiscard]] xrml::Time now() const override;
};

/** A clock that says what it is told (tests, and `--at`-style evaluation). Not thread-safe to set. */
class FixedClock final : public Clock {
public:
    explicit FixedClock(xrml::Time t) : m_now(t) {}
    [[nodiscard]] xrml::Time now() const override { return m_now; }
    void set(xrml::Time t) { m_now = t; }
    void advance_seconds(std::int64_t s) { m_now = m_now.plus_seconds(s); }

private:
    xrml::Time m_now;
};

}  // namespace xrca::ca
