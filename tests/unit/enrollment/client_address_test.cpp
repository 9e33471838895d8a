// The client's address behind trusted proxies (enrollment/client_address.h) and the request
// log's lines (enrollment/request_log.h).
#include "enrollment/client_address.h"
#include "enrollment/request_log.h"

#include "text/clean.h"

#include <gtest/gtest.h>

namespace xrca::enrollment {
namespace {

TrustedProxies trusting(std::initializer_list<const char*> ranges) {
    std::vector<AddressRange> parsed;
    for (const char* r : ranges) {
        const auto range = AddressRange::parse(r);
        EXPECT_TRUE(range.has_value()) << r;
        if (range) parsed.push_back(*range);
    }
    return TrustedProxies(std::move(parsed));
}

TEST(ClientAddress, RangesParseAndMatchAcrossFamilies) {
    EXPECT_TRUE(AddressRange::parse("10.0.0.0/8")->contains(*IpAddress::parse("10.200.3.4")));
    EXPECT_FALSE(AddressRange::parse("10.0.0.0/8")->contains(*IpAddress::parse("11.0.0.1")));
    EXPECT_TRUE(AddressRange::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db8:1::5")));
    EXPECT_FALSE(AddressRange::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db9::5")));
    // An IPv4 client of a dual-stack socket arrives IPv4-mapped: the same address.
    EXPECT_TRUE(AddressRange::parse("127.0.0.1")->contains(*IpAddress::parse("::ffff:127.0.0.1")));
    EXPECT_EQ(IpAddress::parse("::ffff:192.0.2.1")->str(), "192.0.2.1");
    EXPECT_EQ(IpAddress::parse("2001:DB8:0:0::1")->str(), "2001:db8::1");
    for (const char* bad : {"", "10.0.0.0/33", "10.0.0.1/8", "::1/129", "10.0.0.0/", "10.0.0.0/-1", "host", "[::1]",
                            "1.2.3.4.5", "10.0.0.0/8/8", "fe80::1%eth0"}) {
        EXPECT_FALSE(AddressRange::parse(bad).has_value()) << bad;
    }
}

TEST(ClientAddress, ForwardedForIsBelievedOnlyFromATrustedPeer) {
    const auto none = trusting({});
    EXPECT_EQ(none.client_address("127.0.0.1", "203.0.113.7"), "127.0.0.1");
    const auto proxies = trusting({"127.0.0.1", "10.0.0.0/8"});
    EXPECT_EQ(proxies.client_address("192.0.2.50", "203.0.113.7"), "192.0.2.50") << "an untrusted peer";
    EXPECT_EQ(proxies.client_address("127.0.0.1", "203.0.113.7"), "203.0.113.7");
    // The right-most address that is not a proxy: what is left of it the client may have written.
    EXPECT_EQ(proxies.client_address("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.9"), "203.0.113.7");
    EXPECT_EQ(proxies.client_address("127.0.0.1", " 10.1.1.1 ,10.0.0.9"), "10.1.1.1") << "all trusted: the left-most";
    EXPECT_EQ(proxies.client_address("127.0.0.1", ""), "127.0.0.1");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "203.0.113.7, garbage"), "127.0.0.1") << "garbage stops the walk";
    EXPECT_EQ(proxies.client_address("127.0.0.1", "garbage, 10.0.0.3"), "10.0.0.3");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "203.0.113.7,"), "127.0.0.1");
    EXPECT_EQ(proxies.client_address("127.0.0.1", "2001:db8::7"), "2001:db8::7");
    EXPECT_EQ(proxies.client_address("::ffff:10.0.0.2", "::ffff:198.51.100.3"), "198.51.100.3");
}

RequestLogEntry hostile_entry() {
    RequestLogEntry e;
    e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764743400123));
    e.request_id = "4f0c2d1e-0000-4000-8000-000000000001";
    e.remote = "127.0.0.1";
    e.method = "GET";
    e.operation = "/a b\x1b[2J";
    e.status = 404;
    e.duration_ms = 1.5;
    e.user_agent = "\x1b]0;owned\x07 \xff\xfe \"q\"";
    return e;
}

TEST(RequestLog, TextLinesArePrintableLogfmt) {
    const auto line = format_request_log_line(RequestLogFormat::Text, hostile_entry());
    EXPECT_TRUE(text::is_printable(line)) << line;
    EXPECT_EQ(line.rfind("time=2025-12-03T06:30:00.123Z request=4f0c2d1e-0000-4000-8000-000000000001 "
                         "remote=127.0.0.1 method=GET operation=\"/a b\\\\x1b[2J\" principal=- status=404 fault=- "
                         "duration_ms=1.500 user_agent=",
                         0),
              0u)
        << line;
}

TEST(RequestLog, JsonLinesAreValidUtf8WithNulls) {
    const auto line = format_request_log_line(RequestLogFormat::Json, hostile_entry());
    EXPECT_TRUE(text::is_valid_utf8(line)) << line;
    for (const char c : line) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << line;
    EXPECT_NE(line.find("\"principal\":null,\"status\":404,\"fault\":null,\"duration_ms\":1.500"), std::string::npos)
        << line;
    EXPECT_EQ(format_request_log_line(RequestLogFormat::None, hostile_entry()), "");
    EXPECT_FALSE(parse_request_log_format("JSON").has_value());
}

}  // namespace
}  // namespace xrca::enrollment
