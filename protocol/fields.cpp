// Reading field text.
#include "protocol/fields.h"

namespace xrca::protocol {

std::string trimmed_text(const xrml::XmlElement& field) {
    auto t = field.text();
    const auto b = t.find_first_not_of(" \t\r\n");
    const auto last = t.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : t.substr(b, last - b + 1);
}

}  // namespace xrca::protocol
