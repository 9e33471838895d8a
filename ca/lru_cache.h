// A bounded map from a string to a shared immutable value, least recently used out first.
// The authority keeps two: unwrapped user keys (Certify reuses a user's escrowed key on every
// machine, and unwrapping costs as much as a signature) and chains it has read and verified
// (a machine certifies again and again with the same SPC chain). Bounded, because unbounded
// caches grow with the number of clients: for keys that would be every user's private key in
// memory for the process's life.
//
// An evicted value is released after the lock and destroyed when the last request using it
// finishes. For user keys that scrubs them: Botan keeps a key's numbers in secure_vector
// storage, which it overwrites when freed (docs/key-protection.md).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace xrca::ca {

/** Thread-safe. `Value` is usually const: what is cached is shared and never changed. */
template <typename Value>
class LruCache {
public:
    using Pointer = std::shared_ptr<Value>;

    /** `capacity` entries at most; 0 keeps nothing. */
    explicit LruCache(std::size_t capacity) : m_capacity(capacity) {}

    /** The value cached under `key` (now the most recently used), or null. */
    Pointer find(const std::string& key) {
        std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_index.find(key);
        if (it == m_index.end()) return nullptr;
        m_order.splice(m_order.begin(), m_order, it->second);
        return it->second->second;
    }

    /**
     * Caches `value` under `key` unless something is cached there already, evicting the least
     * recently used entry when full; returns the cached value (the earlier one if there was one).
     */
    Pointer insert(const std::string& key, Pointer value) { return put(key, std::move(value), false); }

    /** Caches `value` under `key`, replacing what was there. */
    void replace(const std::string& key, Pointer value) { put(key, std::move(value), true); }

    /** Drops every entry (values in use live on until their last user lets go). */
    void clear() {
        std::list<Entry> dropped;  // destroyed after the lock
        std::lock_guard<std::mutex> lock(m_mutex);
        m_index.clear();
        dropped.swap(m_order);
    }

    /** How many entries are held now. */
    [[nodiscard]] std::size_t size() const {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_order.size();
    }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }

private:
    using Entry = std::pair<std::string, Pointer>;

    Pointer put(const std::string& key, Pointer value, bool overwrite) {
        Pointer released;  // destroyed after the lock
        std::lock_guard<std::mutex> lock(m_mutex);
        if (const auto it = m_index.find(key); it != m_index.end()) {
            m_order.splice(m_order.begin(), m_order, it->second);
            if (!overwrite) return it->second->second;
            released = std::exchange(it->second->second, value);
            return value;
        }
        if (m_capacity == 0) return value;
        if (m_order.size() >= m_capacity) {
            released = std::move(m_order.back().second);
            m_index.erase(m_order.back().first);
            m_order.pop_back();
        }
        m_order.emplace_front(key, value);
        m_index.emplace(key, m_order.begin());
        return value;
    }

    std::size_t m_capacity;
    mutable std::mutex m_mutex;
    std::list<Entry> m_order;  // most recently used first
    std::unordered_map<std::string, typename std::list<Entry>::iterator> m_index;
};

}  // namespace xrca::ca
