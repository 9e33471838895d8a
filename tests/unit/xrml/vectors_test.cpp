// The real Microsoft-signed vectors, driven by tests/data/vectors/expected.txt. If one of these
// fails, the verifier is wrong, not the vector.
#include "support/data_path.h"

#include "xrml/chain.h"
#include "xrml/reader.h"
#include "xrml/signature.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace xrca::xrml {
namespace {

struct VectorCase {
    std::map<std::string, std::string> fields;
    [[nodiscard]] const std::string& get(const std::string& k) const { return fields.at(k); }
};

std::vector<VectorCase> load_manifest() {
    std::ifstream in(test::data_path("vectors/expected.txt"));
    std::vector<VectorCase> cases;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        VectorCase c;
        std::istringstream words(line);
        std::string word;
        while (words >> word) {
            const auto eq = word.find('=');
            c.fields[word.substr(0, eq)] = word.substr(eq + 1);
        }
        cases.push_back(c);
    }
    return cases;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class Vectors : public ::testing::TestWithParam<VectorCase> {};

TEST_P(Vectors, VerifyAsTheManifestSays) {
    const auto& c = GetParam();
    const auto set = read_documents(read_bytes(test::data_path("vectors/" + c.get("file"))));
    ASSERT_EQ(set.documents.size(), std::stoul(c.get("documents")));

    ChainOptions options;
    options.anchor_fingerprint = c.get("anchor");
    options.at = Time::parse(c.get("at"));
    const auto report = verify_documents(set.documents, options);
    for (std::size_t i = 0; i < report.signatures.size(); ++i) {
        EXPECT_TRUE(report.signatures[i].ok()) << "document " << i << ": " << report.signatures[i].detail;
        EXPECT_STREQ(body_form_name(report.signatures[i].form), c.get("form").c_str()) << "document " << i;
    }
    EXPECT_EQ(report.ok(), c.get("result") == "verified");

    std::map<std::size_t, std::string> actual;
    for (const auto& chain : report.chains) {
        std::string path;
        for (auto p : chain.path) path += (path.empty() ? "" : ",") + std::to_string(p);
        actual[chain.leaf] = path;
        EXPECT_TRUE(chain.anchored) << "leaf " << chain.leaf;
    }
    std::istringstream expected(c.get("chains"));
    std::string item;
    std::size_t count = 0;
    while (std::getline(expected, item, ';')) {
        const auto colon = item.find(':');
        EXPECT_EQ(actual[std::stoul(item.substr(0, colon))], item.substr(colon + 1));
        ++count;
    }
    EXPECT_EQ(report.chains.size(), count);
}

INSTANTIATE_TEST_SUITE_P(Manifest, Vectors, ::testing::ValuesIn(load_manifest()), [](const auto& param_info) {
    std::string name = param_info.param.get("file");
    for (auto& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
});

// The named check: the CLC in document 1 chains to the pinned anchor.
TEST(VectorDetail, ClcInDocumentOneChainsToTheAnchor) {
    const auto set = read_documents(read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml")));
    std::vector<SignatureVerdict> verdicts;
    for (const auto& d : set.documents) verdicts.push_back(verify_signature(d));
    ChainOptions options;
    options.anchor_fingerprint = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";
    options.at = Time::parse("2030-01-01T00:00");  // a CLC has no VALIDITYTIME: time does not matter
    const auto chain = verify_chain_from(set.documents, 1, verdicts, options);
    EXPECT_TRUE(chain.ok()) << chain.detail;
    EXPECT_EQ(chain.path, (std::vector<std::size_t>{1, 4, 5, 6, 7}));
    EXPECT_EQ(set.documents[1].kind(), "Client-Licensor-Certificate");
}

TEST(VectorDetail, TheAnchorIsTheIssuerKeyOfTheLastDocument) {
    const auto set = read_documents(read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml")));
    EXPECT_EQ(set.documents[7].issuer.key->fingerprint(),
              "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d");
    EXPECT_EQ(set.documents[7].issuer.key->bits(), 2048u);
    EXPECT_EQ(set.documents[1].issuer.key->bits(), 1024u);
}

TEST(VectorDetail, NewlineInsideANameIsPartOfTheSignedText) {
    const auto set = read_documents(read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml")));
    ASSERT_TRUE(set.documents[0].descriptor->name.has_value());
    EXPECT_EQ(set.documents[0].descriptor->name->back(), '\n');
    EXPECT_TRUE(verify_signature(set.documents[0]).ok());
}

TEST(VectorDetail, WithoutTheTimeRuleThePublishingLicenceHasExpired) {
    const auto set = read_documents(read_bytes(test::data_path("vectors/ms-onprem-pl-chain-2015.xml")));
    ChainOptions options;
    options.anchor_fingerprint = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";
    options.at = Time::parse("2026-01-01T00:00");
    const auto report = verify_documents(set.documents, options);
    EXPECT_FALSE(report.ok());
    const auto& pl_chain = report.chains.front();
    EXPECT_EQ(pl_chain.leaf, 0u);
    EXPECT_EQ(pl_chain.failure, Failure::Expired);
}

}  // namespace
}  // namespace xrca::xrml
