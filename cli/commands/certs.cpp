// `xrca certs list|show` and `xrca export-key`: finding what this authority issued, and taking
// the public key out of any certificate for the commands that want a <PUBLICKEY> file
// (docs/certificates.md).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/session.h"
#include "cli/time_arguments.h"

#include "ca/certificate_kinds.h"
#include "text/clean.h"
#include "xrml/reader.h"
#include "xrml/signature.h"
#include "xrml/templates.h"

#include <ostream>

namespace xrca::cli {
namespace {

std::string kind_argument(const std::string& value) {
    if (auto kind = ca::certificate_kind_of(value)) return *kind;
    throw Error(ErrorKind::Usage, "--kind '" + text::printable(value) +
                                      "' is not a kind: give machine (or spc), rac, clc, slc or activation-issuer");
}

store::CertificateFilter filter_from(Args& args) {
    store::CertificateFilter f;
    const auto now = ca::SystemClock().now();
    if (auto v = args.option("--kind")) f.kind = kind_argument(*v);
    f.subject = args.option("--user");
    if (auto v = args.option("--subject")) f.subject = v;
    f.machine = args.option("--machine");
    if (auto v = args.option("--since")) f.issued_since = time_argument("--since", *v, now).to_iso8601();
    if (auto v = args.option("--until")) f.issued_until = time_argument("--until", *v, now).to_iso8601();
    const bool revoked = args.flag("--revoked");
    const bool not_revoked = args.flag("--not-revoked");
    if (revoked && not_revoked) throw Error(ErrorKind::Usage, "--revoked and --not-revoked exclude each other");
    if (revoked || not_revoked) f.revoked = revoked;
    if (auto v = args.option("--status")) {
        if (*v != "issued" && *v != "pending" && *v != "abandoned" && *v != "all")
            throw Error(ErrorKind::Usage, "--status must be issued, pending, abandoned or all");
        f.status = *v == "all" ? "" : *v;
    }
    if (auto n = number_option(args, "--limit", 1, store::k_max_listed_certificates)) f.limit = *n;
    return f;
}

// The fields of a row, into an object the caller opened (show adds more before closing it).
void write_json_fields(JsonWriter& j, const store::ListedCertificate& row) {
    const auto& c = row.certificate;
    j.key("id").value(c.id).key("kind").value(c.kind).key("status").value(c.status);
    j.key("subject").value(c.subject).key("machine");
    if (c.machine) {
        j.value(*c.machine);
    } else {
        j.null();
    }
    j.key("issued").value(c.issued).key("valid_from");
    if (c.valid_from) {
        j.value(*c.valid_from);
    } else {
        j.null();
    }
    j.key("valid_until");
    if (c.valid_until) {
        j.value(*c.valid_until);
    } else {
        j.null();
    }
    j.key("revoked").value(row.revoked).key("key_fingerprint").value(c.key_fingerprint);
    j.key("issuer_fingerprint").value(c.issuer_fingerprint).key("request_id").value(c.request_id);
    j.key("license_hash").value(c.license_hash);
}

int list(Context& ctx, Args& args) {
    const auto filter = filter_from(args);
    const bool json = args.flag("--json");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "certs list takes no arguments");
    auto session = open_session_without_keys(ctx);
    const auto rows = session->authority->list_certificates(filter);
    if (json) {
        JsonWriter j;
        j.begin_array();
        for (const auto& row : rows) {
            j.begin_object();
            write_json_fields(j, row);
            j.end_object();
        }
        j.end_array();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    if (rows.empty()) ctx.out << "no certificates match\n";
    for (const auto& row : rows) {
        const auto& c = row.certificate;
        const auto* kind = ca::certificate_kind_short_name(c.kind);
        ctx.out << c.id << "  " << (kind ? kind : text::printable(c.kind).c_str()) << "  " << c.issued << "  "
                << text::printable(c.subject);
        if (c.machine) ctx.out << "  machine=" << text::printable(*c.machine);
        if (c.status != "issued") ctx.out << "  " << c.status;
        if (row.revoked) ctx.out << "  REVOKED";
        ctx.out << '\n';
    }
    if (rows.size() == filter.limit)
        ctx.out << "(the first " << rows.size() << "; narrow the filter or raise --limit for more)\n";
    return k_exit_ok;
}

int show(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool json = args.flag("--json");
    const auto ids = args.positionals();
    if (ids.size() != 1) throw Error(ErrorKind::Usage, "certs show takes one certificate ID");
    auto session = open_session_without_keys(ctx);
    const auto found = session->authority->find_certificate(ids.front());
    if (!found) throw Error(ErrorKind::NotFound, "no certificate " + text::printable(ids.front()) + " was issued here");
    const auto& c = found->certificate;
    // The document's own verdict: its signature under the key it names as its issuer.
    std::string verdict = "not issued: no document";
    if (c.xrml) {
        const auto doc = xrml::read_documents(*c.xrml).documents.front();
        const auto check = xrml::verify_signature(doc);
        verdict = check.ok() ? "signature verifies with issuer key " + doc.issuer.key->fingerprint()
                             : "SIGNATURE DOES NOT VERIFY: " + check.detail;
    }
    if (out) {
        if (!c.xrml) throw Error(ErrorKind::NotFound, "certificate " + c.id + " has no document: it is " + c.status);
        write_output(ctx, *out, *c.xrml);
        if (*out == "-") return k_exit_ok;
    }
    if (json) {
        JsonWriter j;
        j.begin_object();
        write_json_fields(j, *found);
        j.key("verdict").value(verdict).key("document");
        if (c.xrml) {
            j.value(*c.xrml);
        } else {
            j.null();
        }
        j.end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    ctx.out << "id            " << c.id << '\n'
            << "kind          " << text::printable(c.kind) << '\n'
            << "status        " << c.status << (found->revoked ? ", REVOKED" : "") << '\n'
            << "subject       " << text::printable(c.subject) << '\n';
    if (c.machine) ctx.out << "machine       " << text::printable(*c.machine) << '\n';
    ctx.out << "issued        " << c.issued << '\n';
    if (c.valid_from && c.valid_until) ctx.out << "valid         " << *c.valid_from << " to " << *c.valid_until << '\n';
    ctx.out << "key           " << c.key_fingerprint << '\n'
            << "issuer key    " << c.issuer_fingerprint << '\n'
            << "license hash  " << c.license_hash << '\n'
            << "request       " << c.request_id << '\n'
            << "verdict       " << verdict << '\n';
    if (out) ctx.out << "wrote the document to " << text::printable(*out) << '\n';
    return k_exit_ok;
}

}  // namespace

int cmd_certs(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb == "list") return list(ctx, args);
    if (verb == "show") return show(ctx, args);
    throw Error(ErrorKind::Usage, "certs needs list or show (xrca certs --help)");
}

int cmd_export_key(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool issuer = args.flag("--issuer");
    const auto files = args.positionals();
    if (files.size() != 1 || !out)
        throw Error(ErrorKind::Usage, "usage: xrca export-key CERT.xml [--issuer] -o PUB.xml");
    const auto set = xrml::read_documents(read_file(files.front(), k_max_document_bytes));
    const auto& leaf = set.documents.front();
    std::optional<xrml::PublicKey> key = leaf.issuer.key;
    if (!issuer) key = leaf.principal ? leaf.principal->key : std::nullopt;
    if (!key) {
        throw Error(ErrorKind::Malformed,
                    text::printable(files.front()) + ": the " + text::printable(leaf.kind()) + " names no " +
                        (issuer ? "issuer key" : "key of its own (ISSUEDPRINCIPALS/PRINCIPAL/PUBLICKEY)"));
    }
    write_output(ctx, *out, xrml::build_public_key_element(*key) + "\n");
    // Stdout carries only the key when it is the output; the note goes to stderr.
    if (*out != "-") {
        ctx.err << "wrote " << (issuer ? "the issuer's key " : "the key ") << key->fingerprint() << " to "
                << text::printable(*out) << '\n';
    }
    return k_exit_ok;
}

}  // namespace xrca::cli
