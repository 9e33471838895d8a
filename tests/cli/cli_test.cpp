// The real `xrca` binary, run as a user would: exit codes, verdicts and JSON (CLI.md).
#include "support/data_path.h"
#include "support/sample_chain.h"

#include "xrml/reader.h"
#include "xrml/templates.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace xrca {
namespace {

const std::string k_anchor = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";

struct Run {
    int exit_code = -1;
    std::string out;
};

Run run(const std::string& args) {
    const std::string cmd = std::string(XRCA_BINARY) + " " + args + " 2>&1";
    Run r;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-cli-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string write(const std::string& name, const std::string& content) {
        const auto path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
    std::string vector_path() const { return test::data_path("vectors/ms-onprem-pl-chain-2015.xml"); }
    std::string vector_text() const {
        std::ifstream in(vector_path(), std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    std::string m_dir;
};

TEST_F(Cli, VerifiesTheRealVectorWithItsPinnedAnchor) {
    const auto r = run("verify " + vector_path() + " --anchor " + k_anchor + " --at 2015-04-02T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("verdict: VERIFIED"), std::string::npos) << r.out;
}

TEST_F(Cli, AcceptsTheAnchorAsAPublicKeyFile) {
    const auto set = xrml::read_documents(vector_text());
    const auto anchor = write("anchor.pub.xml", xrml::build_public_key_element(*set.documents[7].issuer.key));
    const auto r = run("verify " + vector_path() + " --anchor " + anchor + " --at 2015-04-02T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(Cli, WithoutAnAnchorSaysTrustWasNotEstablished) {
    const auto r = run("verify " + vector_path() + " --at 2015-04-02T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("trust was NOT established"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(k_anchor), std::string::npos) << "the top key should be printed";
}

TEST_F(Cli, AnExpiredLeafIsRefused) {
    const auto r = run("verify " + vector_path() + " --anchor " + k_anchor + " --at 2016-01-01T00:00");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("[expired]"), std::string::npos) << r.out;
}

TEST_F(Cli, ATamperedDocumentIsRefusedWithItsReason) {
    auto text = vector_text();
    const auto at = text.find("CorpRights</NAME>");
    text[at] = 'K';
    const auto r = run("verify " + write("tampered.xml", text) + " --anchor " + k_anchor + " --at 2015-04-02T00:00");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("digest-mismatch"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("NOT VERIFIED"), std::string::npos) << r.out;
}

TEST_F(Cli, JsonReportsEveryDocumentAndChain) {
    const auto r = run("verify " + vector_path() + " --anchor " + k_anchor + " --at 2015-04-02T00:00 --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.rfind("{\"verified\":true,\"trust_established\":true", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("\"path\":[0,1,4,5,6,7]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"body_form\":\"whitespace-normalised\""), std::string::npos);
}

TEST_F(Cli, ShowJsonListsTheDocumentFields) {
    const auto r = run("show " + vector_path() + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    for (const char* field : {"\"index\":7", "\"body_type\":\"LICENSE\"", "\"kind\":\"Client-Licensor-Certificate\"",
                              "\"id\":\"{a5a2b9ad-705c-40e6-87fe-52ce110b91f6}\"", "\"issued\":\"2015-04-01T21:19\"",
                              "\"valid_from\":null", "\"digest_algorithm\":\"SHA1\"", "\"key_fingerprint\":\"25e6de94"}) {
        EXPECT_NE(r.out.find(field), std::string::npos) << field;
    }
}

TEST_F(Cli, OurOwnChainsVerifyFromUtf16Files) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto path = write("rac.xml", xrml::encode_output(h.rac_chain(), xrml::SourceEncoding::Utf16LeBom));
    const auto r = run("verify " + path + " --anchor " + h.anchor_fingerprint + " --at 2026-06-01T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(Cli, MalformedInputNamesTheDocument) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    std::string text = h.slc_chain();
    text.resize(text.size() - 40);
    const auto r = run("verify " + write("cut.xml", text));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("document 3"), std::string::npos) << r.out;
}

TEST_F(Cli, ExitCodesForUsageAndMissingFiles) {
    EXPECT_EQ(run("verify").exit_code, 2);
    EXPECT_EQ(run("verify --bogus x.xml").exit_code, 2);
    EXPECT_EQ(run("frobnicate").exit_code, 2);
    EXPECT_EQ(run("verify " + m_dir + "/missing.xml").exit_code, 4);
    EXPECT_EQ(run("verify " + vector_path() + " --at yesterday").exit_code, 2);
    EXPECT_EQ(run("verify " + vector_path() + " --anchor 1234").exit_code, 2);
}

TEST_F(Cli, HelpExplainsWithAnExample) {
    const auto r = run("verify --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("example:"), std::string::npos);
    EXPECT_NE(run("--help").out.find("verify"), std::string::npos);
}

TEST_F(Cli, AHugeFileIsRefusedNotRead) {
    const auto path = m_dir + "/huge.xml";
    {
        std::ofstream f(path, std::ios::binary);
        f.seekp(50 * 1024 * 1024);
        f.put(' ');
    }
    const auto r = run("verify " + path);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("accepted"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xrca
