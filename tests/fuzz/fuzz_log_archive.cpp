// Fuzz target: the log-archive reader (ca/log_archive.h), which `xrca log verify-archive` and
// `log --verify --archive` run on files an operator was handed. Any bytes must give a verdict
// (intact or a named problem) or an xrca::Error; any other exception, a crash or a sanitizer
// report is a bug. Seeded with a real archive (tests/data/log-archive/).
#include "ca/errors.h"
#include "ca/log_archive.h"

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        static_cast<void>(xrca::ca::verify_log_archive(in));
    } catch (const xrca::Error&) {
    }
    return 0;
}
