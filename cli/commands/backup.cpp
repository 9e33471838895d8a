// xrca backup, restore, export-cluster-key: a consistent copy of an authority and its rebuilding (store/backup.h,
// docs/backup.md).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/password.h"
#include "cli/session.h"

#include "ca/errors.h"
#include "store/backup.h"

#include <ostream>

namespace xrca::cli {
namespace {

/** Runs a store call and maps its errors once, for both commands. */
template <typename Fn>
auto mapped(Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const store::BackupMissing& e) {
        throw Error(ErrorKind::NotFound, e.what());
    } catch (const store::NotABackup& e) {
        throw Error(ErrorKind::Malformed, e.what());
    } catch (const store::StoreMissing& e) {
        throw Error(ErrorKind::NotFound, e.what());
    } catch (const store::StoreExists& e) {
        throw Error(ErrorKind::Conflict, e.what());
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}

void write_backup_json(JsonWriter& j, const store::BackupInfo& info) {
    j.key("role").value(info.role).key("name").value(info.name).key("guid").value(info.guid);
    j.key("schema_version").value(static_cast<std::int64_t>(info.schema_version));
    j.key("certificates").value(info.certificates).key("log_entries").value(info.log_entries);
    j.key("bytes").value(info.bytes);
}

}  // namespace

int cmd_backup(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool json = args.flag("--json");
    if (!out) throw Error(ErrorKind::Usage, "backup needs -o FILE, the backup file to write");
    if (*out == "-") throw Error(ErrorKind::Usage, "backup writes a database file: give -o FILE, not -");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "backup takes no positional arguments");
    const auto info = mapped([&] { return store::backup_store(ctx.data_dir, *out); });
    if (json) {
        JsonWriter j;
        j.begin_object().key("file").value(*out);
        write_backup_json(j, info);
        j.end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    ctx.out << "backed up the " << info.role << " authority '" << info.name << "' " << info.guid << "\n  to " << *out
            << " (" << info.bytes << " bytes, mode 0600): " << info.certificates << " certificates, "
            << info.log_entries << " log entries, schema version " << info.schema_version << '\n'
            << "keep it with the key password (or the token): the keys in it are encrypted under it\n";
    return k_exit_ok;
}

int cmd_restore(Context& ctx, Args& args) {
    const bool json = args.flag("--json");
    const auto files = args.positionals();
    if (files.size() != 1) throw Error(ErrorKind::Usage, "restore takes one argument: the backup file");
    const auto report = mapped([&] { return store::restore_store(files.front(), ctx.data_dir); });
    if (json) {
        JsonWriter j;
        j.begin_object().key("file").value(files.front()).key("store").value(report.target);
        write_backup_json(j, report.backup);
        j.key("log_verified").value(report.log.ok).end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    ctx.out << "restored the " << report.backup.role << " authority '" << report.backup.name << "' "
            << report.backup.guid << "\n  from " << files.front() << "\n  into " << report.target << '\n'
            << "  " << report.backup.certificates << " certificates; log: " << report.log.entries
            << " entries, hash chain verified\n"
            << "next: run every xrca command with --store " << ctx.data_dir
            << " (the key password is the one the backup's keys were encrypted under)\n";
    return k_exit_ok;
}

}  // namespace xrca::cli

namespace xrca::cli {

int cmd_export_cluster_key(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    if (!out) throw Error(ErrorKind::Usage, "export-cluster-key needs -o FILE, the export file to write");
    if (*out == "-") throw Error(ErrorKind::Usage, "export-cluster-key writes a file (mode 0600): give -o FILE, not -");
    // Refused before any password is asked for: an enrollment service, a cluster without its
    // SLC, a key that lives in a token.
    open_session_without_keys(ctx)->authority->check_cluster_key_exportable();
    const auto export_password = read_export_password(args, true);
    auto session = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "export-cluster-key takes no positional arguments");
    const auto text = session->authority->export_cluster_key(export_password, local_caller());
    write_file_atomically(*out, text, true);
    const auto& record = session->authority->record();
    ctx.out << "exported the cluster key of the " << record.role << " cluster '" << record.name << "' " << record.guid
            << "\n  to " << *out << " (mode 0600), encrypted under the export password\n"
            << "keep the file and its password apart, offline; `xrca init --from-key-export " << *out
            << "` takes it in (docs/backup.md)\n";
    return k_exit_ok;
}

}  // namespace xrca::cli
