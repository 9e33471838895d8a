// The xrca subcommands and their help. Each command takes the parsed global context and its
// own arguments, writes to the given streams, and returns an exit code or throws xrca::Error.
#pragma once

#include "cli/args.h"

#include <iosfwd>
#include <string>

namespace xrca::cli {

/** What every command gets: the data directory and where to write. */
struct Context {
    std::string data_dir;
    std::ostream& out;
    std::ostream& err;
};

int cmd_verify(Context& ctx, Args& args);
int cmd_show(Context& ctx, Args& args);
int cmd_init(Context& ctx, Args& args);
int cmd_anchor(Context& ctx, Args& args);
int cmd_status(Context& ctx, Args& args);
int cmd_chain(Context& ctx, Args& args);
int cmd_trust(Context& ctx, Args& args);
int cmd_log(Context& ctx, Args& args);
int cmd_issue(Context& ctx, Args& args);
int cmd_client(Context& ctx, Args& args);
int cmd_request(Context& ctx, Args& args);
int cmd_process(Context& ctx, Args& args);
int cmd_import(Context& ctx, Args& args);
int cmd_principal(Context& ctx, Args& args);
int cmd_serve(Context& ctx, Args& args);
int cmd_enroll(Context& ctx, Args& args);
int cmd_revoke(Context& ctx, Args& args);
int cmd_revocation_list(Context& ctx, Args& args);
int cmd_revocation_authority(Context& ctx, Args& args);
int cmd_exclusion(Context& ctx, Args& args);
int cmd_decommission(Context& ctx, Args& args);
int cmd_set_url(Context& ctx, Args& args);
int cmd_migrate_store(Context& ctx, Args& args);
int cmd_certs(Context& ctx, Args& args);
int cmd_export_key(Context& ctx, Args& args);
int cmd_backup(Context& ctx, Args& args);
int cmd_restore(Context& ctx, Args& args);
int cmd_export_cluster_key(Context& ctx, Args& args);
int cmd_completion(Context& ctx, Args& args);

}  // namespace xrca::cli
