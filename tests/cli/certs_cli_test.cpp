// Issue 16 item 6 as an administrator uses it, with the real binary on a real data directory:
// `certs list` with its filters, `certs show`, `export-key`, a certificate file wherever a
// <PUBLICKEY> file is taken, and times given as ages (`--since 24h`).
#include "support/command.h"

#include "xrml/reader.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace xrca {
namespace {

using test::CommandResult;

class CertsCli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-certs-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        std::ofstream(m_dir + "/pw") << "correct-horse-battery\n";
        std::filesystem::permissions(m_dir + "/pw",
                                     std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        ASSERT_EQ(x("init --role root --name r --url https://r.example.test/_wmcs --self-enroll").exit_code, 0);
        ASSERT_EQ(run("client init --dir " + m_dir + "/m --password-file " + m_dir + "/pw").exit_code, 0);
        ASSERT_EQ(x("issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/spc.xml").exit_code,
                  0);
        ASSERT_EQ(x("issue rac --spc-chain " + m_dir + "/spc.xml --email alice@example.test -o " + m_dir + "/alice.xml")
                      .exit_code,
                  0);
        ASSERT_EQ(x("issue rac --spc-chain " + m_dir + "/spc.xml --email bob@example.test --user-id " + k_bob + " -o " +
                    m_dir + "/bob.xml")
                      .exit_code,
                  0);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    static CommandResult run(const std::string& args) {
        return test::run_command(std::string(XRCA_BINARY) + " " + args);
    }
    CommandResult x(const std::string& args) {
        return run("--data " + m_dir + "/r " + args + " --password-file " + m_dir + "/pw");
    }
    CommandResult list(const std::string& args) { return run("--data " + m_dir + "/r certs list " + args); }
    std::string leaf_id(const std::string& file) {
        std::ifstream in(m_dir + "/" + file, std::ios::binary);
        const auto set = xrml::read_documents(std::string(std::istreambuf_iterator<char>(in), {}));
        return set.documents.front().id_text();
    }
    static std::size_t lines(const std::string& out) {
        return static_cast<std::size_t>(std::count(out.begin(), out.end(), '\n'));
    }

    static constexpr const char* k_bob = "S-1-5-21-7-1002";
    std::string m_dir;
};

TEST_F(CertsCli, ListsFilterByKindUserMachineTimeAndRevocation) {
    const auto alice = leaf_id("alice.xml");
    const auto bob = leaf_id("bob.xml");
    const auto spc = leaf_id("spc.xml");
    auto r = list("--kind rac");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(lines(r.out), 2u) << r.out;
    EXPECT_NE(r.out.find(alice), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(bob), std::string::npos) << r.out;
    r = list("--kind rac --user " + std::string(k_bob));
    EXPECT_EQ(r.out.find(alice), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(bob + "  rac  "), std::string::npos) << r.out;
    // The machine: its SPC and both RACs sealed to it, whatever the case of the ID typed.
    std::ifstream in(m_dir + "/spc.xml", std::ios::binary);
    const auto machine = xrml::read_documents(std::string(std::istreambuf_iterator<char>(in), {}))
                             .documents.front()
                             .principal->object.id.value;
    std::string upper = machine;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    r = list("--machine '" + upper + "' --json");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"id\":\"" + spc + "\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"id\":\"" + alice + "\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"id\":\"" + bob + "\""), std::string::npos) << r.out;
    // Times: everything was issued within the last day, nothing before 2020.
    EXPECT_NE(list("--since 24h").out.find(alice), std::string::npos);
    EXPECT_EQ(list("--until 2020-01-01").out, "no certificates match\n");
    r = list("--since yesterday");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--since 'yesterday' is not a time"), std::string::npos) << r.out;
    EXPECT_EQ(list("--kind nonsense").exit_code, 2);
    EXPECT_EQ(list("--revoked --not-revoked").exit_code, 2);
    EXPECT_EQ(list("--limit 0").exit_code, 2);

    // Revoking Bob's key by his RAC file (a certificate where a <PUBLICKEY> file was asked for).
    EXPECT_EQ(list("--revoked").out, "no certificates match\n");
    r = x("revoke --principal-key " + m_dir + "/bob.xml --reason 'lost laptop' --yes");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = list("--revoked");
    EXPECT_NE(r.out.find(bob), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("REVOKED"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(alice), std::string::npos) << r.out;
    r = list("--not-revoked --kind rac");
    EXPECT_NE(r.out.find(alice), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(bob), std::string::npos) << r.out;
}

