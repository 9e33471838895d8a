// Command-line times (see time_arguments.h).
#include "cli/time_arguments.h"

#include "ca/errors.h"
#include "text/clean.h"

#include <cctype>

namespace xrca::cli {
namespace {

std::optional<xrml::Time> age_before(const std::string& value, xrml::Time now) {
    if (value.size() < 2 || value.size() > 12) return std::nullopt;
    std::int64_t n = 0;
    for (std::size_t i = 0; i + 1 < value.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(value[i]))) return std::nullopt;
        n = n * 10 + (value[i] - '0');
    }
    switch (value.back()) {
        case 's': return now.plus_seconds(-n);
        case 'm': return now.plus_seconds(-n * 60);
        case 'h': return now.plus_seconds(-n * 3600);
        case 'd': return now.plus_seconds(-n * 86400);
        default: return std::nullopt;
    }
}

}  // namespace

xrml::Time time_argument(const std::string& option, const std::string& value, xrml::Time now) {
    if (auto t = age_before(value, now)) return *t;
    if (value.size() == 10) {
        if (auto t = xrml::Time::try_parse(value + "T00:00")) return *t;
    }
    if (auto t = xrml::Time::try_parse(value)) return *t;
    throw Error(ErrorKind::Usage, option + " '" + text::printable(value) +
                                      "' is not a time: give YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (UTC), or an age "
                                      "such as 30m, 24h or 7d");
}

}  // namespace xrca::cli
