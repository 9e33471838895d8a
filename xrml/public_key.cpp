// RSA public key codec and the process-wide cache of parsed Botan keys.
#include "xrml/public_key.h"

#include "xrml/errors.h"

#include <botan/base64.h>
#include <botan/bigint.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/rsa.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <unordered_map>

namespace xrca::xrml {
namespace {

// Keys are looked up by fingerprint. Bounded so that a stream of hostile inputs with fresh
// keys cannot grow memory without limit; when full it is simply emptied.
class KeyCache {
public:
    std::shared_ptr<const Botan::RSA_PublicKey> get(const PublicKey& key) {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            const auto it = m_keys.find(key.fingerprint());
            if (it != m_keys.end() && it->second.second == key.exponent()) return it->second.first;
        }
        const Botan::BigInt n(key.modulus_big_endian().data(), key.modulus_big_endian().size());
        auto parsed = std::make_shared<const Botan::RSA_PublicKey>(n, Botan::BigInt(key.exponent()));
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_keys.size() >= k_capacity) m_keys.clear();
        m_keys[key.fingerprint()] = {parsed, key.exponent()};
        return parsed;
    }

private:
    static constexpr std::size_t k_capacity = 4096;
    std::mutex m_mutex;
    std::unordered_map<std::string, std::pair<std::shared_ptr<const Botan::RSA_PublicKey>, std::uint32_t>> m_keys;
};

KeyCache& key_cache() {
    // Never destroyed: Botan keys hold memory from Botan's locking allocator, which may be torn
    // down before function-local statics are, so destroying the cache at exit would crash.
    static KeyCache* const cache = new KeyCache;
    return *cache;
}

std::string sha256_hex(const std::vector<std::uint8_t>& bytes) {
    thread_local const std::unique_ptr<Botan::HashFunction> hash = Botan::HashFunction::create_or_throw("SHA-256");
    const auto digest = hash->process(bytes);
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

}  // namespace

std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    return Botan::hex_encode(bytes.data(), bytes.size(), false);
}

bool looks_like_fingerprint(std::string_view text) noexcept {
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

std::string base64_encode(const std::vector<std::uint8_t>& bytes) { return Botan::base64_encode(bytes); }

std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& what) {
    // Strict RFC 4648 base64 (whitespace between characters allowed, as pretty-printers add
    // it; padding only at the end; no stray bits). Table-driven: Botan's decoder cost as much
    // as the rest of reading a certificate.
    static constexpr auto table = [] {
        std::array<std::int8_t, 256> t{};
        for (auto& v : t) v = -1;
        const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
        t[static_cast<unsigned char>(' ')] = t[static_cast<unsigned char>('\n')] = -2;
        t[static_cast<unsigned char>('\r')] = t[static_cast<unsigned char>('\t')] = -2;
        t[static_cast<unsigned char>('=')] = -3;
        return t;
    }();
    const auto bad = [&](const char* why) {
        return FormatError(FormatReason::BadBase64, what + " is not valid base64: " + why);
    };
    std::vector<std::uint8_t> out;
    out.reserve(text.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int have = 0;  // sextets in acc
    int padding = 0;
    for (char c : text) {
        const std::int8_t v = table[static_cast<unsigned char>(c)];
        if (v == -2) continue;
        if (v == -1) throw bad("unexpected character");
        if (v == -3) {
            ++padding;
            continue;
        }
        if (padding) throw bad("data after padding");
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        if (++have == 4) {
            out.push_back(static_cast<std::uint8_t>(acc >> 16));
            out.push_back(static_cast<std::uint8_t>(acc >> 8));
            out.push_back(static_cast<std::uint8_t>(acc));
            acc = 0;
            have = 0;
        }
    }
    if (have == 1 || (have == 0 && padding) || (have && have + padding != 4) || padding > 2)
        throw bad("wrong length or padding");
    if (have == 2) {
        if (acc & 0xF) throw bad("non-zero trailing bits");
        out.push_back(static_cast<std::uint8_t>(acc >> 4));
    } else if (have == 3) {
        if (acc & 0x3) throw bad("non-zero trailing bits");
        out.push_back(static_cast<std::uint8_t>(acc >> 10));
        out.push_back(static_cast<std::uint8_t>(acc >> 2));
    }
    return out;
}

PublicKey PublicKey::from_little_endian(const std::vector<std::uint8_t>& modulus_le, std::uint64_t exponent,
                                        std::size_t declared_bits) {
    std::vector<std::uint8_t> be(modulus_le.rbegin(), modulus_le.rend());
    const auto first = std::find_if(be.begin(), be.end(), [](std::uint8_t b) { return b != 0; });
    be.erase(be.begin(), first);
    if (be.empty()) throw FormatError(FormatReason::BadKey, "modulus is zero");
    std::size_t bits = be.size() * 8;
    for (std::uint8_t top = be.front(); (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
    if (bits != declared_bits) {
        throw FormatError(FormatReason::BadKey, "modulus size attribute says " + std::to_string(declared_bits) +
                                                    " bits but the modulus has " + std::to_string(bits));
    }
    if (bits < 1024 || bits > 16384) {
        throw FormatError(FormatReason::BadKey,
                          "RSA modulus of " + std::to_string(bits) + " bits is outside the accepted 1024..16384");
    }
    if ((be.back() & 1) == 0) throw FormatError(FormatReason::BadKey, "RSA modulus is even");
    if (exponent < 3 || exponent > 0xFFFFFFFFu || (exponent & 1) == 0) {
        throw FormatError(FormatReason::BadKey,
                          "RSA public exponent " + std::to_string(exponent) + " is not acceptable");
    }
    PublicKey key;
    key.m_modulus_be = std::move(be);
    key.m_exponent = static_cast<std::uint32_t>(exponent);
    key.m_bits = bits;
    key.m_fingerprint = sha256_hex(key.m_modulus_be);
    return key;
}

PublicKey PublicKey::from_botan(const Botan::RSA_PublicKey& key) {
    const auto be = Botan::BigInt::encode(key.get_n());
    std::vector<std::uint8_t> le(be.rbegin(), be.rend());
    return from_little_endian(le, key.get_e().to_u32bit(), key.get_n().bits());
}

std::vector<std::uint8_t> PublicKey::modulus_little_endian() const {
    return std::vector<std::uint8_t>(m_modulus_be.rbegin(), m_modulus_be.rend());
}

std::shared_ptr<const Botan::RSA_PublicKey> PublicKey::botan_key() const { return key_cache().get(*this); }

}  // namespace xrca::xrml
