// Announcing a schema upgrade (see schema_upgrade.h).
#include "store/schema_upgrade.h"

#include <iostream>

namespace xrca::store {

std::string describe_upgrade(const SchemaUpgrade& upgrade) {
    auto line = "xrca: upgrading the schema of the " + upgrade.store + " from version " + std::to_string(upgrade.from) +
                " to " + std::to_string(upgrade.to);
    if (!upgrade.backup.empty()) return line + "; a backup of it as it was is in " + upgrade.backup;
    // PostgreSQL: the upgrade runs in one transaction (nothing changes if it fails), but an older
    // xrca cannot open the result, so the way back is a dump taken before.
    return line + " (no backup taken here: keep an `xrca backup` or pg_dump from before the upgrade)";
}

void announce_on_stderr(const SchemaUpgrade& upgrade) { std::cerr << describe_upgrade(upgrade) << std::endl; }

}  // namespace xrca::store
