// Key passwords, by the CLI.md conventions: --password-file FILE, else $XRCA_KEY_PASSWORD, else
// an interactive prompt when stdin is a terminal; with none of the three, a usage error.
#pragma once

#include "ca/key_protection.h"
#include "cli/args.h"

namespace xrca::cli {

/** Takes --password-file from `args` and returns the password. `confirm` asks twice on a terminal. */
ca::Password read_password(Args& args, bool confirm = false);

}  // namespace xrca::cli
