// The authority's cache of unwrapped user keys: an LruCache (see lru_cache.h for why it is
// bounded and how evicted keys are scrubbed), keyed by user ID.
#pragma once

#include "ca/lru_cache.h"

namespace Botan {
class RSA_PrivateKey;
}  // namespace Botan

namespace xrca::ca {

using UserKeyCache = LruCache<const Botan::RSA_PrivateKey>;

}  // namespace xrca::ca