TEST_F(CertsCli, ShowPrintsOneCertificateAndWritesItsDocument) {
    const auto bob = leaf_id("bob.xml");
    std::string upper = bob;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto r = run("--data " + m_dir + "/r certs show '" + upper + "'");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("subject       " + std::string(k_bob)), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("verdict       signature verifies"), std::string::npos) << r.out;
    // -o - writes the document alone to stdout: what was issued, byte for byte.
    r = test::run_command("(" + std::string(XRCA_BINARY) + " --data " + m_dir + "/r certs show '" + bob +
                          "' -o - 2>/dev/null)");
    ASSERT_EQ(r.exit_code, 0);
    std::ifstream in(m_dir + "/bob.xml", std::ios::binary);
    const auto chain = xrml::read_documents(std::string(std::istreambuf_iterator<char>(in), {}));
    EXPECT_EQ(r.out, chain.documents.front().raw.text + "\n");
    r = run("--data " + m_dir + "/r certs show '{00000000-0000-4000-8000-000000000000}'");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("was issued here"), std::string::npos) << r.out;
}

TEST_F(CertsCli, ExportKeyWritesTheKeyTheCertificateNames) {
    std::ifstream in(m_dir + "/alice.xml", std::ios::binary);
    const auto chain = xrml::read_documents(std::string(std::istreambuf_iterator<char>(in), {}));
    auto r = run("export-key " + m_dir + "/alice.xml -o " + m_dir + "/alice.pub.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::ifstream pub_in(m_dir + "/alice.pub.xml", std::ios::binary);
    const auto pub = xrml::read_public_key_file(std::string(std::istreambuf_iterator<char>(pub_in), {}));
    EXPECT_EQ(pub, *chain.documents.front().principal->key);
    r = run("export-key " + m_dir + "/alice.xml --issuer -o " + m_dir + "/slc.pub.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    std::ifstream slc_in(m_dir + "/slc.pub.xml", std::ios::binary);
    EXPECT_EQ(xrml::read_public_key_file(std::string(std::istreambuf_iterator<char>(slc_in), {})),
              *chain.documents.front().issuer.key);
    std::ofstream(m_dir + "/junk.xml") << "<NOTXRML/>";
    r = run("export-key " + m_dir + "/junk.xml -o " + m_dir + "/x.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/x.xml"));
    EXPECT_EQ(run("export-key " + m_dir + "/alice.xml").exit_code, 2) << "-o is required";
}

// Issue 16 item 7: the sharp edges an operator meets.
TEST_F(CertsCli, RevokeShowsWhatItNamesAndNeedsYesOffATerminal) {
    const auto alice = leaf_id("alice.xml");
    auto r = x("revoke --id '" + alice + "' --dry-run");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("would revoke license-id " + alice), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("it names 1 certificate(s) issued here"), std::string::npos) << r.out;
    EXPECT_EQ(list("--revoked").out, "no certificates match\n") << "a dry run changes nothing";
    r = x("revoke --id '" + alice + "' --reason stolen");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("about to revoke license-id"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pass --yes"), std::string::npos) << r.out;
    EXPECT_EQ(list("--revoked").out, "no certificates match\n") << "unconfirmed, nothing is revoked";
    // A key revocation names every certificate of that key: both of Alice's would be listed.
    r = x("revoke --principal-key " + m_dir + "/alice.xml --dry-run");
    EXPECT_NE(r.out.find(alice), std::string::npos) << r.out;
    EXPECT_EQ(x("revoke --id '" + alice + "' --reason stolen --yes").exit_code, 0);
    EXPECT_NE(list("--revoked").out.find(alice), std::string::npos);
}

TEST_F(CertsCli, DocumentsOnStdoutComeAloneAndStdinIsADash) {
    // -o -: stdout carries the chain and nothing else; the note goes to stderr.
    const auto r =
        test::run_command("(" + std::string(XRCA_BINARY) + " --data " + m_dir + "/r issue machine --public-key " +
                          m_dir + "/m/machine.pub.xml -o - --password-file " + m_dir + "/pw 2>/dev/null)");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.rfind("<XrML", 0), 0u) << r.out.substr(0, 200);
    EXPECT_EQ(r.out.find("issued "), std::string::npos);
    // "-" reads standard input.
    const auto shown = test::run_command("cat " + m_dir + "/alice.xml | " + std::string(XRCA_BINARY) + " show -");
    EXPECT_EQ(shown.exit_code, 0) << shown.out;
    EXPECT_NE(shown.out.find("Group-Identity-Credential"), std::string::npos) << shown.out;
}

