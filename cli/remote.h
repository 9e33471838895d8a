// What the commands that talk to an xrca service share: the client options from the command
// line and environment, and the check every received chain passes before it is saved.
#pragma once

#include "cli/args.h"
#include "cli/commands.h"
#include "enrollment/client.h"
#include "xrml/certificate.h"

#include <optional>
#include <string>
#include <vector>

namespace xrca::cli {

/**
 * --server URL (required), --token-file FILE or $XRCA_TOKEN (or --token TOKEN, with a warning:
 * argv is readable by every user), --ca-file PEM, --timeout SECONDS.
 */
enrollment::ClientOptions client_options(Args& args);

/**
 * Verifies a chain a server sent: it must parse, its first document must be of `kind`, and every
 * signature and link must hold now, ending at `anchor` when one is given. Error(PolicyDenied)
 * naming `what` otherwise. Prints where the chain ends.
 */
std::vector<xrml::Certificate> verify_received(const Context& ctx, const std::vector<std::string>& documents,
                                               const std::string& kind, const std::optional<std::string>& anchor,
                                               const std::string& what);

}  // namespace xrca::cli
