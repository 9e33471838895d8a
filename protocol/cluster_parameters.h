// The Enroll / SubEnroll parameters of reference §3.1/§3.2 in their RMS element names, as both
// transports carry them: the offline request file in <EnrollParameters>/<SubEnrollParameters>,
// the online service in <oInput>. Written and read here only, so a cluster's request means the
// same to the authority whichever way it travels.
#pragma once

#include "ca/requests.h"
#include "xrml/builder.h"
#include "xrml/strict_xml.h"

#include <optional>

namespace xrca::protocol {

/** How keys are written: an XrML `<PUBLICKEY>` (the offline files), or base64 PKCS#1 RSAPublicKey DER, as RMS sends
 * them online. */
enum class KeyForm { XrmlPublicKey, Pkcs1 };

/**
 * The Enroll / SubEnroll parameters in their RMS element names (RevocationInformation for
 * Enroll, CertificatePublicKey, EnrolleeInformation), written into the open element of `b`.
 */
void write_parameters(xrml::XmlBuilder& b, const ca::ClusterRequest& request, KeyForm form = KeyForm::XrmlPublicKey);
/** Reads what write_parameters wrote (keys also as base64 PKCS#1, as RMS sends them) into
 *  `request`, whose `operation` says which message it is; throws xrml::FormatError. */
void read_parameters(const xrml::XmlElement& params, ca::ClusterRequest& r);

/** The <CryptoMode> child of `holder`: 2 (RSA-2048 / SHA-256) or 1 (RSA-1024 / SHA-1); anything
 *  else is a FormatError on `holder`. */
ca::CryptoMode read_crypto_mode(const xrml::XmlElement& holder);
/** <CryptoMode>N</CryptoMode>. */
void write_crypto_mode(xrml::XmlBuilder& b, ca::CryptoMode mode);

/** The request as the issuer's authority takes it, with the proofs as received (if any). */
ca::ClusterRequest with_proof(const ca::ClusterRequest& request, std::optional<ca::ProofOfPossession> proof,
                              std::optional<ca::ProofOfPossession> renewal_proof = std::nullopt);

}  // namespace xrca::protocol
