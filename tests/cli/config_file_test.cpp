// The configuration file's parser (cli/config_file.h).
#include "cli/config_file.h"

#include "ca/errors.h"

#include <gtest/gtest.h>

namespace xrca::cli {
namespace {

const std::vector<ConfigKey> k_keys = {
    {"listen", ConfigKey::Kind::Repeatable}, {"threads"}, {"tls-cert"}, {"warm-key-pool", ConfigKey::Kind::Flag}};

std::string refusal(const std::string& text) {
    try {
        parse_config(text, "x.conf", k_keys);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
        return e.what();
    }
    return "(accepted)";
}

TEST(ConfigFile, KeysValuesCommentsAndQuotes) {
    const auto entries = parse_config(
        "# a comment\n\n  listen = 127.0.0.1:8080\r\nlisten=[::1]:8080\n\tthreads\t=\t4  \n"
        "tls-cert = \"/etc/xrca/my cert #1.pem\"\nwarm-key-pool = false\n",
        "x.conf", k_keys);
    ASSERT_EQ(entries.size(), 5u);
    EXPECT_EQ(entries[0].key, "listen");
    EXPECT_EQ(entries[0].value, "127.0.0.1:8080");
    EXPECT_EQ(entries[0].line, 3u);
    EXPECT_EQ(entries[1].value, "[::1]:8080");
    EXPECT_EQ(entries[2].value, "4");
    EXPECT_EQ(entries[3].value, "/etc/xrca/my cert #1.pem");
    EXPECT_EQ(entries[4].value, "false");
    EXPECT_EQ(parse_config("tls-cert = \"a\\\"b\\\\c\"", "x.conf", k_keys).at(0).value, "a\"b\\c");
    EXPECT_EQ(parse_config("tls-cert = a=b", "x.conf", k_keys).at(0).value, "a=b");
}

TEST(ConfigFile, EveryMistakeNamesItsLine) {
    EXPECT_EQ(refusal("threads = 1\nbogus = 2\n"), "x.conf:2: unknown key 'bogus'");
    EXPECT_EQ(refusal("\n\nthreads\n"), "x.conf:3: expected KEY = VALUE, not 'threads'");
    EXPECT_EQ(refusal("= 4\n"), "x.conf:1: no key before '='");
    EXPECT_EQ(refusal("threads =\n"), "x.conf:1: threads needs a value");
    EXPECT_EQ(refusal("threads = 1\nthreads = 2\n"), "x.conf:2: threads is given again (first on line 1)");
    EXPECT_EQ(refusal("warm-key-pool = 1\n"), "x.conf:1: warm-key-pool takes true or false, not '1'");
    EXPECT_EQ(refusal("tls-cert = \"open\n"), "x.conf:1: the quoted value has no closing quote");
    EXPECT_EQ(refusal("tls-cert = \"a\" b\n"), "x.conf:1: text after the closing quote");
    EXPECT_EQ(refusal("tls-cert = \"a\\n\"\n"), "x.conf:1: in a quoted value only \\\" and \\\\ are escapes");
    EXPECT_EQ(refusal("tls-cert = a\"b\n"), "x.conf:1: a quote inside an unquoted value");
    EXPECT_EQ(refusal("threads = 4 # four\n"),
              "x.conf:1: a comment goes on a line of its own (quote a value that "
              "holds ' #')");
    EXPECT_EQ(refusal("threads = \x1b[2J\n"), "x.conf:1: the line holds a control character");
    EXPECT_EQ(refusal("threads = \xff\n"), "x.conf:1: the line is not UTF-8");
    EXPECT_EQ(refusal("\x1b]0;x\x07 = 1\n"), "x.conf:1: the line holds a control character");
    EXPECT_EQ(refusal(std::string(5000, 'a')), "x.conf:1: the line is longer than 4096 bytes");
    // A key quoted in a message is printable whatever it was.
    EXPECT_EQ(refusal("b\xe2\x80\xaeogus = 1\n"), "x.conf:1: unknown key 'b\\u202eogus'");
}

}  // namespace
}  // namespace xrca::cli
