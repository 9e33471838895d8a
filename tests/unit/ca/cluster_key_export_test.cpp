// The cluster key export file (ca/cluster_key_export.h) read as untrusted input: what was
// written reads back field for field; a wrong password, any changed field, a cut or reordered
// file and every malformed shape is refused as an xrca::Error naming the problem, before any
// key in it is decrypted.
#include "support/test_keys.h"

#include "ca/cluster_key_export.h"
#include "ca/errors.h"

#include <botan/rsa.h>
#include <gtest/gtest.h>

#include <functional>

namespace xrca::ca {
namespace {

constexpr std::size_t k_cheap = 1000;  // the least an export may ask for: keeps the tests fast

std::shared_ptr<const Botan::RSA_PrivateKey> copy_of(const Botan::RSA_PrivateKey& key) {
    return std::make_shared<const Botan::RSA_PrivateKey>(key.get_p(), key.get_q(), key.get_e(), key.get_d(),
                                                         key.get_n());
}

ClusterKeyExport sample() {
    ClusterKeyExport e;
    e.role = "root";
    e.guid = "{0b7a5a0e-3a8f-4c55-9d2e-1f6a7b8c9d0e}";
    e.name = "Corp\\Rights\nline two";
    e.base_url = "https://rms.example.test/_wmcs";
    e.crypto_mode = 2;
    e.revocation = "custom";
    e.revocation_authorities = {"<PUBLICKEY>one</PUBLICKEY>", "<PUBLICKEY>two</PUBLICKEY>"};
    e.anchor_fingerprint = std::string(64, 'a');
    e.sku = "xrca";
    e.version = "0.1.0";
    e.exported = "2026-12-02T10:00:00Z";
    e.slc_chain = {"<XrML>slc</XrML>", "<XrML>es</XrML>\r\n"};
    e.key = copy_of(test::test_key(2048, 0));
    e.previous_key = copy_of(test::test_key(2048, 1));
    return e;
}

const Password k_password("export-password-1");

std::string written() { return write_cluster_key_export(sample(), k_password, test::test_rng(), k_cheap); }

struct Refusal {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;
};

Refusal refused(const std::string& text, const Password& password = k_password) {
    try {
        (void)read_cluster_key_export(text, password);
    } catch (const Error& e) {
        return {e.kind(), e.what()};
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return {};
}

ErrorKind refusal_of(const std::string& text, const Password& password = k_password) {
    return refused(text, password).kind;
}

std::string replace_line(const std::string& text, const std::string& prefix, const std::string& line) {
    const auto at = text.find("\n" + prefix);
    if (at == std::string::npos) return text;
    const auto end = text.find('\n', at + 1);
    return text.substr(0, at + 1) + line + text.substr(end);
}

TEST(ClusterKeyExportFile, ReadsBackWhatWasWrittenFieldForField) {
    const auto text = written();
    EXPECT_EQ(text.rfind("xrca-cluster-key-export-v1\nrole: root\n", 0), 0u) << text.substr(0, 80);
    EXPECT_NE(text.find("\nname: Corp\\\\Rights\\nline two\n"), std::string::npos) << "escaped on one line";
    EXPECT_NE(text.find("\nkdf-iterations: 1000\n"), std::string::npos);
    const auto e = read_cluster_key_export(text, k_password);
    EXPECT_EQ(e.role, "root");
    EXPECT_EQ(e.guid, "{0b7a5a0e-3a8f-4c55-9d2e-1f6a7b8c9d0e}");
    EXPECT_EQ(e.name, "Corp\\Rights\nline two");
    EXPECT_EQ(e.base_url, "https://rms.example.test/_wmcs");
    EXPECT_EQ(e.crypto_mode, 2);
    EXPECT_EQ(e.revocation, "custom");
    EXPECT_EQ(e.revocation_authorities,
              (std::vector<std::string>{"<PUBLICKEY>one</PUBLICKEY>", "<PUBLICKEY>two</PUBLICKEY>"}));
    EXPECT_EQ(e.anchor_fingerprint, std::string(64, 'a'));
    EXPECT_EQ(e.exported, "2026-12-02T10:00:00Z");
    EXPECT_EQ(e.slc_chain, (std::vector<std::string>{"<XrML>slc</XrML>", "<XrML>es</XrML>\r\n"}));
    ASSERT_TRUE(e.key && e.previous_key);
    EXPECT_EQ(e.key->get_n(), test::test_key(2048, 0).get_n());
    EXPECT_EQ(e.key->get_d(), test::test_key(2048, 0).get_d());
    EXPECT_EQ(e.previous_key->get_n(), test::test_key(2048, 1).get_n());
}

TEST(ClusterKeyExportFile, AWrongPasswordIsToldAsSuch) {
    const auto refusal = refused(written(), Password("export-password-2"));
    EXPECT_EQ(refusal.kind, ErrorKind::Unauthorized);
    EXPECT_NE(refusal.message.find("export password does not open"), std::string::npos) << refusal.message;
}

TEST(ClusterKeyExportFile, AShortPasswordIsRefusedOnWriting) {
    try {
        (void)write_cluster_key_export(sample(), Password("short"), test::test_rng(), k_cheap);
        ADD_FAILURE() << "a 5-character export password was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Usage);
    }
}

TEST(ClusterKeyExportFile, AnyChangedFieldIsFoundByTheHmac) {
    const auto text = written();
    const std::vector<std::pair<std::string, std::string>> changes = {
        {"role: ", "role: licensing"},
        {"guid: ", "guid: {11111111-1111-1111-1111-111111111111}"},
        {"name: ", "name: Evil"},
        {"url: ", "url: https://evil.example.test/_wmcs"},
        {"crypto-mode: ", "crypto-mode: 1"},
        {"anchor: ", "anchor: " + std::string(64, 'b')},
        {"slc: ", "slc: PFhyTUw+ZXZpbDwvWHJNTD4="},
        {"revocation-authority: ", "revocation-authority: PFBVQkxJQ0tFWT5ldmlsPC9QVUJMSUNLRVk+"},
        {"exported: ", "exported: 2030-01-01T00:00:00Z"},
    };
    for (const auto& [prefix, line] : changes) {
        const auto changed = replace_line(text, prefix, line);
        ASSERT_NE(changed, text) << prefix;
        const auto refusal = refused(changed);
        EXPECT_EQ(refusal.kind, ErrorKind::Malformed) << prefix;
        EXPECT_NE(refusal.message.find("altered"), std::string::npos) << prefix << refusal.message;
    }
    // A line removed, or two documents swapped, is a change too.
    const auto first_slc = text.find("\nslc: ");
    const auto second_slc = text.find("\nslc: ", first_slc + 1);
    const auto end = text.find('\n', second_slc + 1);
    const auto one = text.substr(first_slc, second_slc - first_slc);
    const auto two = text.substr(second_slc, end - second_slc);
    for (const auto& changed : {text.substr(0, first_slc) + two + one + text.substr(end),
                                text.substr(0, first_slc) + two + text.substr(end)}) {
        const auto refusal = refused(changed);
        EXPECT_EQ(refusal.kind, ErrorKind::Malformed);
        EXPECT_NE(refusal.message.find("altered"), std::string::npos) << refusal.message;
    }
}

TEST(ClusterKeyExportFile, HostileShapesAreRefusedAsMalformed) {
    const auto text = written();
    const std::vector<std::pair<const char*, std::string>> cases = {
        {"empty", ""},
        {"another format", "xrca-cluster-key-export-v2\n" + text.substr(text.find('\n') + 1)},
        {"cut short", text.substr(0, text.size() / 2)},
        {"no final newline", text.substr(0, text.size() - 1)},
        {"no hmac", text.substr(0, text.rfind("hmac-sha256: "))},
        {"unknown field", replace_line(text, "sku: ", "colour: blue")},
        {"a field twice", replace_line(text, "sku: ", "role: root")},
        {"missing field", replace_line(text, "sku: ", "slc: PFhyTUw+PC9Yck1MPg==")},
        {"not a field", replace_line(text, "sku: ", "just words")},
        {"too many iterations", replace_line(text, "kdf-iterations: ", "kdf-iterations: 99999999999")},
        {"too few iterations", replace_line(text, "kdf-iterations: ", "kdf-iterations: 1")},
        {"not a number", replace_line(text, "kdf-iterations: ", "kdf-iterations: many")},
        {"unknown kdf", replace_line(text, "kdf: ", "kdf: scrypt")},
        {"salt not hex", replace_line(text, "kdf-salt: ", "kdf-salt: zz")},
        {"key not base64", replace_line(text, "cluster-key: ", "cluster-key: !!!")},
        {"a lone backslash", replace_line(text, "name: ", "name: trailing\\")},
        {"unknown escape", replace_line(text, "name: ", "name: \\t")},
    };
    for (const auto& [what, input] : cases) EXPECT_EQ(refusal_of(input), ErrorKind::Malformed) << what;
    // The password check changed: told as a wrong password (the two cannot be told apart).
    EXPECT_EQ(refusal_of(replace_line(text, "password-check: ", "password-check: " + std::string(64, '0'))),
              ErrorKind::Unauthorized);
}

}  // namespace
}  // namespace xrca::ca
