// text/clean.h: expected outputs written by hand from the Unicode tables, not by the code.
#include "text/clean.h"

#include <gtest/gtest.h>

#include <string>

namespace xrca::text {
namespace {

const std::string fffd = "\xEF\xBF\xBD";

TEST(ValidUtf8, KeepsWellFormedText) {
    const std::string mixed = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91 plain";
    EXPECT_TRUE(is_valid_utf8(mixed));
    EXPECT_EQ(valid_utf8(mixed), mixed);
}

TEST(ValidUtf8, ReplacesEachMaximalIllFormedSubpart) {
    // A 3-byte sequence cut after its second byte (a header value cut mid-character) is one U+FFFD.
    EXPECT_EQ(valid_utf8("ab\xE2\x82"), "ab" + fffd);
    EXPECT_EQ(valid_utf8("\xE2\x82x"), fffd + "x");
    // Stray continuation bytes and bytes that never occur are one U+FFFD each.
    EXPECT_EQ(valid_utf8("\x80\xBF"), fffd + fffd);
    EXPECT_EQ(valid_utf8("\xFF"), fffd);
    // Overlong "/" (C0 AF), an encoded surrogate (ED A0 80) and a code point above U+10FFFF.
    EXPECT_EQ(valid_utf8("\xC0\xAF"), fffd + fffd);
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), fffd + fffd + fffd);
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), fffd + fffd + fffd + fffd);
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));
}

TEST(Printable, EscapesWhatCouldForgeALineOrDriveATerminal) {
    EXPECT_EQ(printable("a\nb"), "a\\nb");
    EXPECT_EQ(printable("x\r\ty"), "x\\r\\ty");
    EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(printable(std::string("nul\0end", 7)), "nul\\x00end");
    EXPECT_EQ(printable("del\x7F"), "del\\x7f");
    EXPECT_EQ(printable("c1\xC2\x9B"), "c1\\x9b");  // U+009B, the 8-bit CSI
    // The right-to-left override itself is what is tested here.
    EXPECT_EQ(printable("rtl\xE2\x80\xAEtxt"), "rtl\\u202etxt");  // NOLINT(misc-misleading-bidirectional)
    EXPECT_EQ(printable("ls\xE2\x80\xA8"), "ls\\u2028");          // line separator
    EXPECT_EQ(printable("bad\xFF"), "bad" + fffd);
    EXPECT_EQ(printable("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_TRUE(is_printable("plain text, with punctuation: <>&\"'"));
    EXPECT_FALSE(is_printable("tab\t"));
}

TEST(Capped, CutsOnCodePointBoundariesAndSaysSo) {
    EXPECT_EQ(capped("short", 10), "short");
    EXPECT_EQ(capped("abcdefghij", 6), "abc\xE2\x80\xA6");
    // "é" is two bytes: a budget that would split it keeps the whole character out.
    EXPECT_EQ(capped("\xC3\xA9\xC3\xA9\xC3\xA9", 5), "\xC3\xA9\xE2\x80\xA6");
    EXPECT_EQ(capped("\xF0\x9F\x94\x91\xF0\x9F\x94\x91", 6), "\xE2\x80\xA6");
    EXPECT_EQ(capped("abcdef", 2), "");
    EXPECT_EQ(log_field("a\nb\nc\nd", 7), "a\\nb\xE2\x80\xA6");
}

}  // namespace
}  // namespace xrca::text
