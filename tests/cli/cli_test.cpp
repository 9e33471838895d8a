// The real `xrca` binary, run as a user would: exit codes, verdicts and JSON (CLI.md).
#include "support/command.h"
#include "support/data_path.h"
#include "support/raw_http.h"
#include "support/sample_chain.h"
#include "support/serve_process.h"

#include "store/factory.h"
#include "support/test_keys.h"
#include "text/clean.h"
#include "xrml/encoding.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <memory>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace xrca {
namespace {

const std::string k_anchor = "25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d";

using test::CommandResult;
using test::slurp;

CommandResult run(const std::string& args) { return test::run_command(std::string(XRCA_BINARY) + " " + args); }

/** U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8, built so that no literal in this file holds one. */
const std::string k_rlo = std::string("\xe2\x80") + "\xae";

bool has_line_starting(const std::string& out, const std::string& prefix) {
    return out.rfind(prefix, 0) == 0 || out.find("\n" + prefix) != std::string::npos;
}

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-cli-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }
    std::string write(const std::string& name, const std::string& content) {
        auto path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        // Owner-only, as password files should be (others' read access draws a warning).
        std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
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
    for (const char* field :
         {"\"index\":7", "\"body_type\":\"LICENSE\"", "\"kind\":\"Client-Licensor-Certificate\"",
          "\"id\":\"{a5a2b9ad-705c-40e6-87fe-52ce110b91f6}\"", "\"issued\":\"2015-04-01T21:19:00Z\"",
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

// Issue 15: real shapes `verify` once refused as malformed — an SPC whose hardware-ID DIGEST is
// longer than its declared SHA1, a licence without DESCRIPTOR, a UTF-16LE file ending in NUL.
TEST_F(Cli, RealShapesVerify) {
    const auto h = test::build_sample_hierarchy(test::Mode{2});
    const auto spc = test::build_sample_spc(
        test::Mode{2}, xrml::Digest{xrml::DigestAlgorithm::Sha1, std::vector<std::uint8_t>(40, 0x5c), 160});
    const auto chain = spc + h.activation_issuer + h.slc_chain();
    auto r = run("verify " + write("spc.xml", chain) + " --anchor " + h.anchor_fingerprint + " --at 2026-06-01T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto utf16 = xrml::encode_output(chain, xrml::SourceEncoding::Utf16LeBom) + std::string("\0\0", 2);
    r = run("verify " + write("spc16.xml", utf16) + " --anchor " + h.anchor_fingerprint + " --at 2026-06-01T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    // A CLC-shaped licence without DESCRIPTOR, signed by the SLC key: `show` and `verify` take it.
    const auto clc = xrml::read_documents(h.clc).documents[0];
    std::string body(clc.raw.body_text());
    body.erase(body.find("<DESCRIPTOR>"), body.find("</DESCRIPTOR>") + 13 - body.find("<DESCRIPTOR>"));
    const auto licence =
        xrml::sign_document(body, test::test_key(2048, 4), xrml::DigestAlgorithm::Sha256, test::test_rng());
    const auto path = write("no-descriptor.xml", licence + h.slc_chain());
    r = run("verify " + path + " --anchor " + h.anchor_fingerprint + " --at 2026-06-01T00:00");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = run("show " + path + " --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"kind\":\"\",\"id\":null"), std::string::npos) << r.out;
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
    EXPECT_EQ(run("verify " + m_dir + "/missing.xml").exit_code, 3);  // not found
    EXPECT_EQ(run("verify " + vector_path() + " --at yesterday").exit_code, 2);
    EXPECT_EQ(run("verify " + vector_path() + " --anchor 1234").exit_code, 2);
}

TEST_F(Cli, HelpExplainsWithAnExample) {
    const auto r = run("verify --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("example:"), std::string::npos);
    EXPECT_NE(run("--help").out.find("verify"), std::string::npos);
}

TEST_F(Cli, ShowAndVerifyEscapeUntrustedDocumentText) {
    // A name with a line break, a C1 control sequence introducer and a bidi override: allowed
    // in XML, and none of them may reach the terminal raw or start a line of its own.
    auto text = vector_text();
    const auto at = text.find("<NAME>CorpRights</NAME>");
    ASSERT_NE(at, std::string::npos);
    text.replace(at + 6, 10, "DRM&#10;document 9: forged&#x202e;&#x9b;2J");
    const auto path = write("hostile.xml", text);
    for (const std::string& command : {"show " + path, "verify " + path + " --anchor " + k_anchor}) {
        const auto r = run(command);
        EXPECT_EQ(r.out.find(k_rlo), std::string::npos) << command << ": " << r.out;
        EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << command << ": " << r.out;
        EXPECT_FALSE(has_line_starting(r.out, "document 9: forged")) << command << ": " << r.out;
    }
    const auto r = run("show " + path);
    EXPECT_NE(r.out.find("DRM\\ndocument 9: forged\\u202e\\x9b2J"), std::string::npos) << r.out;
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

namespace xrca {
namespace {

// The authority commands as an administrator runs them, on real data directories.
class AuthorityCli : public Cli {
protected:
    CommandResult x(const std::string& args, const std::string& password = "correct-horse-battery") {
        return run("--data " + m_dir + "/" + args +
                   (password.empty() ? "" : " --password-file " + password_file(password)));
    }
    std::string password_file(const std::string& password) { return write("pw-" + password, password + "\n"); }
};

TEST_F(AuthorityCli, AnAdministratorsDayFromInitToClc) {
    ASSERT_EQ(x("es init --role enrollment --name ExampleES").exit_code, 0);
    auto r = x("root init --role root --name CorpRights --url https://rms.example.test/_wmcs --self-enroll");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("state:        active"), std::string::npos) << r.out;
    r = run("client init --dir " + m_dir + "/alice --password-file " + password_file("client-password"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root issue rac --spc-chain " + m_dir + "/spc.xml --email alice@example.test -o " + m_dir + "/rac.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root issue clc --rac-chain " + m_dir + "/rac.xml -o " + m_dir + "/clc.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;

    const auto anchor = x("root anchor --fingerprint", "").out.substr(0, 64);
    for (const char* chain : {"spc.xml", "rac.xml", "clc.xml"}) {
        r = run("verify " + m_dir + "/" + chain + " --anchor " + anchor);
        EXPECT_EQ(r.exit_code, 0) << chain << ": " << r.out;
    }
    // The client recovers exactly the keys whose public halves the RAC and CLC carry.
    r = run("client unseal --dir " + m_dir + "/alice " + m_dir + "/rac.xml --password-file " +
            password_file("client-password"));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto rac =
        xrml::read_documents(
            std::string(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(m_dir + "/rac.xml")), {}))
            .documents.front();
    EXPECT_NE(r.out.find(rac.principal->key->fingerprint()), std::string::npos) << r.out;
    r = run("client unseal --dir " + m_dir + "/alice " + m_dir + "/clc.xml --password-file " +
            password_file("client-password"));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto clc =
        xrml::read_documents(
            std::string(std::istreambuf_iterator<char>(*std::make_unique<std::ifstream>(m_dir + "/clc.xml")), {}))
            .documents.front();
    EXPECT_NE(r.out.find(clc.principal->key->fingerprint()), std::string::npos) << r.out;

    r = x("root status --json", "");
    EXPECT_NE(r.out.find("\"Group-Identity-Credential\":1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"state\":\"active\""), std::string::npos) << r.out;
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
    r = x("root log --json", "");
    EXPECT_NE(r.out.find("\"operation\":\"GetClientLicensorCert\""), std::string::npos) << r.out;
}

TEST_F(AuthorityCli, TheExtranetUrlIsSetAtInitChangedLaterAndCarriedByRacsAndClcs) {
    auto r =
        x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll "
          "--extranet-url https://rms.example.org/_wmcs/");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root status", "");
    EXPECT_NE(r.out.find("extranet URL: https://rms.example.org/_wmcs\n"), std::string::npos) << r.out;
    ASSERT_EQ(run("client init --dir " + m_dir + "/m --password-file " + password_file("client-password")).exit_code,
              0);
    ASSERT_EQ(x("root issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/spc.xml").exit_code,
              0);
    const auto read = [&](const std::string& name) {
        std::ifstream in(m_dir + "/" + name, std::ios::binary);
        const std::string bytes(std::istreambuf_iterator<char>(in), {});
        return xrml::read_documents(bytes).documents.front().raw.text;
    };
    const auto issue = [&](const std::string& rac, const std::string& clc) {
        ASSERT_EQ(
            x("root issue rac --spc-chain " + m_dir + "/spc.xml --email alice@example.test -o " + m_dir + "/" + rac)
                .exit_code,
            0);
        ASSERT_EQ(x("root issue clc --rac-chain " + m_dir + "/" + rac + " -o " + m_dir + "/" + clc).exit_code, 0);
    };
    issue("rac.xml", "clc.xml");
    EXPECT_NE(read("rac.xml").find("https://rms.example.org/_wmcs/certification"), std::string::npos);
    EXPECT_NE(read("rac.xml").find("Extranet-Activation"), std::string::npos);
    EXPECT_NE(read("clc.xml").find("https://rms.example.org/_wmcs/licensing"), std::string::npos);
    EXPECT_NE(read("clc.xml").find("Extranet-License-Acquisition-URL"), std::string::npos);
    // Changed, then cleared: what is issued afterwards follows; bad values are refused and change nothing.
    EXPECT_EQ(x("root set-url --extranet ftp://x.example", "").exit_code, 2);
    EXPECT_EQ(x("root set-url", "").exit_code, 2);
    r = x("root set-url --extranet https://outside.example.org/_wmcs", "");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(x("root status --json", "").out.find("\"extranet_url\":\"https://outside.example.org/_wmcs\""),
              std::string::npos);
    issue("rac2.xml", "clc2.xml");
    EXPECT_NE(read("rac2.xml").find("https://outside.example.org/_wmcs/certification"), std::string::npos);
    ASSERT_EQ(x("root set-url --no-extranet", "").exit_code, 0);
    EXPECT_NE(x("root status --json", "").out.find("\"extranet_url\":null"), std::string::npos);
    issue("rac3.xml", "clc3.xml");
    EXPECT_EQ(read("rac3.xml").find("Extranet-Activation"), std::string::npos);
    EXPECT_EQ(read("clc3.xml").find("Extranet-License-Acquisition-URL"), std::string::npos);
    r = x("root log", "");
    EXPECT_NE(r.out.find("SetExtranetUrl"), std::string::npos) << r.out;
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
}

TEST_F(AuthorityCli, RefusalsHaveTheirExitCodesAndAreLogged) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
    ASSERT_EQ(run("client init --dir " + m_dir + "/m --password-file " + password_file("client-password")).exit_code,
              0);
    // A wrong key password: refused (1), logged, nothing issued.
    auto r =
        x("root issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/spc.xml", "wrong-password");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("wrong password"), std::string::npos) << r.out;
    // No password at all: a usage error that says how to give one.
    r = run("--data " + m_dir + "/root issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir +
            "/spc.xml < /dev/null");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--password-file"), std::string::npos) << r.out;
    // A licensing cluster awaiting enrollment: wrong state (3).
    ASSERT_EQ(x("lic init --role licensing --name L --url https://l.example.test/_wmcs").exit_code, 0);
    r = x("lic issue clc --rac-chain " + vector_path() + " -o " + m_dir + "/clc.xml");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("awaiting enrollment"), std::string::npos) << r.out;
    // A second init in the same directory is refused.
    EXPECT_EQ(x("root init --role root --name R2 --url https://r.example.test/_wmcs").exit_code, 1);
    r = x("root log", "");
    EXPECT_NE(r.out.find("refused"), std::string::npos) << r.out;
    EXPECT_EQ(x("root status --json", "").out.find("Machine-Certificate"), std::string::npos) << "nothing was issued";
}

TEST_F(AuthorityCli, TamperingWithTheLogInTheDatabaseIsDetected) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    EXPECT_EQ(x("es log --verify", "").exit_code, 0);
    const auto db = m_dir + "/es/xrca.db";
    {
        SQLite::Database database(db, SQLite::OPEN_READWRITE);
        ASSERT_EQ(database.exec("UPDATE enrollment_log SET caller = 'someone else' WHERE seq = 1"), 1);
    }
    const auto r = x("es log --verify", "");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("TAMPERED"), std::string::npos) << r.out;
}

TEST_F(AuthorityCli, ArchivedEntriesVerifyAloneAndTheLiveLogFromTheCheckpoint) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
    const auto a1 = m_dir + "/a1.jsonl";
    const auto a2 = m_dir + "/a2.jsonl";
    auto r = x("root log archive --before 2100-01-01T00:00 -o " + a1);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("archived entries 1.."), std::string::npos) << r.out;
    r = x("root log --verify", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("intact from archived checkpoint seq"), std::string::npos) << r.out;
    r = x("root log --json", "");
    EXPECT_EQ(r.out.find("\"seq\":1,"), std::string::npos) << "archived entries left the store: " << r.out;
    EXPECT_NE(r.out.find("\"operation\":\"LogArchive\""), std::string::npos) << r.out;

    r = run("log verify-archive " + a1);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("intact"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("genesis"), std::string::npos) << r.out;
    r = x("root log --verify --archive " + a1, "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("verified from its first entry"), std::string::npos) << r.out;

    // A second archive continues from the first's end; both check out in sequence.
    EXPECT_EQ(x("root trust remove " + std::string(64, 'a'), "").exit_code, 3);  // one more entry: a refusal
    r = x("root log archive --before 2100-01-01T00:00 -o " + a2);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = run("log verify-archive " + a1 + " " + a2);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = x("root log --verify --archive " + a1 + " --archive " + a2, "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = x("root log --verify --archive " + a2, "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("were not given"), std::string::npos) << r.out;
    // Out of order, or one missing at the end: refused, saying why.
    r = run("log verify-archive " + a2 + " " + a1);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("does not continue"), std::string::npos) << r.out;
    r = x("root log --verify --archive " + a1, "");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("an archive is missing"), std::string::npos) << r.out;

    // An archive is never written over another file.
    r = x("root log archive --before 2100-01-01T00:00 -o " + a1);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("exists"), std::string::npos) << r.out;
    EXPECT_EQ(run("log verify-archive " + a1).exit_code, 0) << "the first archive is untouched";

    // One byte changed in the archive, then in the live log: both are detected.
    auto text = slurp(a1);
    const auto at = text.find("\"operation\":\"Provision\"");
    ASSERT_NE(at, std::string::npos);
    text[at + 14] = 'p';
    write("a1-tampered.jsonl", text);
    r = run("log verify-archive " + m_dir + "/a1-tampered.jsonl");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("TAMPERED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("entry 1 "), std::string::npos) << r.out;
    {
        SQLite::Database database(m_dir + "/root/xrca.db", SQLite::OPEN_READWRITE);
        ASSERT_EQ(database.exec("UPDATE enrollment_log SET reason = 'nothing' WHERE seq = (SELECT MAX(seq) FROM "
                                "enrollment_log)"),
                  1);
    }
    r = x("root log --verify", "");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("TAMPERED"), std::string::npos) << r.out;
}

