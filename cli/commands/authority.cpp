// `xrca init`, `anchor`, `status`, `chain`, `trust`: setting up and inspecting an authority (`log` is in log.cpp).
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/json.h"
#include "cli/password.h"
#include "cli/session.h"

#include "ca/hierarchy.h"
#include "text/clean.h"
#include "xrml/public_key.h"
#include "xrml/templates.h"

#include <botan/system_rng.h>

#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <ostream>
#include <system_error>

namespace xrca::cli {
namespace {

void ensure_data_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(ErrorKind::Storage,
                    "cannot create the data directory " + dir + ": " + std::generic_category().message(errno));
    }
}

std::string anchor_argument(const std::string& arg) {
    if (xrml::looks_like_fingerprint(arg)) {
        std::string lower = arg;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return lower;
    }
    return read_public_key(arg).fingerprint();
}

constexpr const char* k_staging_prefix = ".init-";

// An authority already there is never touched. A store without one can only be what an
// interrupted init of an older xrca left (this one publishes complete stores only): replaced.
void refuse_existing_authority(const Context& ctx) {
    std::unique_ptr<store::Store> existing;
    try {
        existing = store::open_store(ctx.data_dir, store::OpenMode::Existing);
    } catch (const store::StoreMissing&) {
        return;
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    if (auto record = existing->load_authority()) {
        throw Error(ErrorKind::Conflict, "this store already holds the " + record->role + " authority '" +
                                             record->name + "'; use another --store");
    }
    existing.reset();
    ctx.err << "xrca: removing the empty store an interrupted init left in " << ctx.data_dir << '\n';
    store::remove_store(ctx.data_dir);
}

// Staging directories of inits whose process is gone (killed, or the machine stopped).
void remove_abandoned_staging(const Context& ctx) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(ctx.data_dir, ec)) {
        const auto name = entry.path().filename().string();
        if (name.rfind(k_staging_prefix, 0) != 0) continue;
        const auto digits = name.substr(std::strlen(k_staging_prefix));
        if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const auto pid = static_cast<pid_t>(std::stol(digits));
        if (::kill(pid, 0) == 0 || errno != ESRCH) continue;  // still running (or not ours to judge)
        ctx.err << "xrca: removing " << entry.path().string() << ", left by an interrupted init\n";
        std::error_code ignored;
        std::filesystem::remove_all(entry.path(), ignored);
    }
}

const char* custody_name(store::KeyCustody custody) {
    return custody == store::KeyCustody::Pkcs11 ? "pkcs11" : "software";
}

/**
 * Builds an authority with `provision` in a staging store and moves it into place whole: an init
 * interrupted at any point leaves no store at the locator, and the next init starts afresh.
 */
