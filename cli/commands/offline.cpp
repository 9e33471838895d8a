// `xrca request`, `process`, `import`: enrollment and sub-enrollment by files
// (docs/offline-files.md). Every request, processing, import and refusal is logged on its side.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/session.h"

#include "offline/request_file.h"
#include "offline/response_file.h"
#include "xrml/errors.h"

#include <unistd.h>
#include <iostream>

namespace xrca::cli {
namespace {

// Reads and parses an untrusted file as one audited request: a failure is refused, logged once
// (ca/audit.h) and rethrown, naming the file.
template <typename Parse>
auto read_logged(Session& s, const char* operation, const std::string& path, std::size_t max_bytes, Parse&& parse) {
    const auto caller = local_caller();
    return s.authority->audit().run(operation, caller, "file=" + path, [&] {
        try {
            return parse(read_file(path, max_bytes));
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::Malformed, path + ": " + e.what(), RmsFault::Argument);
        }
    });
}

}  // namespace

int cmd_request(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool renew = args.flag("--renew");
    const bool new_key = args.flag("--new-key");
    if (!out) throw Error(ErrorKind::Usage, "request needs -o REQUEST.xml");
    auto& say = notes_stream(ctx, *out);  // -o -: the file alone on stdout
    auto s = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "request takes no positional arguments");
    const auto signed_request =
        s->authority->create_offline_request(renew, new_key, local_caller(), offline::write_request_body);
    write_output(ctx, *out, offline::write_request_file(signed_request));
    const auto& r = signed_request.request;
    say << "wrote " << ca::cluster_operation_name(r.operation) << " request " << r.request_id << " to " << *out << '\n'
        << "  cluster " << r.name << " " << r.cluster_guid << ", key " << r.cluster_key.fingerprint() << '\n'
        << "next: carry it to the "
        << (r.operation == ca::ClusterOperation::Enroll ? "enrollment service" : "root cluster") << " (`xrca process "
        << *out << " -o RESPONSE.xml`), then `xrca import RESPONSE.xml` here\n";
    if (s->authority->record().anchor_fingerprint.empty()) {
        say << "note: this cluster has no trust anchor yet: before importing, set the one its SLC chain must\n"
               "      verify to (`xrca anchor --set ANCHOR.pub.xml`, from the issuer's `xrca anchor -o`)\n";
    }
    return k_exit_ok;
}

int cmd_process(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool yes = args.flag("--yes");
    // The administrator's explicit replacement of a cluster whose GUID is certified for another key.
    const auto identity =
        args.flag("--replace-cluster") ? ca::ClusterIdentity::AdminReplace : ca::ClusterIdentity::BoundToKey;
    if (!out) throw Error(ErrorKind::Usage, "process needs -o RESPONSE.xml");
    auto& say = notes_stream(ctx, *out);  // -o -: the file alone on stdout
    auto s = open_session(ctx, args);
    const auto files = args.positionals();
    if (files.size() != 1) throw Error(ErrorKind::Usage, "process takes one REQUEST.xml");
    const auto request = read_logged(*s, "EnrollOffline-Process", files.front(), offline::k_max_request_bytes,
                                     [](const std::string& bytes) { return offline::read_request_file(bytes); });
    const auto& r = request.request;
    say << ca::cluster_operation_name(r.operation) << " request " << r.request_id << " (created " << r.created.to_xrml()
        << ")\n"
        << "  requester:   " << r.name << " " << r.cluster_guid << '\n'
        << "  URL:         " << r.url << '\n'
        << "  key:         " << r.cluster_key.fingerprint() << " (RSA-" << r.cluster_key.bits() << ", crypto mode "
        << r.crypto_mode.value_or(ca::CryptoMode::mode2()).number() << ")\n"
        << "  SKU/version: " << r.sku << " / " << r.version << '\n';
    if (r.operation == ca::ClusterOperation::Enroll) {
        say << "  revocation:  " << ca::revocation_mode_name(r.revocation) << '\n';
        for (const auto& a : r.revocation_authorities) say << "    authority  " << a.fingerprint() << '\n';
    }
    if (request.renewal_proof) say << "  renewal:     proved by the cluster's current key (checked on issue)\n";
    if (identity == ca::ClusterIdentity::AdminReplace) {
        say << "  REPLACE:     if this GUID is certified here for another key, this key replaces it without\n"
               "               a proof by that key (logged)\n";
    }
    if (!yes && !confirm(ctx, "issue this certificate?")) {
        throw Error(ErrorKind::Usage, "not issued: confirm at the prompt, or pass --yes after reviewing the summary");
    }
    const auto chain = r.operation == ca::ClusterOperation::Enroll
                           ? s->authority->enroll(offline::to_cluster_request(request), local_caller(), identity)
                           : s->authority->sub_enroll(offline::to_cluster_request(request), local_caller(), identity);
    write_output(ctx, *out, offline::write_response_file(r.request_id, r.operation, chain, s->clock.now()));
    say << "issued SLC " << chain.certificate_id << "; wrote the response (" << chain.documents.size()
        << " documents, leaf first) to " << *out << '\n';
    return k_exit_ok;
}

int cmd_import(Context& ctx, Args& args) {
    auto s = open_session(ctx, args);
    const auto files = args.positionals();
    if (files.size() != 1) throw Error(ErrorKind::Usage, "import takes one RESPONSE.xml");
    const auto response = read_logged(*s, "EnrollOffline-Import", files.front(), offline::k_max_response_bytes,
                                      [](const std::string& bytes) { return offline::read_response_file(bytes); });
    s->authority->import_response(response.request_id, response.chain, local_caller());
    const auto status = s->authority->status();
    ctx.out << "imported the response to request " << response.request_id << "; the cluster is " << status.state
            << '\n';
    if (status.slc_validity) {
        ctx.out << "  SLC key " << status.slc_key_fingerprint << ", valid " << status.slc_validity->from.to_xrml()
                << " until " << status.slc_validity->until.to_xrml() << '\n';
    }
    return k_exit_ok;
}

}  // namespace xrca::cli
