// Fuzz target: the cluster key export reader (ca/cluster_key_export.h), which `xrca init
// --from-key-export` runs on a file an operator was handed. Any bytes must be read or refused
// with an xrca::Error; any other exception, a crash or a sanitizer report is a bug.
#include "ca/cluster_key_export.h"
#include "ca/errors.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const xrca::ca::Password password("fuzz-export-password");
    try {
        static_cast<void>(
            xrca::ca::read_cluster_key_export(std::string(reinterpret_cast<const char*>(data), size), password));
    } catch (const xrca::Error&) {
    }
    return 0;
}
