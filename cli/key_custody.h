// Where an authority's keys live, as the CLI decides it: `init --key-store software|pkcs11`
// chooses, and every later command finds the same custody again from what the store holds
// (a software key, or a reference to a token key), asking for the key password or the token's
// PIN accordingly (docs/key-protection.md).
#pragma once

#include "ca/key_protection.h"
#include "ca/key_ring.h"
#include "ca/signing_engine.h"
#include "cli/args.h"
#include "store/store.h"

#include <functional>
#include <memory>

namespace Botan {
class RandomNumberGenerator;
}

namespace xrca::cli {

/** Builds the key ring over the session's store and RNG (the composition root owns both). */
using KeyRingMaker = std::function<std::unique_ptr<ca::KeyRing>(store::KeyStore&, Botan::RandomNumberGenerator&)>;

/** Software keys, encrypted under `password`, signing with `engine`. */
KeyRingMaker software_key_ring(ca::Password password, ca::SigningEngine engine);

/**
 * What `init` asks for: --key-store software (the default: the key password, asked twice) or
 * --key-store pkcs11 with --pkcs11-module PATH and --pkcs11-token LABEL (the PIN). A token is
 * opened and logged in here, before anything is created: a wrong PIN or a missing module or
 * token stops init with nothing written.
 */
KeyRingMaker key_ring_for_new_authority(Args& args);

/**
 * The ring of an existing authority, by its stored keys: software keys take the key password
 * (and sign with `engine`), keys in a token take its PIN (the token signs: `engine` does not
 * apply), and the token is opened and logged in now, so that a wrong PIN or a missing token
 * stops the command before it changes anything.
 */
KeyRingMaker key_ring_for_stored_keys(store::KeyStore& keys, Args& args, ca::SigningEngine engine);

}  // namespace xrca::cli
