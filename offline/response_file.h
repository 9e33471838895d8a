// Offline enrollment response files (docs/offline-files.md): the request ID they answer and the
// ordered chain, leaf first, each XrML document as an escaped string (RMS's ArrayOfString,
// reference §3.1), so that every document keeps its exact characters.
#pragma once

#include "ca/requests.h"

#include <string>
#include <string_view>

namespace xrca::offline {

inline constexpr std::size_t k_max_response_bytes = 2 * 1024 * 1024;

/** The response file (UTF-8) for request `request_id` answered by `chain`. */
std::string write_response_file(const std::string& request_id, ca::ClusterOperation operation,
                                const ca::IssuedChain& chain, xrml::Time issued);

struct ReadResponse {
    std::string request_id;
    ca::ClusterOperation operation = ca::ClusterOperation::Enroll;
    std::vector<std::string> chain;  ///< the documents, leaf first, exactly as issued
    std::size_t documents = 0;
};

/** Reads a response file strictly (UTF-8 or UTF-16); throws xrml::FormatError. Verifies nothing. */
ReadResponse read_response_file(std::string_view bytes);

}  // namespace xrca::offline
