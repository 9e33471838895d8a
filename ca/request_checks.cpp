// Checks of request fields shared by several operations (declared in authority_internal.h).
#include "ca/authority_internal.h"

#include "xrml/reader.h"

#include <botan/hash.h>

#include <array>

namespace xrca::ca {

std::string fingerprints(const std::vector<xrml::PublicKey>& keys) {
    std::string out;
    for (const auto& k : keys) out += (out.empty() ? "" : ",") + k.fingerprint();
    return out;
}

std::vector<xrml::Certificate> read_chain(const std::vector<std::string>& texts, RmsFault fault, const char* what) {
    try {
        std::vector<xrml::Certificate> docs;
        for (const auto& text : texts) {
            auto more = xrml::read_documents(text).documents;
            docs.insert(docs.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
        }
        if (docs.empty()) throw Error(ErrorKind::Malformed, std::string(what) + " is empty", fault);
        return docs;
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, std::string(what) + " is not valid XrML: " + e.what(), fault);
    }
}

std::string chain_cache_key(const char* purpose, const std::vector<std::string>& texts) {
    auto sha256 = Botan::HashFunction::create_or_throw("SHA-256");
    for (const auto& text : texts) {
        const auto size = static_cast<std::uint64_t>(text.size());
        std::array<std::uint8_t, 8> length{};
        for (std::size_t i = 0; i < length.size(); ++i) length[i] = static_cast<std::uint8_t>(size >> (8 * i));
        sha256->update(length.data(), length.size());
        sha256->update(text);
    }
    const auto digest = sha256->final();
    return std::string(purpose) + ":" + std::string(digest.begin(), digest.end());
}

void check_url(const std::string& url) {
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        throw Error(ErrorKind::Malformed, "URL '" + url + "' must start with https:// or http://", RmsFault::Argument);
    }
}

void check_key_for_mode(const xrml::PublicKey& key, CryptoMode mode, const char* what) {
    if (key.bits() != mode.key_bits()) {
        throw Error(ErrorKind::PolicyDenied,
                    std::string(what) + " is RSA-" + std::to_string(key.bits()) +
                        ", but this authority runs crypto mode " + std::to_string(mode.number()) + " (RSA-" +
                        std::to_string(mode.key_bits()) + ")",
                    RmsFault::UnsupportedCryptographicSet);
    }
}

void check_machine_key_for_mode(const xrml::PublicKey& key, CryptoMode mode) {
    if (!mode.accepts_machine_key(key.bits())) {
        throw Error(ErrorKind::PolicyDenied,
                    "a RSA-" + std::to_string(key.bits()) + " machine key is not allowed in crypto mode " +
                        std::to_string(mode.number()),
                    RmsFault::UnsupportedCryptographicSet);
    }
}

}  // namespace xrca::ca
