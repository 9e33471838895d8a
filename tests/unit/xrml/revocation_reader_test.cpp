// The streaming revocation list reader: entries cut across piece boundaries read as a whole
// read gives them; hostile lists (deep nesting, huge attributes, truncation, malformed or
// unknown entries, faults in two places) fail with the very FormatError of the whole-document
// reader kept as the reference (support/dom_revocation_reader.h); a list whose BODY digest is
// wrong is read but indexes nothing; the index keeps what it is given.
#include "support/data_path.h"
#include "support/dom_revocation_reader.h"
#include "support/sample_chain.h"
#include "support/test_keys.h"

#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace xrca::xrml {
namespace {

const Time k_at = Time::parse("2026-03-02T12:00");

// Every REVOKE type, in turn; keys are random moduli (only their bytes matter to a list).
std::vector<RevokeEntry> mixed_entries(std::size_t n) {
    std::mt19937_64 rng(7);  // NOLINT(cert-msc32-c,cert-msc51-cpp): the same entries every run
    std::vector<RevokeEntry> out;
    for (std::size_t i = 0; i < n; ++i) {
        RevokeEntry e;
        e.type = static_cast<RevokeType>(i % 7);
        switch (e.type) {
            case RevokeType::LicenseHash:
                e.sha1.resize(20);
                for (auto& b : e.sha1) b = static_cast<std::uint8_t>(rng());
                break;
            case RevokeType::IssuerKey:
            case RevokeType::PrincipalKey: {
                std::vector<std::uint8_t> modulus(128);
                for (auto& b : modulus) b = static_cast<std::uint8_t>(rng());
                modulus.back() |= 0x80;
                modulus.front() |= 0x01;
                e.key = PublicKey::from_little_endian(modulus, 65537, 1024);
                break;
            }
            case RevokeType::LicenseId:
            case RevokeType::IssuerId:
            case RevokeType::ContentId:
            case RevokeType::PrincipalId:
                e.object = {e.type == RevokeType::PrincipalId ? "Group-Identity" : "",
                            {names::guid, "{5c0ffee0-0000-4000-8000-" + std::to_string(100000000000 + i) + "}"},
                            std::nullopt,
                            {}};
                break;
        }
        out.push_back(std::move(e));
    }
    return out;
}

// The REVOCATIONLIST start tag xrca writes (with the type attribute the RMS SDK's DTD requires).
const std::string k_list_open = "<REVOCATIONLIST type=\"Revocation-List\">";

std::string signed_list(const std::vector<RevokeEntry>& entries) {
    RevocationListTemplate t;
    t.id = "{2f1a5c3e-0000-4000-8000-000000000007}";
    t.issued = Time::parse("2026-03-01T12:00");
    t.validity = TimeRange{t.issued, Time::parse("2026-03-08T12:00")};
    const auto& signer = test::test_key(2048, 11);
    t.issuer = test::make_principal(names::revocation_list, names::guid, "{2f1a5c3e-0000-4000-8000-0000000000ff}",
                                    std::string("xrca revocation"), PublicKey::from_botan(signer));
    t.entries = entries;
    return sign_document(build_revocation_list_body(t), signer, DigestAlgorithm::Sha256, test::test_rng());
}

/** What a read gave: the entries (type and value) and the document text, or the error in full. */
struct Outcome {
    std::string error;
    std::string document;
    std::vector<std::pair<RevokeType, std::string>> entries;
    bool operator==(const Outcome& o) const {
        return error == o.error && document == o.document && entries == o.entries;
    }
};

std::ostream& operator<<(std::ostream& out, const Outcome& o) {
    return out << (o.error.empty() ? "read " + std::to_string(o.entries.size()) + " entries" : o.error);
}

template <typename Read>
Outcome outcome(Read&& read) {
    Outcome o;
    try {
        const RevocationList list = read();
        o.document = list.document.raw.text;
        for (const auto& e : list.entries) o.entries.emplace_back(e.type, e.match_value());
    } catch (const FormatError& e) {
        o.error = std::string(e.what()) + " | reason " + format_reason_name(e.reason()) + " | path '" + e.path() +
                  "' | document " + (e.document() ? std::to_string(*e.document()) : "-");
    }
    return o;
}

Outcome streamed(std::string_view text, std::size_t chunk_bytes) {
    return outcome([&] {
        RevocationReadOptions options;
        options.chunk_bytes = chunk_bytes;
        RevocationList list;
        list.document = read_revocation_list_streaming(
            std::string(text), options, [](const Certificate&, std::size_t) { return true; },
            [&](const RevokeEntry& e) { list.entries.push_back(e); });
        return list;
    });
}

Outcome reference(std::string_view text) {
    return outcome([&] { return test::read_revocation_list_with_dom(text); });
}

// The streaming reader, with pieces from one element each to the default, against the reference.
void expect_as_reference(std::string_view text, const std::string& what, bool fails) {
    const auto expected = reference(text);
    EXPECT_EQ(!expected.error.empty(), fails) << what << ": " << expected;
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{300}, std::size_t{4096}, std::size_t{256} * 1024})
        EXPECT_EQ(streamed(text, chunk), expected) << what << ", pieces of " << chunk << " bytes";
    EXPECT_EQ(outcome([&] { return read_revocation_list(text); }), expected) << what;
}

