// Offline enrollment request files (docs/offline-files.md): the Enroll / SubEnroll parameters of
// reference §3.1/§3.2 in their RMS element names, plus what RMS lacked — crypto mode, a random
// request ID, the creation time, and a proof of possession by the key to be certified.
#pragma once

#include "ca/requests.h"
#include "xrml/builder.h"
#include "xrml/strict_xml.h"

#include <string>
#include <string_view>

namespace xrca::offline {

/** Format identifier written in, and required of, every request and response file. */
inline constexpr const char* k_format = "xrca-offline-1";
/** Request files larger than this are refused unread. */
inline constexpr std::size_t k_max_request_bytes = 256 * 1024;

/** The exact `<Body>…</Body>` text of a request; this text is what the proof signs. */
std::string write_request_body(const ca::PreparedRequest& request);

/**
 * The Enroll / SubEnroll parameters in their RMS element names (RevocationInformation for
 * Enroll, CertificatePublicKey, EnrolleeInformation), written into the open element of `b`.
 * Shared with the online service, whose `<oInput>` holds the same children.
 */
void write_parameters(xrml::XmlBuilder& b, const ca::PreparedRequest& request);
/** Reads what write_parameters wrote (keys also as base64 PKCS#1, as RMS sends them) into
 *  `request`, whose `operation` says which message it is; throws xrml::FormatError. */
void read_parameters(const xrml::XmlElement& parameters, ca::PreparedRequest& request);
/** A proof of possession as `<element><ALGORITHM/><DIGEST/><VALUE/></element>`. */
void write_proof(xrml::XmlBuilder& b, const char* element, const ca::ProofOfPossession& proof);
/** Reads it back; `signed_text` is left to the caller, who knows what was signed. */
ca::ProofOfPossession read_proof(const xrml::XmlElement& proof);

/** The whole request file (UTF-8) for a body and its proof. */
std::string write_request_file(const ca::SignedRequest& request);

/** A request read from a file: its parameters, and the exact body with its proof. */
struct ReadRequest {
    ca::PreparedRequest request;
    ca::ProofOfPossession proof;  ///< signed_text is the exact body text from the file
};

/**
 * Reads a request file strictly (UTF-8 or UTF-16, no DTD, bounded size and depth); throws
 * xrml::FormatError naming the element. The proof is checked by the authority, not here.
 */
ReadRequest read_request_file(std::string_view bytes);

/** The request as the issuer's authority takes it. */
ca::EnrollRequest to_enroll_request(const ReadRequest& r);
ca::SubEnrollRequest to_sub_enroll_request(const ReadRequest& r);

}  // namespace xrca::offline
