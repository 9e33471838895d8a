// The corpus of real-shaped variants (issue 15): every shape RMS software writes verifies, and
// every tampered copy of each fails. The variants are made here from hand-written templates
// (tests/data/shapes) and from the real Microsoft-signed vector; the expected verdicts are the
// property itself (a signed BODY verifies, a changed one does not), never the code's output.
#include "support/data_path.h"
#include "support/test_keys.h"

#include "xrml/chain.h"
#include "xrml/encoding.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <regex>

namespace xrca::xrml {
namespace {

using Transform = std::function<std::string(const std::string&)>;
struct Variant {
    std::string name;
    Transform apply;
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << path;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

std::string regex_all(const std::string& text, const char* pattern, const char* format) {
    return std::regex_replace(text, std::regex(pattern), format);
}

// Removes every element that starts with `open` and ends with `close`, with the indentation
// and line end before it.
std::string without(std::string text, const std::string& open, const std::string& close) {
    for (auto at = text.find(open); at != std::string::npos; at = text.find(open, at)) {
        const auto end = text.find(close, at) + close.size();
        auto begin = at;
        while (begin > 0 && (text[begin - 1] == ' ' || text[begin - 1] == '\t')) --begin;
        if (begin > 0 && text[begin - 1] == '\n') --begin;
        text.erase(begin, end - begin);
        at = begin;
    }
    return text;
}

std::string compact(const std::string& text) { return regex_all(text, R"re(>\s+<)re", "><"); }

// --- the variants of a BODY (each is signed again) -----------------------------------------

std::vector<Variant> body_variants() {
    const auto no_validity = [](const std::string& b) { return without(b, "<VALIDITYTIME>", "</VALIDITYTIME>"); };
    const auto no_descriptor = [](const std::string& b) { return without(b, "<DESCRIPTOR>", "</DESCRIPTOR>"); };
    const auto no_name = [](const std::string& b) { return without(b, "<NAME>", "</NAME>"); };
    const auto no_levels = [](const std::string& b) { return without(b, "<SECURITYLEVEL ", "/>"); };
    return {
        {"as written", [](const std::string& b) { return b; }},
        {"compact, as servers write", compact},
        {"CRLF line ends", [](const std::string& b) { return replace_all(b, "\n", "\r\n"); }},
        {"tab indentation", [](const std::string& b) { return regex_all(b, R"re(\n  )re", "\n\t"); }},
        {"attributes in the other order",
         [](const std::string& b) {
             auto out = regex_all(b, R"re(encoding="base64" size="(\d+)")re", R"re(size="$1" encoding="base64")re");
             out = regex_all(out, R"re(<BODY type="([^"]*)" version="([^"]*)">)re",
                             R"re(<BODY version="$2" type="$1">)re");
             return regex_all(out, R"re(<SECURITYLEVEL name="([^"]*)" value="([^"]*)")re",
                              R"re(<SECURITYLEVEL value="$2" name="$1")re");
         }},
        {"SECURITYLEVEL with an end tag",
         [](const std::string& b) {
             return regex_all(b, R"re(<SECURITYLEVEL ([^>]*[^ /]) ?/>)re", "<SECURITYLEVEL $1></SECURITYLEVEL>");
         }},
        {"empty-element tags without the space", [](const std::string& b) { return replace_all(b, " />", "/>"); }},
        {"ISSUEDTIME with seconds",
         [](const std::string& b) { return regex_all(b, R"re((<ISSUEDTIME>[^<]*))re", "$1:07"); }},
        {"no VALIDITYTIME", no_validity},
        {"no DESCRIPTOR", no_descriptor},
        {"no NAME", no_name},
        {"no SECURITYLEVEL", no_levels},
        {"every optional element absent, compact",
         [=](const std::string& b) { return compact(no_levels(no_name(no_descriptor(no_validity(b))))); }},
    };
}

// --- the variants of a signed document outside its BODY (no signing again) -----------------

// The SIGNATURE of each document with its three children in `order` (A = ALGORITHM, D =
// DIGEST, V = VALUE), separated by `gap`.
std::string signature_order(std::string doc, const std::string& order, const std::string& gap) {
    for (auto open = doc.find("<SIGNATURE>"); open != std::string::npos; open = doc.find("<SIGNATURE>", open + 1)) {
        const auto inner_begin = open + std::string("<SIGNATURE>").size();
        const auto inner_end = doc.find("</SIGNATURE>", inner_begin);
        std::string inner = doc.substr(inner_begin, inner_end - inner_begin);
        const auto d_begin = inner.find("<DIGEST>");
        const auto d_end = inner.find("</DIGEST>") + std::string("</DIGEST>").size();
        const std::string digest = inner.substr(d_begin, d_end - d_begin);
        inner.erase(d_begin, d_end - d_begin);
        const auto a_begin = inner.find("<ALGORITHM>");
        const std::string algorithm = inner.substr(a_begin, inner.find("</ALGORITHM>") + 12 - a_begin);
        const auto v_begin = inner.find("<VALUE");
        const std::string value = inner.substr(v_begin, inner.find("</VALUE>") + 8 - v_begin);
        std::string out = gap;
        for (const char c : order) out += (c == 'A' ? algorithm : c == 'D' ? digest : value) + gap;
        doc.replace(inner_begin, inner_end - inner_begin, out);
    }
    return doc;
}

// Applies `f` to the text outside every BODY, leaving each BODY's characters as they are.
std::string outside_bodies(const std::string& doc, const Transform& f) {
    std::string out;
    std::size_t from = 0;
    for (auto b = doc.find("<BODY"); b != std::string::npos; b = doc.find("<BODY", from)) {
        out += f(doc.substr(from, b - from));
        const auto e = doc.find("</BODY>", b) + std::string("</BODY>").size();
        out += doc.substr(b, e - b);
        from = e;
    }
    return out + f(doc.substr(from));
}

std::vector<Variant> outside_variants() {
    return {
        {"as signed", [](const std::string& d) { return d; }},
        {"SIGNATURE: ALGORITHM, DIGEST, VALUE", [](const std::string& d) { return signature_order(d, "ADV", ""); }},
        {"SIGNATURE: VALUE, DIGEST, ALGORITHM, indented",
         [](const std::string& d) { return signature_order(d, "VDA", "\r\n    "); }},
        {"SHA-1 and SHA-256 spelt with a dash",
         [](const std::string& d) {
             // In SIGNATURE only: an SPC's hardware-ID DIGEST names its algorithm inside BODY.
             return outside_bodies(d, [](const std::string& s) {
                 return replace_all(replace_all(s, "<ALGORITHM>SHA1</ALGORITHM>", "<ALGORITHM>SHA-1</ALGORITHM>"),
                                    "<ALGORITHM>SHA256</ALGORITHM>", "<ALGORITHM>SHA-256</ALGORITHM>");
             });
         }},
        {"whitespace around BODY and SIGNATURE",
         [](const std::string& d) {
             auto out = replace_all(d, "</BODY>", "</BODY>\r\n  \t");
             out = replace_all(out, "</SIGNATURE>", "\n</SIGNATURE>\r\n");
             return regex_all(out, R"re((<XrML[^>]*>))re", "$1\n  ");
         }},
        {"an XML declaration and CRLF line ends outside BODY",
         [](const std::string& d) {
             const bool declared = d.rfind("<?xml", 0) == 0;
             return (declared ? "" : "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n") +
                    outside_bodies(d, [](const std::string& s) { return replace_all(s, "\n", "\r\n"); });
         }},
        {"XrML attributes in the other order",
         [](const std::string& d) {
             return replace_all(d, "<XrML xmlns=\"\" version=\"1.2\">", "<XrML version=\"1.2\" xmlns=\"\">");
         }},
    };
}

std::string utf16(const std::string& utf8) {
    const auto units = to_utf16le(utf8);
    return std::string(units.begin(), units.end());
}

std::vector<Variant> encodings() {
    const std::string nul2("\0\0", 2);
    return {
        {"UTF-8", [](const std::string& d) { return d; }},
        {"UTF-8 with BOM", [](const std::string& d) { return "\xEF\xBB\xBF" + d; }},
        {"UTF-8 with a NUL terminator", [](const std::string& d) { return d + std::string(1, '\0'); }},
        {"UTF-16LE", [](const std::string& d) { return utf16(d); }},
        {"UTF-16LE with BOM", [](const std::string& d) { return "\xFF\xFE" + utf16(d); }},
        {"UTF-16LE with BOM and a NUL terminator", [=](const std::string& d) { return "\xFF\xFE" + utf16(d) + nul2; }},
    };
}

// --- tampering: each must make the document fail ------------------------------------------

std::string changed_at(std::string text, std::size_t at) {
    text[at] = text[at] == '0' ? '1' : '0';
    return text;
}

std::vector<Variant> tamperings(const std::string& signature_size) {
    return {
        // A character of the ISSUER's ID text.
        {"a BODY character",
         [](const std::string& d) { return changed_at(d, d.find("</ID>", d.find("<ISSUER>")) - 2); }},
        // An attribute value of BODY.
        {"a BODY attribute",
         [](const std::string& d) {
             const auto at = d.find("version=\"3.0\"", d.find("<BODY"));
             return changed_at(d, at + std::string("version=\"3.").size());
         }},
        // A byte of the signature value (its first base64 character).
        {"a signature byte",
         [=](const std::string& d) {
             const auto at = d.find("size=\"" + signature_size + "\">", d.find("<SIGNATURE>"));
             std::string out = d;
             const auto c = at + signature_size.size() + 8;
             out[c] = out[c] == 'A' ? 'B' : 'A';
             return out;
         }},
    };
}

// --- the property over the templates ---------------------------------------------------------

std::string filled_template(const std::string& file) {
    auto body = read_bytes(test::data_path("shapes/" + file));
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
    body = replace_all(body, "@ISSUER_KEY@", build_public_key_element(PublicKey::from_botan(test::test_key(2048, 11))));
    return replace_all(body, "@PRINCIPAL_KEY@",
                       build_public_key_element(PublicKey::from_botan(test::test_key(1024, 6))));
}

class Shapes : public ::testing::TestWithParam<const char*> {};

TEST_P(Shapes, EveryVariantVerifiesAndEveryTamperedCopyFails) {
    const auto base = filled_template(GetParam());
    std::size_t verified = 0;
    for (const auto& body : body_variants()) {
        const auto text = body.apply(base);
        ASSERT_NE(text, std::string()) << body.name;
        for (const auto algorithm : {DigestAlgorithm::Sha1, DigestAlgorithm::Sha256}) {
            const auto signed_doc = sign_document(text, test::test_key(2048, 11), algorithm, test::test_rng());
            for (const auto& outside : outside_variants()) {
                const auto doc = outside.apply(signed_doc);
                const std::string what =
                    body.name + " / " + digest_algorithm_xrml_name(algorithm) + " / " + outside.name;
                for (const auto& encoding : encodings()) {
                    try {
                        const auto set = read_documents(encoding.apply(doc));
                        ASSERT_EQ(set.documents.size(), 1u);
                        const auto verdict = verify_signature(set.documents[0]);
                        EXPECT_TRUE(verdict.ok()) << what << " / " << encoding.name << ": " << verdict.detail;
                        EXPECT_EQ(set.documents[0].raw.body_text(), text) << what;
                        ++verified;
                    } catch (const FormatError& e) {
                        ADD_FAILURE() << what << " / " << encoding.name << ": " << e.what();
                    }
                }
                for (const auto& tamper : tamperings("2048")) {
                    const auto tampered = tamper.apply(doc);
                    ASSERT_NE(tampered, doc) << what << " / " << tamper.name;
                    const auto set = read_documents(tampered);
                    EXPECT_FALSE(verify_signature(set.documents[0]).ok()) << what << " / " << tamper.name;
                }
            }
        }
    }
    EXPECT_EQ(verified, body_variants().size() * 2 * outside_variants().size() * encodings().size());
}

INSTANTIATE_TEST_SUITE_P(Templates, Shapes,
                         ::testing::Values("machine-certificate.body.xml", "publishing-licence.body.xml"),
                         [](const auto& param_info) {
                             std::string name = param_info.param;
                             return name.substr(0, name.find('.')) == "machine-certificate" ? std::string("Spc")
                                                                                            : std::string("Pl");
                         });

// The templates are what they claim: the SPC's hardware ID is over-long, the prose Repository is there.
TEST(ShapesTemplates, TheSpcTemplateHasTheRealOddities) {
    const auto doc = sign_document(filled_template("machine-certificate.body.xml"), test::test_key(2048, 11),
                                   DigestAlgorithm::Sha1, test::test_rng());
    const auto spc = read_documents(doc).documents.at(0);
    ASSERT_TRUE(spc.principal && spc.principal->digest);
    EXPECT_EQ(spc.principal->digest->value.size(), 40u);
    EXPECT_EQ(spc.principal->digest->algorithm, DigestAlgorithm::Sha1);
    EXPECT_EQ(spc.principal->security_level("Repository"), "Microsoft Windows secure repository 6.1.7600.16385");
    EXPECT_EQ(spc.kind(), "Machine-Certificate");
}

// --- the property over the real Microsoft-signed vector --------------------------------------

const char* const k_vector_anchor = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";

bool vector_verifies(const std::string& input, std::string& detail) {
    const auto set = read_documents(input);
    if (set.documents.size() != 8) {
        detail = std::to_string(set.documents.size()) + " documents";
        return false;
    }
    ChainOptions options;
    options.anchor_fingerprint = k_vector_anchor;
    options.at = Time::parse("2015-04-02T00:00");
    const auto report = verify_documents(set.documents, options);
    for (const auto& s : report.signatures) detail += s.detail + "; ";
    return report.ok();
}

TEST(ShapesVector, EveryVariationOutsideBodyVerifiesAndEveryTamperedCopyFails) {
    const auto vector = read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml"));
    for (const auto& outside : outside_variants()) {
        const auto doc = outside.apply(vector);
        for (const auto& encoding : encodings()) {
            std::string detail;
            EXPECT_TRUE(vector_verifies(encoding.apply(doc), detail))
                << outside.name << " / " << encoding.name << ": " << detail;
        }
        for (const auto& tamper : tamperings("1024")) {
            const auto tampered = tamper.apply(doc);
            ASSERT_NE(tampered, doc) << outside.name << " / " << tamper.name;
            std::string detail;
            EXPECT_FALSE(vector_verifies(tampered, detail)) << outside.name << " / " << tamper.name;
        }
    }
}

TEST(ShapesVector, TheVariationsDoChangeTheFile) {
    // Each variation outside "as signed" must change the text, or it proves nothing.
    const auto vector = read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml"));
    const auto variants = outside_variants();
    for (std::size_t i = 1; i < variants.size(); ++i) {
        if (variants[i].name == "XrML attributes in the other order") continue;  // the vector writes them apart
        EXPECT_NE(variants[i].apply(vector), vector) << variants[i].name;
    }
    const auto signed_doc = sign_document(filled_template("publishing-licence.body.xml"), test::test_key(2048, 11),
                                          DigestAlgorithm::Sha256, test::test_rng());
    for (std::size_t i = 1; i < variants.size(); ++i)
        EXPECT_NE(variants[i].apply(signed_doc), signed_doc) << variants[i].name;
    const auto base = filled_template("publishing-licence.body.xml");
    const auto bodies = body_variants();
    for (std::size_t i = 1; i < bodies.size(); ++i) EXPECT_NE(bodies[i].apply(base), base) << bodies[i].name;
}

}  // namespace
}  // namespace xrca::xrml