TEST_F(AuthorityCli, AnArchiveThatCannotBeWrittenRemovesNothing) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    const auto before = x("es log --json", "").out;
    auto r = x("es log archive --before 2100-01-01T00:00 -o " + m_dir + "/no-such-dir/a.jsonl");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("nothing was removed"), std::string::npos) << r.out;
    r = x("es log --verify", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("checkpoint"), std::string::npos) << r.out;
    EXPECT_EQ(x("es log --json", "").out.rfind(before.substr(0, before.size() - 2), 0), 0u)
        << "every entry is still there, in order";
    // An empty cut is refused, saying so.
    r = x("es log archive --before 2001-01-01T00:00 -o " + m_dir + "/a.jsonl");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("nothing to archive"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/a.jsonl"));
    // An enrollment service signs its archives with its own key.
    r = x("es log archive --before 2100-01-01T00:00 -o " + m_dir + "/a.jsonl");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(x("es log --verify --archive " + m_dir + "/a.jsonl", "").exit_code, 0);
}

TEST_F(AuthorityCli, HostileLogFieldsPrintEscapedAndExportAsValidUtf8) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    {
        // Bytes as an attacker's request could have left them before text was cleaned at the door.
        auto store = store::open_store(m_dir + "/es", store::OpenMode::Existing);
        store::LogEntry e;
        e.request_id = "r";
        e.time = "2026-01-01T00:00:00Z";
        e.operation = "Certify";
        e.caller = "anonymous from 1.2.3.4 [ua \x1b]0;owned\x07\x1b[2J]\n99  2026-01-01T00:00:00Z  Forged  accepted";
        e.inputs = "cut \xe2\x80 in the middle \xff\xfe";
        e.outcome = "refused";
        e.reason = "bidi " + k_rlo +
                   " txt.exe \xc2\x9b"
                   "31m";
        store->append_log(e);
    }
    auto r = x("es log", "");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\x07'), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(k_rlo), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\xc2\x9b"), std::string::npos) << r.out;
    EXPECT_FALSE(has_line_starting(r.out, "99  ")) << "a field forged a line: " << r.out;
    EXPECT_NE(r.out.find("\\x1b]0;owned\\x07"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\\u202e"), std::string::npos) << r.out;
    EXPECT_TRUE(text::is_valid_utf8(r.out));

    r = x("es log --json", "");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(text::is_valid_utf8(r.out)) << r.out;
    for (std::size_t i = 0; i + 1 < r.out.size(); ++i) {
        ASSERT_GE(static_cast<unsigned char>(r.out[i]), 0x20) << "a raw control byte in the JSON at " << i;
    }
    EXPECT_NE(r.out.find("\\u001b]0;owned\\u0007"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.front(), '[');
    EXPECT_EQ(r.out.substr(r.out.size() - 2), "]\n");

    // Archived exactly (the chain covers the raw bytes), and the archive is valid UTF-8 too.
    EXPECT_EQ(x("es log --verify", "").exit_code, 0);
    r = x("es log archive --before 2100-01-01T00:00 -o " + m_dir + "/a.jsonl");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(text::is_valid_utf8(slurp(m_dir + "/a.jsonl")));
    r = run("log verify-archive " + m_dir + "/a.jsonl");
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(AuthorityCli, TrustListsAreManagedAndLogged) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
    const auto key =
        write("other.pub.xml", xrml::build_public_key_element(xrml::PublicKey::from_botan(test::test_key(2048, 3))));
    auto r = x("root trust add --rac-issuer " + key + " --label partner", "");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    r = x("root trust list --json", "");
    EXPECT_NE(r.out.find("\"purpose\":\"rac-issuer\""), std::string::npos) << r.out;
    EXPECT_EQ(x("root trust add --rac-issuer " + key, "").exit_code, 1) << "already trusted";
    const auto fp = xrml::PublicKey::from_botan(test::test_key(2048, 3)).fingerprint();
    EXPECT_EQ(x("root trust remove " + fp, "").exit_code, 0);
    EXPECT_EQ(x("root trust remove " + fp, "").exit_code, 3) << "no longer there";
}

}  // namespace
}  // namespace xrca

