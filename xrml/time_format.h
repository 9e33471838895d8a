// XrML times: "YYYY-MM-DDTHH:MM" in UTC (reference §2.2). Seconds and a trailing 'Z' are
// accepted when reading; xrca always writes minutes. Ranges are half-open [FROM, UNTIL).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xrca::xrml {

/** A UTC instant with one-second resolution, as XrML uses it. */
class Time {
public:
    constexpr Time() = default;
    /** Seconds since 1970-01-01T00:00Z (negative before). */
    static constexpr Time from_unix(std::int64_t seconds) { return Time(seconds); }
    /** Parses YYYY-MM-DDTHH:MM[:SS][Z]; throws FormatError(BadTime). */
    static Time parse(std::string_view text);
    /** Like parse, but returns nullopt instead of throwing. */
    static std::optional<Time> try_parse(std::string_view text) noexcept;

    [[nodiscard]] constexpr std::int64_t unix_seconds() const noexcept { return m_seconds; }
    /** "YYYY-MM-DDTHH:MM" (seconds are truncated, as every RMS producer does). */
    [[nodiscard]] std::string to_xrml() const;
    /** "YYYY-MM-DDTHH:MM:SSZ", for logs and JSON. */
    [[nodiscard]] std::string to_iso8601() const;

    /** This time truncated to the whole minute, so that what is written is what is compared. */
    [[nodiscard]] constexpr Time floor_minute() const noexcept {
        const std::int64_t r = m_seconds % 60;
        return Time(m_seconds - (r < 0 ? r + 60 : r));
    }
    [[nodiscard]] constexpr Time plus_seconds(std::int64_t s) const noexcept { return Time(m_seconds + s); }

    friend constexpr bool operator==(Time a, Time b) noexcept { return a.m_seconds == b.m_seconds; }
    friend constexpr bool operator!=(Time a, Time b) noexcept { return a.m_seconds != b.m_seconds; }
    friend constexpr bool operator<(Time a, Time b) noexcept { return a.m_seconds < b.m_seconds; }
    friend constexpr bool operator<=(Time a, Time b) noexcept { return a.m_seconds <= b.m_seconds; }
    friend constexpr bool operator>(Time a, Time b) noexcept { return a.m_seconds > b.m_seconds; }
    friend constexpr bool operator>=(Time a, Time b) noexcept { return a.m_seconds >= b.m_seconds; }

private:
    constexpr explicit Time(std::int64_t s) : m_seconds(s) {}
    std::int64_t m_seconds = 0;
};

/** A half-open interval [from, until) as in VALIDITYTIME and RANGETIME. */
struct TimeRange {
    Time from;
    Time until;
    [[nodiscard]] constexpr bool contains(Time t) const noexcept { return from <= t && t < until; }
};

}  // namespace xrca::xrml
