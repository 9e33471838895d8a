// Key passwords, by the CLI.md conventions: --password-file FILE, else $XRCA_KEY_PASSWORD, else
// an interactive prompt when stdin is a terminal; with none of the three, a usage error. PKCS#11
// token PINs the same way: --pin-file FILE, else $XRCA_PKCS11_PIN, else a prompt.
#pragma once

#include "ca/key_protection.h"
#include "cli/args.h"

namespace xrca::cli {

/**
 * Moves $XRCA_KEY_PASSWORD, $XRCA_PKCS11_PIN and $XRCA_EXPORT_PASSWORD out of the process environment: keeps them for
 * read_password(), read_pin() and read_export_password(), removes the variables and overwrites their bytes in place, so
 * that neither /proc/PID/environ nor a child process sees them. Called once, first thing, by main().
 */
void take_password_from_environment();

/**
 * Takes --password-file from `args` and returns the password; a prompt names `whose` password it
 * wants ("the authority's keys in DIR"). `confirm` asks twice on a terminal. A password file
 * that others may read is used, with a warning on stderr.
 */
ca::Password read_password(Args& args, const std::string& whose, bool confirm = false);

/**
 * The user PIN of the PKCS#11 token `token`, by the same conventions: --pin-file FILE, else
 * $XRCA_PKCS11_PIN, else a prompt on a terminal; never from the command line itself.
 */
ca::Password read_pin(Args& args, const std::string& token);

/** Warns on stderr when others than its owner may read `path` (a password, PIN or token file). */
void warn_if_others_may_read(const std::string& path);
/**
 * The password of a cluster key export (docs/backup.md), apart from the key password: by the
 * same conventions, --export-password-file FILE, else $XRCA_EXPORT_PASSWORD, else a prompt on a
 * terminal (asked twice when `confirm`); never from the command line itself.
 */
ca::Password read_export_password(Args& args, bool confirm = false);

}  // namespace xrca::cli
