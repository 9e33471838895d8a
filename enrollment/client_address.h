// Which address a request came from (docs/logging.md, docs/serve.md): the TCP peer, unless the
// peer is a proxy the operator trusts, in which case the client that proxy names in
// X-Forwarded-For. The one resolved address is what the per-address rate limit counts, what the
// enrollment log records and what the request log prints, so that all three agree.
//
// Each hop appends the address it received the request from, so only the right-hand end of
// X-Forwarded-For was written by proxies the operator controls; everything to the left of the
// first untrusted entry may have been sent by the client itself. The walk therefore goes from
// the right, skips trusted proxies, and stops at the first address that is not one. An entry
// that is not an IP address stops the walk too: the last trusted hop is then the client.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xrca::enrollment {

/** An IPv4 or IPv6 address, IPv4 held as an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    /** Parses an IPv4 or IPv6 literal (brackets and a zone are not accepted); nullopt otherwise. */
    static std::optional<IpAddress> parse(std::string_view text);
    [[nodiscard]] bool is_v4() const noexcept;
    /** The canonical text: dotted quad for IPv4 (also when it arrived IPv4-mapped), RFC 5952 for IPv6. */
    [[nodiscard]] std::string str() const;
};

/** An address range: `ADDRESS` (one address) or `ADDRESS/PREFIX` (CIDR). */
struct AddressRange {
    IpAddress network;
    unsigned prefix = 128;  ///< in IPv6 bits (an IPv4 /24 is held as /120)
    /** Parses `text`; nullopt for anything else, including host bits set beyond the prefix. */
    static std::optional<AddressRange> parse(std::string_view text);
    [[nodiscard]] bool contains(const IpAddress& address) const noexcept;
};

/** The proxies whose X-Forwarded-For is believed (`--trusted-proxy`, repeatable). */
class TrustedProxies {
public:
    TrustedProxies() = default;
    explicit TrustedProxies(std::vector<AddressRange> ranges) : m_ranges(std::move(ranges)) {}
    [[nodiscard]] bool empty() const noexcept { return m_ranges.empty(); }
    [[nodiscard]] bool contains(const IpAddress& address) const noexcept;
    /**
     * The client's address: `peer` (the TCP peer's text, as the server printed it) unless it is
     * a trusted proxy, then the right-most X-Forwarded-For entry that is not one (see above).
     * `forwarded_for` is the header's value, several headers joined with commas.
     */
    [[nodiscard]] std::string client_address(const std::string& peer, std::string_view forwarded_for) const;

private:
    std::vector<AddressRange> m_ranges;
};

}  // namespace xrca::enrollment
