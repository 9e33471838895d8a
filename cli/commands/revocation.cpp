// `xrca revoke`, `revocation-list`, `revocation-authority new|sign`, `exclusion`, `decommission`
// (docs/revocation.md).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/key_files.h"
#include "cli/password.h"
#include "cli/session.h"
#include "text/clean.h"

#include "ca/hierarchy.h"
#include "ca/revocation.h"
#include "xrml/errors.h"
#include "xrml/reader.h"
#include "xrml/templates.h"

#include <botan/rsa.h>
#include <botan/system_rng.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <ostream>
#include <sstream>

namespace xrca::cli {
namespace {

// The ways of naming what to revoke; `xrca revoke` takes one, `revocation-authority sign` any
// number (with a "--revoke-" prefix).
struct Selector {
    const char* name;  // without the leading "--"
    xrml::RevokeType type;
    bool takes_key_file;
};
constexpr Selector k_selectors[] = {
    {"id", xrml::RevokeType::LicenseId, false},
    {"hash", xrml::RevokeType::LicenseHash, false},
    {"issuer-key", xrml::RevokeType::IssuerKey, true},
    {"issuer-id", xrml::RevokeType::IssuerId, false},
    {"principal-id", xrml::RevokeType::PrincipalId, false},
    {"principal-key", xrml::RevokeType::PrincipalKey, true},
    {"content-id", xrml::RevokeType::ContentId, false},
};

ca::RevocationRequest request_for(const Selector& s, const std::string& value) {
    ca::RevocationRequest r;
    r.type = s.type;
    if (s.takes_key_file) {
        r.key = read_public_key(value);
    } else {
        r.value = value;
    }
    return r;
}

// --hash-of FILE: the license hash of the first document of FILE, for those who hold the
// certificate rather than its hash.
ca::RevocationRequest hash_of(const std::string& path) {
    xrml::DocumentSet set;
    try {
        set = xrml::read_documents(read_file(path, k_max_document_bytes));
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::Malformed, path + ": " + e.what());
    }
    ca::RevocationRequest r;
    r.type = xrml::RevokeType::LicenseHash;
    r.value = xrml::license_hash(set.documents.at(0));
    return r;
}

std::vector<ca::RevocationRequest> requests_from(Args& args, const std::string& prefix) {
    std::vector<ca::RevocationRequest> out;
    for (const auto& s : k_selectors) {
        for (const auto& v : args.options(prefix + s.name)) out.push_back(request_for(s, v));
    }
    for (const auto& path : args.options(prefix + "hash-of")) out.push_back(hash_of(path));
    return out;
}

std::int64_t valid_for_days(Args& args, std::int64_t fallback) {
    const auto text = args.option("--valid-for");
    if (!text) return fallback;
    try {
        std::size_t used = 0;
        const auto days = std::stoll(*text, &used);
        if (used == text->size() && days >= 1 && days <= 3650) return days;
    } catch (const std::exception&) {
    }
    throw Error(ErrorKind::Usage, "--valid-for takes a number of days from 1 to 3650, not '" + *text + "'");
}

void print_revocations(const Context& ctx, const std::vector<store::RevocationRecord>& list, bool json) {
    if (json) {
        JsonWriter j;
        j.begin_array();
        for (const auto& r : list) {
            j.begin_object().key("type").value(r.type).key("value").value(r.value).key("reason").value(r.reason);
            j.key("revoked").value(r.revoked).key("by").value(r.caller).end_object();
        }
        j.end_array();
        ctx.out << j.str() << '\n';
        return;
    }
    if (list.empty()) ctx.out << "nothing is revoked\n";
    for (const auto& r : list) {
        ctx.out << r.revoked << "  " << r.type << "  " << r.value << (r.reason.empty() ? "" : "  (" + r.reason + ")")
                << '\n';
    }
}

}  // namespace

