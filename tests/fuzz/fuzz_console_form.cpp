// Fuzz target: the administrator's console's form parser and HTML escaping (console/form.h,
// console/html.h), which read what any browser — or anyone — posts. Checks the promises: the
// only exception is FormError, fields are valid UTF-8 and at most k_max_form_fields, and
// escaped text holds no character that could open markup or end an attribute.
#include "console/form.h"
#include "console/html.h"
#include "text/clean.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

void check(const xrca::console::Form& f) {
    require(f.fields.size() + f.files.size() <= xrca::console::k_max_form_fields);
    for (const auto& [name, value] : f.fields)
        require(xrca::text::is_valid_utf8(name) && xrca::text::is_valid_utf8(value));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xrca::console;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);

    const auto shown = escape(bytes);
    require(xrca::text::is_valid_utf8(shown));
    require(shown.find_first_of("<>\"'") == std::string::npos);

    try {
        check(parse_urlencoded(bytes));
    } catch (const FormError&) {
    }
    // The first line chooses the boundary, the rest is the body.
    const auto eol = bytes.find('\n');
    const auto boundary = bytes.substr(0, eol == std::string_view::npos ? 0 : eol);
    const auto body = eol == std::string_view::npos ? bytes : bytes.substr(eol + 1);
    try {
        check(parse_form("multipart/form-data; boundary=" + std::string(boundary), body));
    } catch (const FormError&) {
    }
    return 0;
}
