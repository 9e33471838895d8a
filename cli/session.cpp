// Shared plumbing of the data-directory commands.
#include "cli/session.h"

#include "ca/hierarchy.h"
#include "cli/files.h"
#include "xrml/errors.h"
#include "xrml/reader.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <ostream>

namespace xrca::cli {

std::unique_ptr<store::Store> open_authority_store(const std::string& locator, store::OpenMode mode) {
    try {
        return store::open_store(locator, mode);
    } catch (const store::StoreMissing&) {
        throw Error(ErrorKind::NotFound, "no authority in " + locator + " (run `xrca --data " + locator +
                                             " init …` first, or give --data DIR)");
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
}

void refuse_password_on_argv(const std::string& option, const std::string& locator) {
    if (!store::locator_holds_password(locator)) return;
    throw Error(ErrorKind::Usage, option +
                                      ": the URI holds a password, and the command line is readable by every user "
                                      "of this machine; put it in ~/.pgpass or PGPASSFILE, or give the whole URI "
                                      "in $XRCA_STORE");
}

ca::Caller local_caller() {
    ca::Caller c;
    const char* user = std::getenv("USER");
    if (!user || !*user) {
        // getpwuid_r: the service may call this from several threads.
        passwd entry{};
        passwd* pw = nullptr;
        static thread_local char buffer[4096];
        user = ::getpwuid_r(::getuid(), &entry, buffer, sizeof buffer, &pw) == 0 && pw ? pw->pw_name : "unknown";
    }
    c.principal = std::string("cli:") + user;
    return c;
}

std::unique_ptr<Session> compose_session(std::unique_ptr<store::Store> store, const KeyRingMaker& make_keys,
                                         ca::CryptoMode crypto_mode, const ClientKeyPoolSize* pool) {
    auto s = std::make_unique<Session>();
    s->store = std::move(store);
    const ca::AuthorityOptions defaults;
    s->keys = make_keys(*s->store, s->rng);
    s->client_keys =
        std::make_unique<ca::KeyPool>(crypto_mode.key_bits(), pool ? pool->capacity : defaults.clc_key_pool_capacity,
                                      pool ? pool->threads : defaults.clc_key_pool_threads);
    return s;
}

namespace {

// `keys_of` chooses the key ring once the store is open: the stored keys say where they live.
template <typename ChooseKeys>
std::unique_ptr<Session> open_with(const Context& ctx, ChooseKeys&& keys_of, const ClientKeyPoolSize& pool) {
    auto store = open_authority_store(ctx.data_dir);
    std::optional<store::AuthorityRecord> record;
    try {
        record = store->load_authority();
    } catch (const store::StorageError& e) {
        throw Error(ErrorKind::Storage, e.what());
    }
    const KeyRingMaker make_keys = keys_of(*store);
    auto s = compose_session(
        std::move(store), make_keys,
        ca::CryptoMode::from_number(record ? record->crypto_mode : 2).value_or(ca::CryptoMode::mode2()), &pool);
    s->authority =
        std::make_unique<ca::Authority>(ca::Collaborators{*s->store, *s->keys, *s->client_keys, s->clock, s->rng});
    return s;
}

}  // namespace

ca::SigningEngine signing_engine_option(Args& args) {
    const auto name = args.option("--signing-engine");
    if (!name) return ca::k_default_signing_engine;
    if (const auto engine = ca::parse_signing_engine(*name)) return *engine;
    throw Error(ErrorKind::Usage, "--signing-engine takes libcrypto or botan, not '" + *name + "'");
}

std::unique_ptr<Session> open_session(const Context& ctx, Args& args, ClientKeyPoolSize pool) {
    const auto engine = signing_engine_option(args);
    auto s = open_with(
        ctx, [&](store::KeyStore& keys) { return key_ring_for_stored_keys(keys, args, engine); }, pool);
    // A command that holds the keys may issue: first close what an interrupted one left open.
    if (const auto n = s->authority->abandon_interrupted_issuances(local_caller())) {
        ctx.err << "xrca: marked " << n << (n == 1 ? " issuance" : " issuances")
                << " left pending by an interrupted process as abandoned (see `xrca log`)\n";
    }
    return s;
}

std::unique_ptr<Session> open_session_without_keys(const Context& ctx) {
    // An empty password opens no key: any attempt to use one fails as a wrong password.
    return open_with(
        ctx, [](store::KeyStore&) { return software_key_ring(ca::Password(""), ca::k_default_signing_engine); },
        ClientKeyPoolSize{});
}

xrml::PublicKey read_public_key(const std::string& path) {
    const auto bytes = read_file(path, k_max_document_bytes);
    std::string why;
    if (bytes.size() <= k_max_key_file_bytes) {
        try {
            return xrml::read_public_key_file(bytes);
        } catch (const xrml::FormatError& e) {
            why = e.what();
        }
    }
    // A certificate (or a chain, leaf first) stands for the key it was issued to.
    try {
        const auto set = xrml::read_documents(bytes);
        if (!set.documents.empty() && set.documents.front().principal && set.documents.front().principal->key)
            return *set.documents.front().principal->key;
    } catch (const xrml::FormatError&) {
    }
    throw Error(ErrorKind::Malformed, path + " is neither a <PUBLICKEY> file nor a certificate that names a key" +
                                          (why.empty() ? std::string() : " (" + why + ")"));
}

std::string anchor_fingerprint(const std::string& arg) {
    if (xrml::looks_like_fingerprint(arg)) {
        std::string lower = arg;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return lower;
    }
    try {
        return read_public_key(arg).fingerprint();
    } catch (const std::exception& e) {
        throw Error(
            ErrorKind::Usage,
            "--anchor " + arg + " is neither a 64-digit fingerprint nor a readable public key file (" + e.what() + ")");
    }
}

void write_output(const Context& ctx, const std::string& path, const std::string& text) {
    if (path == "-") {
        ctx.out << text;
        if (!text.empty() && text.back() != '\n') ctx.out << '\n';
        return;
    }
    write_file_atomically(path, text);
}

std::ostream& notes_stream(const Context& ctx, const std::string& out) { return out == "-" ? ctx.err : ctx.out; }

bool confirm(const Context& ctx, const std::string& question) {
    if (!::isatty(STDIN_FILENO)) return false;
    ctx.err << question << " [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace xrca::cli
