// Choosing and finding an authority's key custody (see key_custody.h).
#include "cli/key_custody.h"

#include "ca/authority.h"
#include "ca/errors.h"
#include "ca/pkcs11_key_ring.h"
#include "ca/pkcs11_reference.h"
#include "ca/software_key_ring.h"
#include "cli/password.h"

namespace xrca::cli {
namespace {

KeyRingMaker token_key_ring(std::shared_ptr<ca::Pkcs11Token> token) {
    return [token = std::move(token)](store::KeyStore& keys, Botan::RandomNumberGenerator& rng) {
        return std::make_unique<ca::Pkcs11KeyRing>(keys, token, rng);
    };
}

}  // namespace

KeyRingMaker software_key_ring(ca::Password password, ca::SigningEngine engine) {
    return [password = std::move(password), engine](store::KeyStore& keys, Botan::RandomNumberGenerator& rng) {
        const ca::AuthorityOptions defaults;
        return std::make_unique<ca::SoftwareKeyRing>(keys, password, rng, defaults.key_kdf_iterations, engine);
    };
}

KeyRingMaker key_ring_for_new_authority(Args& args) {
    const auto kind = args.option("--key-store").value_or("software");
    const auto module = args.option("--pkcs11-module");
    const auto token = args.option("--pkcs11-token");
    if (kind == "software") {
        if (module || token)
            throw Error(ErrorKind::Usage, "--pkcs11-module and --pkcs11-token go with --key-store pkcs11");
        return software_key_ring(read_password(args, "the new authority's keys (choose one)", true),
                                 ca::k_default_signing_engine);
    }
    if (kind != "pkcs11") throw Error(ErrorKind::Usage, "--key-store must be software or pkcs11");
    if (!module || !token)
        throw Error(ErrorKind::Usage, "--key-store pkcs11 needs --pkcs11-module PATH and --pkcs11-token LABEL");
    ca::check_module_path(*module);
    ca::check_token_label(*token);
    const auto pin = read_pin(args, *token);
    return token_key_ring(ca::Pkcs11Token::open(*module, *token, pin));
}

KeyRingMaker key_ring_for_stored_keys(store::KeyStore& keys, Args& args, ca::SigningEngine engine) {
    // An authority keeps all its keys in one custody; the first token key found names the token.
    for (const auto name : {ca::KeyName::Cluster, ca::KeyName::EnrollmentService, ca::KeyName::Root, ca::KeyName::Ca,
                            ca::KeyName::EnrollmentCa, ca::KeyName::ClusterNext, ca::KeyName::Activation}) {
        std::optional<store::KeyBlob> blob;
        try {
            blob = keys.load_key(ca::key_name(name));
        } catch (const store::StorageError& e) {
            throw Error(ErrorKind::Storage, e.what());
        }
        if (!blob || blob->custody != store::KeyCustody::Pkcs11) continue;
        const auto reference = ca::read_pkcs11_reference(blob->encrypted, blob->name);
        const auto pin = read_pin(args, reference.token);
        return token_key_ring(ca::Pkcs11Token::open(reference.module, reference.token, pin));
    }
    return software_key_ring(read_password(args, "the authority's keys"), engine);
}

}  // namespace xrca::cli
