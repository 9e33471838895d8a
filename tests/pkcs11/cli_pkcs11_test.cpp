// The real `xrca` binary with its keys in a real SoftHSM2 token: an administrator's day from
// init to every certificate kind, revocation and a renewal with a new key, and the refusals
// (wrong PIN, missing token or module) that must change nothing.
#include "support/command.h"
#include "support/serve_process.h"
#include "support/softhsm_token.h"

#include "ca/pkcs11_reference.h"
#include "ca/pkcs11_token.h"
#include "xrml/reader.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace xrca {
namespace {

using test::k_softhsm_module;

using test::CommandResult;
using test::slurp;

CommandResult run(const std::string& command) { return test::run_command(command); }

// Every row of every table, in a stable order: what "the database did not change" compares.
std::string dump(const std::string& db_path) {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    std::vector<std::string> tables;
    SQLite::Statement q(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (q.executeStep()) tables.push_back(q.getColumn(0).getString());
    std::string out;
    for (const auto& t : tables) {
        out += "== " + t + "\n";
        SQLite::Statement rows(db, "SELECT * FROM \"" + t + "\" ORDER BY 1");
        while (rows.executeStep()) {
            for (int c = 0; c < rows.getColumnCount(); ++c) out += rows.getColumn(c).getString() + "|";
            out += "\n";
        }
    }
    return out;
}

class Pkcs11Cli : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/xrca-pkcs11-cli-XXXXXX";
        m_dir = ::mkdtemp(tmpl);
        m_pin_file = write("pin", m_token.pin() + "\n");
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& content) {
        auto path = m_dir + "/" + name;
        std::ofstream(path, std::ios::binary) << content;
        // Owner-only, as password files should be (others' read access draws a warning).
        std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        return path;
    }
    /** `xrca --data DIR/node ARGS --pin-file …`, with `env` (VAR=value …) before it. */
    CommandResult x(const std::string& node, const std::string& args, const std::string& pin_file = "",
                    const std::string& env = "") {
        return run(env + " " + XRCA_BINARY + " --data " + m_dir + "/" + node + " " + args + " --pin-file " +
                   (pin_file.empty() ? m_pin_file : pin_file));
    }
    CommandResult plain(const std::string& args) { return run(std::string(XRCA_BINARY) + " " + args); }
    std::string in_token() const {
        return " --key-store pkcs11 --pkcs11-module " + std::string(k_softhsm_module) + " --pkcs11-token " +
               m_token.label();
    }
    std::string id_of(const std::string& file) {
        return xrml::read_documents(slurp(m_dir + "/" + file)).documents.at(0).descriptor->id.value;
    }
    std::string db(const std::string& node) const { return m_dir + "/" + node + "/xrca.db"; }

    /** The stored keys of a node: name, custody and the stored bytes. */
    struct StoredKey {
        std::string name, custody;
        std::vector<std::uint8_t> bytes;
    };
    std::vector<StoredKey> stored_keys(const std::string& node) {
        SQLite::Database d(db(node), SQLite::OPEN_READONLY);
        SQLite::Statement q(d, "SELECT name, custody, encrypted FROM private_keys ORDER BY name");
        std::vector<StoredKey> keys;
        while (q.executeStep()) {
            const auto* p = static_cast<const std::uint8_t*>(q.getColumn(2).getBlob());
            keys.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                            std::vector<std::uint8_t>(p, p + q.getColumn(2).getBytes())});
        }
        return keys;
    }

    // What a node's data directory must never hold for keys in a token: a DER private key. A
    // PKCS#8 PrivateKeyInfo (and a SubjectPublicKeyInfo) names rsaEncryption; a PKCS#1
    // RSAPrivateKey holds the raw big-endian modulus. XrML carries moduli only in base64.
    void expect_no_private_key_structures(const std::string& node, const std::vector<xrml::PublicKey>& keys) {
        const std::string rsa_encryption_oid("\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 11);
        std::size_t files = 0;
        for (const auto& entry : std::filesystem::recursive_directory_iterator(m_dir + "/" + node)) {
            if (!entry.is_regular_file()) continue;
            ++files;
            const auto bytes = slurp(entry.path().string());
            EXPECT_EQ(bytes.find(rsa_encryption_oid), std::string::npos) << entry.path();
            for (const auto& key : keys) {
                const std::string modulus(key.modulus_big_endian().begin(), key.modulus_big_endian().end());
                EXPECT_EQ(bytes.find(modulus), std::string::npos) << entry.path() << " holds " << key.fingerprint();
            }
        }
        EXPECT_GE(files, 1u);
    }

    // Each stored reference names a private key (or the escrow key) in the token that will not
    // give its secret and cannot be extracted.
    void expect_keys_stay_in_the_token(const std::string& node) {
        const auto token = ca::Pkcs11Token::open(k_softhsm_module, m_token.label(), ca::Password(m_token.pin()));
        auto session = token->session();
        for (const auto& k : stored_keys(node)) {
            ASSERT_EQ(k.custody, "pkcs11") << k.name;
            EXPECT_LT(k.bytes.size(), 512u) << k.name << ": a reference, not a key";
            EXPECT_NE(k.bytes.front(), 0x30) << k.name << ": no DER structure";
            auto ref = ca::read_pkcs11_reference(k.bytes, k.name);
            EXPECT_EQ(ref.token, m_token.label());
            CK_OBJECT_CLASS kind = k.name == ca::k_pkcs11_escrow_key ? CKO_SECRET_KEY : CKO_PRIVATE_KEY;
            std::vector<CK_ATTRIBUTE> match{{CKA_CLASS, &kind, sizeof kind},
                                            {CKA_ID, ref.id.data(), ref.id.size()},
                                            {CKA_LABEL, ref.object.data(), ref.object.size()}};
            const auto found = token->find(session, match);
            ASSERT_EQ(found.size(), 1u) << k.name;
            std::vector<std::uint8_t> buffer(2048);
            CK_ATTRIBUTE secret{kind == CKO_SECRET_KEY ? CKA_VALUE : CKA_PRIVATE_EXPONENT, buffer.data(),
                                buffer.size()};
            EXPECT_EQ(token->api().C_GetAttributeValue(session.handle(), found.front(), &secret, 1),
                      CKR_ATTRIBUTE_SENSITIVE)
                << k.name;
            EXPECT_EQ(token->attribute(session, found.front(), CKA_EXTRACTABLE), std::vector<std::uint8_t>{CK_FALSE})
                << k.name;
        }
    }

    test::SoftHsmToken m_token;
    std::string m_dir;
    std::string m_pin_file;
};