TEST_F(CertsCli, GlobalOptionsGoAnywhereAndEveryCommandTakesAPasswordFile) {
    auto r = run("certs list --data " + m_dir + "/r --kind rac");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find(leaf_id("alice.xml")), std::string::npos) << r.out;
    r = run("status --data " + m_dir + "/r --password-file " + m_dir + "/pw");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(run("--data " + m_dir + "/r status --store /elsewhere").exit_code, 2) << "two stores named";
    // A password file others may read still works, with a warning saying so.
    std::ofstream(m_dir + "/open-pw") << "correct-horse-battery\n";
    std::filesystem::permissions(m_dir + "/open-pw", std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write |
                                                         std::filesystem::perms::others_read);
    r = run("--data " + m_dir + "/r issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir +
            "/spc2.xml --password-file " + m_dir + "/open-pw");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("may be read by every user"), std::string::npos) << r.out;
    r = x("issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/spc3.xml");
    EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
}

TEST_F(CertsCli, AnAnchorForgottenAtInitIsSetBeforeImport) {
    const auto pw = " --password-file " + m_dir + "/pw";
    const auto on = [&](const std::string& dir, const std::string& args) {
        return run("--data " + m_dir + "/" + dir + " " + args + pw);
    };
    ASSERT_EQ(on("es", "init --role enrollment --name ES").exit_code, 0);
    ASSERT_EQ(on("es", "anchor -o " + m_dir + "/anchor.pub.xml").exit_code, 0);
    ASSERT_EQ(on("lost", "init --role root --name Lost --url https://lost.example.test/_wmcs").exit_code, 0);
    auto r = on("lost", "request -o " + m_dir + "/req.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("no trust anchor yet"), std::string::npos) << r.out;
    ASSERT_EQ(on("es", "process " + m_dir + "/req.xml -o " + m_dir + "/resp.xml --yes").exit_code, 0);
    r = on("lost", "import " + m_dir + "/resp.xml");
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("xrca anchor --set"), std::string::npos) << r.out;
    // The anchor set afterwards: the same key, GUID and response are used; nothing is thrown away.
    r = on("lost", "anchor --set " + m_dir + "/anchor.pub.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = on("lost", "import " + m_dir + "/resp.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(on("lost", "status").out.find("active"), std::string::npos);
    r = on("lost", "anchor --set " + m_dir + "/anchor.pub.xml");
    EXPECT_EQ(r.exit_code, 3) << "an active cluster's anchor stays: " << r.out;
    EXPECT_EQ(on("es", "anchor --set " + m_dir + "/anchor.pub.xml").exit_code, 2) << "an enrollment service is one";
    EXPECT_NE(on("lost", "log").out.find("SetTrustAnchor"), std::string::npos);
}

}  // namespace
}  // namespace xrca
