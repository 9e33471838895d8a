// `xrca principal add|list|remove`: who may call the online service (docs/principals.md).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/json.h"
#include "cli/session.h"

#include <ostream>

namespace xrca::cli {

int cmd_principal(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb.empty()) throw Error(ErrorKind::Usage, "principal needs add, list or remove");
    const bool json = args.flag("--json");
    if (verb == "add") {
        const auto role = args.option("--role");
        const auto email = args.option("--email").value_or("");
        const auto user_id = args.option("--user-id").value_or("");
        const auto names = args.positionals();
        if (names.size() != 1 || !role)
            throw Error(ErrorKind::Usage, "principal add NAME --role enroll|sub-enroll|server|user");
        auto session = open_session_without_keys(ctx);
        const auto token = session->authority->add_principal(names.front(), *role, email, user_id, local_caller());
        if (json) {
            JsonWriter j;
            j.begin_object()
                .key("name")
                .value(names.front())
                .key("role")
                .value(*role)
                .key("token")
                .value(token)
                .end_object();
            ctx.out << j.str() << '\n';
        } else {
            ctx.out << "added the " << *role << " principal " << names.front()
                    << ". Its bearer token follows; it is shown only now and stored only as a hash:\n"
                    << token << '\n';
        }
        return k_exit_ok;
    }
    if (verb == "list") {
        if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "principal list takes no arguments");
        auto session = open_session_without_keys(ctx);
        const auto list = session->authority->list_principals();
        if (json) {
            JsonWriter j;
            j.begin_array();
            for (const auto& p : list) {
                j.begin_object().key("name").value(p.name).key("role").value(p.role).key("email").value(p.email);
                j.key("user_id").value(p.user_id).key("created").value(p.created).end_object();
            }
            j.end_array();
            ctx.out << j.str() << '\n';
        } else {
            if (list.empty()) ctx.out << "no principals\n";
            for (const auto& p : list)
                ctx.out << p.name << "  " << p.role << "  " << p.email << "  " << p.created << '\n';
        }
        return k_exit_ok;
    }
    if (verb == "remove") {
        const auto names = args.positionals();
        if (names.size() != 1) throw Error(ErrorKind::Usage, "principal remove takes one NAME");
        auto session = open_session_without_keys(ctx);
        session->authority->remove_principal(names.front(), local_caller());
        ctx.out << "removed " << names.front() << "; its token no longer works\n";
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage, "principal needs add, list or remove, not '" + verb + "'");
}

}  // namespace xrca::cli
