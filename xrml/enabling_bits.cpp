// ENABLINGBITS layout (see docs/enabling-bits.md):
//   RSA_encrypt(recipient, KeyHeader || session key), little-endian like every CryptoAPI blob
//   || AES-256-ECB(session key, UDEBHeader || KeyHeader || RSA2 private-key blob || hash), zero-padded
#include "xrml/enabling_bits.h"

#include "xrml/encoding.h"
#include "xrml/errors.h"

#include <botan/block_cipher.h>
#include <botan/hash.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <algorithm>

namespace xrca::xrml {
namespace {

constexpr std::uint32_t k_rsa2_magic = 0x32415352;  // "RSA2"
constexpr std::size_t k_key_header = 12;
constexpr std::size_t k_udeb_header = 16;
constexpr std::size_t k_session_key = 32;  // AES-256
constexpr std::uint16_t k_mode_ecb = 0xFFFF;
constexpr std::uint32_t k_flags_ecb_aes = 0x1 | 0x4;

[[noreturn]] void bad(const std::string& what) { throw FormatError(FormatReason::BadValue, "ENABLINGBITS: " + what); }

void put_u16(Botan::secure_vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put_u32(Botan::secure_vector<std::uint8_t>& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint32_t get_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// A BigInt as `len` little-endian bytes.
void put_le(Botan::secure_vector<std::uint8_t>& out, const Botan::BigInt& n, std::size_t len) {
    const auto be = Botan::BigInt::encode_1363(n, len);
    out.insert(out.end(), be.rbegin(), be.rend());
}
Botan::BigInt get_le(const std::uint8_t* p, std::size_t len) {
    Botan::secure_vector<std::uint8_t> be(p, p + len);
    std::reverse(be.begin(), be.end());
    return Botan::BigInt(be.data(), be.size());
}

// CryptoAPI PRIVATEKEYBLOB without its 8-byte BLOBHEADER: RSAPUBKEY, then n, p, q, dp, dq,
// q^-1 mod p and d, little-endian, at their fixed lengths.
Botan::secure_vector<std::uint8_t> rsa2_blob(const Botan::RSA_PrivateKey& key) {
    const std::size_t bits = key.get_n().bits();
    const std::size_t full = (bits + 7) / 8, half = (bits + 15) / 16;
    Botan::secure_vector<std::uint8_t> out;
    out.reserve(12 + full * 2 + half * 5);
    put_u32(out, k_rsa2_magic);
    put_u32(out, static_cast<std::uint32_t>(bits));
    put_u32(out, key.get_e().to_u32bit());
    put_le(out, key.get_n(), full);
    put_le(out, key.get_p(), half);
    put_le(out, key.get_q(), half);
    put_le(out, key.get_d1(), half);
    put_le(out, key.get_d2(), half);
    put_le(out, key.get_c(), half);
    put_le(out, key.get_d(), full);
    return out;
}

std::unique_ptr<Botan::RSA_PrivateKey> from_rsa2_blob(const std::uint8_t* p, std::size_t size) {
    if (size < 12 || get_u32(p) != k_rsa2_magic) bad("the sealed key is not an RSA2 blob");
    const std::size_t bits = get_u32(p + 4);
    if (bits < 1024 || bits > 16384) bad("the sealed key has an implausible size");
    const std::size_t full = (bits + 7) / 8, half = (bits + 15) / 16;
    if (size != 12 + full * 2 + half * 5) bad("the sealed key blob has the wrong length");
    const Botan::BigInt e(get_u32(p + 8));
    const std::uint8_t* q = p + 12;
    const auto n = get_le(q, full);
    const auto prime1 = get_le(q + full, half);
    const auto prime2 = get_le(q + full + half, half);
    const auto d = get_le(q + full + 5 * half, full);
    if (prime1 * prime2 != n) bad("the sealed key is inconsistent");
    return std::make_unique<Botan::RSA_PrivateKey>(prime1, prime2, e, d, n);
}

Botan::secure_vector<std::uint8_t> key_header() {
    Botan::secure_vector<std::uint8_t> h;
    put_u16(h, static_cast<std::uint16_t>(k_key_header + k_session_key));  // BlobSize
    put_u16(h, k_mode_ecb);                                                // Reserved: cipher mode
    put_u16(h, static_cast<std::uint16_t>(k_session_key * 8));             // keySize in bits
    put_u16(h, 128);                                                       // blockSize in bits
    put_u32(h, k_flags_ecb_aes);
    return h;
}

std::string eme(SealVersion v) { return v == SealVersion::V2 ? "EME1(SHA-1)" : "EME-PKCS1-v1_5"; }

std::vector<std::uint8_t> issuer_hash(SealVersion v, std::string_view issuer_element) {
    const auto hash = Botan::HashFunction::create_or_throw(v == SealVersion::V2 ? "SHA-256" : "SHA-1");
    const auto digest = hash->process(to_utf16le(issuer_element));
    return std::vector<std::uint8_t>(digest.begin(), digest.end());
}

}  // namespace

const char* seal_type_name(SealVersion version) noexcept {
    return version == SealVersion::V2 ? "sealed-key-v2" : "sealed-key";
}

EnablingBits seal_private_key(const Botan::RSA_PrivateKey& payload, const PublicKey& recipient, SealVersion version,
                              std::string_view issuer_element, Botan::RandomNumberGenerator& rng) {
    const auto session = rng.random_vec(k_session_key);
    const auto header = key_header();

    Botan::secure_vector<std::uint8_t> rsa_plain(header);
    rsa_plain.insert(rsa_plain.end(), session.begin(), session.end());
    Botan::PK_Encryptor_EME encryptor(*recipient.botan_key(), rng, eme(version));
    const auto ct = encryptor.encrypt(rsa_plain, rng);
    std::vector<std::uint8_t> be((recipient.bits() + 7) / 8 - ct.size(), 0);
    be.insert(be.end(), ct.begin(), ct.end());
    const std::vector<std::uint8_t> rsa_block(be.rbegin(), be.rend());  // little-endian, CryptoAPI order

    const auto blob = rsa2_blob(payload);
    const auto hash = issuer_hash(version, issuer_element);
    Botan::secure_vector<std::uint8_t> plain;
    put_u32(plain, version == SealVersion::V2 ? 2 : 1);
    put_u32(plain, static_cast<std::uint32_t>(blob.size() + hash.size()));
    put_u32(plain, 0);
    put_u32(plain, 0);
    plain.insert(plain.end(), header.begin(), header.end());
    plain.insert(plain.end(), blob.begin(), blob.end());
    plain.insert(plain.end(), hash.begin(), hash.end());
    plain.resize((plain.size() + 15) / 16 * 16, 0);

    const auto aes = Botan::BlockCipher::create_or_throw("AES-256");
    aes->set_key(session);
    aes->encrypt_n(plain.data(), plain.data(), plain.size() / 16);

    EnablingBits bits;
    bits.type = seal_type_name(version);
    bits.value.assign(rsa_block.begin(), rsa_block.end());
    bits.value.insert(bits.value.end(), plain.begin(), plain.end());
    bits.size_bits = bits.value.size() * 8;
    return bits;
}

std::unique_ptr<Botan::RSA_PrivateKey> unseal_private_key(const EnablingBits& bits,
                                                          const Botan::RSA_PrivateKey& recipient,
                                                          std::string_view issuer_element,
                                                          Botan::RandomNumberGenerator& rng) {
    SealVersion version;
    if (bits.type == "sealed-key-v2") {
        version = SealVersion::V2;
    } else if (bits.type == "sealed-key") {
        version = SealVersion::V1;
    } else {
        bad("unknown type '" + bits.type + "'");
    }
    const std::size_t rsa_len = (recipient.get_n().bits() + 7) / 8;
    if (bits.value.size() <= rsa_len || (bits.value.size() - rsa_len) % 16 != 0) {
        bad("the value has the wrong length for this recipient key (sealed to another key?)");
    }
    Botan::secure_vector<std::uint8_t> rsa_plain;
    try {
        std::vector<std::uint8_t> be(bits.value.rend() - static_cast<std::ptrdiff_t>(rsa_len), bits.value.rend());
        Botan::PK_Decryptor_EME decryptor(recipient, rng, eme(version));
        rsa_plain = decryptor.decrypt(be);
    } catch (const std::exception&) {
        bad("the recipient key cannot open it (sealed to another key?)");
    }
    const auto header = key_header();
    if (rsa_plain.size() != k_key_header + k_session_key ||
        !std::equal(header.begin(), header.end(), rsa_plain.begin())) {
        bad("unsupported key header");
    }
    Botan::secure_vector<std::uint8_t> plain(bits.value.begin() + static_cast<std::ptrdiff_t>(rsa_len),
                                             bits.value.end());
    const auto aes = Botan::BlockCipher::create_or_throw("AES-256");
    aes->set_key(rsa_plain.data() + k_key_header, k_session_key);
    aes->decrypt_n(plain.data(), plain.data(), plain.size() / 16);

    const std::uint32_t expected_version = version == SealVersion::V2 ? 2 : 1;
    if (plain.size() < k_udeb_header + k_key_header || get_u32(plain.data()) != expected_version) {
        bad("unexpected UDEB header");
    }
    const std::size_t payload = get_u32(plain.data() + 4);
    const auto hash = issuer_hash(version, issuer_element);
    if (payload < hash.size() || k_udeb_header + k_key_header + payload > plain.size())
        bad("inconsistent payload size");
    const std::uint8_t* blob = plain.data() + k_udeb_header + k_key_header;
    const std::size_t blob_size = payload - hash.size();
    if (!std::equal(hash.begin(), hash.end(), blob + blob_size)) {
        bad("the sealed hash does not match this document's ISSUER (bits copied from another document?)");
    }
    return from_rsa2_blob(blob, blob_size);
}

}  // namespace xrca::xrml
