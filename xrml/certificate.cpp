// Small helpers of the XrML value types.
#include "xrml/certificate.h"

#include <algorithm>
#include <cctype>

namespace xrca::xrml {

bool ObjectId::same_as(const ObjectId& other) const noexcept {
    if (type != other.type) return false;
    if (type != "MS-GUID") return value == other.value;
    // Microsoft writes GUIDs in both cases (reference §8): compare them case-insensitively.
    return value.size() == other.value.size() &&
           std::equal(value.begin(), value.end(), other.value.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
}

const char* digest_algorithm_xrml_name(DigestAlgorithm algorithm) noexcept {
    return algorithm == DigestAlgorithm::Sha1 ? "SHA1" : "SHA256";
}

const char* digest_algorithm_botan_name(DigestAlgorithm algorithm) noexcept {
    return algorithm == DigestAlgorithm::Sha1 ? "SHA-1" : "SHA-256";
}

std::size_t digest_bits(DigestAlgorithm algorithm) noexcept { return algorithm == DigestAlgorithm::Sha1 ? 160 : 256; }

const std::string& Certificate::kind() const noexcept {
    static const std::string none;
    return descriptor ? descriptor->type : none;
}

std::optional<std::string> Certificate::id() const {
    if (!descriptor) return std::nullopt;
    return descriptor->id.value;
}

std::string Certificate::id_text() const { return descriptor ? descriptor->id.value : "(no DESCRIPTOR)"; }

std::string Certificate::description() const {
    if (!kind().empty()) return kind();
    return body_type.empty() ? std::string("document without DESCRIPTOR") : body_type;
}

std::optional<std::string> Principal::security_level(const std::string& level_name) const {
    for (const auto& level : security_levels) {
        if (level.name == level_name) return level.value;
    }
    return std::nullopt;
}

}  // namespace xrca::xrml
