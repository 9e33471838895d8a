// Real authorities on real SQLite files in a temporary directory: an enrollment service, a
// root cluster enrolled with it, and a licensing cluster sub-enrolled with the root. Clock
// pinned; key derivation cheapened (the KDF cost is not what these tests are about).
#pragma once

#include "ca/authority.h"
#include "ca/key_pool.h"
#include "ca/signing_engine.h"
#include "ca/software_key_ring.h"
#include "store/factory.h"

#include <botan/system_rng.h>

#include <filesystem>
#include <memory>
#include <string>

namespace xrca::test {

/** One data directory: its store and its authority. */
struct Node {
    std::string dir;
    ca::CryptoMode crypto_mode = ca::CryptoMode::mode2();
    std::unique_ptr<store::Store> store;
    std::unique_ptr<ca::Authority> authority;
};

/** The crypto mode numbered 1 or 2 (tests name modes by number). */
ca::CryptoMode mode_number(int number);

/** The engine named by $XRCA_TEST_SIGNING_ENGINE, else the default; aborts the test run on a wrong name. */
ca::SigningEngine engine_under_test();

class Hierarchy {
public:
    explicit Hierarchy(int crypto_mode = 2);
    ~Hierarchy();
    Hierarchy(const Hierarchy&) = delete;
    Hierarchy& operator=(const Hierarchy&) = delete;

    ca::FixedClock clock{xrml::Time::parse("2026-03-01T12:00")};
    Botan::System_RNG rng;
    ca::AuthorityOptions options;
    /** Signs with software keys: $XRCA_TEST_SIGNING_ENGINE (libcrypto, botan), so CTest runs the suites on each. */
    ca::SigningEngine engine = engine_under_test();
    std::string root_dir;  ///< the temporary directory holding every node
    Node enrollment, root, licensing;
    const ca::Caller caller{"test", "127.0.0.1", "gtest", false};

    /** A data directory with a freshly provisioned authority. */
    Node provision(const std::string& name, const ca::ProvisionRequest& request);
    /** A cluster of `role` named `name` at https://NAME.example.test/_wmcs, self-enrolled or trusting the anchor. */
    Node provision_cluster(const std::string& name, ca::Role role, int crypto_mode, bool self_enroll);
    /**
     * Re-opens a node's authority (e.g. with another password), with a software key ring and a
     * client key pool sized by `options` now; both are kept for the hierarchy's life.
     */
    std::unique_ptr<ca::Authority> open(Node& node, const std::string& password);
    /** The collaborators of an authority on `store`: a new software key ring under `password`. */
    ca::Collaborators collaborators(store::Store& store, const std::string& password, ca::CryptoMode crypto_mode);
    /** The client key pool of the last open() or collaborators() (benchmarks warm it). */
    [[nodiscard]] ca::KeyPool& last_key_pool() { return *m_pools.back(); }
    /** A machine key and its SPC chain from the root cluster. */
    std::string machine_spc_chain(const Botan::RSA_PrivateKey& machine_key);
    /** The anchor fingerprint of the enrollment service. */
    [[nodiscard]] std::string anchor() const;

    static constexpr const char* k_password = "test-password-123";

private:
    // Declared after the nodes, so destroyed before them: ~Hierarchy resets the nodes' authorities first.
    std::vector<std::unique_ptr<ca::KeyRing>> m_rings;
    std::vector<std::unique_ptr<ca::KeyPool>> m_pools;
};

}  // namespace xrca::test