int create_authority(Context& ctx, const KeyRingMaker& make_keys, ca::CryptoMode mode,
                     const std::function<void(const ca::Collaborators&)>& provision) {
    // A PostgreSQL locator names a database that must exist already (init makes its schema);
    // only a data directory is made here.
    const bool directory = !store::is_postgresql_locator(ctx.data_dir);
    if (directory) ensure_data_dir(ctx.data_dir);
    refuse_existing_authority(ctx);
    if (directory) remove_abandoned_staging(ctx);
    const auto staging = store::staging_locator(ctx.data_dir, std::to_string(::getpid()));
    // A SQLite staging store is a directory made here; a PostgreSQL one a schema the store makes.
    const bool staging_directory = !store::is_postgresql_locator(staging);
    const auto discard_staging = [&] {
        std::error_code ignored;
        if (staging_directory) {
            std::filesystem::remove_all(staging, ignored);
            return;
        }
        try {
            store::remove_store(staging);
        } catch (const store::StorageError&) {  // what failed is reported by the caller's error
        }
    };
    if (staging_directory && ::mkdir(staging.c_str(), 0700) != 0) {
        throw Error(ErrorKind::Storage,
                    "cannot create the staging directory " + staging + ": " + std::generic_category().message(errno));
    }
    ca::AuthorityStatus s;
    try {
        auto session = compose_session(open_authority_store(staging, store::OpenMode::Create), make_keys, mode);
        const ca::Collaborators with{*session->store, *session->keys, *session->client_keys, session->clock,
                                     session->rng};
        provision(with);
        s = ca::Authority(with).status();
    } catch (...) {
        discard_staging();
        throw;
    }
    // For the tests of this step: stop as a kill -9 would, with everything but the move done.
    if (std::getenv("XRCA_TEST_KILL_INIT_BEFORE_PUBLISH")) (void)::raise(SIGKILL);
    try {
        store::publish_store(staging, ctx.data_dir);
    } catch (const store::StoreExists&) {
        discard_staging();
        throw Error(ErrorKind::Conflict, "another init created an authority in " + ctx.data_dir + " meanwhile");
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    if (staging_directory) (void)::rmdir(staging.c_str());
    ctx.out << "initialised a " << s.role << " authority '" << s.name << "' in " << ctx.data_dir << '\n'
            << "  GUID:         " << s.guid << '\n'
            << "  crypto mode:  " << s.crypto_mode.description() << '\n'
            << "  state:        " << s.state << '\n';
    if (!s.anchor_fingerprint.empty()) ctx.out << "  trust anchor: " << s.anchor_fingerprint << '\n';
    if (s.state == "awaiting-response") {
        ctx.out << "next: enroll this cluster (`xrca request` then `xrca import`, or `xrca enroll --server URL`)\n";
    } else if (s.role == "enrollment") {
        ctx.out << "next: give relying parties the anchor (`xrca anchor -o anchor.pub.xml`)\n";
    }
    return k_exit_ok;
}

// `init --from-key-export FILE`: the cluster of a key export, re-protected under this
// installation's key password (docs/backup.md). Everything the cluster is comes from the export.
int init_from_key_export(Context& ctx, Args& args, const std::string& file) {
    for (const char* option : {"--role", "--name", "--url", "--crypto-mode", "--revocation", "--trust-anchor"}) {
        if (args.option(option))
            throw Error(ErrorKind::Usage,
                        std::string(option) + " comes from the export: drop it with --from-key-export");
    }
    if (args.flag("--self-enroll") || !args.options("--revocation-authority").empty())
        throw Error(ErrorKind::Usage, "--self-enroll and --revocation-authority do not go with --from-key-export");
    if (args.option("--key-store").value_or("software") != "software") {
        throw Error(ErrorKind::Usage,
                    "an exported cluster key is imported into software keys only; a PKCS#11 token's keys are "
                    "restored with the token's own tools");
    }
    const auto text = read_file(file, k_max_document_bytes);
    // The export is opened (and checked whole) before the new key password is asked for.
    const auto exported = ca::read_cluster_key_export(text, read_export_password(args));
    const auto mode = ca::CryptoMode::from_number(exported.crypto_mode).value_or(ca::CryptoMode::mode2());
    const auto make_keys = key_ring_for_new_authority(args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "init takes no positional arguments");
    ctx.out << "importing the " << exported.role << " cluster '" << text::printable(exported.name) << "' "
            << exported.guid << ", exported " << exported.exported << '\n';
    return create_authority(ctx, make_keys, mode, [&](const ca::Collaborators& with) {
        ca::Authority::provision_from_export(with, exported, local_caller());
    });
}

}  // namespace

int cmd_init(Context& ctx, Args& args) {
    if (const auto file = args.option("--from-key-export")) return init_from_key_export(ctx, args, *file);
    ca::ProvisionRequest r;
    const auto role = args.option("--role");
    if (!role) throw Error(ErrorKind::Usage, "init needs --role enrollment|root|licensing");
    r.role = ca::parse_role(*role);
    r.name = args.option("--name").value_or("");
    r.base_url = args.option("--url").value_or("");
    r.extranet_url = args.option("--extranet-url").value_or("");
    if (auto mode = args.option("--crypto-mode")) {
        const auto parsed = *mode == "1" || *mode == "2" ? ca::CryptoMode::from_number(std::stoi(*mode)) : std::nullopt;
        if (!parsed) throw Error(ErrorKind::Usage, "--crypto-mode must be 2 or 1");
        r.crypto_mode = *parsed;
    }
    r.self_enroll = args.flag("--self-enroll");
    const auto revocation = ca::parse_revocation_mode(args.option("--revocation").value_or("standard"));
    if (!revocation) throw Error(ErrorKind::Usage, "--revocation must be standard or custom");
    r.revocation = *revocation;
    for (const auto& f : args.options("--revocation-authority")) r.revocation_authorities.push_back(read_public_key(f));
    if (auto anchor = args.option("--trust-anchor")) r.trust_anchor = anchor_argument(*anchor);
    // Before anything is created: the password, or the token opened with its PIN.
    const auto make_keys = key_ring_for_new_authority(args);
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "init takes no positional arguments");

    return create_authority(ctx, make_keys, r.crypto_mode,
                            [&](const ca::Collaborators& with) { ca::Authority::provision(with, r, local_caller()); });
}

