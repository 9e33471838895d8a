// Civil-date arithmetic after Howard Hinnant's public-domain days_from_civil algorithm.
#include "xrml/time_format.h"

#include "xrml/errors.h"

#include <cstdio>

namespace xrca::xrml {
namespace {

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3u : 9u)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
    std::int64_t y;
    unsigned m, d;
};

constexpr Civil civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2 ? 1 : 0), m, d};
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) noexcept {
    if (pos + n > s.size()) return false;
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    out = v;
    return true;
}

unsigned days_in_month(unsigned y, unsigned m) noexcept {
    static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace

std::optional<Time> Time::try_parse(std::string_view text) noexcept {
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(text, 0, 4, y) || text.size() < 16 || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' ||
        !digits(text, 8, 2, d) || text[10] != 'T' || !digits(text, 11, 2, h) || text[13] != ':' ||
        !digits(text, 14, 2, mi)) {
        return std::nullopt;
    }
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        if (!digits(text, pos + 1, 2, sec)) return std::nullopt;
        pos += 3;
    }
    if (pos < text.size() && text[pos] == 'Z') ++pos;
    if (pos != text.size()) return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) {
        return std::nullopt;
    }
    const std::int64_t days = days_from_civil(y, mo, d);
    return Time(days * 86400 + static_cast<std::int64_t>(h) * 3600 + static_cast<std::int64_t>(mi) * 60 + sec);
}

Time Time::parse(std::string_view text) {
    if (auto t = try_parse(text)) return *t;
    throw FormatError(FormatReason::BadTime,
                      "'" + std::string(text.substr(0, 40)) + "' is not a time of the form YYYY-MM-DDTHH:MM");
}

std::string Time::to_xrml() const {
    const std::int64_t days = (m_seconds >= 0 ? m_seconds : m_seconds - 86399) / 86400;
    const std::int64_t rem = m_seconds - days * 86400;
    const Civil c = civil_from_days(days);
    char buf[64];  // at most 20 + 12 characters: cannot truncate, so the count is not needed
    static_cast<void>(std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld", static_cast<long long>(c.y), c.m,
                                    c.d, static_cast<long long>(rem / 3600),
                                    static_cast<long long>((rem % 3600) / 60)));
    return buf;
}

std::string Time::to_iso8601() const {
    const std::int64_t days = (m_seconds >= 0 ? m_seconds : m_seconds - 86399) / 86400;
    const std::int64_t rem = m_seconds - days * 86400;
    char buf[32];  // ":SSZ": cannot truncate
    static_cast<void>(std::snprintf(buf, sizeof buf, ":%02lldZ", static_cast<long long>(rem % 60)));
    return to_xrml() + buf;
}

}  // namespace xrca::xrml
