// What commands that work on a data directory share: opening its store, its authority, the
// caller's identity for the log, and the RNG.
#pragma once

#include "ca/authority.h"
#include "ca/key_pool.h"
#include "ca/key_protection.h"
#include "ca/signing_engine.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/key_custody.h"
#include "store/factory.h"

#include <botan/system_rng.h>

#include <memory>

namespace xrca::cli {

/** Opens the store of an existing authority; Error(NotFound) if there is none, Error(Storage) if it cannot be read. */
std::unique_ptr<store::Store> open_authority_store(const std::string& locator,
                                                   store::OpenMode mode = store::OpenMode::Existing);

/**
 * Usage error when a store locator given on the command line (option `option`) holds a
 * password: argv is readable by every user of the machine. ~/.pgpass, PGPASSFILE or
 * $XRCA_STORE carry it instead.
 */
void refuse_password_on_argv(const std::string& option, const std::string& locator);

/** The caller recorded in the log for local commands: "cli:USER". */
ca::Caller local_caller();

/**
 * The composition root of a data-directory command: a store, the key ring its keys live in,
 * a pool of fresh client keys, a clock and the system RNG, and the authority over them.
 * Declared in the order they are built, so that each outlives what uses it.
 */
struct Session {
    std::unique_ptr<store::Store> store;
    ca::SystemClock clock;
    Botan::System_RNG rng;
    std::unique_ptr<ca::KeyRing> keys;
    std::unique_ptr<ca::KeyPool> client_keys;
    std::unique_ptr<ca::Authority> authority;
};

struct ClientKeyPoolSize;
/**
 * Builds a session on an open store: the key ring `make_keys` builds, a client key pool of the
 * authority's mode (sized by `pool`, or the defaults).
 */
std::unique_ptr<Session> compose_session(std::unique_ptr<store::Store> store, const KeyRingMaker& make_keys,
                                         ca::CryptoMode crypto_mode, const ClientKeyPoolSize* pool = nullptr);

/** `--signing-engine libcrypto|botan` (default libcrypto); Error(Usage) naming a wrong value. */
ca::SigningEngine signing_engine_option(Args& args);

/** How many fresh CLC keys are kept ready, and how many threads refill them. */
struct ClientKeyPoolSize {
    std::size_t capacity = 16;
    std::size_t threads = 1;
};

/**
 * Opens the authority of `ctx.data_dir` with the key ring its stored keys live in, reading the
 * key password and `--signing-engine`, or the token's PIN, from `args` (a token is logged in
 * before anything changes), with a client key pool of `pool`.
 */
std::unique_ptr<Session> open_session(const Context& ctx, Args& args, ClientKeyPoolSize pool = {});

/** Opens the authority for commands that touch no private key (status, anchor, chain, trust). */
std::unique_ptr<Session> open_session_without_keys(const Context& ctx);

/** Reads a `<PUBLICKEY>` file; Error(Malformed) naming the file. */
xrml::PublicKey read_public_key(const std::string& path);

/** An `--anchor` argument: a 64-digit fingerprint, or a `<PUBLICKEY>` file; Error(Usage) otherwise. */
std::string anchor_fingerprint(const std::string& arg);

/** Asks `question` [y/N] on a terminal; false when stdin is not one. */
bool confirm(const Context& ctx, const std::string& question);

/** Writes `text` to `path` ("-" for stdout). */
void write_output(const Context& ctx, const std::string& path, const std::string& text);

/** Where a command's own notes go: stderr when its document goes to stdout (`-o -`), stdout otherwise. */
std::ostream& notes_stream(const Context& ctx, const std::string& out);

}  // namespace xrca::cli