std::string replaced(std::string text, const std::string& from, const std::string& to, std::size_t nth = 0) {
    std::size_t at = text.find(from);
    for (std::size_t i = 0; i < nth && at != std::string::npos; ++i) at = text.find(from, at + 1);
    if (at == std::string::npos) throw std::logic_error("no '" + from + "' to replace");
    return text.replace(at, from.size(), to);
}

class RevocationReader : public ::testing::Test {
protected:
    std::vector<RevokeEntry> entries = mixed_entries(60);
    std::string good = signed_list(entries);
};

TEST_F(RevocationReader, EntriesCutAcrossPiecesReadAsAWholeRead) {
    const auto expected = reference(good);
    ASSERT_TRUE(expected.error.empty()) << expected;
    ASSERT_EQ(expected.entries.size(), entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(expected.entries[i].second, entries[i].match_value());
    // Every piece size from one entry per piece up to the whole list in one.
    for (std::size_t chunk = 1; chunk < good.size(); chunk = chunk * 3 + 17)
        EXPECT_EQ(streamed(good, chunk), expected) << "pieces of " << chunk << " bytes";
    // The document keeps its exact text, so its signature verifies over the same BODY bytes.
    const auto list = read_revocation_list(good);
    EXPECT_EQ(list.document.raw.text, good);
    EXPECT_TRUE(verify_signature(list.document).ok());
}

TEST_F(RevocationReader, TheHeaderIsToldBeforeAnyEntryWithTheNumberOfEntries) {
    std::vector<std::string> events;
    RevocationReadOptions options;
    options.chunk_bytes = 500;
    (void)read_revocation_list_streaming(
        good, options,
        [&](const Certificate& d, std::size_t revokes) {
            events.push_back("header " + d.descriptor->id.value + " " + std::to_string(revokes));
            return true;
        },
        [&](const RevokeEntry& e) { events.push_back(e.match_value()); });
    ASSERT_EQ(events.size(), entries.size() + 1);
    EXPECT_EQ(events.front(), "header {2f1a5c3e-0000-4000-8000-000000000007} 60");
    EXPECT_EQ(events.back(), entries.back().match_value());
    // A header that does not want the entries gets none, and they are still read strictly.
    std::size_t handed = 0;
    const auto refuse = [](const Certificate&, std::size_t) { return false; };
    (void)read_revocation_list_streaming(good, options, refuse, [&](const RevokeEntry&) { ++handed; });
    EXPECT_EQ(handed, 0u);
    EXPECT_THROW((void)read_revocation_list_streaming(replaced(good, "license-id", "license-xx", 3), options, refuse,
                                                      [](const RevokeEntry&) {}),
                 FormatError);
}

TEST_F(RevocationReader, TheSampleListFileAndItsUtf16FormReadAsTheReference) {
    std::ifstream in(test::data_path("revocation/sample-list.xml"), std::ios::binary);
    const std::string sample(std::istreambuf_iterator<char>(in), {});
    expect_as_reference(sample, "the sample list", false);
    std::vector<std::uint8_t> utf16{0xFF, 0xFE};
    append_utf16le(good, utf16);
    expect_as_reference(std::string(utf16.begin(), utf16.end()), "UTF-16LE with BOM", false);
    expect_as_reference("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n" + good + "\n<!-- end -->\n", "BOM, prolog, comment",
                        false);
}

TEST_F(RevocationReader, MalformedEntriesFailAsTheReferenceDoesNamingTheElement) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"an unknown type in the middle", replaced(good, "license-id", "license-xx", 5)},
        {"an unknown category", replaced(good, "category=\"principal\"", "category=\"license\"", 2)},
        {"an empty ID", replaced(good, "{5c0ffee0-0000-4000-8000-100000000014}", " ")},
        {"an ID without its element",
         replaced(good, "<ID type=\"MS-GUID\">{5c0ffee0", "<IX type=\"MS-GUID\">{5c0ffee0", 2)},
        {"a second OBJECT", replaced(good, "</OBJECT></REVOKE>", "</OBJECT><OBJECT/></REVOKE>", 4)},
        {"a hash that is not base64", replaced(good, "<VALUE encoding=\"base64\" size=\"160\">", "<VALUE>!!", 0)},
        {"a hash that is not SHA-1", replaced(good, "<ALGORITHM>SHA1</ALGORITHM>", "<ALGORITHM>MD5</ALGORITHM>", 1)},
        {"a key that is not RSA", replaced(good, "<ALGORITHM>RSA</ALGORITHM>", "<ALGORITHM>DSA</ALGORITHM>", 3)},
        {"an element where an ID's text belongs", replaced(good, "{5c0ffee0-0000-4000-8000-100000000021}", "<B/>")},
        {"two faulty entries: the first is named",
         replaced(replaced(good, "license-id", "license-xx", 6), "license-id", "license-yy", 2)},
    };
    for (const auto& [what, text] : cases) expect_as_reference(text, what, true);
    // With a single REVOKE its path carries no index, as the whole-document reader names it.
    expect_as_reference(replaced(signed_list(mixed_entries(1)), "license-id", "license-xx"), "the only entry", true);
    const auto e = outcome([&] { return read_revocation_list(replaced(good, "license-id", "license-xx", 5)); });
    EXPECT_NE(e.error.find("XrML/BODY/REVOCATIONLIST/REVOKE[35]"), std::string::npos) << e;
}