int cmd_anchor(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    const bool fingerprint_only = args.flag("--fingerprint");
    const auto set = args.option("--set");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "anchor takes no positional arguments");
    auto session = open_session_without_keys(ctx);
    auto& authority = *session->authority;
    if (set) {
        const auto fp = anchor_argument(*set);
        authority.set_trust_anchor(fp, local_caller());
        ctx.out << "trust anchor: " << fp << "; `xrca import RESPONSE.xml` verifies the SLC chain to it\n";
        return k_exit_ok;
    }
    if (fingerprint_only) {
        const auto fp = authority.record().anchor_fingerprint;
        if (fp.empty())
            throw Error(ErrorKind::NotFound, "this authority has no trust anchor (set one with `xrca anchor --set`)");
        ctx.out << fp << '\n';
        return k_exit_ok;
    }
    const auto key = authority.anchor_public_key();
    write_output(ctx, out.value_or("-"), xrml::build_public_key_element(key) + "\n");
    if (out) ctx.out << "wrote the trust anchor " << key.fingerprint() << " to " << *out << '\n';
    return k_exit_ok;
}

int cmd_status(Context& ctx, Args& args) {
    const bool json = args.flag("--json");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "status takes no positional arguments");
    auto session = open_session_without_keys(ctx);
    auto& authority = *session->authority;
    const auto s = authority.status();
    if (json) {
        JsonWriter j;
        j.begin_object();
        j.key("role").value(s.role).key("name").value(s.name).key("guid").value(s.guid).key("url").value(s.base_url);
        j.key("extranet_url");
        if (s.extranet_url.empty())
            j.null();
        else
            j.value(s.extranet_url);
        j.key("state")
            .value(s.state)
            .key("crypto_mode")
            .value(s.crypto_mode.number())
            .key("revocation")
            .value(s.revocation);
        j.key("anchor");
        if (s.anchor_fingerprint.empty())
            j.null();
        else
            j.value(s.anchor_fingerprint);
        j.key("slc_key");
        if (s.slc_key_fingerprint.empty())
            j.null();
        else
            j.value(s.slc_key_fingerprint);
        j.key("slc_valid_from");
        if (s.slc_validity)
            j.value(s.slc_validity->from.to_iso8601());
        else
            j.null();
        j.key("slc_valid_until");
        if (s.slc_validity)
            j.value(s.slc_validity->until.to_iso8601());
        else
            j.null();
        j.key("issued").begin_object();
        for (const auto& [kind, n] : s.issued_by_kind) j.key(kind).value(n);
        j.end_object();
        j.key("pending_request");
        if (s.pending_request_id.empty())
            j.null();
        else
            j.value(s.pending_request_id);
        j.key("pending_key");
        if (s.pending_key_fingerprint.empty())
            j.null();
        else
            j.value(s.pending_key_fingerprint);
        j.key("pending").value(s.pending).key("user_keys").value(s.user_keys);
        j.key("trusted_keys").value(s.trusted_keys).key("log_entries").value(s.log_entries);
        j.key("keys").begin_array();
        for (const auto& k : s.keys) {
            j.begin_object().key("name").value(k.name).key("fingerprint");
            if (k.fingerprint.empty())
                j.null();
            else
                j.value(k.fingerprint);
            j.key("custody").value(custody_name(k.custody));
            if (k.custody == store::KeyCustody::Pkcs11) j.key("token").value(k.token).key("object").value(k.object);
            j.end_object();
        }
        j.end_array();
        j.end_object();
        ctx.out << j.str() << '\n';
        return k_exit_ok;
    }
    ctx.out << s.role << " authority '" << s.name << "'\n"
            << "  state:        " << s.state << '\n'
            << "  GUID:         " << s.guid << '\n';
    if (!s.base_url.empty()) ctx.out << "  URL:          " << s.base_url << '\n';
    if (!s.extranet_url.empty()) ctx.out << "  extranet URL: " << s.extranet_url << '\n';
    ctx.out << "  crypto mode:  " << s.crypto_mode.number() << '\n'
            << "  revocation:   " << s.revocation << '\n'
            << "  trust anchor: " << (s.anchor_fingerprint.empty() ? "(none)" : s.anchor_fingerprint) << '\n';
    if (s.slc_validity) {
        ctx.out << "  certificate:  key " << s.slc_key_fingerprint << ", valid " << s.slc_validity->from.to_xrml()
                << " until " << s.slc_validity->until.to_xrml() << '\n';
    }
    if (!s.pending_request_id.empty()) {
        ctx.out << "  pending request: " << s.pending_request_id << " for key " << s.pending_key_fingerprint << '\n';
    }
    ctx.out << "  issued:      ";
    if (s.issued_by_kind.empty()) ctx.out << " nothing yet";
    for (const auto& [kind, n] : s.issued_by_kind) ctx.out << ' ' << kind << '=' << n;
    ctx.out << "\n  pending: " << s.pending << ", user keys: " << s.user_keys << ", trusted keys: " << s.trusted_keys
            << ", log entries: " << s.log_entries << '\n';
    ctx.out << "  keys:\n";
    for (const auto& k : s.keys) {
        ctx.out << "    " << text::printable(k.name) << ": ";
        if (k.custody == store::KeyCustody::Pkcs11) {
            ctx.out << "PKCS#11 token '" << text::printable(k.token) << "', object '" << text::printable(k.object)
                    << "'";
        } else {
            ctx.out << "software (encrypted in the database)";
        }
        if (!k.fingerprint.empty()) ctx.out << ", " << k.fingerprint;
        ctx.out << '\n';
    }
    return k_exit_ok;
}

