// `xrca client init|activate|certify|clc|unseal`: the client side. Its private keys never leave its directory, where
// they are kept as encrypted PKCS#8 under the key password.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/key_files.h"
#include "cli/password.h"
#include "cli/remote.h"
#include "cli/session.h"

#include "ca/hierarchy.h"
#include "ca/signer.h"
#include "enrollment/client.h"
#include "enrollment/messages.h"

#include "ca/key_protection.h"
#include "xrml/enabling_bits.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/hash.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <sys/stat.h>
#include <cerrno>
#include <cstring>
#include <ostream>

namespace xrca::cli {
namespace {

std::string chain_path(const std::string& dir, const char* name) { return dir + "/" + name + "-chain.xml"; }

// The documents of a chain file this client saved earlier, exact text, leaf first.
std::vector<std::string> saved_chain(const std::string& dir, const char* name, const char* made_by) {
    const auto path = chain_path(dir, name);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(ErrorKind::NotFound, path + " does not exist: run `xrca client " + made_by + "` first");
    }
    try {
        std::vector<std::string> out;
        for (const auto& d : xrml::read_documents(read_file(path, k_max_document_bytes)).documents)
            out.push_back(d.raw.text);
        return out;
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, path + ": " + e.what());
    }
}

// A digest of the hardware identity: the SHA-256 of /etc/machine-id, stable across
// re-activations of this machine; without one the authority derives it from the machine key.
std::vector<std::uint8_t> hardware_id_digest() {
    std::string id;
    try {
        id = read_file("/etc/machine-id", 4096);
    } catch (const Error&) {
        return {};
    }
    if (id.empty()) return {};
    const auto out = Botan::HashFunction::create_or_throw("SHA-256")->process(id);
    return {out.begin(), out.end()};
}

int online(Context& ctx, Args& args, const std::string& verb, const std::string& dir) {
    const auto options = client_options(args);
    std::optional<std::string> anchor;
    if (auto a = args.option("--anchor")) anchor = anchor_fingerprint(*a);
    const bool temporary = verb == "certify" && args.flag("--temporary");
    const enrollment::SoapClient client(options);
    if (verb == "activate") {
        const auto password = read_password(args, "the client's machine key in " + dir);
        if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "client activate takes no positional arguments");
        Botan::System_RNG rng;
        const auto key = load_key_file(dir, "machine", password);
        const auto pub = xrml::PublicKey::from_botan(*key);
        const auto input = enrollment::activation_input(pub, hardware_id_digest());
        const auto proof = ca::prove_possession(*key, input, xrml::DigestAlgorithm::Sha256, rng);
        ctx.out << "activating machine key " << pub.fingerprint() << " at "
                << client.url_of(enrollment::services::activation) << '\n';
        const auto reply =
            client.call(enrollment::services::activation, "Activate", enrollment::activation_request(input, proof));
        const auto chain = enrollment::certificates_in_reply(reply, "MachineCertificateChain");
        const auto docs =
            verify_received(ctx, chain, xrml::names::machine_certificate, anchor, "machine certificate chain");
        if (!docs.front().principal || !docs.front().principal->key || *docs.front().principal->key != pub) {
            throw Error(ErrorKind::PolicyDenied, "the server sent a machine certificate for another key");
        }
        write_file_atomically(chain_path(dir, "spc"), ca::chain_text(chain));
        ctx.out << "saved the machine certificate " << docs.front().id_text() << " and its chain to "
                << chain_path(dir, "spc") << '\n';
        return k_exit_ok;
    }
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "client " + verb + " takes no positional arguments");
    if (verb == "certify") {
        const auto spc = saved_chain(dir, "spc", "activate");
        const auto reply =
            client.call(enrollment::services::certification, "Certify", enrollment::certify_request(spc, !temporary));
        const auto chain = enrollment::certificates_in_reply(reply, "CertificateChain");
        const auto docs = verify_received(ctx, chain, xrml::names::rights_account_certificate, anchor, "RAC chain");
        write_file_atomically(chain_path(dir, "rac"), ca::chain_text(chain));
        const auto& rac = docs.front();
        ctx.out << "saved the " << (temporary ? "temporary " : "") << "RAC " << rac.id_text() << " for "
                << (rac.principal ? rac.principal->object.id.value : std::string("?")) << " to "
                << chain_path(dir, "rac") << '\n'
                << "its user key is sealed to this machine: `xrca client unseal --dir " << dir << " "
                << chain_path(dir, "rac") << "` recovers it\n";
        return k_exit_ok;
    }
    const auto rac = saved_chain(dir, "rac", "certify");
    const auto reply =
        client.call(enrollment::services::publishing, "GetClientLicensorCert", enrollment::clc_request(rac));
    const auto chain = enrollment::certificates_in_reply(reply, "CertificateChain");
    const auto docs = verify_received(ctx, chain, xrml::names::client_licensor_certificate, anchor, "CLC chain");
    write_file_atomically(chain_path(dir, "clc"), ca::chain_text(chain));
    ctx.out << "saved the CLC " << docs.front().id_text() << " to " << chain_path(dir, "clc") << '\n';
    return k_exit_ok;
}

}  // namespace