TEST_F(RevocationReader, MalformedXmlFailsAtTheSameCharacterAsTheReference) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"an attribute without quotes", replaced(good, "type=\"license-hash\"", "type=license-hash", 4)},
        {"a bad attribute outside any REVOKE", replaced(good, "<REVOKE ", "<NOTE a=1/><REVOKE ", 30)},
        {"an undefined entity", replaced(good, "{5c0ffee0", "&bogus;{5c0ffee0", 9)},
        {"a DOCTYPE inside the list", replaced(good, "<REVOKE ", "<!DOCTYPE x><REVOKE ", 9)},
        {"mismatched tags", replaced(good, "</OBJECT></REVOKE>", "</OBJECT></REVOKX>", 9)},
        {"a bad entry and, later, a bad SIGNATURE",
         replaced(replaced(good, "license-id", "license-xx", 2), "<SIGNATURE>", "<SIGNATURE a=b>")},
        {"a bad entry and a header without ISSUEDTIME",
         replaced(replaced(replaced(good, "license-id", "license-xx", 2), "ISSUEDTIME>", "ISSUEDTIMX>"), "ISSUEDTIME>",
                  "ISSUEDTIMX>")},
        {"a header fault and malformed XML in an entry",
         replaced(replaced(replaced(good, "ISSUEDTIME>", "ISSUEDTIMX>"), "ISSUEDTIME>", "ISSUEDTIMX>"),
                  "type=\"license-hash\"", "type=license-hash", 7)},
        {"malformed XML in an entry and after the list",
         replaced(replaced(good, "<SIGNATURE>", "<SIGNATURE a=b>"), "type=\"license-hash\"", "type=license-hash", 7)},
        {"malformed XML before the list and in an entry",
         replaced(replaced(good, "<ISSUEDTIME>", "<ISSUEDTIME a=b>"), "type=\"license-hash\"", "type=license-hash", 7)},
        {"comments, CDATA and instructions between entries",
         replaced(replaced(good, "<REVOKE ", "<!-- c --><![CDATA[x]]><?pi x?>\n<REVOKE ", 20), "<REVOKE ",
                  "text<REVOKE ", 21)},
    };
    for (const auto& [what, text] : cases) {
        const bool reads = what.rfind("comments", 0) == 0;
        expect_as_reference(text, what, !reads);
    }
}

