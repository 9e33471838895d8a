// Fuzz target: SOAP envelopes, the VersionData rules and certificate extraction. xrca::Error
// (Malformed, UnsupportedVersion) is the expected outcome for bad input; anything else is a bug.
#include "ca/errors.h"
#include "enrollment/soap.h"
#include "xrml/errors.h"
#include "xrml/reader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto request = xrca::enrollment::read_soap_request(std::string_view(reinterpret_cast<const char*>(data), size));
        try {
            xrca::enrollment::check_version(request);
        } catch (const xrca::Error&) {
        }
        for (const auto& certificate : xrca::enrollment::certificates_in(request, "MachineCertificateChain")) {
            try {
                (void)xrca::xrml::read_documents(certificate);
            } catch (const xrca::xrml::FormatError&) {
            }
        }
    } catch (const xrca::Error&) {
    }
    return 0;
}
