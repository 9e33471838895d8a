// The client's address behind trusted proxies (see client_address.h).
#include "enrollment/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace xrca::enrollment {
namespace {

constexpr std::array<std::uint8_t, 12> k_v4_mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    // inet_pton wants a terminated string; an address is never longer than this.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string z(text);
    IpAddress a;
    in_addr v4{};
    if (::inet_pton(AF_INET, z.c_str(), &v4) == 1) {
        std::copy(k_v4_mapped.begin(), k_v4_mapped.end(), a.bytes.begin());
        std::memcpy(a.bytes.data() + 12, &v4, 4);
        return a;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, z.c_str(), &v6) == 1) {
        std::memcpy(a.bytes.data(), &v6, 16);
        return a;
    }
    return std::nullopt;
}

bool IpAddress::is_v4() const noexcept { return std::equal(k_v4_mapped.begin(), k_v4_mapped.end(), bytes.begin()); }

std::string IpAddress::str() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (is_v4()) {
        ::inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
    } else {
        ::inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    }
    return text;
}

std::optional<AddressRange> AddressRange::parse(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    AddressRange r{*address, 128};
    if (slash != std::string_view::npos) {
        const auto digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos)
            return std::nullopt;
        const unsigned bits = static_cast<unsigned>(std::stoul(std::string(digits)));
        const unsigned width = address->is_v4() ? 32 : 128;
        if (bits > width) return std::nullopt;
        r.prefix = bits + (128 - width);
    }
    // Host bits set (10.0.0.1/8) are most likely a typo for another range: refused, not masked.
    for (unsigned bit = r.prefix; bit < 128; ++bit) {
        if (r.network.bytes[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
    }
    return r;
}

bool AddressRange::contains(const IpAddress& address) const noexcept {
    for (unsigned bit = 0; bit < prefix; ++bit) {
        const unsigned mask = 0x80u >> (bit % 8);
        if ((address.bytes[bit / 8] & mask) != (network.bytes[bit / 8] & mask)) return false;
    }
    return true;
}

bool TrustedProxies::contains(const IpAddress& address) const noexcept {
    return std::any_of(m_ranges.begin(), m_ranges.end(), [&](const AddressRange& r) { return r.contains(address); });
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for) const {
    const auto peer_address = IpAddress::parse(peer);
    if (m_ranges.empty() || !peer_address || !contains(*peer_address)) return peer;
    std::string client = peer_address->str();
    while (!forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        const auto entry = trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for = comma == std::string_view::npos ? std::string_view() : forwarded_for.substr(0, comma);
        const auto hop = IpAddress::parse(entry);
        if (!hop) break;  // not an address: believe no further
        client = hop->str();
        if (!contains(*hop)) break;
    }
    return client;
}

}  // namespace xrca::enrollment
