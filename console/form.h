// The fields of a form a browser posted (docs/console.md): application/x-www-form-urlencoded,
// or multipart/form-data for the forms that upload a file. Untrusted input: malformed encoding
// is refused with FormError naming what is wrong, never guessed at; values come out as valid
// UTF-8 (text/clean.h) except uploaded file contents, which stay bytes. Fuzzed by
// tests/fuzz/fuzz_console_form.cpp.
#pragma once

#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xrca::console {

class FormError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** A posted form: one value per field name (a repeated name keeps its first value). */
struct Form {
    std::map<std::string, std::string> fields;
    std::map<std::string, std::string> files;  ///< multipart: field name to the uploaded bytes
    /** The field's value, or "" when absent. */
    [[nodiscard]] std::string get(const std::string& name) const;
};

/** At most this many fields; a body is at most the HTTP server's limit (1 MiB). */
inline constexpr std::size_t k_max_form_fields = 64;

/** `a=1&b=two+words` (also a URL's query string). */
Form parse_urlencoded(std::string_view body);
/** Parses `body` as `content_type` says (urlencoded or multipart/form-data; boundary=…). */
Form parse_form(std::string_view content_type, std::string_view body);

}  // namespace xrca::console
