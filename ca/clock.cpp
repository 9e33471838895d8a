// The system clock.
#include "ca/clock.h"

#include <chrono>

namespace xrca::ca {

xrml::Time SystemClock::now() const {
    const auto s =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return xrml::Time::from_unix(s.count());
}

}  // namespace xrca::ca
