// `xrca enroll --server URL`: the offline request/process/import cycle in one online call. The
// request is prepared and signed exactly as for a file (so it is logged and pending here), sent
// as Enroll (root cluster → enrollment service) or SubEnroll (licensing cluster → root cluster),
// and the returned chain is imported with every check `xrca import` makes.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/remote.h"
#include "cli/session.h"

#include "ca/hierarchy.h"
#include "enrollment/client.h"
#include "enrollment/messages.h"

#include <ostream>

namespace xrca::cli {

int cmd_enroll(Context& ctx, Args& args) {
    const auto options = client_options(args);
    const bool renew = args.flag("--renew");
    const bool new_key = args.flag("--new-key");
    auto s = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "enroll takes no positional arguments");
    const enrollment::SoapClient client(options);
    const auto signed_request =
        s->authority->create_offline_request(renew, new_key, local_caller(), enrollment::cluster_request_input);
    const auto& r = signed_request.request;
    const bool enroll = r.operation == ca::ClusterOperation::Enroll;
    const auto& service = enroll ? enrollment::services::enrollment : enrollment::services::sub_enrollment;
    ctx.out << "sending " << ca::cluster_operation_name(r.operation) << " request " << r.request_id << " for key "
            << r.cluster_key.fingerprint() << " to " << client.url_of(service) << '\n';
    // A refusal by the server is logged here as EnrollOnline; the request stays pending, and a
    // later `xrca enroll` sends a new one.
    const auto caller = local_caller();
    const auto chain = s->authority->audit().run(
        "EnrollOnline", caller, "server=" + options.server + "; request=" + r.request_id, [&] {
            const auto reply = client.call(service, ca::cluster_operation_name(r.operation),
                                           enrollment::cluster_request(signed_request));
            return enrollment::strings_in_reply(reply, "LicensorCertificateChain");
        });
    s->authority->import_response(r.request_id, chain, local_caller());
    const auto status = s->authority->status();
    ctx.out << "enrolled: the " << (enroll ? "enrollment service" : "root cluster") << " issued an SLC ("
            << chain.size() << " documents); the cluster is " << status.state << '\n';
    if (status.slc_validity) {
        ctx.out << "  SLC key " << status.slc_key_fingerprint << ", valid " << status.slc_validity->from.to_xrml()
                << " until " << status.slc_validity->until.to_xrml() << '\n';
    }
    return k_exit_ok;
}

}  // namespace xrca::cli