int cmd_revoke(Context& ctx, Args& args) {
    const bool json = args.flag("--json");
    if (args.flag("--list")) {
        if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "revoke --list takes no other arguments");
        auto session = open_session_without_keys(ctx);
        print_revocations(ctx, session->authority->list_revocations(), json);
        return k_exit_ok;
    }
    auto requests = requests_from(args, "--");
    const auto reason = args.option("--reason").value_or("");
    const bool dry_run = args.flag("--dry-run");
    const bool yes = args.flag("--yes");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "revoke takes no positional arguments");
    if (requests.size() != 1) {
        throw Error(ErrorKind::Usage,
                    "revoke takes exactly one of --id, --hash, --hash-of, --issuer-key, --issuer-id, "
                    "--principal-id, --principal-key, --content-id");
    }
    auto& r = requests.front();
    r.reason = reason;
    auto session = open_session_without_keys(ctx);
    // A revocation cannot be taken back: show what it names, and ask, unless told not to.
    if (dry_run || !yes) {
        const auto preview = session->authority->preview_revocation(r);
        auto& say = dry_run ? ctx.out : ctx.err;
        say << (dry_run ? "would revoke " : "about to revoke ") << preview.record.type << " "
            << text::printable(preview.record.value) << '\n';
        if (preview.certificates.empty()) {
            say << "  it names no certificate issued here (a principal or content this authority never certified)\n";
        } else {
            say << "  it names " << preview.certificates.size()
                << (preview.certificates.size() == 100 ? " or more" : "") << " certificate(s) issued here:\n";
            for (const auto& c : preview.certificates) {
                say << "    " << c.certificate.id << "  " << text::printable(c.certificate.kind) << "  "
                    << text::printable(c.certificate.subject) << "  " << c.certificate.issued
                    << (c.revoked ? "  (revoked already)" : "") << '\n';
            }
        }
        if (dry_run) return k_exit_ok;
        if (!confirm(ctx, "revoke it? relying parties refuse it from the next list on, and it cannot be undone")) {
            throw Error(ErrorKind::Usage, "not revoked: confirm at the prompt, or pass --yes (see --dry-run)");
        }
    }
    const auto rec = session->authority->revoke(r, local_caller());
    if (json) {
        JsonWriter j;
        j.begin_object()
            .key("type")
            .value(rec.type)
            .key("value")
            .value(rec.value)
            .key("revoked")
            .value(rec.revoked)
            .end_object();
        ctx.out << j.str() << '\n';
    } else {
        ctx.out << "revoked " << rec.type << " " << rec.value
                << "; it is in the next revocation list this authority signs"
                << " (`xrca revocation-list`, or at once at " << session->authority->revocation_list_url() << ")\n";
    }
    return k_exit_ok;
}

int cmd_revocation_list(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const auto days = valid_for_days(args, 7);
    if (!out) throw Error(ErrorKind::Usage, "revocation-list needs -o RL.xml");
    auto session = open_session(ctx, args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "revocation-list takes no positional arguments");
    const auto text = session->authority->issue_revocation_list(days, local_caller());
    write_output(ctx, *out, text);
    {
        notes_stream(ctx, *out) << "wrote a revocation list of " << session->authority->list_revocations().size()
                                << " entries, valid for " << days << " days, to " << *out << '\n';
    }
    return k_exit_ok;
}

// A custom revocation authority (reference §5.1, §5.3): a key of its own, kept apart from any
// cluster, whose lists count for chains whose SLC names it.
namespace {
constexpr const char* k_ra_key = "revocation-authority";

struct RaSettings {
    std::string guid, name, url;
    ca::CryptoMode crypto_mode = ca::CryptoMode::mode2();
};

std::string settings_path(const std::string& dir) { return dir + "/revocation-authority.conf"; }

void write_settings(const std::string& dir, const RaSettings& s) {
    write_file_atomically(settings_path(dir), "guid=" + s.guid + "\nname=" + s.name + "\nurl=" + s.url +
                                                  "\ncrypto-mode=" + std::to_string(s.crypto_mode.number()) + "\n");
}

RaSettings read_settings(const std::string& dir) {
    std::istringstream in(read_file(settings_path(dir), k_max_key_file_bytes));
    RaSettings s;
    std::string line;
    while (std::getline(in, line)) {
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const auto key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "guid") s.guid = value;
        if (key == "name") s.name = value;
        if (key == "url") s.url = value;
        if (key == "crypto-mode") s.crypto_mode = value == "1" ? ca::CryptoMode::mode1() : ca::CryptoMode::mode2();
    }
    if (!ca::is_braced_guid(s.guid)) throw Error(ErrorKind::Malformed, settings_path(dir) + " has no valid guid= line");
    return s;
}
}  // namespace

