// `xrca client init|unseal`: the client side. Its private keys never leave its directory, where
// they are kept as encrypted PKCS#8 under the key password.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/password.h"
#include "cli/session.h"

#include "ca/key_protection.h"
#include "xrml/enabling_bits.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <cerrno>
#include <cstring>
#include <ostream>
#include <sys/stat.h>

namespace xrca::cli {
namespace {

std::string key_path(const std::string& dir, const char* name) { return dir + "/" + name + ".key"; }

std::unique_ptr<Botan::RSA_PrivateKey> load_client_key(const std::string& dir, const char* name, const ca::Password& password) {
    const auto path = key_path(dir, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(ErrorKind::NotFound, "the client directory " + dir + " has no " + name + " key (" + path + ")");
    }
    const auto blob = read_file(path, 64 * 1024);
    return ca::decrypt_private_key(std::vector<std::uint8_t>(blob.begin(), blob.end()), password, std::string(name));
}

void save_client_key(const std::string& dir, const char* name, const Botan::RSA_PrivateKey& key, const ca::Password& password,
                     Botan::RandomNumberGenerator& rng) {
    const auto blob = ca::encrypt_private_key(key, password, rng);
    write_file_atomically(key_path(dir, name), std::string(blob.begin(), blob.end()), /*owner_only=*/true);
}

}  // namespace

int cmd_client(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb.empty()) throw Error(ErrorKind::Usage, "client needs init or unseal (activate, certify and clc come with the online service)");
    Args& rest = args;
    const auto dir = rest.option("--dir");
    if (!dir) throw Error(ErrorKind::Usage, "client " + verb + " needs --dir CLIENT_DIR");
    Botan::System_RNG rng;

    if (verb == "init") {
        const auto bits_arg = rest.option("--bits").value_or("2048");
        if (bits_arg != "2048" && bits_arg != "1024") throw Error(ErrorKind::Usage, "--bits must be 2048 or 1024");
        const auto password = read_password(rest, true);
        if (!rest.positionals().empty()) throw Error(ErrorKind::Usage, "client init takes no positional arguments");
        if (::mkdir(dir->c_str(), 0700) != 0 && errno != EEXIST) {
            throw Error(ErrorKind::Storage, "cannot create " + *dir + ": " + std::strerror(errno));
        }
        struct stat st {};
        if (::stat(key_path(*dir, "machine").c_str(), &st) == 0) {
            throw Error(ErrorKind::Conflict, *dir + " already holds a machine key; use another --dir");
        }
        const auto key = ca::generate_rsa_key(std::stoul(bits_arg), rng);
        save_client_key(*dir, "machine", *key, password, rng);
        const auto pub = xrml::PublicKey::from_botan(*key);
        write_file_atomically(*dir + "/machine.pub.xml", xrml::build_public_key_element(pub) + "\n");
        ctx.out << "machine key " << pub.fingerprint() << " (RSA-" << pub.bits() << ")\n"
                << "wrote " << *dir << "/machine.pub.xml; the private key stays in " << key_path(*dir, "machine") << '\n';
        return k_exit_ok;
    }
    if (verb == "unseal") {
        const auto password = read_password(rest);
        const auto files = rest.positionals();
        if (files.size() != 1) throw Error(ErrorKind::Usage, "client unseal takes one CHAIN.xml");
        xrml::DocumentSet set;
        try {
            set = xrml::read_documents(read_file(files.front()));
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::Malformed, files.front() + ": " + e.what());
        }
        const auto& doc = set.documents.front();
        const auto issuer_text = xrml::body_child_text(doc.raw, "ISSUER");
        const char* recipient_name = nullptr;
        const char* recovered_name = nullptr;
        const xrml::EnablingBits* bits = nullptr;
        std::optional<xrml::PublicKey> expected;
        if (doc.kind() == xrml::names::rights_account_certificate && doc.federation_principal &&
            doc.federation_principal->enabling_bits) {
            recipient_name = "machine";
            recovered_name = "user";
            bits = &*doc.federation_principal->enabling_bits;
            expected = doc.principal ? doc.principal->key : std::nullopt;
        } else if (doc.kind() == xrml::names::client_licensor_certificate && doc.issue_right && doc.issue_right->enabling_bits) {
            recipient_name = "user";
            recovered_name = "clc";
            bits = &*doc.issue_right->enabling_bits;
            expected = doc.principal ? doc.principal->key : std::nullopt;
        } else {
            throw Error(ErrorKind::Malformed, "the first document of " + files.front() + " is a " + doc.kind() +
                                                  ", not a RAC or CLC with ENABLINGBITS");
        }
        const auto recipient = load_client_key(*dir, recipient_name, password);
        std::unique_ptr<Botan::RSA_PrivateKey> recovered;
        try {
            recovered = xrml::unseal_private_key(*bits, *recipient, issuer_text, rng);
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::PolicyDenied, std::string("cannot unseal with the ") + recipient_name + " key: " + e.what());
        }
        const auto pub = xrml::PublicKey::from_botan(*recovered);
        if (!expected || pub != *expected) {
            throw Error(ErrorKind::PolicyDenied, "the unsealed key " + pub.fingerprint() +
                                                     " is not the public key the certificate names");
        }
        save_client_key(*dir, recovered_name, *recovered, password, rng);
        ctx.out << "recovered the " << recovered_name << " key " << pub.fingerprint() << " (it matches the " << doc.kind()
                << "'s public key); kept in " << key_path(*dir, recovered_name) << '\n';
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage, "client needs init or unseal, not '" + verb + "'");
}

}  // namespace xrca::cli
