// Fuzz target: SOAP envelopes, the VersionData rules, every operation's request reader (what the
// server takes from callers) and the reply readers (what the client takes from servers).
// xrca::Error is the expected outcome for bad input; anything else is a bug.
#include "ca/errors.h"
#include "enrollment/messages.h"
#include "enrollment/soap.h"
#include "xrml/errors.h"
#include "xrml/reader.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

template <typename Fn>
void expect_error_or_ok(Fn&& fn) {
    try {
        fn();
    } catch (const xrca::Error&) {
    } catch (const xrca::xrml::FormatError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xrca::enrollment;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    expect_error_or_ok([&] {
        const auto request = read_soap_request(bytes);
        expect_error_or_ok([&] { check_version(request); });
        expect_error_or_ok([&] {
            for (const auto& certificate : certificates_in(request, "MachineCertificateChain"))
                (void)xrca::xrml::read_documents(certificate);
        });
        expect_error_or_ok([&] { (void)read_cluster_request(request); });
        expect_error_or_ok([&] { (void)read_activation_request(request); });
        expect_error_or_ok([&] { (void)read_certify_request(request); });
        expect_error_or_ok([&] { (void)read_clc_request(request); });
        expect_error_or_ok([&] { (void)read_service_location_request(request); });
        expect_error_or_ok([&] { (void)read_server_info_request(request); });
    });
    for (const int status : {200, 401, 500}) {
        expect_error_or_ok([&] {
            const auto reply = read_soap_reply(status, bytes);
            expect_error_or_ok([&] { (void)strings_in_reply(reply, "LicensorCertificateChain"); });
            expect_error_or_ok([&] { (void)certificates_in_reply(reply, "CertificateChain"); });
            expect_error_or_ok([&] { (void)reply.result(); });
        });
    }
    return 0;
}
