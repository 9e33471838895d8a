// The console's small parts on their own (docs/console.md): posted forms parsed or refused,
// HTML escaping, sessions that end when idle and CSRF tokens compared exactly, and the
// per-minute activity ring over an hour (its clock injected).
#include "console/form.h"
#include "console/html.h"
#include "console/sessions.h"
#include "enrollment/activity.h"

#include <botan/system_rng.h>
#include <gtest/gtest.h>

namespace xrca::console {
namespace {

TEST(ConsoleForm, UrlencodedFieldsAreDecoded) {
    const auto f = parse_form("application/x-www-form-urlencoded", "csrf=ab12&name=two+words&x=%3Cb%3E&empty=&flag");
    EXPECT_EQ(f.get("csrf"), "ab12");
    EXPECT_EQ(f.get("name"), "two words");
    EXPECT_EQ(f.get("x"), "<b>");
    EXPECT_EQ(f.get("empty"), "");
    EXPECT_EQ(f.fields.count("flag"), 1u);
    EXPECT_EQ(f.get("missing"), "");
}

TEST(ConsoleForm, BrokenPercentEncodingIsRefused) {
    EXPECT_THROW(parse_urlencoded("a=%4"), FormError);
    EXPECT_THROW(parse_urlencoded("a=%zz"), FormError);
    EXPECT_THROW(parse_form("text/plain", "a=b"), FormError);
}

TEST(ConsoleForm, InvalidUtf8BecomesValid) {
    const auto f = parse_urlencoded("name=%FF%FEok");
    EXPECT_NE(f.get("name").find("ok"), std::string::npos);
    EXPECT_EQ(f.get("name").find('\xFF'), std::string::npos);
}

TEST(ConsoleForm, TooManyFieldsAreRefused) {
    std::string body;
    for (std::size_t i = 0; i <= k_max_form_fields; ++i) body += "f" + std::to_string(i) + "=1&";
    EXPECT_THROW(parse_urlencoded(body), FormError);
}

TEST(ConsoleForm, MultipartKeepsFilesAsBytes) {
    const std::string body =
        "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nab12\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"key\"; filename=\"k.xml\"\r\nContent-Type: text/xml\r\n\r\n"
        "<PUBLICKEY>\xFF\r\n</PUBLICKEY>\r\n"
        "--XyZ--\r\n";
    const auto f = parse_form("multipart/form-data; boundary=XyZ", body);
    EXPECT_EQ(f.get("csrf"), "ab12");
    ASSERT_EQ(f.files.count("key"), 1u);
    EXPECT_EQ(f.files.at("key"), "<PUBLICKEY>\xFF\r\n</PUBLICKEY>");
}

TEST(ConsoleForm, BrokenMultipartIsRefused) {
    EXPECT_THROW(parse_form("multipart/form-data", "--a\r\n"), FormError);  // no boundary parameter
    EXPECT_THROW(parse_form("multipart/form-data; boundary=a", "no delimiter"), FormError);
    EXPECT_THROW(
        parse_form("multipart/form-data; boundary=a", "--a\r\nContent-Disposition: form-data\r\n\r\nx\r\n--a--"),
        FormError);  // a part without a name
    EXPECT_THROW(parse_form("multipart/form-data; boundary=a",
                            "--a\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"
                            "unterminated"),
                 FormError);
}

TEST(ConsoleHtml, EscapesMarkupAndControls) {
    EXPECT_EQ(escape("<script>alert('1')</script> & \"x\""),
              "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;x&quot;");
    EXPECT_EQ(escape("a\nb\x1b"), "a\\nb\\x1b");
    EXPECT_EQ(url_encode("{a b}/&"), "%7Ba%20b%7D%2F%26");
}

TEST(ConsoleSessions, FoundUntilIdleOrRemoved) {
    Botan::System_RNG rng;
    SessionTable table(rng, std::chrono::seconds(3600));
    const auto s = table.create("boss");
    ASSERT_EQ(s.id.size(), 64u);
    const auto found = table.find(s.id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->principal, "boss");
    EXPECT_EQ(found->csrf, s.csrf);
    EXPECT_FALSE(table.find(std::string(64, '0')));
    table.remove(s.id);
    EXPECT_FALSE(table.find(s.id));

    SessionTable idle(rng, std::chrono::seconds(0));  // every session is idle at once
    EXPECT_FALSE(idle.find(idle.create("boss").id));
}

TEST(ConsoleSessions, CsrfMustMatchExactly) {
    Botan::System_RNG rng;
    SessionTable table(rng, std::chrono::seconds(3600));
    const auto s = table.create("");
    EXPECT_TRUE(SessionTable::csrf_matches(s, s.csrf));
    EXPECT_FALSE(SessionTable::csrf_matches(s, ""));
    EXPECT_FALSE(SessionTable::csrf_matches(s, s.csrf.substr(1)));
    auto other = s.csrf;
    other[0] = other[0] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(SessionTable::csrf_matches(s, other));
}

TEST(ConsoleSessions, FullTableDropsTheLeastRecentlyUsed) {
    Botan::System_RNG rng;
    SessionTable table(rng, std::chrono::seconds(3600), 2);
    const auto a = table.create(""), b = table.create("");
    ASSERT_TRUE(table.find(a.id));  // a used after b
    const auto c = table.create("");
    EXPECT_TRUE(table.find(a.id));
    EXPECT_FALSE(table.find(b.id));
    EXPECT_TRUE(table.find(c.id));
}

TEST(ConsoleActivity, CountsPerMinuteForAnHour) {
    using std::chrono::minutes;
    enrollment::ActivityWindow w;
    const std::chrono::system_clock::time_point t0{minutes(1000000)};
    w.record("Certify", true, 0.010, t0);
    w.record("Certify", false, 0.030, t0 + std::chrono::seconds(30));
    w.record("Certify", true, 0.020, t0 + minutes(1));
    auto s = w.snapshot(t0 + minutes(1));
    ASSERT_EQ(s.minutes.size(), 60u);
    const auto& last = s.minutes[59].at("Certify");
    EXPECT_EQ(last.requests, 1u);
    const auto& before = s.minutes[58].at("Certify");
    EXPECT_EQ(before.requests, 2u);
    EXPECT_EQ(before.errors, 1u);
    EXPECT_DOUBLE_EQ(before.max_seconds, 0.030);
    // An hour later the slot of t0 holds a new minute: the old counts are gone, not added to.
    w.record("Certify", true, 0.5, t0 + minutes(60));
    s = w.snapshot(t0 + minutes(60));
    EXPECT_EQ(s.minutes[59].at("Certify").requests, 1u);
    EXPECT_EQ(s.minutes[58].count("Certify"), 0u);
    EXPECT_EQ(s.minutes[0].at("Certify").requests, 1u);  // t0 + 1 minute, the oldest still shown
}

}  // namespace
}  // namespace xrca::console
