// The enrollment log's hash chain, shared by every back end: the entry joins the chain inside
// the transaction that appends it (the back end serialises appends and keeps the head), and a
// check walks the entries oldest first against the pinned head. A back end only stores rows.
#pragma once

#include "store/records.h"

#include <cstdint>
#include <optional>
#include <string>

namespace xrca::store {

/** The hash of a log entry chained to `prev_hash` (hex SHA-256 over every field, length-prefixed). */
std::string log_entry_hash(const std::string& prev_hash, const LogEntry& entry);

/**
 * A position in the chain: the newest entry as the store pins it, or the last archived entry
 * the live log continues from (seq 0 and 64 zeros: before the first entry, the genesis).
 */
struct LogHead {
    std::int64_t seq = 0;
    std::string hash = std::string(64, '0');
};

/** `entry` as it joins the chain after `head`: seq, prev_hash and hash set. The new head is {seq, hash}. */
LogEntry chain_log_entry(const LogHead& head, LogEntry entry);

/**
 * Checks a log one entry at a time, oldest first, then against the head the store pinned.
 * It starts from `start`: the genesis, or the checkpoint of the last archived entry, so that
 * a log whose oldest entries were archived (docs/logging.md) still verifies.
 */
class LogChainCheck {
public:
    explicit LogChainCheck(LogHead start = {});
    /** False (and the problem recorded) at the first entry that breaks the chain. */
    bool add(const LogEntry& entry);
    /** The verdict once every entry was added; `head` is nullopt when the store has none. */
    [[nodiscard]] LogCheck finish(const std::optional<LogHead>& head) const;

private:
    LogCheck m_check;
    std::string m_prev;
};

}  // namespace xrca::store