TEST_F(Pkcs11Cli, AnAuthorityWithItsKeysInTheTokenIssuesEveryKindRevokesAndRenews) {
    // An enrollment service and a root cluster, both keeping their keys in the token.
    auto r = x("es", "init --role enrollment --name ES" + in_token());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    ASSERT_EQ(plain("--data " + m_dir + "/es anchor -o " + m_dir + "/anchor.pub.xml").exit_code, 0);
    r = x("root", "init --role root --name R --url https://r.example.test/_wmcs --trust-anchor " + m_dir +
                      "/anchor.pub.xml" + in_token());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // SLC: offline enrollment, signed by the service's key in the token, over a request the
    // cluster's token key proves.
    ASSERT_EQ(x("root", "request -o " + m_dir + "/req.xml").exit_code, 0);
    r = x("es", "process " + m_dir + "/req.xml -o " + m_dir + "/resp.xml --yes");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root", "import " + m_dir + "/resp.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;

    // SPC, RAC (the user's key escrowed under the token's AES key), CLC.
    r = run(std::string(XRCA_BINARY) + " client init --dir " + m_dir + "/alice --password-file " +
            write("client-pw", "client-password\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root", "issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root", "issue rac --spc-chain " + m_dir + "/spc.xml --email alice@example.test -o " + m_dir + "/rac.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root", "issue rac --spc-chain " + m_dir + "/spc.xml --email alice@example.test -o " + m_dir + "/rac2.xml");
    ASSERT_EQ(r.exit_code, 0) << "the escrowed key is recovered from the token: " << r.out;
    r = x("root", "issue clc --rac-chain " + m_dir + "/rac.xml -o " + m_dir + "/clc.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto anchor = plain("--data " + m_dir + "/es anchor --fingerprint").out.substr(0, 64);
    for (const char* chain : {"spc.xml", "rac.xml", "clc.xml"}) {
        r = plain("verify " + m_dir + "/" + chain + " --anchor " + anchor);
        EXPECT_EQ(r.exit_code, 0) << chain << ": " << r.out;
    }
    r = run(std::string(XRCA_BINARY) + " client unseal --dir " + m_dir + "/alice " + m_dir +
            "/rac.xml --password-file " + m_dir + "/client-pw");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    const auto rac = xrml::read_documents(slurp(m_dir + "/rac.xml")).documents.front();
    const auto rac2 = xrml::read_documents(slurp(m_dir + "/rac2.xml")).documents.front();
    EXPECT_EQ(*rac.principal->key, *rac2.principal->key) << "one escrowed key per user";
    EXPECT_NE(r.out.find(rac.principal->key->fingerprint()), std::string::npos) << r.out;

    // Revocation, and the list signed by the token key.
    ASSERT_EQ(plain("--data " + m_dir + "/root revoke --id '" + id_of("rac.xml") + "' --reason stolen --yes").exit_code,
              0);
    ASSERT_EQ(x("root", "revocation-list -o " + m_dir + "/rl.xml").exit_code, 0);
    r = plain("verify " + m_dir + "/rac.xml --anchor " + anchor + " --revocation-list " + m_dir + "/rl.xml");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("REVOKED"), std::string::npos) << r.out;

    // Renewal with a new key, generated in the token too.
    ASSERT_EQ(x("root", "request --renew --new-key -o " + m_dir + "/renew.xml").exit_code, 0);
    ASSERT_EQ(x("es", "process " + m_dir + "/renew.xml -o " + m_dir + "/renewed.xml --yes").exit_code, 0);
    r = x("root", "import " + m_dir + "/renewed.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("root", "issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc2.xml");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(plain("verify " + m_dir + "/spc2.xml --anchor " + anchor).exit_code, 0);

    // Status says where every key lives; the store holds references only.
    r = plain("--data " + m_dir + "/root status --json");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto token_entry = "\"custody\":\"pkcs11\",\"token\":\"" + m_token.label() + "\",\"object\":\"xrca-cluster-";
    EXPECT_NE(r.out.find("{\"name\":\"cluster\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("{\"name\":\"cluster-previous\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(token_entry), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\"custody\":\"software\""), std::string::npos) << r.out;
    r = plain("--data " + m_dir + "/root status");
    EXPECT_NE(r.out.find("cluster: PKCS#11 token '" + m_token.label() + "', object 'xrca-cluster-"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("escrow-key: PKCS#11 token '" + m_token.label() + "', object 'xrca-escrow-"),
              std::string::npos)
        << r.out;

    std::vector<xrml::PublicKey> authority_keys;
    for (const char* file : {"spc.xml", "spc2.xml", "rac.xml"}) {
        for (const auto& d : xrml::read_documents(slurp(m_dir + "/" + file)).documents)
            if (d.issuer.key) authority_keys.push_back(*d.issuer.key);
    }
    ASSERT_GE(authority_keys.size(), 6u);
    for (const char* node : {"es", "root"}) {
        SCOPED_TRACE(node);
        expect_keys_stay_in_the_token(node);
        expect_no_private_key_structures(node, authority_keys);
    }
    EXPECT_EQ(stored_keys("root").size(), 4u) << "cluster, cluster-previous, activation, escrow-key";
}

TEST_F(Pkcs11Cli, AWrongPinOrAMissingTokenChangesNothingAndServeRefusesToStart) {
    auto r = x("root", "init --role root --name R --url https://r.example.test/_wmcs --self-enroll" + in_token());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    ASSERT_EQ(run(std::string(XRCA_BINARY) + " client init --dir " + m_dir + "/m --password-file " +
                  write("client-pw", "client-password\n"))
                  .exit_code,
              0);
    const auto issue = "issue machine --public-key " + m_dir + "/m/machine.pub.xml -o " + m_dir + "/spc.xml";
    const auto before = dump(db("root"));
    const auto wrong = write("wrong-pin", "0000\n");

    r = x("root", issue, wrong);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("the PIN does not open token '" + m_token.label() + "'"), std::string::npos) << r.out;
    r = x("root", "serve --listen 127.0.0.1:0 --threads 1", wrong);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("the PIN does not open token"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("serving"), std::string::npos) << r.out;
    EXPECT_EQ(x("root", "request --renew --new-key -o " + m_dir + "/req.xml", wrong).exit_code, 1);

    // The token is gone (a configuration without it): named, and serve does not start either.
    const auto gone = "SOFTHSM2_CONF=" + m_token.empty_config();
    r = x("root", issue, "", gone);
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("no token labelled '" + m_token.label() + "'"), std::string::npos) << r.out;
    r = x("root", "serve --listen 127.0.0.1:0 --threads 1", "", gone);
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("no token labelled"), std::string::npos) << r.out;

    // No PIN at all, off a terminal: a usage error that says how to give one.
    r = run(std::string(XRCA_BINARY) + " --data " + m_dir + "/root " + issue + " < /dev/null");
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("--pin-file"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("XRCA_PKCS11_PIN"), std::string::npos) << r.out;
    // The key password is not what opens these keys.
    r = run(std::string(XRCA_BINARY) + " --data " + m_dir + "/root " + issue + " --password-file " + m_pin_file +
            " < /dev/null");
    EXPECT_EQ(r.exit_code, 2) << r.out;

    EXPECT_EQ(dump(db("root")), before) << "a refusal changed the database";
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/spc.xml"));

    // The PIN from the environment works (and is the last thing here: it issues).
    r = run("XRCA_PKCS11_PIN=" + m_token.pin() + " " + XRCA_BINARY + " --data " + m_dir + "/root " + issue +
            " < /dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(std::filesystem::exists(m_dir + "/spc.xml"));
}

TEST_F(Pkcs11Cli, ServeSignsOnlineWithTheTokenAndKeepsThePinOutOfItsEnvironment) {
    auto r = x("root", "init --role root --name R --url https://r.example.test/_wmcs --self-enroll" + in_token());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = plain("--data " + m_dir + "/root principal add alice --role user --email alice@example.test");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    auto token = r.out;
    while (!token.empty() && token.back() == '\n') token.pop_back();
    token = token.substr(token.rfind('\n') + 1);
    const auto client_pw = write("client-pw", "client-password\n");
    ASSERT_EQ(plain("client init --dir " + m_dir + "/alice --password-file " + client_pw).exit_code, 0);

    test::ServeProcess server("--data " + m_dir + "/root serve --listen 127.0.0.1:0 --threads 2 < /dev/null",
                              {{"XRCA_PKCS11_PIN", m_token.pin()}, {"XRCA_TEST_MARKER", "still-here"}});
    ASSERT_FALSE(server.url.empty()) << server.first_line;
    const auto environ_text = slurp("/proc/" + std::to_string(server.pid()) + "/environ");
    EXPECT_NE(environ_text.find("XRCA_TEST_MARKER=still-here"), std::string::npos) << "the environment was read";
    EXPECT_EQ(environ_text.find("XRCA_PKCS11_PIN"), std::string::npos);
    EXPECT_EQ(environ_text.find(m_token.pin()), std::string::npos);
    // Activation online: the SPC is signed by the activation key in the token.
    r = plain("client activate --dir " + m_dir + "/alice --server " + server.url + " --token " + token +
              " --password-file " + client_pw);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const auto anchor = plain("--data " + m_dir + "/root anchor --fingerprint").out.substr(0, 64);
    r = plain("verify " + m_dir + "/alice/spc-chain.xml --anchor " + anchor);
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(Pkcs11Cli, InitRefusesAWrongPinAMissingModuleOrTokenAndCreatesNothing) {
    const auto init = std::string("init --role root --name R --url https://r.example.test/_wmcs --self-enroll");
    auto r = x("a", init + in_token(), write("wrong-pin", "0000\n"));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("the PIN does not open token '" + m_token.label() + "'"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/a")) << "nothing is created before the token opens";

    r = x("b", init + " --key-store pkcs11 --pkcs11-module " + m_dir + "/missing.so --pkcs11-token " + m_token.label());
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find(m_dir + "/missing.so"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/b"));

    r = x("c", init + " --key-store pkcs11 --pkcs11-module " + k_softhsm_module + " --pkcs11-token elsewhere");
    EXPECT_EQ(r.exit_code, 4) << r.out;
    EXPECT_NE(r.out.find("no token labelled 'elsewhere'"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/c"));

    EXPECT_EQ(x("d", init + " --key-store pkcs11 --pkcs11-token " + m_token.label()).exit_code, 2);
    EXPECT_EQ(x("d", init + " --key-store hsm").exit_code, 2);
    EXPECT_EQ(x("d", init + " --key-store pkcs11 --pkcs11-module relative.so --pkcs11-token t").exit_code, 2);
}

TEST_F(Pkcs11Cli, KeysInTheTokenAreNeverExportedAndABackupHoldsOnlyTheirReferences) {
    auto r = x("a", "init --role root --name R --url https://r.example.test/_wmcs --self-enroll" + in_token());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    // Refused before any password is asked for (none is given): the token's own backup is the way.
    r = x("a", "export-cluster-key -o " + m_dir + "/a.tpd");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("PKCS#11 token and cannot leave it"), std::string::npos) << r.out;
    EXPECT_FALSE(std::filesystem::exists(m_dir + "/a.tpd"));

    r = plain("--data " + m_dir + "/a backup -o " + m_dir + "/a.backup");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = plain("--data " + m_dir + "/b restore " + m_dir + "/a.backup");
    ASSERT_EQ(r.exit_code, 0) << r.out;
    ASSERT_NO_FATAL_FAILURE(expect_keys_stay_in_the_token("b"));
    // The restored store finds the same token keys and signs with them.
    r = plain("client init --dir " + m_dir + "/alice --password-file " + write("client-pw", "client-password\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    r = x("b", "issue machine --public-key " + m_dir + "/alice/machine.pub.xml -o " + m_dir + "/spc.xml");
    EXPECT_EQ(r.exit_code, 0) << r.out;
}

}  // namespace
}  // namespace xrca
