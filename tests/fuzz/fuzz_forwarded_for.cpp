// Fuzz target: X-Forwarded-For and trusted-proxy ranges (enrollment/client_address.h). The
// resolved address is always the peer or an address that parses, and ranges round-trip.
#include "enrollment/client_address.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace xrca::enrollment;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto split = bytes.find('\n');
    const auto range_text = bytes.substr(0, split);
    const auto header = split == std::string_view::npos ? std::string_view() : bytes.substr(split + 1);
    std::vector<AddressRange> ranges = {*AddressRange::parse("127.0.0.1"), *AddressRange::parse("::1")};
    if (const auto r = AddressRange::parse(range_text)) {
        require(r->prefix <= 128);
        require(r->contains(r->network));
        ranges.push_back(*r);
    }
    const TrustedProxies proxies(ranges);
    const auto client = proxies.client_address("127.0.0.1", header);
    require(client == "127.0.0.1" || IpAddress::parse(client).has_value());
    if (const auto a = IpAddress::parse(client)) require(IpAddress::parse(a->str())->bytes == a->bytes);
    return 0;
}
