// The enrollment log's hash chain: each entry's hash covers the previous hash and every field,
// each length-prefixed so that no two different entries serialise alike.
#include "store/log_chain.h"

#include <botan/hash.h>
#include <botan/hex.h>

namespace xrca::store {

std::string log_entry_hash(const std::string& prev_hash, const LogEntry& e) {
    thread_local const auto hash = Botan::HashFunction::create_or_throw("SHA-256");
    hash->clear();
    const auto field = [&](const std::string& s) {
        const auto n = static_cast<std::uint64_t>(s.size());
        std::uint8_t len[8];
        for (int i = 0; i < 8; ++i) len[i] = static_cast<std::uint8_t>(n >> (8 * i));
        hash->update(len, sizeof len);
        hash->update(s);
    };
    field("xrca-log-v1");
    field(prev_hash);
    field(std::to_string(e.seq));
    field(e.request_id);
    field(e.time);
    field(e.operation);
    field(e.caller);
    field(e.inputs);
    field(e.certificate_id);
    field(e.outcome);
    field(e.reason);
    const auto digest = hash->final();
    return Botan::hex_encode(digest.data(), digest.size(), false);
}

LogEntry chain_log_entry(const LogHead& head, LogEntry entry) {
    entry.seq = head.seq + 1;
    entry.prev_hash = head.hash;
    entry.hash = log_entry_hash(entry.prev_hash, entry);
    return entry;
}

LogChainCheck::LogChainCheck(LogHead start) : m_prev(std::move(start.hash)) { m_check.from_seq = start.seq; }

bool LogChainCheck::add(const LogEntry& e) {
    if (!m_check.ok) return false;
    const auto expected_seq = m_check.from_seq + m_check.entries + 1;
    const auto where = "entry " + std::to_string(e.seq) + " (" + e.operation + " at " + e.time + ")";
    if (e.seq != expected_seq) {
        m_check.problem = "entry " + std::to_string(expected_seq) + " is missing or out of order (found " + where + ")";
    } else if (e.prev_hash != m_prev) {
        m_check.problem = where + " does not follow the entry before it: an entry was removed or reordered";
    } else if (log_entry_hash(m_prev, e) != e.hash) {
        m_check.problem = where + " was changed after it was written";
    } else {
        m_prev = e.hash;
        ++m_check.entries;
        return true;
    }
    m_check.ok = false;
    return false;
}

LogCheck LogChainCheck::finish(const std::optional<LogHead>& head) const {
    LogCheck out = m_check;
    if (!out.ok) return out;
    const std::int64_t head_seq = head ? head->seq : 0;
    const std::int64_t last_seq = out.from_seq + out.entries;
    if (head_seq != last_seq || (head && head->hash != m_prev)) {
        out.ok = false;
        out.problem = "the log ends at entry " + std::to_string(last_seq) + " but its head says " +
                      std::to_string(head_seq) + ": entries were removed from the end";
    }
    return out;
}

}  // namespace xrca::store
