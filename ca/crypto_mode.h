// The RMS crypto mode (reference §1.5) as one value that carries everything a mode decides:
// the RSA size of keys this authority makes and accepts, the digest it signs with, the version
// of ENABLINGBITS it seals with, and which machine keys it certifies. Compared by value, never
// by its number (which is only how it is written: 1 or 2).
#pragma once

#include "xrml/certificate.h"
#include "xrml/enabling_bits.h"

#include <cstddef>
#include <optional>

namespace xrca::ca {

class CryptoMode {
public:
    /** Mode 2 (RSA-2048, SHA-256): the default since AD RMS on Windows Server 2012. */
    static constexpr CryptoMode mode2() noexcept { return CryptoMode(2); }
    /** Mode 1 (RSA-1024, SHA-1): for clusters whose clients cannot do mode 2. */
    static constexpr CryptoMode mode1() noexcept { return CryptoMode(1); }
    /** The mode numbered `number`, or nullopt when there is none. */
    static constexpr std::optional<CryptoMode> from_number(int number) noexcept {
        if (number == 1) return mode1();
        if (number == 2) return mode2();
        return std::nullopt;
    }

    [[nodiscard]] constexpr int number() const noexcept { return m_number; }
    /** The size of every key this authority makes, and of cluster and RAC keys it accepts. */
    [[nodiscard]] constexpr std::size_t key_bits() const noexcept { return m_number == 1 ? 1024 : 2048; }
    [[nodiscard]] constexpr xrml::DigestAlgorithm digest() const noexcept {
        return m_number == 1 ? xrml::DigestAlgorithm::Sha1 : xrml::DigestAlgorithm::Sha256;
    }
    [[nodiscard]] constexpr xrml::SealVersion seal_version() const noexcept {
        return m_number == 1 ? xrml::SealVersion::V1 : xrml::SealVersion::V2;
    }
    /** Machine keys: RSA-2048 in either mode; mode 1 also takes the RSA-1024 keys of older clients. */
    [[nodiscard]] constexpr bool accepts_machine_key(std::size_t bits) const noexcept {
        return bits == 2048 || (bits == 1024 && m_number == 1);
    }
    /** "2 (RSA-2048 / SHA-256)", for people. */
    [[nodiscard]] const char* description() const noexcept {
        return m_number == 1 ? "1 (RSA-1024 / SHA-1)" : "2 (RSA-2048 / SHA-256)";
    }

    friend constexpr bool operator==(CryptoMode a, CryptoMode b) noexcept { return a.m_number == b.m_number; }
    friend constexpr bool operator!=(CryptoMode a, CryptoMode b) noexcept { return !(a == b); }

private:
    explicit constexpr CryptoMode(int number) noexcept : m_number(number) {}
    int m_number;
};

}  // namespace xrca::ca
