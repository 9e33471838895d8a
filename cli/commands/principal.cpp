// `xrca principal add|list|remove|grant|revoke-grant|bind|unbind`: who may call the online
// service, which other users a server principal may certify, and the cluster a sub-enroll
// principal is bound to (docs/principals.md).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/json.h"
#include "cli/session.h"
#include "text/clean.h"

#include <ostream>

namespace xrca::cli {
namespace {

// Emails and user IDs are stored as given: what is printed for a terminal goes through
// text::printable, so a stored value can neither forge lines nor send escapes.
std::string grants_text(const store::PrincipalRecord& p) {
    if (p.may_certify.empty()) return "its own user only";
    std::string out;
    for (const auto& g : p.may_certify) out += (out.empty() ? "" : ",") + text::printable(g);
    return out;
}

void write_json(std::ostream& out, const std::vector<store::PrincipalRecord>& list) {
    JsonWriter j;
    j.begin_array();
    for (const auto& p : list) {
        j.begin_object().key("name").value(p.name).key("role").value(p.role).key("email").value(p.email);
        j.key("user_id").value(p.user_id).key("created").value(p.created);
        if (p.role == "sub-enroll") {
            j.key("cluster_guid");
            if (p.cluster_guid.empty()) {
                j.null();
            } else {
                j.value(p.cluster_guid);
            }
        }
        if (p.role == "server") {
            j.key("may_certify").begin_array();
            for (const auto& g : p.may_certify) j.value(g);
            j.end_array();
        }
        j.end_object();
    }
    j.end_array();
    out << j.str() << '\n';
}

void write_text(std::ostream& out, const std::vector<store::PrincipalRecord>& list) {
    if (list.empty()) out << "no principals\n";
    for (const auto& p : list) {
        out << p.name << "  " << p.role << "  " << text::printable(p.email) << "  " << p.created;
        if (p.role == "sub-enroll")
            out << "  cluster=" << (p.cluster_guid.empty() ? "(unbound)" : text::printable(p.cluster_guid));
        if (p.role == "server") out << "  may-certify=" << grants_text(p);
        out << '\n';
    }
}

/** NAME and one more positional (a pattern or a GUID) for grant, revoke-grant and bind. */
std::pair<std::string, std::string> name_and(Args& args, const char* usage) {
    const auto words = args.positionals();
    if (words.size() != 2) throw Error(ErrorKind::Usage, usage);
    return {words[0], words[1]};
}

}  // namespace

int cmd_principal(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb.empty())
        throw Error(ErrorKind::Usage, "principal needs add, list, remove, grant, revoke-grant, bind or unbind");
    if (verb == "add") {
        const bool json = args.flag("--json");
        const auto role = args.option("--role");
        const auto email = args.option("--email").value_or("");
        const auto user_id = args.option("--user-id").value_or("");
        const auto may_certify = args.options("--may-certify");
        const auto names = args.positionals();
        if (names.size() != 1 || !role)
            throw Error(ErrorKind::Usage,
                        "principal add NAME --role enroll|sub-enroll|server|user|admin [--may-certify PATTERN]...");
        auto session = open_session_without_keys(ctx);
        const auto token =
            session->authority->add_principal(names.front(), *role, email, user_id, local_caller(), may_certify);
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
            ctx.out << "added the " << *role << " principal " << names.front() << ".";
            if (!may_certify.empty()) {
                ctx.out << " It may certify the users its " << may_certify.size()
                        << " grant(s) match, and receives their private keys.";
            }
            ctx.out << " Its bearer token follows; it is shown only now and stored only as a hash:\n" << token << '\n';
        }
        return k_exit_ok;
    }
    if (verb == "list") {
        const bool json = args.flag("--json");
        if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "principal list takes no arguments");
        auto session = open_session_without_keys(ctx);
        const auto list = session->authority->list_principals();
        if (json) {
            write_json(ctx.out, list);
        } else {
            write_text(ctx.out, list);
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
    if (verb == "grant") {
        const auto [name, pattern] = name_and(args, "principal grant NAME PATTERN");
        auto session = open_session_without_keys(ctx);
        session->authority->grant_principal(name, pattern, local_caller());
        ctx.out << "server " << name << " may now certify the users matching " << pattern
                << ", and receives their private keys in each RAC\n";
        return k_exit_ok;
    }
    if (verb == "revoke-grant") {
        const auto [name, pattern] = name_and(args, "principal revoke-grant NAME PATTERN");
        auto session = open_session_without_keys(ctx);
        session->authority->revoke_principal_grant(name, pattern, local_caller());
        ctx.out << "withdrew the grant " << pattern << " from " << name
                << " (the keys it received before stay with it: revoke those users' RACs if that matters)\n";
        return k_exit_ok;
    }
    if (verb == "bind") {
        const auto [name, guid] = name_and(args, "principal bind NAME CLUSTER-GUID");
        auto session = open_session_without_keys(ctx);
        session->authority->set_principal_cluster(name, guid, local_caller());
        ctx.out << name << " may now sub-enroll cluster " << guid << " only\n";
        return k_exit_ok;
    }
    if (verb == "unbind") {
        const auto names = args.positionals();
        if (names.size() != 1) throw Error(ErrorKind::Usage, "principal unbind takes one NAME");
        auto session = open_session_without_keys(ctx);
        session->authority->set_principal_cluster(names.front(), "", local_caller());
        ctx.out << names.front() << " is bound to no cluster; its next SubEnroll binds it\n";
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage,
                "principal needs add, list, remove, grant, revoke-grant, bind or unbind, not '" + verb + "'");
}

}  // namespace xrca::cli
