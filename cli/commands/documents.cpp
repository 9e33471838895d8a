// `xrca verify` and `xrca show`: read XrML files, report every signature and chain. Whatever
// came from a document (names, IDs, URLs, types, details quoting them) is untrusted: text
// output passes it through text::printable, so it can neither forge a line nor drive a terminal.
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/session.h"

#include "ca/errors.h"
#include "text/clean.h"
#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/revocation.h"

#include <algorithm>
#include <chrono>
#include <ostream>

namespace xrca::cli {
namespace {

using text::printable;

struct LoadedDocuments {
    std::vector<xrml::Certificate> documents;
    std::vector<std::string> files;        // per document: the file it came from
    std::vector<std::size_t> local_index;  // per document: its index inside that file
};

LoadedDocuments load(const std::vector<std::string>& paths) {
    LoadedDocuments loaded;
    for (const auto& path : paths) {
        const auto bytes = read_file(path, k_max_document_bytes);
        xrml::DocumentSet set;
        try {
            set = xrml::read_documents(bytes);
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::Malformed, path + ": " + e.what());
        }
        for (auto& doc : set.documents) {
            loaded.files.push_back(path);
            loaded.local_index.push_back(doc.raw.index);
            doc.raw.index = loaded.documents.size();  // one index space across all files
            loaded.documents.push_back(std::move(doc));
        }
    }
    return loaded;
}

// "7d", "12h", "30m", "90s" or plain seconds.
std::int64_t parse_duration(const std::string& text, const char* option) {
    std::int64_t unit = 1;
    std::string digits = text;
    if (!digits.empty() && std::string("dhms").find(digits.back()) != std::string::npos) {
        unit = digits.back() == 'd' ? 86400 : digits.back() == 'h' ? 3600 : digits.back() == 'm' ? 60 : 1;
        digits.pop_back();
    }
    if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) {
        throw Error(ErrorKind::Usage,
                    std::string(option) + " takes a duration such as 7d, 12h, 30m or 90s, not '" + text + "'");
    }
    return std::stoll(digits) * unit;
}

std::string short_fp(const std::string& fp) {
    return fp.size() > 16 ? fp.substr(0, 8) + "…" + fp.substr(fp.size() - 4) : fp;
}

xrml::Time now() {
    const auto secs =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return xrml::Time::from_unix(secs.count());
}

std::string describe(const xrml::Certificate& c) { return c.kind().empty() ? c.body_type : c.kind(); }

void write_principal_json(JsonWriter& j, const xrml::Principal& p) {
    j.begin_object();
    j.key("type").value(p.object.type);
    j.key("name");
    if (p.object.name)
        j.value(*p.object.name);
    else
        j.null();
    j.key("id").value(p.object.id.value);
    j.key("id_type").value(p.object.id.type);
    j.key("key_fingerprint");
    if (p.key)
        j.value(p.key->fingerprint());
    else
        j.null();
    j.key("key_bits");
    if (p.key)
        j.value(static_cast<std::uint64_t>(p.key->bits()));
    else
        j.null();
    j.end_object();
}

void print_json_error(std::ostream& out, const Error& e) {
    JsonWriter j;
    j.begin_object().key("verified").value(false).key("error").begin_object();
    j.key("kind").value(error_kind_name(e.kind())).key("message").value(e.what());
    j.end_object().end_object();
    out << j.str() << '\n';
}

}  // namespace

