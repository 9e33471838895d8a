// Fills an authority's enrollment log with N entries shaped like the anonymous refusals the
// hardening review measured (~690 bytes each), through the store's own append (so the chain is
// real), to measure what reading, exporting, verifying and archiving a large log costs.
//
// usage: bench_fill_log DATA_DIR [ENTRIES=540000]   (DATA_DIR made by `xrca init` first)
#include "bench_util.h"

#include "store/factory.h"

#include <chrono>
#include <cstdio>

namespace xrca {
namespace {

int run(int argc, char** argv) {
    if (argc < 2) throw std::invalid_argument("usage: bench_fill_log DATA_DIR [ENTRIES]");
    const auto entries = bench::number_arg<std::int64_t>(argc, argv, 2, 540000);
    auto store = store::open_store(argv[1], store::OpenMode::Existing);
    store::LogEntry e;
    e.time = "2026-06-01T12:00:00Z";
    e.operation = "GetLicensorCertificate";
    e.caller = "anonymous from 127.0.0.1 [Mozilla/5.0 (X11; Linux x86_64) load-generator]";
    e.inputs =
        "path=/_wmcs/licensing/server.asmx; soap_action=http://microsoft.com/DRM/LicensingService/"
        "GetLicensorCertificate; version_data=" +
        std::string(240, 'v');
    e.outcome = "refused";
    e.reason = "System.ArgumentException: the request is not a SOAP envelope (line 1: " + std::string(120, 'x') + ")";
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < entries; ++i) {
        e.request_id = "{bench-" + std::to_string(i) + "}";
        store->append_log(e);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("appended %lld entries in %.1f s (%.0f/s)\n", static_cast<long long>(entries), seconds,
                static_cast<double>(entries) / seconds);
    return 0;
}

}  // namespace
}  // namespace xrca

int main(int argc, char** argv) {
    return xrca::bench::guarded_main("bench_fill_log", [&] { return xrca::run(argc, argv); });
}
