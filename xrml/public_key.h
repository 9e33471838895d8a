// RSA public keys as XrML carries them: PUBLICKEY/PARAMETER "modulus" is base64 of the modulus
// in little-endian byte order (CryptoAPI order, reference §2.5), "public-exponent" is decimal.
// A key's fingerprint is the lower-case hex SHA-256 of the big-endian modulus.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace Botan {
class RSA_PublicKey;
}

namespace xrca::xrml {

/** An RSA public key, compared by value (modulus and exponent), never by markup. */
class PublicKey {
public:
    PublicKey() = default;

    /**
     * From the decoded modulus bytes in little-endian order and the exponent. `declared_bits`
     * is the PUBLICKEY size attribute; it must equal the modulus' real length. Throws
     * FormatError(BadKey) for a key that is not a plausible RSA key.
     */
    static PublicKey from_little_endian(const std::vector<std::uint8_t>& modulus_le, std::uint64_t exponent,
                                        std::size_t declared_bits);
    /** From a Botan key. */
    static PublicKey from_botan(const Botan::RSA_PublicKey& key);

    [[nodiscard]] const std::vector<std::uint8_t>& modulus_big_endian() const noexcept { return m_modulus_be; }
    [[nodiscard]] std::vector<std::uint8_t> modulus_little_endian() const;
    [[nodiscard]] std::uint32_t exponent() const noexcept { return m_exponent; }
    /** Length of the modulus in bits (1024, 2048, …). */
    [[nodiscard]] std::size_t bits() const noexcept { return m_bits; }
    /** Lower-case hex SHA-256 of the big-endian modulus. */
    [[nodiscard]] const std::string& fingerprint() const noexcept { return m_fingerprint; }
    [[nodiscard]] bool empty() const noexcept { return m_modulus_be.empty(); }

    /** The Botan key, from the process-wide cache of parsed keys (loading costs ~0.7 ms). */
    [[nodiscard]] std::shared_ptr<const Botan::RSA_PublicKey> botan_key() const;

    friend bool operator==(const PublicKey& a, const PublicKey& b) noexcept {
        return a.m_exponent == b.m_exponent && a.m_modulus_be == b.m_modulus_be;
    }
    friend bool operator!=(const PublicKey& a, const PublicKey& b) noexcept { return !(a == b); }

private:
    std::vector<std::uint8_t> m_modulus_be;
    std::uint32_t m_exponent = 0;
    std::size_t m_bits = 0;
    std::string m_fingerprint;
};

/** Lower-case hex of `bytes`. */
std::string to_hex(const std::vector<std::uint8_t>& bytes);

/** True when `text` is 64 lower- or upper-case hex digits. */
bool looks_like_fingerprint(std::string_view text) noexcept;

/** Base64 with Botan; decode throws FormatError(BadBase64) naming `what`. */
std::string base64_encode(const std::vector<std::uint8_t>& bytes);
std::vector<std::uint8_t> base64_decode(std::string_view text, const std::string& what);

}  // namespace xrca::xrml
