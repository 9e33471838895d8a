// `xrca issue machine|rac|clc`: issuance at the authority without a network.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/session.h"

#include "xrml/public_key.h"

#include <ostream>

namespace xrca::cli {

int cmd_issue(Context& ctx, Args& args) {
    const auto kind = args.verb();
    if (kind.empty()) throw Error(ErrorKind::Usage, "issue needs machine, rac or clc");
    Args& rest = args;
    const auto out = rest.option("-o");
    if (!out) throw Error(ErrorKind::Usage, "issue " + kind + " needs -o FILE (or -o - for standard output)");

    ca::IssuedChain issued;
    if (kind == "machine") {
        const auto key_file = rest.option("--public-key");
        if (!key_file) throw Error(ErrorKind::Usage, "issue machine needs --public-key MACHINE.pub.xml");
        ca::MachineRequest r;
        r.machine_key = read_public_key(*key_file);
        if (auto hid = rest.option("--hid-digest")) {
            try {
                r.hardware_id_digest = xrml::base64_decode(*hid, "--hid-digest");
            } catch (const std::exception& e) {
                throw Error(ErrorKind::Usage, e.what());
            }
        }
        auto session = open_session(ctx, rest);
        if (!rest.positionals().empty()) throw Error(ErrorKind::Usage, "unexpected arguments to issue machine");
        issued = session->authority->certify_machine(r, local_caller());
    } else if (kind == "rac") {
        const auto spc = rest.option("--spc-chain");
        const auto user = rest.option("--user-id");
        const auto email = rest.option("--email");
        if (!spc || !email)
            throw Error(ErrorKind::Usage, "issue rac needs --spc-chain FILE --email EMAIL [--user-id ID]");
        ca::RacRequest r{{read_file(*spc, k_max_document_bytes)}, user.value_or(""), *email, rest.flag("--temporary")};
        auto session = open_session(ctx, rest);
        if (!rest.positionals().empty()) throw Error(ErrorKind::Usage, "unexpected arguments to issue rac");
        issued = session->authority->issue_rac(r, local_caller());
    } else if (kind == "clc") {
        const auto rac = rest.option("--rac-chain");
        if (!rac) throw Error(ErrorKind::Usage, "issue clc needs --rac-chain FILE");
        ca::ClcRequest r{{read_file(*rac, k_max_document_bytes)}};
        auto session = open_session(ctx, rest);
        if (!rest.positionals().empty()) throw Error(ErrorKind::Usage, "unexpected arguments to issue clc");
        issued = session->authority->issue_clc(r, local_caller());
    } else {
        throw Error(ErrorKind::Usage, "issue needs machine, rac or clc, not '" + kind + "'");
    }
    write_output(ctx, *out, issued.text());
    {
        notes_stream(ctx, *out) << "issued " << issued.kind << ' ' << issued.certificate_id << "; wrote its chain ("
                                << issued.documents.size() << " documents) to " << *out << '\n';
    }
    return k_exit_ok;
}

}  // namespace xrca::cli