int cmd_verify(Context& ctx, Args& args) {
    const bool json = args.flag("--json");
    const auto anchor_arg = args.option("--anchor");
    const auto at_arg = args.option("--at");
    const auto list_files = args.options("--revocation-list");
    std::optional<std::int64_t> max_age;
    if (auto a = args.option("--max-age")) max_age = parse_duration(*a, "--max-age");
    const auto files = args.positionals();
    if (files.empty()) throw Error(ErrorKind::Usage, "verify needs at least one FILE");

    xrml::ChainOptions options;
    if (anchor_arg) options.anchor_fingerprint = anchor_fingerprint(*anchor_arg);
    if (at_arg) {
        auto t = xrml::Time::try_parse(*at_arg);
        if (!t) throw Error(ErrorKind::Usage, "--at '" + *at_arg + "' is not a time of the form YYYY-MM-DDTHH:MM");
        options.at = *t;
    } else {
        options.at = now();
    }

    LoadedDocuments loaded;
    try {
        loaded = load(files);
    } catch (const Error& e) {
        if (json && e.kind() == ErrorKind::Malformed) {
            print_json_error(ctx.out, e);
            return exit_code_for(e.kind());
        }
        throw;
    }
    const auto report = xrml::verify_documents(loaded.documents, options);
    // Revocation lists: each checked on its own (signature, age), then per chain for the
    // documents whose revocation its signer is entitled to.
    // A list is read into its index as it is checked: its entries are never all held at once.
    std::vector<xrml::CheckedList> checked;
    for (const auto& file : list_files) {
        try {
            checked.push_back(
                xrml::read_checked_list(read_file(file, xrml::k_max_revocation_list_bytes), options.at, max_age));
        } catch (const xrml::FormatError& e) {
            throw Error(ErrorKind::Malformed, file + " is not a revocation list: " + e.what());
        }
    }
    std::vector<xrml::ChainRevocation> revocations;
    bool revoked_any = false;
    for (const auto& c : report.chains) {
        revocations.push_back(c.ok() && !checked.empty()
                                  ? xrml::check_chain_revocation(loaded.documents, c, checked, options.at)
                                  : xrml::ChainRevocation{});
        revoked_any = revoked_any || revocations.back().revoked();
    }
    const auto revoked_text = [&](const xrml::ChainRevocation& r) {
        const auto& d = loaded.documents[*r.revoked_document];
        return "document " + std::to_string(*r.revoked_document) + " (" + describe(d) + " " + d.id_text() +
               ") is revoked: " + xrml::revoke_type_name(r.match.type) + " " + r.match.value + " in list " +
               r.match.list_id + " signed by " + short_fp(r.list_signer);
    };

    if (json) {
        JsonWriter j;
        j.begin_object();
        j.key("verified").value(report.ok() && !revoked_any);
        j.key("trust_established").value(report.anchor_given && report.ok() && !revoked_any);
        j.key("anchor");
        if (options.anchor_fingerprint)
            j.value(*options.anchor_fingerprint);
        else
            j.null();
        j.key("at").value(options.at.to_iso8601());
        j.key("documents").begin_array();
        for (std::size_t i = 0; i < loaded.documents.size(); ++i) {
            const auto& d = loaded.documents[i];
            const auto& s = report.signatures[i];
            j.begin_object();
            j.key("index").value(static_cast<std::uint64_t>(i));
            j.key("file").value(loaded.files[i]);
            j.key("index_in_file").value(static_cast<std::uint64_t>(loaded.local_index[i]));
            j.key("kind").value(describe(d));
            j.key("id");
            if (d.descriptor)
                j.value(d.descriptor->id.value);
            else
                j.null();
            j.key("signature").value(s.ok() ? "ok" : xrml::failure_name(s.failure));
            j.key("body_form").value(xrml::body_form_name(s.form));
            j.key("digest_algorithm").value(xrml::digest_algorithm_xrml_name(d.signature.digest_algorithm));
            j.key("issuer_key_fingerprint").value(d.issuer.key->fingerprint());
            j.key("detail").value(s.detail);
            j.end_object();
        }
        j.end_array();
        j.key("chains").begin_array();
        for (std::size_t ci = 0; ci < report.chains.size(); ++ci) {
            const auto& c = report.chains[ci];
            const auto& r = revocations[ci];
            j.begin_object();
            j.key("leaf").value(static_cast<std::uint64_t>(c.leaf));
            j.key("path").begin_array();
            for (auto p : c.path) j.value(static_cast<std::uint64_t>(p));
            j.end_array();
            j.key("top_issuer_key").value(c.top_issuer_fingerprint);
            j.key("anchored").value(c.anchored);
            j.key("ok").value(c.ok());
            j.key("failure");
            if (c.ok()) {
                j.null();
            } else {
                j.begin_object();
                j.key("reason").value(xrml::failure_name(c.failure));
                j.key("document");
                if (c.failed_document)
                    j.value(static_cast<std::uint64_t>(*c.failed_document));
                else
                    j.null();
                j.key("detail").value(c.detail);
                j.end_object();
            }
            j.key("revoked");
            if (r.revoked()) {
                j.begin_object();
                j.key("document").value(static_cast<std::uint64_t>(*r.revoked_document));
                j.key("type").value(xrml::revoke_type_name(r.match.type));
                j.key("value").value(r.match.value);
                j.key("list").value(r.match.list_id);
                j.key("list_signer").value(r.list_signer);
                j.end_object();
            } else {
                j.null();
            }
            j.key("ignored_lists").begin_array();
            for (const auto& why : r.ignored) j.value(why);
            j.end_array();
            j.end_object();
        }
        j.end_array();
        j.end_object();
        ctx.out << j.str() << '\n';
        return report.ok() && !revoked_any ? k_exit_ok : k_exit_refused;
    }

    for (std::size_t i = 0; i < loaded.documents.size(); ++i) {
        const auto& d = loaded.documents[i];
        const auto& s = report.signatures[i];
        ctx.out << "document " << i << " (" << printable(loaded.files[i]) << " #" << loaded.local_index[i] << ", "
                << printable(describe(d)) << ", " << xrml::digest_algorithm_xrml_name(d.signature.digest_algorithm)
                << "/RSA-" << d.issuer.key->bits() << "): " << (s.ok() ? "signature OK" : "signature FAILED") << " — "
                << printable(s.detail) << '\n';
    }
    for (std::size_t ci = 0; ci < report.chains.size(); ++ci) {
        const auto& c = report.chains[ci];
        const auto& r = revocations[ci];
        ctx.out << "chain of document " << c.leaf << ": ";
        for (auto p : c.path) ctx.out << p << " -> ";
        ctx.out << (c.anchored ? "anchor " : "key ") << short_fp(c.top_issuer_fingerprint) << ": ";
        if (!c.ok()) {
            ctx.out << "FAILED [" << xrml::failure_name(c.failure) << "] " << printable(c.detail) << '\n';
        } else if (r.revoked()) {
            ctx.out << "REVOKED — " << printable(revoked_text(r)) << '\n';
        } else {
            ctx.out << (checked.empty() ? "OK\n" : "OK, nothing revoked\n");
        }
        for (const auto& why : r.ignored) ctx.out << "  ignored revocation list " << printable(why) << '\n';
    }
    if (revoked_any) {
        ctx.out << "verdict: NOT VERIFIED — revoked\n";
        return k_exit_refused;
    }
    if (!report.ok()) {
        ctx.out << "verdict: NOT VERIFIED\n";
        return k_exit_refused;
    }
    if (report.anchor_given) {
        ctx.out << "verdict: VERIFIED — every signature and chain checks out and ends at the pinned anchor "
                << *options.anchor_fingerprint << '\n';
    } else {
        const auto& top = report.chains.front().top_issuer_fingerprint;
        ctx.out << "verdict: signatures and chains check out, but trust was NOT established: no --anchor was given.\n"
                << "         The chain ends at key " << top << ";\n"
                << "         pin it with --anchor " << top << " if you trust it.\n";
    }
    return k_exit_ok;
}

