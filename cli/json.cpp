// JSON writer with RFC 8259 string escaping; strings are made valid UTF-8 first (text/clean.h).
#include "cli/json.h"

#include "text/clean.h"

#include <cstdio>

namespace xrca::cli {

void JsonWriter::separate() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_first.empty()) {
        if (!m_first.back()) m_out += ',';
        m_first.back() = false;
    }
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    m_out += '{';
    m_first.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    m_out += '}';
    m_first.pop_back();
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separate();
    m_out += '[';
    m_first.push_back(true);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    m_out += ']';
    m_first.pop_back();
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
    value(k);
    m_out += ':';
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
    // Values are often untrusted bytes (log fields, document text): JSON must be valid UTF-8.
    separate();
    text::append_json_string(m_out, s);
    return *this;
}

JsonWriter& JsonWriter::value(bool b) {
    separate();
    m_out += b ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t n) {
    separate();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t n) {
    separate();
    m_out += std::to_string(n);
    return *this;
}

JsonWriter& JsonWriter::null() {
    separate();
    m_out += "null";
    return *this;
}

}  // namespace xrca::cli
