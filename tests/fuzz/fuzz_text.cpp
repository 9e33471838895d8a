// Fuzz target: the text cleaning every door and every display uses (text/clean.h). Checks the
// promises themselves, not just "does not crash": the output is valid UTF-8 with nothing left
// to escape, cleaning is idempotent, valid input passes through valid_utf8 unchanged, and a
// cap never exceeds its budget nor splits a code point.
#include "text/clean.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xrca::text;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    const auto valid = valid_utf8(bytes);
    require(is_valid_utf8(valid));
    require(valid_utf8(valid) == valid);
    if (is_valid_utf8(bytes)) require(valid == bytes);

    const auto shown = printable(bytes);
    require(is_valid_utf8(shown));
    require(is_printable(shown));
    require(printable(shown) == shown);
    for (const char c : shown) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);

    const std::size_t budget = size == 0 ? 0 : data[0] % 64;
    const auto cut = capped(shown, budget);
    require(cut.size() <= budget || cut == shown);
    require(is_valid_utf8(cut));
    if (cut != shown && !cut.empty()) {  // a cut keeps a prefix and marks it with the ellipsis
        const auto kept = cut.size() - 3;
        require(shown.compare(0, kept, cut, 0, kept) == 0);
    }
    return 0;
}