int cmd_chain(Context& ctx, Args& args) {
    const auto out = args.option("-o");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "chain takes no positional arguments");
    auto session = open_session_without_keys(ctx);
    auto& authority = *session->authority;
    const auto chain = authority.own_chain();
    if (chain.empty()) throw Error(ErrorKind::WrongState, "this cluster has no chain yet: it is awaiting enrollment");
    write_output(ctx, out.value_or("-"), ca::chain_text(chain));
    if (out) ctx.out << "wrote " << chain.size() << " documents to " << *out << '\n';
    return k_exit_ok;
}

int cmd_trust(Context& ctx, Args& args) {
    const auto verb = args.verb();
    if (verb.empty()) throw Error(ErrorKind::Usage, "trust needs add, list or remove");
    Args& rest = args;
    if (verb == "list") {
        const bool json = rest.flag("--json");
        auto store = open_authority_store(ctx.data_dir);
        const auto list = store->list_trust();
        if (json) {
            JsonWriter j;
            j.begin_array();
            for (const auto& t : list) {
                j.begin_object().key("fingerprint").value(t.fingerprint).key("purpose").value(t.purpose);
                j.key("label").value(t.label).key("added").value(t.added).end_object();
            }
            j.end_array();
            ctx.out << j.str() << '\n';
        } else {
            if (list.empty()) ctx.out << "no keys trusted besides this authority's own\n";
            for (const auto& t : list)
                ctx.out << t.fingerprint << "  " << t.purpose << "  " << t.added << "  " << t.label << '\n';
        }
        return k_exit_ok;
    }
    // add and remove change state: they are logged, and need no key password.
    auto session = open_session_without_keys(ctx);
    auto& authority = *session->authority;
    if (verb == "add") {
        const auto spc = rest.option("--spc-issuer");
        const auto rac = rest.option("--rac-issuer");
        const auto label = rest.option("--label").value_or("");
        if (!rest.positionals().empty() || (spc.has_value() == rac.has_value())) {
            throw Error(ErrorKind::Usage,
                        "trust add needs exactly one of --spc-issuer PUB.xml or --rac-issuer PUB.xml");
        }
        const auto key = read_public_key(spc ? *spc : *rac);
        authority.add_trust(spc ? ca::TrustPurpose::SpcIssuer : ca::TrustPurpose::RacIssuer, key, label,
                            local_caller());
        ctx.out << "now trusting " << key.fingerprint() << " as " << (spc ? "an SPC issuer" : "a RAC issuer") << '\n';
        return k_exit_ok;
    }
    if (verb == "remove") {
        const auto fps = rest.positionals();
        if (fps.size() != 1) throw Error(ErrorKind::Usage, "trust remove takes one FINGERPRINT");
        authority.remove_trust(fps.front(), local_caller());
        ctx.out << "no longer trusting " << fps.front() << '\n';
        return k_exit_ok;
    }
    throw Error(ErrorKind::Usage, "trust needs add, list or remove, not '" + verb + "'");
}

int cmd_set_url(Context& ctx, Args& args) {
    const auto extranet = args.option("--extranet");
    const bool none = args.flag("--no-extranet");
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "set-url takes no positional arguments");
    if (extranet.has_value() == none)
        throw Error(ErrorKind::Usage, "set-url needs --extranet BASE_URL or --no-extranet");
    if (extranet && extranet->empty()) throw Error(ErrorKind::Usage, "--extranet needs a URL; --no-extranet clears it");
    auto session = open_session_without_keys(ctx);
    session->authority->set_extranet_url(extranet.value_or(""), local_caller());
    const auto now = session->authority->extranet_url();
    ctx.out << (now.empty() ? std::string("no extranet URL") : "extranet URL " + now) << '\n';
    return k_exit_ok;
}

}  // namespace xrca::cli