int cmd_client(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb.empty()) throw Error(ErrorKind::Usage, "client needs init, activate, certify, clc or unseal");
    Args& rest = args;
    const auto dir = rest.option("--dir");
    if (!dir) throw Error(ErrorKind::Usage, "client " + verb + " needs --dir CLIENT_DIR");
    Botan::System_RNG rng;

    if (verb == "init") {
        const auto bits_arg = rest.option("--bits").value_or("2048");
        if (bits_arg != "2048" && bits_arg != "1024") throw Error(ErrorKind::Usage, "--bits must be 2048 or 1024");
        const auto password = read_password(rest, "the new machine key in " + *dir + " (choose one)", true);
        if (!rest.positionals().empty()) throw Error(ErrorKind::Usage, "client init takes no positional arguments");
        prepare_key_directory(*dir, "machine", "a machine key");
        const auto key = ca::generate_rsa_key(std::stoul(bits_arg), rng);
        save_key_file(*dir, "machine", *key, password, rng);
        const auto pub = xrml::PublicKey::from_botan(*key);
        write_file_atomically(*dir + "/machine.pub.xml", xrml::build_public_key_element(pub) + "\n");
        ctx.out << "machine key " << pub.fingerprint() << " (RSA-" << pub.bits() << ")\n"
                << "wrote " << *dir << "/machine.pub.xml; the private key stays in " << key_file_path(*dir, "machine")
                << '\n';
        return k_exit_ok;
    }
    if (verb == "activate" || verb == "certify" || verb == "clc") return online(ctx, rest, verb, *dir);
    if (verb == "unseal") {
        const auto password = read_password(rest, "the client's machine key in " + *dir);
        const auto files = rest.positionals();
        if (files.size() != 1) throw Error(ErrorKind::Usage, "client unseal takes one CHAIN.xml");
        xrml::DocumentSet set;
        try {
            set = xrml::read_documents(read_file(files.front(), k_max_document_bytes));
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
        } else if (doc.kind() == xrml::names::client_licensor_certificate && doc.issue_right &&
                   doc.issue_right->enabling_bits) {
            recipient_name = "user";
            recovered_name = "clc";
            bits = &*doc.issue_right->enabling_bits;
            expected = doc.principal ? doc.principal->key : std::nullopt;
        } else {
            throw Error(ErrorKind::Malformed, "the first document of " + files.front() + " is a " + doc.description() +
                                                  ", not a RAC or CLC with ENABLINGBITS");
        }
        const auto recipient = load_key_file(*dir, recipient_name, password);
        std::unique_ptr<Botan::RSA_PrivateKey> recovered;
        try {
            recovered = xrml::unseal_private_key(*bits, *recipient, issuer_text, rng);
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::PolicyDenied,
                        std::string("cannot unseal with the ") + recipient_name + " key: " + e.what());
        }
        const auto pub = xrml::PublicKey::from_botan(*recovered);
        if (!expected || pub != *expected) {
            throw Error(ErrorKind::PolicyDenied,
                        "the unsealed key " + pub.fingerprint() + " is not the public key the certificate names");
        }
        save_key_file(*dir, recovered_name, *recovered, password, rng);
        ctx.out << "recovered the " << recovered_name << " key " << pub.fingerprint() << " (it matches the "
                << doc.kind() << "'s public key); kept in " << key_file_path(*dir, recovered_name) << '\n';
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage, "client needs init, activate, certify, clc or unseal, not '" + verb + "'");
}

}  // namespace xrca::cli
