// Fuzz target: offline request and response files. Both readers see every input; their own
// FormatError is the expected outcome for bad input, anything else is a bug.
#include "offline/request_file.h"
#include "offline/response_file.h"
#include "xrml/errors.h"
#include "xrml/reader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    try {
        const auto request = xrca::offline::read_request_file(bytes);
        (void)xrca::offline::to_cluster_request(request);
    } catch (const xrca::xrml::FormatError&) {
    }
    try {
        const auto response = xrca::offline::read_response_file(bytes);
        for (const auto& document : response.chain) (void)xrca::xrml::read_documents(document);
    } catch (const xrca::xrml::FormatError&) {
    }
    return 0;
}
