// Moving an authority between back ends: `xrca migrate-store` copies a data directory (SQLite)
// into a PostgreSQL database, with its whole history: certificates, the log, principals, trust,
// revocations, pending requests and keys (still encrypted under the same password, or still
// references into the same token). The target must hold no store yet.
#pragma once

#include "store/store.h"

#include <cstdint>
#include <string>

namespace xrca::store {

struct CopyReport {
    std::string from;         ///< the source, described
    std::string to;           ///< the target, described
    std::int64_t tables = 0;  ///< tables copied
    std::int64_t rows = 0;    ///< rows copied, in all tables
    StoreCounts counts;       ///< what the target holds afterwards (equal to the source's)
    LogCheck log;             ///< the target's log, verified after the copy
};

/**
 * Copies the store at `from` (a data directory) into `to` (a postgresql:// locator) in one
 * transaction of the target, from one snapshot of the source: the copy appears whole or not at
 * all. Then opens the target, verifies its log and compares its counts with the source's.
 * StoreExists, and nothing written, when the target holds an authority or any record already;
 * StorageError when a check after the copy fails (the copy stays, for inspection) or either
 * side cannot be read or written.
 */
CopyReport copy_store(const std::string& from, const std::string& to);

}  // namespace xrca::store
