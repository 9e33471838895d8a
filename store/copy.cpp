// Copying an authority between back ends (see copy.h).
#include "store/copy.h"

#include "store/factory.h"
#include "store/postgres_copy.h"
#include "store/sqlite_copy.h"

namespace xrca::store {
namespace {

bool same_counts(const StoreCounts& a, const StoreCounts& b) {
    return a.issued_by_kind == b.issued_by_kind && a.pending == b.pending && a.user_keys == b.user_keys &&
           a.log_entries == b.log_entries && a.trusted_keys == b.trusted_keys;
}

}  // namespace

CopyReport copy_store(const std::string& from, const std::string& to) {
    if (is_postgresql_locator(from)) {
        throw StorageError("migrate-store copies from a data directory; " + from.substr(0, 11) +
                           "… is a PostgreSQL store already (back it up with pg_dump)");
    }
    if (!is_postgresql_locator(to)) throw StorageError("migrate-store copies into a postgresql:// URI, not " + to);
    CopyReport report;
    {
        // Opening brings the source to this build's schema, the one the target is made with.
        auto source = open_store(from, OpenMode::Existing);
        if (!source->load_authority()) throw StoreMissing("no authority in " + from + ": nothing to copy");
        report.from = source->describe();
    }
    {
        auto target = open_store(to, OpenMode::Create);
        report.to = target->describe();
        if (target->load_authority()) {
            throw StoreExists(report.to + " holds an authority already; migrate-store copies only into an empty store");
        }
    }
    PostgresTableWriter writer(to);
    read_sqlite_tables(sqlite_database_path(from), writer);
    writer.commit();
    report.tables = writer.tables();
    report.rows = writer.rows();

    auto target = open_store(to, OpenMode::Existing);
    report.counts = target->counts();
    report.log = target->verify_log();
    if (!report.log.ok)
        throw StorageError("the copied log does not verify in " + report.to + ": " + report.log.problem);
    const auto source_now = open_store(from, OpenMode::Existing)->counts();
    if (!same_counts(source_now, report.counts)) {
        throw StorageError("the source changed while it was copied (a process still writes to " + from +
                           "): stop every xrca process using it, remove the copy (DROP SCHEMA in " + report.to +
                           ") and copy again");
    }
    return report;
}

}  // namespace xrca::store
