// The raw limits the benchmarks compare against, measured in the same run: RSA signatures per
// second (raw_sign.h) with the authority's own key, on a given number of threads.
#pragma once

#include "support/authority_fixture.h"

#include "ca/key_protection.h"

#include "raw_sign.h"

#include <memory>

namespace xrca::bench {

inline std::unique_ptr<Botan::RSA_PrivateKey> cluster_key(test::Node& node) {
    const auto blob = node.store->load_key("cluster");
    return ca::decrypt_private_key(blob->encrypted, ca::Password(test::Hierarchy::k_password), "cluster");
}

}  // namespace xrca::bench
