// Announcing a schema upgrade: a newer xrca opening a store written by an older one migrates it,
// and says so (with the backup it took first, for SQLite) rather than changing it silently.
#pragma once

#include <functional>
#include <string>

namespace xrca::store {

/** One upgrade about to run: what store, from which schema version to which. */
struct SchemaUpgrade {
    std::string store;  ///< the store's description (Store::describe())
    int from = 0;
    int to = 0;
    std::string backup;  ///< the backup taken first (SQLite); empty when none was (PostgreSQL)
};

/** Told of each upgrade before its first statement runs. */
using SchemaUpgradeNotice = std::function<void(const SchemaUpgrade&)>;

/** The one line an operator reads: versions, and the backup or how to take one. */
std::string describe_upgrade(const SchemaUpgrade& upgrade);

/** The default notice: describe_upgrade() on stderr. */
void announce_on_stderr(const SchemaUpgrade& upgrade);

/** How a store is opened with respect to its schema. */
struct SchemaOptions {
    SchemaUpgradeNotice notice = announce_on_stderr;
    /** SQLite: copy the database to backups/ before upgrading; false only where the caller holds that copy. */
    bool backup_first = true;
    /** Tests only: stop migrating at this version, building an older store (0: this build's latest). */
    int stop_at = 0;
};

}  // namespace xrca::store
