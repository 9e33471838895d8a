// The three-node test hierarchy (see authority_fixture.h).
#include "support/authority_fixture.h"

#include "ca/hierarchy.h"

#include <botan/rsa.h>

#include <cstdio>
#include <cstdlib>

namespace xrca::test {

ca::CryptoMode mode_number(int number) { return ca::CryptoMode::from_number(number).value(); }

ca::SigningEngine engine_under_test() {
    const char* name = std::getenv("XRCA_TEST_SIGNING_ENGINE");
    if (!name || !*name) return ca::k_default_signing_engine;
    const auto engine = ca::parse_signing_engine(name);
    if (!engine) {
        (void)std::fprintf(stderr, "XRCA_TEST_SIGNING_ENGINE=%s names no signing engine (libcrypto, botan)\n", name);
        std::abort();
    }
    return *engine;
}

Hierarchy::Hierarchy(int crypto_mode) {
    options.key_kdf_iterations = 1000;
    options.clc_key_pool_capacity = 2;
    options.clc_key_pool_threads = 1;
    char tmpl[] = "/tmp/xrca-ca-XXXXXX";
    root_dir = ::mkdtemp(tmpl);

    ca::ProvisionRequest es;
    es.role = ca::Role::Enrollment;
    es.name = "Test Enrollment";
    es.crypto_mode = mode_number(crypto_mode);
    enrollment = provision("enrollment", es);

    ca::ProvisionRequest rc;
    rc.role = ca::Role::Root;
    rc.name = "Test Root";
    rc.base_url = "https://root.example.test/_wmcs";
    rc.crypto_mode = mode_number(crypto_mode);
    rc.trust_anchor = anchor();
    root = provision("root", rc);
    ca::ClusterRequest er;
    er.cluster_key = root.authority->cluster_public_key();
    er.cluster_guid = root.authority->record().guid;
    er.name = rc.name;
    er.url = rc.base_url;
    er.sku = "xrca";
    er.version = "0.1.0";
    root.authority->activate(enrollment.authority->enroll(er, caller).documents, caller);

    ca::ProvisionRequest lc;
    lc.role = ca::Role::Licensing;
    lc.name = "Test Licensing";
    lc.base_url = "https://licensing.example.test/_wmcs";
    lc.crypto_mode = mode_number(crypto_mode);
    lc.trust_anchor = anchor();
    licensing = provision("licensing", lc);
    ca::ClusterRequest sr;
    sr.operation = ca::ClusterOperation::SubEnroll;
    sr.cluster_key = licensing.authority->cluster_public_key();
    sr.cluster_guid = licensing.authority->record().guid;
    sr.name = lc.name;
    sr.url = lc.base_url;
    sr.sku = "xrca";
    sr.version = "0.1.0";
    licensing.authority->activate(root.authority->sub_enroll(sr, caller).documents, caller);
}

Hierarchy::~Hierarchy() {
    enrollment.authority.reset();
    root.authority.reset();
    licensing.authority.reset();
    std::filesystem::remove_all(root_dir);
}

Node Hierarchy::provision(const std::string& name, const ca::ProvisionRequest& request) {
    Node n;
    n.dir = root_dir + "/" + name;
    std::filesystem::create_directories(n.dir);
    n.store = store::open_store(n.dir, store::OpenMode::Create);
    n.crypto_mode = request.crypto_mode;
    ca::Authority::provision(collaborators(*n.store, k_password, n.crypto_mode), request, caller, options);
    n.authority = open(n, k_password);
    return n;
}

Node Hierarchy::provision_cluster(const std::string& name, ca::Role role, int crypto_mode, bool self_enroll) {
    ca::ProvisionRequest r;
    r.role = role;
    r.name = name;
    r.base_url = "https://" + name + ".example.test/_wmcs";
    r.crypto_mode = mode_number(crypto_mode);
    r.self_enroll = self_enroll;
    if (!self_enroll) r.trust_anchor = anchor();
    return provision(name, r);
}

ca::Collaborators Hierarchy::collaborators(store::Store& store, const std::string& password,
                                           ca::CryptoMode crypto_mode) {
    m_rings.push_back(
        std::make_unique<ca::SoftwareKeyRing>(store, ca::Password(password), rng, options.key_kdf_iterations, engine));
    m_pools.push_back(std::make_unique<ca::KeyPool>(crypto_mode.key_bits(), options.clc_key_pool_capacity,
                                                    options.clc_key_pool_threads));
    return {store, *m_rings.back(), *m_pools.back(), clock, rng};
}

std::unique_ptr<ca::Authority> Hierarchy::open(Node& node, const std::string& password) {
    return std::make_unique<ca::Authority>(collaborators(*node.store, password, node.crypto_mode), options);
}

std::string Hierarchy::machine_spc_chain(const Botan::RSA_PrivateKey& machine_key) {
    ca::MachineRequest m;
    m.machine_key = xrml::PublicKey::from_botan(machine_key);
    return root.authority->certify_machine(m, caller).text();
}

std::string Hierarchy::anchor() const { return enrollment.authority->record().anchor_fingerprint; }

}  // namespace xrca::test
