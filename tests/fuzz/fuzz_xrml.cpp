// Fuzz target: read arbitrary bytes as XrML, then verify whatever was read; read them as a
// revocation list and as a public key file. The library's own
// FormatError is the expected outcome for bad input; anything else (a crash, a sanitizer
// report, another exception, a hang) is a bug.
#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xrca::xrml;
    try {
        const auto set = read_documents(std::string_view(reinterpret_cast<const char*>(data), size));
        ChainOptions options;
        options.at = Time::parse("2026-01-01T00:00");
        (void)verify_documents(set.documents, options);
        options.anchor_fingerprint = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";
        (void)verify_ordered_chain(set.documents, options);
    } catch (const FormatError&) {
    }
    // The same bytes as a revocation list, looked up against itself.
    try {
        const auto list = read_revocation_list(std::string_view(reinterpret_cast<const char*>(data), size));
        RevocationIndex index;
        index.add(list);
        (void)index.find(list.document);
    } catch (const FormatError&) {
    }
    // The same bytes as a *.pub.xml file (--anchor, --public-key, trust add).
    try {
        (void)read_public_key_file(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const FormatError&) {
    }
    return 0;
}
