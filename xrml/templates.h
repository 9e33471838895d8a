// BODY templates for every document xrca issues, element by element in the order real RMS
// documents use (reference §2.3). Each returns the compact BODY text; sign it with
// sign_document() (or a Signer in ca/) and store exactly the result.
#pragma once

#include "xrml/certificate.h"

#include <optional>
#include <string>
#include <vector>

namespace xrca::xrml {

/** The issuing-certificate kinds of reference §2.3.1 that xrca produces. */
enum class IssuingKind {
    CaCertificate,      ///< DRM-CA-Certificate issued by the root key to the CA
    EnrollmentCa,       ///< DRM-CA-Certificate issued by the CA to the enrollment CA
    EnrollmentService,  ///< Server-Licensor-Certificate issued to the enrollment service
    ServerLicensor,     ///< SLC for a root or licensing cluster
    ActivationIssuer,   ///< Server-Licensor-Certificate for the machine activation issuer
};

/** DESCRIPTOR OBJECT type for a kind ("DRM-CA-Certificate" or "Server-Licensor-Certificate"). */
const char* descriptor_type(IssuingKind kind) noexcept;

/** Well-known object types and IDs of reference §2.3. */
namespace names {
inline constexpr const char* server_licensor_certificate = "Server-Licensor-Certificate";
inline constexpr const char* ca_certificate = "DRM-CA-Certificate";
inline constexpr const char* machine_certificate = "Machine-Certificate";
inline constexpr const char* rights_account_certificate = "Group-Identity-Credential";
inline constexpr const char* client_licensor_certificate = "Client-Licensor-Certificate";
inline constexpr const char* certificate_authority = "DRM-Certificate-Authority";
inline constexpr const char* drm_server = "MS-DRM-Server";
inline constexpr const char* security_processor = "MS-DRM-Desktop-Security-Processor";
inline constexpr const char* machine_identifier = "Machine-Unique-Identifier";
inline constexpr const char* group_identity = "Group-Identity";
inline constexpr const char* guid = "MS-GUID";
inline constexpr const char* ascii_tag = "ascii-tag";
/** The ID (type ascii-tag) naming a custom revocation authority in an SLC's REFRESH and in its lists (§5.3). */
inline constexpr const char* external_revocation_authority = "External revocation authority";
inline constexpr const char* activation_point_id = "{99F48562-703E-4E7D-9175-DD69C66921B7}";
inline constexpr const char* certification_point_id = "{8BA9EA80-99E4-4a2b-9764-4CD84F77C3A0}";
inline constexpr const char* licensing_point_id = "{0F45FD50-383B-43EE-90A4-ED013CD0CFE5}";
inline constexpr const char* extranet_licensing_point_id = "{94BF969A-CA04-44d6-AA96-51071281FEF2}";
}  // namespace names

/**
 * An issuing certificate (§2.3.1). `issuer` is the issuer certificate's principal, copied
 * verbatim (internal-id is not written in ISSUER); `subject` is the principal being certified.
 */
struct IssuingCertificateTemplate {
    IssuingKind kind = IssuingKind::ServerLicensor;
    std::string id;  ///< braced GUID, the certificate ID
    Time issued;
    std::optional<TimeRange> validity;
    Principal issuer;
    Principal subject;
    TimeRange issue_range;  ///< RANGETIME of the ISSUE right
    /** SLC with custom revocation: the REFRESH distribution points of §5.3 (empty otherwise). */
    std::vector<DistributionPoint> revocation_points;
};

/** A machine certificate, SPC (§2.3.2). */
struct MachineCertificateTemplate {
    std::string id;
    Time issued;
    Principal issuer;                ///< the activation issuer's principal
    std::string activation_address;  ///< where activation happened
    std::string machine_id;          ///< braced GUID of the machine
    PublicKey machine_key;
    Digest hardware_id;                          ///< hash of the hardware-ID information
    std::vector<SecurityLevel> security_levels;  ///< Platform, Manufacturer, Repository
};

/** A rights account certificate, RAC (§2.3.3). */
struct RightsAccountCertificateTemplate {
    std::string id;
    Time issued;
    TimeRange validity;
    Principal issuer;               ///< the SLC principal of the certifying cluster
    std::string certification_url;  ///< base URL + "/certification"
    std::optional<std::string> extranet_certification_url;
    XrmlObject user;  ///< Group-Identity: ID (Windows SID or Federation GUID), NAME email
    PublicKey user_key;
    bool persistent = true;
    XrmlObject machine;                                  ///< OBJECT copied from the SPC principal
    EnablingBits sealed_user_key;                        ///< user private key sealed to the machine key
    std::vector<SecurityLevel> machine_security_levels;  ///< copied from the SPC
};

/** A client licensor certificate, CLC (§2.3.4). */
struct ClientLicensorCertificateTemplate {
    std::string id;
    Time issued;
    Principal issuer;  ///< the SLC principal of the issuing cluster
    std::string licensing_url;
    std::optional<std::string> extranet_licensing_url;
    XrmlObject user;  ///< copied from the RAC principal
    PublicKey clc_key;
    TimeRange issue_range;        ///< the RAC's VALIDITYTIME
    EnablingBits sealed_clc_key;  ///< CLC private key sealed to the RAC key
};

std::string build_issuing_certificate_body(const IssuingCertificateTemplate& t);
std::string build_machine_certificate_body(const MachineCertificateTemplate& t);
std::string build_rights_account_certificate_body(const RightsAccountCertificateTemplate& t);
std::string build_client_licensor_certificate_body(const ClientLicensorCertificateTemplate& t);

/**
 * The `<ISSUER>` element a document issued by `issuer` carries: what the ENABLINGBITS hash of a
 * RAC or CLC covers (reference §2.7), known before the document is built.
 */
std::string build_issuer_element(const Principal& issuer);

/** A standalone `<PUBLICKEY>` element, the `*.pub.xml` file format of CLI.md. */
std::string build_public_key_element(const PublicKey& key);

}  // namespace xrca::xrml
