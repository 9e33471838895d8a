// Key passwords, by the CLI.md conventions: --password-file FILE, else $XRCA_KEY_PASSWORD, else
// an interactive prompt when stdin is a terminal; with none of the three, a usage error.
#pragma once

#include "ca/key_protection.h"
#include "cli/args.h"

namespace xrca::cli {

/**
 * Moves $XRCA_KEY_PASSWORD out of the process environment: keeps the password for
 * read_password(), removes the variable and overwrites its bytes in place, so that neither
 * /proc/PID/environ nor a child process sees it. Called once, first thing, by main().
 */
void take_password_from_environment();

/** Takes --password-file from `args` and returns the password. `confirm` asks twice on a terminal. */
ca::Password read_password(Args& args, bool confirm = false);

}  // namespace xrca::cli
