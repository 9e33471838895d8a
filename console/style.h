// The console's one stylesheet, embedded in the binary and served as /admin/static/console.css:
// the Content-Security-Policy allows styles from the console itself only (no inline style).
#pragma once

#include <string_view>

namespace xrca::console {

extern const std::string_view k_stylesheet;

}  // namespace xrca::console