namespace xrca {
namespace {

class OfflineCli : public Cli {
protected:
    CommandResult x(const std::string& args) {
        return run("--data " + m_dir + "/" + args + " --password-file " + write("pw", "correct-horse-battery\n"));
    }
};

TEST_F(OfflineCli, EnrollmentByFilesAsTheHelpDescribesIt) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    ASSERT_EQ(run("--data " + m_dir + "/es anchor -o " + m_dir + "/anchor.pub.xml").exit_code, 0);
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --trust-anchor " + m_dir +
                "/anchor.pub.xml")
                  .exit_code,
              0);
    auto r = x("root request -o " + m_dir + "/req.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // Without --yes and without a terminal, nothing is issued.
    r = x("es process " + m_dir + "/req.xml -o " + m_dir + "/resp.xml < /dev/null");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--yes"), std::string::npos) << r.out;
    r = x("es process " + m_dir + "/req.xml -o " + m_dir + "/resp.xml --yes");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("requester:   R"), std::string::npos) << r.out;
    r = x("root import " + m_dir + "/resp.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("the cluster is active"), std::string::npos) << r.out;
    EXPECT_EQ(x("root import " + m_dir + "/resp.xml").exit_code, 1) << "a replay is refused";
    EXPECT_EQ(x("root import " + write("junk.xml", "not a response")).exit_code, 1);
    r = run("--data " + m_dir + "/root log");
    EXPECT_NE(r.out.find("EnrollOffline-Import  refused"), std::string::npos) << r.out;
    EXPECT_EQ(run("--data " + m_dir + "/root log --verify").exit_code, 0);
}

}  // namespace
}  // namespace xrca

