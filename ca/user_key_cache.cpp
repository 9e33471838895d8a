// The bounded cache of user keys (see user_key_cache.h).
#include "ca/user_key_cache.h"

namespace xrca::ca {

UserKeyCache::Key UserKeyCache::find(const std::string& user_id) {
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto it = m_index.find(user_id);
    if (it == m_index.end()) return nullptr;
    m_order.splice(m_order.begin(), m_order, it->second);
    return it->second->second;
}

UserKeyCache::Key UserKeyCache::insert(const std::string& user_id, Key key) {
    Key evicted;  // released after the lock: destroying a key scrubs its memory
    std::lock_guard<std::mutex> lock(m_mutex);
    if (const auto it = m_index.find(user_id); it != m_index.end()) {
        m_order.splice(m_order.begin(), m_order, it->second);
        return it->second->second;
    }
    if (m_capacity == 0) return key;
    if (m_order.size() >= m_capacity) {
        evicted = std::move(m_order.back().second);
        m_index.erase(m_order.back().first);
        m_order.pop_back();
    }
    m_order.emplace_front(user_id, key);
    m_index.emplace(user_id, m_order.begin());
    return key;
}

std::size_t UserKeyCache::size() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_order.size();
}

}  // namespace xrca::ca