int cmd_revocation_authority(Context& ctx, Args& args) {
    const auto verb = args.verb();
    const auto dir = args.option("--dir");
    if (!dir)
        throw Error(ErrorKind::Usage,
                    "revocation-authority " + (verb.empty() ? std::string("new|sign") : verb) + " needs --dir RA_DIR");
    Botan::System_RNG rng;
    if (verb == "new") {
        RaSettings s;
        s.name = args.option("--name").value_or("xrca revocation authority");
        s.url = args.option("--url").value_or("");
        const auto mode = args.option("--crypto-mode").value_or("2");
        if (mode != "1" && mode != "2") throw Error(ErrorKind::Usage, "--crypto-mode must be 2 or 1");
        s.crypto_mode = mode == "1" ? ca::CryptoMode::mode1() : ca::CryptoMode::mode2();
        s.guid = ca::new_guid(rng);
        const auto password = read_password(args, "the revocation authority's new key (choose one)", true);
        if (!args.positionals().empty())
            throw Error(ErrorKind::Usage, "revocation-authority new takes no positional arguments");
        prepare_key_directory(*dir, k_ra_key, "a revocation authority key");
        const auto key = ca::generate_rsa_key(s.crypto_mode.key_bits(), rng);
        save_key_file(*dir, k_ra_key, *key, password, rng);
        const auto pub = xrml::PublicKey::from_botan(*key);
        write_file_atomically(*dir + "/revocation-authority.pub.xml", xrml::build_public_key_element(pub) + "\n");
        write_settings(*dir, s);
        ctx.out << "revocation authority key " << pub.fingerprint() << " (RSA-" << pub.bits() << ")\n"
                << "give " << *dir << "/revocation-authority.pub.xml to the root cluster's `init --revocation custom "
                << "--revocation-authority`; the private key stays in " << key_file_path(*dir, k_ra_key) << '\n';
        return k_exit_ok;
    }
    if (verb == "sign") {
        const auto out = args.option("-o");
        const auto days = valid_for_days(args, 7);
        const auto requests = requests_from(args, "--revoke-");
        if (!out) throw Error(ErrorKind::Usage, "revocation-authority sign needs -o RL.xml");
        if (requests.empty()) {
            throw Error(ErrorKind::Usage,
                        "revocation-authority sign needs at least one --revoke-id, --revoke-hash, --revoke-hash-of, "
                        "--revoke-issuer-key, --revoke-issuer-id, --revoke-principal-id, "
                        "--revoke-principal-key or --revoke-content-id");
        }
        const auto password = read_password(args, "the revocation authority's key");
        if (!args.positionals().empty())
            throw Error(ErrorKind::Usage, "revocation-authority sign takes no positional arguments");
        const auto settings = read_settings(*dir);
        std::vector<xrml::RevokeEntry> entries;
        for (const auto& r : requests) entries.push_back(ca::revoke_entry(r));
        ca::SoftwareSigner signer(load_key_file(*dir, k_ra_key, password), settings.crypto_mode.digest(), rng);
        ca::RevocationListHeader h;
        h.id = ca::new_guid(rng);
        h.issued = xrml::Time::from_unix(std::time(nullptr));
        h.validity = xrml::TimeRange{h.issued, h.issued.plus_seconds(86400 * days)};
        h.issuer = ca::custom_authority_list_issuer(settings.name, settings.url);
        write_output(ctx, *out, ca::sign_revocation_list(signer, h, entries));
        // The authority has no enrollment log; its own record of what it signed is kept beside its key.
        std::ofstream record(*dir + "/signed-lists.log", std::ios::app);
        record << h.issued.to_iso8601() << " list " << h.id << " of " << entries.size() << " entries, valid for "
               << days << " days, written to " << *out << '\n';
        notes_stream(ctx, *out) << "signed revocation list " << h.id << " of " << entries.size() << " entries to "
                                << *out << '\n';
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage, "revocation-authority needs new or sign, not '" + verb + "'");
}