TEST_F(RevocationReader, HostileListsFailAsTheReferenceDoes) {
    // Deep nesting inside an entry, within and beyond the limit.
    std::string deep_open, deep_close;
    for (int i = 0; i < 60; ++i) {
        deep_open += "<N>";
        deep_close += "</N>";
    }
    expect_as_reference(replaced(good, "</REVOKE>", deep_open + deep_close + "</REVOKE>", 8), "nesting 60 deep", true);
    expect_as_reference(replaced(good, "</REVOKE>", "<N><N><N></N></N></N></REVOKE>", 8), "nesting a little", false);
    // A huge attribute on an entry, and a huge ID.
    const std::string huge(4 * 1024 * 1024, 'a');
    expect_as_reference(replaced(good, "<REVOKE ", "<REVOKE x=\"" + huge + "\" ", 12), "a 4 MiB attribute", false);
    expect_as_reference(replaced(good, "{5c0ffee0", huge + "{5c0ffee0", 12), "a 4 MiB ID", false);
    expect_as_reference(replaced(good, "<REVOKE ", "<REVOKE x=\"" + huge + "\" x=\"1\" ", 12), "a duplicate attribute",
                        false);
    // Truncated anywhere: inside an entry, between entries, in the header, in the signature.
    for (std::size_t cut = 1; cut < good.size(); cut += good.size() / 97)
        expect_as_reference(good.substr(0, cut), "cut at " + std::to_string(cut), true);
    // Not one list: two, none, another kind of document, no or two REVOCATIONLISTs.
    expect_as_reference(good + good, "two lists", true);
    expect_as_reference(good + replaced(good, "license-id", "license-xx", 2), "a list and a faulty one", true);
    expect_as_reference(test::build_sample_hierarchy({2}).rac, "a RAC", true);
    expect_as_reference(
        replaced(replaced(good, k_list_open, "<REVOCATIONLISX>"), "</REVOCATIONLIST>", "</REVOCATIONLISX>"),
        "no REVOCATIONLIST", true);
    expect_as_reference(
        replaced(good, "</REVOCATIONLIST>", "</REVOCATIONLIST><REVOCATIONLIST><REVOKE/></REVOCATIONLIST>"),
        "two REVOCATIONLISTs", true);
    expect_as_reference(replaced(good, k_list_open, "<REVOCATIONLIST a=b>"), "a bad REVOCATIONLIST tag", true);
    expect_as_reference("<!DOCTYPE x [<!ENTITY a \"b\">]><XrML/>", "a DOCTYPE", true);
    const char with_nul[] = "<XrML version=\"1.2\"><BODY>\0</BODY></XrML>";
    expect_as_reference(std::string(with_nul, sizeof with_nul - 1), "a NUL byte", true);
    // Larger than the limit: refused by its size before it is read.
    EXPECT_THROW((void)read_revocation_list(good, good.size() - 1), FormatError);
    EXPECT_THROW((void)read_checked_list(good, k_at, std::nullopt, RevocationReadOptions{good.size() - 1, 4096}),
                 FormatError);
}