namespace xrca {
namespace {

TEST_F(Cli, PrincipalTokensArePrintedOnceAloneOnTheLastLine) {
    ASSERT_EQ(run("--data " + m_dir +
                  "/root init --role root --name R --url https://r.example.test/_wmcs --self-enroll "
                  "--password-file " +
                  write("pw", "correct-horse-battery\n"))
                  .exit_code,
              0);
    auto r = run("--data " + m_dir + "/root principal add alice --role user --email alice@example.test");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::string out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    const auto token = out.substr(out.rfind('\n') + 1);
    EXPECT_EQ(token.rfind("xrca_", 0), 0u) << r.out;
    r = run("--data " + m_dir + "/root principal list --json");
    EXPECT_NE(r.out.find("\"name\":\"alice\""), std::string::npos) << r.out;
    // Issue 15 item 5: the federated GUID of the email by default (Python's uuid5 in xrca's name space).
    EXPECT_NE(r.out.find("\"user_id\":\"{3c8b7e7f-cdad-589c-bcdc-731ba7d45cb9}\""), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(token), std::string::npos) << "list never shows a token";
    r = run("--data " + m_dir + "/root principal add bob --role enroll --json");
    EXPECT_NE(r.out.find("\"token\":\"xrca_"), std::string::npos) << r.out;
    EXPECT_EQ(run("--data " + m_dir + "/root principal add carol --role nobody").exit_code, 2);
    // A user ID is a SID or a GUID, nothing else.
    r = run("--data " + m_dir + "/root principal add dave --role user --email dave@example.test --user-id dave");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("'dave' is neither a Windows SID"), std::string::npos) << r.out;
    EXPECT_EQ(run("--data " + m_dir +
                  "/root principal add dave --role user --email dave@example.test --user-id "
                  "S-1-5-21-7-1004")
                  .exit_code,
              0);
    EXPECT_EQ(run("--data " + m_dir + "/root principal remove alice").exit_code, 0);
    EXPECT_EQ(run("--data " + m_dir + "/root principal remove alice").exit_code, 3);
}

// Issue 12 items 8 and 9 as an administrator manages them: grants shown (escaped), changed and
// logged; a sub-enroll principal's binding set and cleared.
TEST_F(Cli, PrincipalGrantsAndBindingsAreManagedAndShown) {
    const auto data = "--data " + m_dir + "/root ";
    ASSERT_EQ(run(data + "init --role root --name R --url https://r.example.test/_wmcs --self-enroll --password-file " +
                  write("pw", "correct-horse-battery\n"))
                  .exit_code,
              0);
    auto r = run(data + "principal add portal --role server --may-certify 'bob*' --may-certify 'S-1-5-21-7-*'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("receives their private keys"), std::string::npos) << r.out;
    // An email with a terminal escape and a line break is shown escaped, never raw.
    ASSERT_EQ(run(data + "principal add kiosk --role server --email \"$(printf 'k@x\\033[31m\\nforged')\"").exit_code,
              0);
    EXPECT_EQ(run(data + "principal add lic --role sub-enroll --may-certify '*'").exit_code, 2)
        << "grants are for servers";
    r = run(data + "principal list");
    EXPECT_NE(r.out.find("portal  server    "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("may-certify=S-1-5-21-7-*,bob*"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("k@x\\x1b[31m\\nforged"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "a terminal escape reached the output";
    EXPECT_NE(r.out.find("may-certify=its own user only"), std::string::npos) << r.out;
    r = run(data + "principal list --json");
    EXPECT_NE(r.out.find("\"may_certify\":[\"S-1-5-21-7-*\",\"bob*\"]"), std::string::npos) << r.out;

    EXPECT_EQ(run(data + "principal grant portal 'carol@example.test'").exit_code, 0);
    EXPECT_EQ(run(data + "principal grant portal 'carol@example.test'").exit_code, 1) << "held already";
    EXPECT_EQ(run(data + "principal grant nobody '*'").exit_code, 3);
    EXPECT_EQ(run(data + "principal revoke-grant portal 'bob*'").exit_code, 0);
    EXPECT_EQ(run(data + "principal revoke-grant portal 'bob*'").exit_code, 3);
    EXPECT_NE(run(data + "principal list").out.find("may-certify=S-1-5-21-7-*,carol@example.test"), std::string::npos);

    ASSERT_EQ(run(data + "principal add lic --role sub-enroll").exit_code, 0);
    EXPECT_NE(run(data + "principal list").out.find("cluster=(unbound)"), std::string::npos);
    EXPECT_EQ(run(data + "principal bind lic '{5E1F0000-0000-4000-8000-00000000C001}'").exit_code, 0);
    EXPECT_NE(run(data + "principal list").out.find("cluster={5E1F0000-0000-4000-8000-00000000C001}"),
              std::string::npos);
    EXPECT_EQ(run(data + "principal bind lic not-a-guid").exit_code, 2);
    EXPECT_EQ(run(data + "principal unbind lic").exit_code, 0);
    EXPECT_NE(run(data + "principal list").out.find("cluster=(unbound)"), std::string::npos);
    r = run(data + "log");
    for (const auto* operation : {"PrincipalGrant", "PrincipalRevokeGrant", "PrincipalBind"})
        EXPECT_NE(r.out.find(operation), std::string::npos) << operation << " is logged\n" << r.out;
}

}  // namespace
}  // namespace xrca

// ---------------------------------------------------------------------------------------------
// The online service as users run it: `xrca serve` processes on 127.0.0.1 (ephemeral ports),
// `xrca enroll` and `xrca client …` talking SOAP to them over HTTP and HTTPS.

#include <botan/pkcs8.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>
#include <botan/x509self.h>
#include <unistd.h>
#include <csignal>
#include <cstring>

namespace xrca {
namespace {

using test::ServeProcess;

std::string last_line(const std::string& out) {
    auto text = out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

class OnlineCli : public AuthorityCli, public ::testing::WithParamInterface<bool> {
protected:
    void SetUp() override {
        AuthorityCli::SetUp();
        if (!GetParam()) return;
        // A self-signed certificate for 127.0.0.1, as an administrator would make for a test.
        Botan::System_RNG rng;
        Botan::RSA_PrivateKey key(rng, 2048);
        Botan::X509_Cert_Options options("127.0.0.1/ZZ/xrca tests/online");
        options.ip = "127.0.0.1";
        options.dns = "localhost";
        const auto cert = Botan::X509::create_self_signed_cert(options, key, "SHA-256", rng);
        m_tls = " --tls-cert " + write("cert.pem", cert.PEM_encode()) + " --tls-key " +
                write("key.pem", Botan::PKCS8::PEM_encode(key));
        m_ca = " --ca-file " + m_dir + "/cert.pem";
    }
    std::unique_ptr<ServeProcess> serve(const std::string& node) {
        return std::make_unique<ServeProcess>("--data " + m_dir + "/" + node +
                                              " serve --listen 127.0.0.1:0 --threads 2" + m_tls + " --password-file " +
                                              password_file("correct-horse-battery"));
    }
    std::string token(const std::string& node, const std::string& args) {
        const auto r = x(node + " principal add " + args, "");
        EXPECT_EQ(r.exit_code, 0) << r.out;
        return last_line(r.out);
    }
    std::string client(const std::string& verb, const std::string& server, const std::string& token,
                       const std::string& extra = "") {
        // Only activation touches the machine's private key (it proves possession).
        return "client " + verb + " --dir " + m_dir + "/alice --server " + server + " --token " + token + m_ca +
               " --anchor " + m_dir + "/anchor.pub.xml" +
               (verb == "activate" ? " --password-file " + password_file("client-password") : "") + extra;
    }
    std::string m_tls, m_ca;
};

TEST_P(OnlineCli, EnrollSubEnrollActivateCertifyAndClcOnline) {
    const std::string scheme = GetParam() ? "https://" : "http://";
    // The enrollment service, serving Enroll to its `enroll` principals.
    ASSERT_EQ(x("es init --role enrollment --name ExampleES").exit_code, 0);
    ASSERT_EQ(x("es anchor -o " + m_dir + "/anchor.pub.xml", "").exit_code, 0);
    const auto enroll_token = token("es", "corp-root --role enroll");
    const auto es = serve("es");
    ASSERT_EQ(es->url.rfind(scheme, 0), 0u) << es->first_line;

    // A root cluster enrolls online: a wrong token first (refused, nothing changes), then the right one.
    ASSERT_EQ(x("root init --role root --name CorpRights --url https://rms.example.test/_wmcs --trust-anchor " + m_dir +
                "/anchor.pub.xml")
                  .exit_code,
              0);
    auto r = x("root enroll --server " + es->url + " --token xrca_not-a-token" + m_ca);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("System.UnauthorizedAccessException"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("a token on the command line can be read by every user"), std::string::npos) << r.out;
    EXPECT_NE(x("root status", "").out.find("awaiting-response"), std::string::npos);
    // The token from a file (issue 16): off the command line, and no warning for a private file.
    const auto token_file = write("corp-root.token", enroll_token + "\n");
    std::filesystem::permissions(token_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    r = x("root enroll --server " + es->url + " --token-file " + token_file + m_ca);
    EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(x("root status", "").out.find("state:        active"), std::string::npos);

    // A licensing cluster sub-enrolls with the root online.
    const auto sub_token = token("root", "lic-1 --role sub-enroll");
    const auto user_token = token("root", "alice --role user --email alice@example.test");
    const auto root = serve("root");
    ASSERT_FALSE(root->url.empty()) << root->first_line;
    ASSERT_EQ(x("lic init --role licensing --name Publishing --url https://lic.example.test/_wmcs --trust-anchor " +
                m_dir + "/anchor.pub.xml")
                  .exit_code,
              0);
    r = x("lic enroll --server " + root->url + " --token " + user_token + m_ca);
    EXPECT_EQ(r.exit_code, 1) << "a user may not sub-enroll: " << r.out;
    r = x("lic enroll --server " + root->url + " --token " + sub_token + m_ca);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto lic_user_token = token("lic", "alice --role user --email alice@example.test");
    const auto lic = serve("lic");
    ASSERT_FALSE(lic->url.empty()) << lic->first_line;

    // The client: a machine key, activation and certification at the root, a CLC at the licensing cluster.
    ASSERT_EQ(
        run("client init --dir " + m_dir + "/alice --password-file " + password_file("client-password")).exit_code, 0);
    r = run(client("activate", root->url, user_token));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = run(client("certify", root->url, user_token));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = run(client("clc", lic->url, lic_user_token));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    for (const char* chain : {"spc-chain.xml", "rac-chain.xml", "clc-chain.xml"}) {
        r = run("verify " + m_dir + "/alice/" + chain + " --anchor " + m_dir + "/anchor.pub.xml");
        EXPECT_EQ(r.exit_code, 0) << chain << ": " << r.out;
    }
    r = run("client unseal --dir " + m_dir + "/alice " + m_dir + "/alice/rac-chain.xml --password-file " +
            password_file("client-password"));
    EXPECT_EQ(r.exit_code, 0) << r.out;

    // Every request is in the servers' logs, with the transport and the principal.
    r = x("root log --json", "");
    EXPECT_NE(r.out.find("\"operation\":\"Certify\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("user:alice"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"outcome\":\"refused\""), std::string::npos) << "the user's SubEnroll attempt";
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
    r = x("es log --json", "");
    EXPECT_NE(r.out.find("enroll:corp-root"), std::string::npos) << r.out;
    if (GetParam()) {
        EXPECT_NE(r.out.find("(TLS)"), std::string::npos) << r.out;
    }
}

INSTANTIATE_TEST_SUITE_P(Transports, OnlineCli, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "https" : "http"; });

}  // namespace
}  // namespace xrca

// --- verify --revocation-list -----------------------------------------------------------------

#include "xrml/revocation.h"
#include "xrml/signature.h"

namespace xrca {
namespace {

std::string revocation_list_revoking(const std::string& id, const Botan::RSA_PrivateKey& signer) {
    xrml::RevocationListTemplate t;
    t.id = "{7d0c1a2b-0000-4000-8000-00000000000a}";
    t.issued = xrml::Time::parse("2026-03-01T12:00");
    t.issuer =
        test::make_principal(xrml::names::revocation_list, xrml::names::guid, "{7d0c1a2b-0000-4000-8000-0000000000ff}",
                             std::string("test revocation"), xrml::PublicKey::from_botan(signer));
    xrml::RevokeEntry e;
    e.type = xrml::RevokeType::LicenseId;
    e.object = {"", {xrml::names::guid, id}, std::nullopt, {}};
    t.entries.push_back(e);
    return xrml::sign_document(xrml::build_revocation_list_body(t), signer, xrml::DigestAlgorithm::Sha256,
                               test::test_rng());
}

TEST_F(Cli, VerifyHonoursRevocationListsFromEntitledSigners) {
    const auto h = test::build_sample_hierarchy({2});
    const auto chain = write("rac-chain.xml", h.rac_chain());
    const auto slc_id = xrml::read_documents(h.slc).documents.front().descriptor->id.value;
    const std::string base = "verify " + chain + " --anchor " + h.anchor_fingerprint + " --at 2026-03-02T12:00";
    // Signed by the enrollment service, which issued the SLC: the chain is revoked.
    const auto by_issuer = write("rl-issuer.xml", revocation_list_revoking(slc_id, test::test_key(2048, 3)));
    auto r = run(base + " --revocation-list " + by_issuer);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("REVOKED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(slc_id), std::string::npos) << r.out;
    r = run(base + " --revocation-list " + by_issuer + " --json");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("\"type\":\"license-id\""), std::string::npos) << r.out;
    // Too old for --max-age: ignored, and said so.
    r = run(base + " --revocation-list " + by_issuer + " --max-age 1h");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("ignored revocation list"), std::string::npos) << r.out;
    // Signed by a stranger: ignored.
    const auto by_stranger = write("rl-stranger.xml", revocation_list_revoking(slc_id, test::test_key(2048, 12)));
    r = run(base + " --revocation-list " + by_stranger);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("may not revoke"), std::string::npos) << r.out;
    // Not a list: a clear refusal naming the file.
    r = run(base + " --revocation-list " + chain);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("is not a revocation list"), std::string::npos) << r.out;
    EXPECT_EQ(run(base + " --revocation-list " + by_issuer + " --max-age soon").exit_code, 2);
}

}  // namespace
}  // namespace xrca

// --- revocation from the command line -----------------------------------------------------------

namespace xrca {
namespace {

class RevocationCli : public Cli {
protected:
    CommandResult x(const std::string& args, bool with_password = true) {
        return run(args + (with_password ? " --password-file " + write("pw", "correct-horse-battery\n") : ""));
    }
    std::string data(const std::string& name) const { return "--data " + m_dir + "/" + name + " "; }
    std::string id_of(const std::string& file) {
        std::ifstream in(m_dir + "/" + file, std::ios::binary);
        return xrml::read_documents(std::string(std::istreambuf_iterator<char>(in), {}))
            .documents.at(0)
            .descriptor->id.value;
    }
    // A self-enrolled root cluster with a machine and a RAC for each user.
    void cluster(const std::string& name, const std::string& extra, const std::vector<std::string>& users) {
        auto r = x(data(name) + "init --role root --name " + name + " --url https://" + name +
                   ".example.test/_wmcs --self-enroll " + extra);
        ASSERT_EQ(r.exit_code, 0) << r.out;
        r = x(data(name) + "issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/" + name +
              "-spc.xml");
        ASSERT_EQ(r.exit_code, 0) << r.out;
        for (const auto& u : users) {
            r = x(data(name) + "issue rac --spc-chain " + m_dir + "/" + name + "-spc.xml --email " + u +
                  "@example.test -o " + m_dir + "/" + name + "-" + u + ".xml");
            ASSERT_EQ(r.exit_code, 0) << r.out;
        }
    }
    CommandResult verify(const std::string& cluster_name, const std::string& chain, const std::string& lists) {
        const auto anchor = run(data(cluster_name) + "anchor --fingerprint").out.substr(0, 64);
        return run("verify " + m_dir + "/" + chain + " --anchor " + anchor + lists);
    }
};

TEST_F(RevocationCli, RevokePublishVerifyExcludeDecommission) {
    ASSERT_EQ(x("client init --dir " + m_dir + "/m").exit_code, 0);
    auto r = x("revocation-authority new --dir " + m_dir + "/ra --name \"Legal RA\"");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    cluster("custom", "--revocation custom --revocation-authority " + m_dir + "/ra/revocation-authority.pub.xml",
            {"alice", "bob"});
    cluster("plain", "", {"carol"});

    // The cluster revokes alice's RAC and publishes its list; the chain fails with it.
    r = x(data("custom") + "revoke --id '" + id_of("custom-alice.xml") + "' --reason 'laptop stolen' --yes", false);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x(data("custom") + "revoke --id '" + id_of("custom-alice.xml") + "' --yes", false);
    EXPECT_EQ(r.exit_code, 1) << "twice: " << r.out;
    EXPECT_NE(r.out.find("already revoked"), std::string::npos) << r.out;
    r = x(data("custom") + "revoke --id '" + id_of("plain-carol.xml") + "' --yes", false);
    EXPECT_EQ(r.exit_code, 3) << "not issued here: " << r.out;
    EXPECT_NE(r.out.find("issued no certificate"), std::string::npos) << r.out;
    r = x(data("custom") + "revocation-list -o " + m_dir + "/custom-rl.xml --valid-for 1");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = verify("custom", "custom-alice.xml", " --revocation-list " + m_dir + "/custom-rl.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("REVOKED"), std::string::npos) << r.out;
    EXPECT_EQ(verify("custom", "custom-bob.xml", " --revocation-list " + m_dir + "/custom-rl.xml").exit_code, 0);

    // The custom authority's list counts where the SLC names it, and is ignored (said so) elsewhere.
    r = x("revocation-authority sign --dir " + m_dir + "/ra --revoke-id '" + id_of("custom-bob.xml") +
          "' --revoke-id '" + id_of("plain-carol.xml") +
          "' --revoke-content-id '{c0ffee00-0000-4000-8000-000000000000}' -o " + m_dir + "/ra-rl.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    {
        // Its ISSUER is named as the SLC's REFRESH point names the authority (issue 15).
        std::ifstream ra_in(m_dir + "/ra-rl.xml", std::ios::binary);
        const std::string ra_list(std::istreambuf_iterator<char>(ra_in), {});
        const auto issuer = ra_list.find(
            "<ISSUER><OBJECT type=\"Revocation-List\"><ID type=\"ascii-tag\">External "
            "revocation authority</ID><NAME>Legal RA</NAME></OBJECT><PUBLICKEY>");
        EXPECT_NE(issuer, std::string::npos) << ra_list;
        EXPECT_NE(ra_list.find("<REVOCATIONLIST type=\"Revocation-List\">"), std::string::npos) << ra_list;
    }
    r = verify("custom", "custom-bob.xml", " --revocation-list " + m_dir + "/ra-rl.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("REVOKED"), std::string::npos) << r.out;
    r = verify("plain", "plain-carol.xml", " --revocation-list " + m_dir + "/ra-rl.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("ignored revocation list"), std::string::npos) << r.out;
    // A tampered list is rejected, not honoured.
    std::ifstream in(m_dir + "/custom-rl.xml", std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(in), {});
    const auto pos = text.find(id_of("custom-alice.xml").substr(1, 8));
    ASSERT_NE(pos, std::string::npos);
    text[pos] = text[pos] == 'a' ? 'b' : 'a';
    write("tampered-rl.xml", text);
    r = verify("custom", "custom-alice.xml", " --revocation-list " + m_dir + "/tampered-rl.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("signature does not verify"), std::string::npos) << r.out;

    // Exclusion: old security processors get no RAC.
    r = x(data("plain") + "exclusion add --min-spc-version 2.0 --reason 'old clients'", false);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x(data("plain") + "issue rac --spc-chain " + m_dir + "/plain-spc.xml --email dave@example.test -o " + m_dir +
          "/x.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("below the minimum"), std::string::npos) << r.out;
    EXPECT_NE(x(data("plain") + "exclusion list", false).out.find("min-spc-version  2.0"), std::string::npos);

    // Decommissioned: nothing more is issued; the chain and the list are still there.
    EXPECT_EQ(x(data("plain") + "decommission", false).exit_code, 2) << "needs --yes off a terminal";
    ASSERT_EQ(x(data("plain") + "decommission --yes", false).exit_code, 0);
    r = x(data("plain") + "issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/y.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("decommissioned"), std::string::npos) << r.out;
    EXPECT_EQ(x(data("plain") + "chain -o " + m_dir + "/plain-chain.xml", false).exit_code, 0);
    EXPECT_EQ(x(data("plain") + "revocation-list -o " + m_dir + "/plain-rl.xml").exit_code, 0);
    EXPECT_NE(x(data("plain") + "status", false).out.find("decommissioned"), std::string::npos);

    // Everything is in the log, and the log is intact.
    r = x(data("custom") + "log", false);
    for (const char* op : {"Revoke", "RL-Sign"}) EXPECT_NE(r.out.find(op), std::string::npos) << op;
    r = x(data("plain") + "log", false);
    for (const char* op : {"Exclude", "Decommission"}) EXPECT_NE(r.out.find(op), std::string::npos) << op;
    EXPECT_EQ(x(data("plain") + "log --verify", false).exit_code, 0);
}

}  // namespace
}  // namespace xrca

// Issue 12: secrets out of dumps, no "database is locked", interrupted init, inputs that are
// not regular files or are too large, and issuances an interrupted process left pending.
#include "cli/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sstream>

namespace xrca {
namespace {

std::string read_proc(pid_t pid, const char* what) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/" + what, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Several commands at once; their exit codes and outputs in order.
std::vector<CommandResult> run_parallel(const std::vector<std::string>& commands) {
    std::vector<FILE*> pipes;
    for (const auto& c : commands) {
        const std::string cmd = std::string(XRCA_BINARY) + " " + c + " 2>&1";
        pipes.push_back(::popen(cmd.c_str(), "r"));  // NOLINT(cert-env33-c): the built xrca, through a shell
    }
    std::vector<CommandResult> results(commands.size());
    for (std::size_t i = 0; i < pipes.size(); ++i) {
        if (!pipes[i]) continue;
        char buf[4096];
        std::size_t n = 0;
        while ((n = std::fread(buf, 1, sizeof buf, pipes[i])) > 0) results[i].out.append(buf, n);
        const int status = ::pclose(pipes[i]);
        results[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    return results;
}

TEST(ProcessHardening, TheProcessIsNotDumpableAndWritesNoCore) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const bool ok = cli::keep_secrets_out_of_dumps().empty();
        rlimit core{};
        ::getrlimit(RLIMIT_CORE, &core);
        ::_exit(ok && ::prctl(PR_GET_DUMPABLE) == 0 && core.rlim_cur == 0 && core.rlim_max == 0 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(AuthorityCli, ServeKeepsThePasswordOutOfItsEnvironmentAndNoCore) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    ServeProcess server("--data " + m_dir + "/es serve --listen 127.0.0.1:0 --threads 2",
                        {{"XRCA_KEY_PASSWORD", "correct-horse-battery"}, {"XRCA_TEST_MARKER", "still-here"}});
    ASSERT_FALSE(server.url.empty()) << server.first_line;
    // Readable here only with CAP_SYS_PTRACE (the process is not dumpable); the marker shows it was read.
    const auto environ_text = read_proc(server.pid(), "environ");
    EXPECT_NE(environ_text.find("XRCA_TEST_MARKER=still-here"), std::string::npos) << "the environment was read";
    EXPECT_EQ(environ_text.find("XRCA_KEY_PASSWORD"), std::string::npos);
    EXPECT_EQ(environ_text.find("correct-horse-battery"), std::string::npos);
    const auto limits = read_proc(server.pid(), "limits");
    const auto at = limits.find("Max core file size");
    ASSERT_NE(at, std::string::npos) << limits;
    std::istringstream line(limits.substr(at + std::strlen("Max core file size")));
    std::string soft, hard;
    line >> soft >> hard;
    EXPECT_EQ(soft, "0");
    EXPECT_EQ(hard, "0");
}

// Issue 16: serve refuses, before it listens, what could only fail its callers.
TEST_F(AuthorityCli, ServeRefusesAWrongPasswordBeforeItListensAndAClusterNotActive) {
    ASSERT_EQ(x("es init --role enrollment --name ES").exit_code, 0);
    // A port held here: a serve that tried to listen would fail there (exit 4), not refuse (exit 1).
    struct HeldPort {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        HeldPort() = default;
        HeldPort(const HeldPort&) = delete;
        HeldPort& operator=(const HeldPort&) = delete;
        HeldPort(HeldPort&&) = delete;
        HeldPort& operator=(HeldPort&&) = delete;
        ~HeldPort() { ::close(fd); }
    } held;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    socklen_t length = sizeof addr;
    ASSERT_EQ(::bind(held.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(held.fd, 1), 0);
    ASSERT_EQ(::getsockname(held.fd, reinterpret_cast<sockaddr*>(&addr), &length), 0);
    const auto serve = " serve --threads 1 --listen 127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    auto r = x("es" + serve, "not-the-password");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("not serving: the key password does not open the enrollment-service key"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("serving the"), std::string::npos) << r.out;
    r = x("es" + serve);
    EXPECT_EQ(r.exit_code, 4) << "the right password gets as far as listening: " << r.out;

    ASSERT_EQ(run("--data " + m_dir + "/es anchor -o " + m_dir + "/anchor.pub.xml").exit_code, 0);
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --trust-anchor " + m_dir +
                "/anchor.pub.xml")
                  .exit_code,
              0);
    r = x("root serve --listen 127.0.0.1:0 --threads 1");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("awaits its SLC response"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("serving the"), std::string::npos) << r.out;
}

// Issue 16: /healthz of a real serve: ok with its facts, HEAD without a body, a warning when the
// SLC ends within --warn-slc-days, 503 while the database is gone; /metrics' gauges.
TEST_F(AuthorityCli, HealthzOfARunningServeWarnsAndSeesTheDatabaseGo) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
    const auto serve = "--data " + m_dir + "/root serve --listen 127.0.0.1:0 --threads 2 --password-file " +
                       password_file("correct-horse-battery");
    const ServeProcess server(serve);
    ASSERT_FALSE(server.url.empty()) << server.first_line;
    const auto port_of = [](const std::string& url) {
        return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
    };
    const auto port = port_of(server.url);
    auto r = test::http(port, "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.rfind("ok (root, active; ", 0), 0u) << r.body;
    r = test::http(port, "HEAD", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "");

    const auto metrics = test::http(port, "GET", "/metrics").body;
    const auto gauge = [&](const std::string& name) {
        const auto at = metrics.find("\n" + name + " ");
        return at == std::string::npos ? -1.0 : std::stod(metrics.substr(at + name.size() + 2));
    };
    // A self-enrolled SLC is valid for 365 days from init, moments ago.
    EXPECT_GT(gauge("xrca_slc_expiry_seconds"), 364 * 86400.0) << metrics;
    EXPECT_LE(gauge("xrca_slc_expiry_seconds"), 365 * 86400.0) << metrics;
    EXPECT_GE(gauge("xrca_revocation_list_age_seconds"), 0.0) << metrics;
    EXPECT_LT(gauge("xrca_revocation_list_age_seconds"), 3600.0) << metrics;
    EXPECT_GE(gauge("xrca_store_probe_seconds"), 0.0) << metrics;
    EXPECT_LT(gauge("xrca_store_probe_seconds"), 10.0) << metrics;
    EXPECT_EQ(gauge("xrca_healthy"), 1.0) << metrics;

    {
        const ServeProcess warned(serve + " --warn-slc-days 400");
        ASSERT_FALSE(warned.url.empty()) << warned.first_line;
        r = test::http(port_of(warned.url), "GET", "/healthz");
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.body.rfind("warning: the SLC expires in 36", 0), 0u) << r.body;
    }

    // The database file moved away (SQLite would keep reading it through its open descriptor).
    const auto db = m_dir + "/root/xrca.db";
    const auto poll = [&](int status) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        do {
            r = test::http(port, "GET", "/healthz");
        } while (r.status != status && std::chrono::steady_clock::now() < deadline);
        return r.status;
    };
    ASSERT_EQ(std::rename(db.c_str(), (db + ".away").c_str()), 0);
    EXPECT_EQ(poll(503), 503) << r.body;
    EXPECT_EQ(r.body, "store unavailable\n");
    ASSERT_EQ(std::rename((db + ".away").c_str(), db.c_str()), 0);
    EXPECT_EQ(poll(200), 200) << r.body;

    // Decommissioned by another process: the running node says so, and no new one starts.
    ASSERT_EQ(x("root decommission --yes", "").exit_code, 0);
    EXPECT_EQ(poll(503), 503) << r.body;
    EXPECT_EQ(r.body.rfind("decommissioned (root, decommissioned", 0), 0u) << r.body;
    const auto again = run(serve);
    EXPECT_EQ(again.exit_code, 3) << again.out;
    EXPECT_NE(again.out.find("is decommissioned"), std::string::npos) << again.out;
}

TEST_F(AuthorityCli, ParallelWritersAndOpenersNeverSeeTheDatabaseLocked) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
    std::vector<std::string> commands;
    for (int i = 0; i < 32; ++i) {
        char id[64];
        (void)std::snprintf(id, sizeof id, "{c0ffee00-0000-4000-8000-%012d}", i);
        commands.push_back("--data " + m_dir + "/root revoke --content-id '" + id + "' --reason parallel --yes");
        if (i % 4 == 0) commands.push_back("--data " + m_dir + "/root status --json");
    }
    const auto results = run_parallel(commands);
    for (std::size_t i = 0; i < results.size(); ++i) {
        EXPECT_EQ(results[i].exit_code, 0) << commands[i] << ": " << results[i].out;
        EXPECT_EQ(results[i].out.find("locked"), std::string::npos) << results[i].out;
    }
    const auto list = x("root revoke --list --json", "");
    ASSERT_EQ(list.exit_code, 0) << list.out;
    std::size_t revoked = 0;
    for (auto at = list.out.find("c0ffee00-0000-4000-8000-"); at != std::string::npos;
         at = list.out.find("c0ffee00-0000-4000-8000-", at + 1))
        ++revoked;
    EXPECT_GE(revoked, 32u) << list.out;
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
}

TEST_F(AuthorityCli, AnInterruptedInitLeavesNothingThatStopsTheNextOne) {
    // Killed (SIGKILL) with everything done but the move into place: keys, hierarchy, self-enrollment.
    const auto init = "--data " + m_dir + "/root init --role root --name R --url https://r.example.test/_wmcs " +
                      "--self-enroll --password-file " + password_file("correct-horse-battery");
    const auto command = "export XRCA_TEST_KILL_INIT_BEFORE_PUBLISH=1; exec " + std::string(XRCA_BINARY) + " " + init +
                         " >/dev/null 2>&1";
    const int killed = std::system(command.c_str());  // NOLINT(cert-env33-c): the built xrca, through a shell
    ASSERT_TRUE(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGKILL) << "the init must have been killed: " << killed;
    struct stat st {};
    EXPECT_NE(::stat((m_dir + "/root/xrca.db").c_str(), &st), 0) << "no half-made authority in the data directory";
    EXPECT_EQ(x("root status", "").exit_code, 3) << "there is no authority, and nothing else is wrong";

    const auto retried = run(init);
    ASSERT_EQ(retried.exit_code, 0) << retried.out;
    EXPECT_NE(retried.out.find("state:        active"), std::string::npos) << retried.out;
    EXPECT_NE(retried.out.find("left by an interrupted init"), std::string::npos) << retried.out;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir + "/root"))
        EXPECT_NE(entry.path().filename().string().rfind(".init-", 0), 0u) << entry.path() << " was left behind";
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
    const auto again = run(init);
    EXPECT_EQ(again.exit_code, 1) << again.out;
    EXPECT_NE(again.out.find("already holds the root authority"), std::string::npos) << again.out;
}

TEST_F(Cli, AFifoGivenAsAnInputIsRefusedNotWaitedOn) {
    const auto fifo = m_dir + "/input.xml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    // `timeout` only turns a regression (a hang) into a failure; the command returns at once.
    CommandResult r;
    const std::string cmd = "timeout 60 " + std::string(XRCA_BINARY) + " verify " + fifo + " 2>&1";
    FILE* pipe = ::popen(cmd.c_str(), "r");  // NOLINT(cert-env33-c): the built xrca, through a shell
    ASSERT_NE(pipe, nullptr);
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find(fifo + " is not a regular file"), std::string::npos) << r.out;
}

TEST_F(Cli, ARevocationListLargerThanTheLimitIsRefusedByItsSize) {
    const auto path = m_dir + "/huge-rl.xml";
    {
        std::ofstream f(path, std::ios::binary);
        f.seekp(200L * 1024 * 1024);  // sparse: 200 MiB that take no disk and would take GBs to parse
        f.put(' ');
    }
    const auto r = run("verify " + vector_path() + " --at 2015-04-02T00:00 --revocation-list " + path);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("more than the 201326592 accepted"), std::string::npos) << r.out;
}

TEST_F(AuthorityCli, AnIssuanceLeftPendingByACrashIsAbandonedWithALogEntry) {
    ASSERT_EQ(x("root init --role root --name R --url https://r.example.test/_wmcs").exit_code, 0);
    {
        // What a process killed between recording and completing leaves: a pending row.
        SQLite::Database db(m_dir + "/root/xrca.db", SQLite::OPEN_READWRITE);
        db.exec(
            "INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, "
            "body, request_id) VALUES ('{dead0000-0000-4000-8000-000000000001}', 'Server-Licensor-Certificate', "
            "'pending', 'x', 'f', 'k', '2020-01-01T00:00:00Z', '<BODY/>', 'req-crashed')");
    }
    auto r = x("root status --json", "");
    EXPECT_NE(r.out.find("\"pending\":1"), std::string::npos) << "reading commands leave it: " << r.out;
    // A command that holds the keys reconciles it.
    r = x("root request -o " + m_dir + "/request.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("marked 1 issuance left pending by an interrupted process as abandoned"), std::string::npos)
        << r.out;
    r = x("root status --json", "");
    EXPECT_NE(r.out.find("\"pending\":0"), std::string::npos) << r.out;
    r = x("root log --json", "");
    EXPECT_NE(r.out.find("\"operation\":\"Reconcile\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"certificate_id\":\"{dead0000-0000-4000-8000-000000000001}\",\"outcome\":\"failed\""),
              std::string::npos)
        << r.out;
    EXPECT_EQ(x("root log --verify", "").exit_code, 0);
}

}  // namespace
}  // namespace xrca