int cmd_exclusion(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb == "list") {
        const bool json = args.flag("--json");
        if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "exclusion list takes no arguments");
        auto session = open_session_without_keys(ctx);
        const auto list = session->authority->list_exclusions();
        if (json) {
            JsonWriter j;
            j.begin_array();
            for (const auto& x : list) {
                j.begin_object().key("kind").value(x.kind).key("value").value(x.value).key("reason").value(x.reason);
                j.key("added").value(x.added).end_object();
            }
            j.end_array();
            ctx.out << j.str() << '\n';
        } else {
            if (list.empty()) ctx.out << "no exclusions\n";
            for (const auto& x : list)
                ctx.out << x.kind << "  " << x.value << "  " << x.added
                        << (x.reason.empty() ? "" : "  (" + x.reason + ")") << '\n';
        }
        return k_exit_ok;
    }
    if (verb == "add") {
        const auto reason = args.option("--reason").value_or("");
        const auto rac_key = args.option("--rac-key");
        const auto min_version = args.option("--min-spc-version");
        if (!args.positionals().empty() || (rac_key.has_value() == min_version.has_value())) {
            throw Error(ErrorKind::Usage, "exclusion add takes one of --rac-key PUB.xml or --min-spc-version VERSION");
        }
        auto session = open_session_without_keys(ctx);
        if (rac_key) {
            const auto key = read_public_key(*rac_key);
            session->authority->exclude_rac_key(key, reason, local_caller());
            ctx.out << "excluded RAC key " << key.fingerprint()
                    << ": GetClientLicensorCert refuses it (DrmacIsExcludedException)\n";
        } else {
            session->authority->set_min_spc_version(*min_version, reason, local_caller());
            ctx.out << "machines whose security processor version is below " << *min_version
                    << " are refused (BlackBoxIsInvalidException)\n";
        }
        return k_exit_ok;
    }
    if (verb == "remove") {
        const auto rac_key = args.option("--rac-key");
        const bool min_version = args.flag("--min-spc-version");
        if (!args.positionals().empty() || (rac_key.has_value() == min_version)) {
            throw Error(ErrorKind::Usage,
                        "exclusion remove takes one of --rac-key FINGERPRINT|PUB.xml or --min-spc-version");
        }
        auto session = open_session_without_keys(ctx);
        if (rac_key) {
            session->authority->remove_exclusion(ca::ExclusionKind::RacKey, anchor_fingerprint(*rac_key),
                                                 local_caller());
        } else {
            const auto list = session->authority->list_exclusions();
            const auto it = std::find_if(list.begin(), list.end(), [](const auto& x) {
                return x.kind == ca::exclusion_kind_name(ca::ExclusionKind::MinSpcVersion);
            });
            if (it == list.end()) throw Error(ErrorKind::NotFound, "no minimum security processor version is set");
            session->authority->remove_exclusion(ca::ExclusionKind::MinSpcVersion, it->value, local_caller());
        }
        ctx.out << "removed\n";
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage,
                "exclusion needs add, list or remove" + (verb.empty() ? std::string() : ", not '" + verb + "'"));
}

int cmd_decommission(Context& ctx, Args& args) {
    const bool yes = args.flag("--yes");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "decommission takes no arguments");
    auto session = open_session_without_keys(ctx);
    const auto& r = session->authority->record();
    ctx.err << "decommissioning the " << r.role << " authority " << r.name << " " << r.guid
            << ": it will issue nothing more, ever, nor answer GetLicensorCertificate; it keeps serving its "
               "revocation list\n";
    if (!yes && !confirm(ctx, "decommission it?")) {
        throw Error(ErrorKind::Usage, "not decommissioned: confirm at the prompt, or pass --yes");
    }
    session->authority->decommission(local_caller());
    ctx.out << "decommissioned " << r.name << '\n';
    return k_exit_ok;
}

}  // namespace xrca::cli