int cmd_show(Context& ctx, Args& args) {
    const bool json = args.flag("--json");
    const auto files = args.positionals();
    if (files.size() != 1) throw Error(ErrorKind::Usage, "show takes exactly one FILE");
    const auto loaded = load(files);

    if (json) {
        JsonWriter j;
        j.begin_object().key("documents").begin_array();
        for (const auto& d : loaded.documents) {
            j.begin_object();
            j.key("index").value(static_cast<std::uint64_t>(d.index()));
            j.key("body_type").value(d.body_type);
            j.key("kind").value(d.kind());
            j.key("id");
            if (d.descriptor)
                j.value(d.descriptor->id.value);
            else
                j.null();
            j.key("issued").value(d.issued.to_iso8601());
            j.key("valid_from");
            if (d.validity)
                j.value(d.validity->from.to_iso8601());
            else
                j.null();
            j.key("valid_until");
            if (d.validity)
                j.value(d.validity->until.to_iso8601());
            else
                j.null();
            j.key("issue_range");
            if (d.issue_right && d.issue_right->range) {
                j.begin_object().key("from").value(d.issue_right->range->from.to_iso8601());
                j.key("until").value(d.issue_right->range->until.to_iso8601()).end_object();
            } else {
                j.null();
            }
            j.key("issuer");
            write_principal_json(j, d.issuer);
            j.key("principal");
            if (d.principal)
                write_principal_json(j, *d.principal);
            else
                j.null();
            j.key("digest_algorithm").value(xrml::digest_algorithm_xrml_name(d.signature.digest_algorithm));
            j.key("rights").begin_array();
            for (const auto& r : d.rights) j.value(r);
            j.end_array();
            j.end_object();
        }
        j.end_array().end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }

    for (const auto& d : loaded.documents) {
        ctx.out << "document " << d.index() << ": " << printable(describe(d)) << " (BODY type \""
                << printable(d.body_type) << "\")\n";
        ctx.out << "  id:         " << printable(d.id_text()) << '\n';
        ctx.out << "  issued:     " << d.issued.to_xrml() << '\n';
        if (d.validity)
            ctx.out << "  valid:      " << d.validity->from.to_xrml() << " until " << d.validity->until.to_xrml()
                    << '\n';
        if (d.issue_right && d.issue_right->range) {
            ctx.out << "  may issue:  " << d.issue_right->range->from.to_xrml() << " until "
                    << d.issue_right->range->until.to_xrml() << '\n';
        }
        ctx.out << "  issuer:     " << printable(d.issuer.object.name.value_or(d.issuer.object.id.value)) << " ["
                << printable(d.issuer.object.type) << "] key " << d.issuer.key->fingerprint() << " (RSA-"
                << d.issuer.key->bits() << ")\n";
        if (d.principal) {
            ctx.out << "  principal:  " << printable(d.principal->object.name.value_or(d.principal->object.id.value))
                    << " [" << printable(d.principal->object.type) << "]";
            if (d.principal->key)
                ctx.out << " key " << d.principal->key->fingerprint() << " (RSA-" << d.principal->key->bits() << ")";
            ctx.out << '\n';
        }
        ctx.out << "  signature:  " << xrml::digest_algorithm_xrml_name(d.signature.digest_algorithm)
                << " / RSA PKCS#1 v1.5\n";
    }
    return k_exit_ok;
}

}  // namespace xrca::cli