TEST_F(RevocationReader, AListWhoseBodyDigestIsWrongIsReadButIndexesNothing) {
    // Tamper with an entry after signing: the BODY no longer has the signed digest.
    const auto tampered =
        replaced(good, "{5c0ffee0-0000-4000-8000-100000000014}", "{5c0ffee0-0000-4000-8000-100000000015}");
    const auto checked = read_checked_list(tampered, k_at, std::nullopt, {k_max_revocation_list_bytes, 300});
    EXPECT_NE(checked.problem.find("signature"), std::string::npos) << checked.problem;
    EXPECT_EQ(checked.index.size(), 0u);
    // The same with the DIGEST value itself changed.
    const auto digest_at = good.find("<VALUE encoding=\"base64\" size=\"256\">") + 36;
    auto wrong_digest = good;
    wrong_digest[digest_at] = wrong_digest[digest_at] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(read_checked_list(wrong_digest, k_at, std::nullopt).problem.empty());
    // A stale list: read, not indexed.
    EXPECT_NE(read_checked_list(good, k_at, 60).problem.find("allowed age"), std::string::npos);
    // The good list indexes every entry, as check_list over its entries does.
    const auto usable = read_checked_list(good, k_at, std::nullopt, {k_max_revocation_list_bytes, 300});
    ASSERT_TRUE(usable.problem.empty()) << usable.problem;
    EXPECT_EQ(usable.list_id, "{2f1a5c3e-0000-4000-8000-000000000007}");
    EXPECT_EQ(usable.index.size(), entries.size());
    const auto by_entries = check_list(read_revocation_list(good), k_at, std::nullopt);
    EXPECT_EQ(by_entries.index.size(), entries.size());
    for (const auto& e : entries) {
        const auto m = usable.index.find_value(e.type, e.match_value());
        ASSERT_TRUE(m) << e.match_value();
        EXPECT_EQ(m->list_id, usable.list_id);
        EXPECT_TRUE(by_entries.index.find_value(e.type, e.match_value()));
    }
    // A malformed entry fails the read even though the signature is checked first.
    EXPECT_THROW((void)read_checked_list(replaced(good, "license-id", "license-xx", 5), k_at, std::nullopt),
                 FormatError);
}

TEST_F(RevocationReader, ListsWithAndWithoutTheTypeAttributeAreRead) {
    // xrca writes the attribute the SDK's DTD requires; the SDK's and TechNet's samples omit it.
    ASSERT_NE(good.find(k_list_open), std::string::npos);
    RevocationListTemplate t;
    t.id = "{2f1a5c3e-0000-4000-8000-000000000008}";
    t.issued = Time::parse("2026-03-01T12:00");
    const auto& signer = test::test_key(2048, 11);
    t.issuer = test::make_principal(names::revocation_list, names::ascii_tag, "External revocation authority",
                                    std::nullopt, PublicKey::from_botan(signer));
    t.entries = mixed_entries(7);
    const auto body = build_revocation_list_body(t);
    for (const std::string open : {"<REVOCATIONLIST>", "<REVOCATIONLIST type=\"something else\">"}) {
        const auto list =
            sign_document(replaced(body, k_list_open, open), signer, DigestAlgorithm::Sha1, test::test_rng());
        const auto checked = read_checked_list(list, k_at, std::nullopt);
        EXPECT_TRUE(checked.problem.empty()) << open << ": " << checked.problem;
        EXPECT_EQ(checked.index.size(), 7u) << open;
        EXPECT_EQ(read_revocation_list(list).entries.size(), 7u) << open;
    }
}

TEST(RevocationIndexTable, KeepsEveryValueAndTheFirstListThatNamedIt) {
    RevocationIndex index;
    std::vector<std::string> values;
    for (int i = 0; i < 20000; ++i) values.push_back("value-" + std::to_string(i * 7919));
    for (std::size_t i = 0; i < values.size(); ++i)
        index.add(i % 2 ? RevokeType::LicenseId : RevokeType::ContentId, values[i], i < 10000 ? "list-a" : "list-b");
    index.add(RevokeType::LicenseId, values[1], "list-c");  // already there: list-a keeps it
    EXPECT_EQ(index.size(), values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto type = i % 2 ? RevokeType::LicenseId : RevokeType::ContentId;
        const auto m = index.find_value(type, values[i]);
        ASSERT_TRUE(m) << values[i];
        EXPECT_EQ(m->list_id, i < 10000 ? "list-a" : "list-b");
        EXPECT_FALSE(index.find_value(i % 2 ? RevokeType::ContentId : RevokeType::LicenseId, values[i]))
            << "the type is part of the key";
    }
    EXPECT_EQ(index.find_value(RevokeType::LicenseId, values[1])->list_id, "list-a");
    EXPECT_FALSE(index.find_value(RevokeType::LicenseId, "value-1"));
    EXPECT_FALSE(index.find_value(RevokeType::LicenseId, ""));
    // A copy is a whole index of its own.
    RevocationIndex copy = index;
    index = RevocationIndex();
    EXPECT_EQ(copy.size(), values.size());
    EXPECT_TRUE(copy.find_value(RevokeType::ContentId, values[0]));
    EXPECT_FALSE(index.find_value(RevokeType::ContentId, values[0]));
    EXPECT_GT(copy.memory_bytes(), 0u);
}

}  // namespace
}  // namespace xrca::xrml
