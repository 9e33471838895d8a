// A minimal streaming JSON writer for `--json` output (one document on stdout).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::cli {

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(std::uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& null();
    [[nodiscard]] const std::string& str() const noexcept { return m_out; }

private:
    void separate();
    std::string m_out;
    std::vector<bool> m_first;  // per open container: no element written yet
    bool m_after_key = false;
};

}  // namespace xrca::cli
