// xrca migrate-store: an authority moves from a data directory into PostgreSQL (store/copy.h).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/json.h"
#include "cli/session.h"

#include "ca/errors.h"
#include "store/copy.h"

#include <ostream>

namespace xrca::cli {

int cmd_migrate_store(Context& ctx, Args& args) {
    const auto from = args.option("--from");
    if (!from) throw Error(ErrorKind::Usage, "migrate-store needs --from DIR, the data directory to copy");
    auto to = args.option("--to");
    if (to) {
        refuse_password_on_argv("--to", *to);
    } else if (store::is_postgresql_locator(ctx.data_dir)) {
        to = ctx.data_dir;  // the global --store or $XRCA_STORE
    } else {
        throw Error(ErrorKind::Usage,
                    "migrate-store needs --to URI (or a postgresql:// URI in --store or $XRCA_STORE)");
    }
    const bool json = args.flag("--json");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "migrate-store takes no positional arguments");

    store::CopyReport report;
    try {
        report = store::copy_store(*from, *to);
    } catch (const store::StoreMissing& e) {
        throw Error(ErrorKind::NotFound, e.what());
    } catch (const store::StoreExists& e) {
        throw Error(ErrorKind::Conflict, e.what());
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    std::int64_t issued = 0;
    for (const auto& [kind, n] : report.counts.issued_by_kind) issued += n;
    if (json) {
        JsonWriter j;
        j.begin_object().key("from").value(report.from).key("to").value(report.to);
        j.key("tables").value(report.tables).key("rows").value(report.rows);
        j.key("certificates_issued").value(issued).key("pending").value(report.counts.pending);
        j.key("log_entries").value(report.log.entries).key("log_verified").value(report.log.ok).end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    ctx.out
        << "copied " << report.from << "\n  into " << report.to << '\n'
        << "  " << report.rows << " rows in " << report.tables << " tables: " << issued << " certificates issued, "
        << report.counts.pending << " pending, " << report.counts.user_keys << " user keys, "
        << report.counts.trusted_keys << " trusted keys\n"
        << "  log: " << report.log.entries << " entries, hash chain verified\n"
        << "next: stop using the data directory; run every node with --store (or $XRCA_STORE) set to the new store\n";
    return k_exit_ok;
}

}  // namespace xrca::cli
