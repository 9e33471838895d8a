// Value types read from an XrML document (reference §2.2-2.4). Nothing here refers to the DOM
// it was read from; the original text travels with the value in `raw`.
#pragma once

#include "xrml/public_key.h"
#include "xrml/raw_document.h"
#include "xrml/time_format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xrca::xrml {

/** The ID element of an OBJECT: its type attribute ("MS-GUID", "ascii-tag", "Windows", …) and text. */
struct ObjectId {
    std::string type;
    std::string value;
    /** Same identity: equal type, and equal value (GUIDs compared without regard to case). */
    [[nodiscard]] bool same_as(const ObjectId& other) const noexcept;
};

/** ADDRESS: type="URL" or type="email_alias" and the text. */
struct Address {
    std::string type;
    std::string value;
};

/** OBJECT: type attribute (optional in DESCRIPTORs of licences), ID, NAME, ADDRESSes. */
struct XrmlObject {
    std::string type;
    ObjectId id;
    std::optional<std::string> name;
    std::vector<Address> addresses;
};

/** SECURITYLEVEL name/value pair. */
struct SecurityLevel {
    std::string name;
    std::string value;
};

/** ENABLINGBITS: a key sealed to a recipient's public key (reference §2.7). */
struct EnablingBits {
    std::string type;  ///< "sealed-key" or "sealed-key-v2"
    std::vector<std::uint8_t> value;
    std::size_t size_bits = 0;
};

/** The hash algorithms XrML signatures and digests use. */
enum class DigestAlgorithm { Sha1, Sha256 };

/** "SHA1" / "SHA256", as every real document writes them. */
const char* digest_algorithm_xrml_name(DigestAlgorithm algorithm) noexcept;
/** Botan's name: "SHA-1" / "SHA-256". */
const char* digest_algorithm_botan_name(DigestAlgorithm algorithm) noexcept;
/** Digest length in bits. */
std::size_t digest_bits(DigestAlgorithm algorithm) noexcept;

/**
 * A DIGEST element outside SIGNATURE: the hardware-ID hash of a machine certificate. Nothing is
 * decided on it, so it is an opaque value: real Windows-activation SPCs declare SHA1 and size
 * 160 yet carry more bytes, and are read as they are.
 */
struct Digest {
    DigestAlgorithm algorithm = DigestAlgorithm::Sha256;
    std::vector<std::uint8_t> value;
    /** The VALUE size attribute as written (nullopt: absent); what a writer writes when set. */
    std::optional<std::size_t> declared_bits;
};

/** The largest hardware-ID DIGEST value read: real ones are a few dozen bytes. */
inline constexpr std::size_t k_max_hardware_id_bytes = 1024;

/** ISSUER or ISSUEDPRINCIPALS/PRINCIPAL. */
struct Principal {
    std::optional<std::string> internal_id;  ///< PRINCIPAL internal-id attribute
    XrmlObject object;
    std::optional<PublicKey> key;
    std::optional<Digest> digest;  ///< machine certificates: hardware-ID hash
    std::vector<SecurityLevel> security_levels;
    std::optional<EnablingBits> enabling_bits;  ///< publishing licences

    /** The value of SECURITYLEVEL `name`, if present. */
    [[nodiscard]] std::optional<std::string> security_level(const std::string& level_name) const;
};

/** DISTRIBUTIONPOINT: where a service lives, and for type "Revocation" whose key signs lists. */
struct DistributionPoint {
    XrmlObject object;
    std::optional<PublicKey> key;
};

/** INTERVALTIME of a REFRESH condition, in seconds; nullopt for the empty <INTERVALTIME/>. */
struct RefreshCondition {
    std::vector<DistributionPoint> points;
    bool has_interval = false;
    std::optional<std::int64_t> interval_seconds;
};

/** The ISSUE right of WORK/RIGHTSGROUP/RIGHTSLIST: when it may be used and by whom. */
struct IssueRight {
    std::optional<TimeRange> range;             ///< CONDITIONLIST/TIME/RANGETIME
    std::optional<std::string> principal;       ///< CONDITIONLIST/ACCESS/PRINCIPAL internal-id
    std::optional<EnablingBits> enabling_bits;  ///< CLC: its private key sealed to the RAC key
};

/** The SIGNATURE element. */
struct SignatureBlock {
    std::string algorithm;  ///< "RSA PKCS#1-V1.5"
    DigestAlgorithm digest_algorithm = DigestAlgorithm::Sha256;
    std::vector<std::uint8_t> digest;
    std::size_t digest_size_bits = 0;
    std::vector<std::uint8_t> value;
    std::size_t value_size_bits = 0;
};

/** One XrML document (certificate, licence or revocation list) read strictly. */
struct Certificate {
    RawDocument raw;
    std::string body_type;     ///< BODY type: "LICENSE", "Microsoft Rights Label", …
    std::string body_version;  ///< BODY version: "3.0"
    Time issued;
    std::optional<TimeRange> validity;
    /**
     * DESCRIPTOR/OBJECT: its type is the certificate kind, its ID the licence ID. Absent in
     * licences the cloud RMS service writes: nothing that verification uses.
     */
    std::optional<XrmlObject> descriptor;
    Principal issuer;
    std::vector<DistributionPoint> distribution_points;
    std::optional<Principal> principal;             ///< the issued principal (ISSUEDPRINCIPALS/PRINCIPAL)
    std::optional<Principal> federation_principal;  ///< RAC: FEDERATIONPRINCIPALS/PRINCIPAL
    std::optional<XrmlObject> work_object;
    std::optional<IssueRight> issue_right;
    std::vector<std::string> rights;        ///< names of every RIGHT under WORK
    std::vector<RefreshCondition> refresh;  ///< BODY-level CONDITIONLIST/REFRESH
    SignatureBlock signature;

    [[nodiscard]] std::size_t index() const noexcept { return raw.index; }
    /** DESCRIPTOR/OBJECT type, e.g. "Server-Licensor-Certificate"; "" without a DESCRIPTOR. */
    [[nodiscard]] const std::string& kind() const noexcept;
    /** DESCRIPTOR/OBJECT/ID, the licence ID; nullopt without a DESCRIPTOR. */
    [[nodiscard]] std::optional<std::string> id() const;
    /** The licence ID for messages and logs: "(no DESCRIPTOR)" when there is none. */
    [[nodiscard]] std::string id_text() const;
    /** What the document is, for messages: its kind, else its BODY type. */
    [[nodiscard]] std::string description() const;
};

}  // namespace xrca::xrml
