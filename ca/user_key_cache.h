// The authority's cache of unwrapped user keys (Certify reuses a user's escrowed key on every
// machine, and unwrapping costs as much as a signature). Bounded, least recently used out
// first: an unbounded cache would hold every user's private key in memory for the process's
// life. An evicted key is destroyed when the last request using it finishes; Botan keeps the
// key's numbers in secure_vector storage, which it overwrites when freed (docs/key-protection.md).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace Botan {
class RSA_PrivateKey;
}  // namespace Botan

namespace xrca::ca {

/** A bounded LRU map from user ID to that user's private key. Thread-safe. */
class UserKeyCache {
public:
    using Key = std::shared_ptr<const Botan::RSA_PrivateKey>;

    /** `capacity` users at most; 0 keeps nothing. */
    explicit UserKeyCache(std::size_t capacity) : m_capacity(capacity) {}

    /** The cached key of `user_id` (now the most recently used), or null. */
    Key find(const std::string& user_id);
    /**
     * Caches `key` for `user_id` unless a key is cached already, evicting the least recently used
     * user when full; returns the cached key (the earlier one if there was one).
     */
    Key insert(const std::string& user_id, Key key);
    /** How many users' keys are held now. */
    [[nodiscard]] std::size_t size() const;
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }

private:
    using Entry = std::pair<std::string, Key>;
    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::list<Entry> m_order;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> m_index;
};

}  // namespace xrca::ca
