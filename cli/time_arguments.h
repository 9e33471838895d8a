// Times on the command line (`--since`, `--until`): an absolute UTC time, a date, or an age
// counted back from now ("24h", "7d", "30m", "90s"), so that "what happened since yesterday"
// needs no date arithmetic.
#pragma once

#include "xrml/time_format.h"

#include <string>

namespace xrca::cli {

/**
 * `value` of `option` as a time: YYYY-MM-DD (midnight UTC), YYYY-MM-DDTHH:MM[:SS][Z], or a
 * number followed by s, m, h or d, meaning that long before `now`. Error(Usage) naming the
 * option and the forms it takes otherwise.
 */
xrml::Time time_argument(const std::string& option, const std::string& value, xrml::Time now);

}  // namespace xrca::cli
