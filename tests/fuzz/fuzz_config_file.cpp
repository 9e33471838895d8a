// Fuzz target: serve's configuration file parser (cli/config_file.h). Whatever the bytes, it
// either refuses with a usage error naming a line, or yields entries of known keys whose
// values hold no control character and are valid UTF-8.
#include "ca/errors.h"
#include "cli/config_file.h"
#include "text/clean.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // One key of each kind serve declares (the real list comes from serve's declarations, which
    // would bring the whole command line into this target).
    using Kind = xrca::cli::ConfigKey::Kind;
    static const std::vector<xrca::cli::ConfigKey> keys = {
        {"listen", Kind::Repeatable}, {"threads", Kind::Single}, {"warm-key-pool", Kind::Flag}};
    try {
        const auto entries = xrca::cli::parse_config(text, "f.conf", keys);
        for (const auto& e : entries) {
            require(e.line >= 1);
            require(xrca::text::is_valid_utf8(e.value));
            for (const char c : e.value) require(static_cast<unsigned char>(c) >= 0x20 || c == '\t');
            bool known = false;
            for (const auto& k : keys) known = known || k.name == e.key;
            require(known);
        }
    } catch (const xrca::Error& e) {
        require(e.kind() == xrca::ErrorKind::Usage);
        require(std::string_view(e.what()).rfind("f.conf:", 0) == 0);
    }
    return 0;
}
