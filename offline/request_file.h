// Offline enrollment request files (docs/offline-files.md): the Enroll / SubEnroll parameters of
// reference §3.1/§3.2 in their RMS element names, plus what RMS lacked — crypto mode, a random
// request ID, the creation time, and a proof of possession by the key to be certified. The
// parameters and the proof are protocol/'s, shared with the online service.
#pragma once

#include "ca/requests.h"

#include <string>
#include <string_view>

namespace xrca::offline {

/** Format identifier written in, and required of, every request and response file. */
inline constexpr const char* k_format = "xrca-offline-1";
/** Request files larger than this are refused unread. */
inline constexpr std::size_t k_max_request_bytes = 256 * 1024;

/** The exact `<Body>…</Body>` text of a request; this text is what the proof signs. */
std::string write_request_body(const ca::PreparedRequest& request);

/** The whole request file (UTF-8) for a body and its proof. */
std::string write_request_file(const ca::SignedRequest& s);

/** A request read from a file: its parameters, and the exact body with its proof. */
struct ReadRequest {
    ca::PreparedRequest request;
    ca::ProofOfPossession proof;  ///< signed_text is the exact body text from the file
    /** <RenewalProof>: the same body signed by the cluster's current key, when a renewal certifies a new key. */
    std::optional<ca::ProofOfPossession> renewal_proof;
};

/**
 * Reads a request file strictly (UTF-8 or UTF-16, no DTD, bounded size and depth); throws
 * xrml::FormatError naming the element. The proof is checked by the authority, not here.
 */
ReadRequest read_request_file(std::string_view bytes);

/** The request as the issuer's authority takes it. */
ca::ClusterRequest to_cluster_request(const ReadRequest& in);

}  // namespace xrca::offline
