// Client options and received-chain checks (see remote.h).
#include "cli/remote.h"

#include "ca/clock.h"
#include "ca/errors.h"
#include "ca/hierarchy.h"
#include "cli/files.h"
#include "cli/password.h"
#include "cli/session.h"
#include "xrml/chain.h"
#include "xrml/errors.h"
#include "xrml/reader.h"

#include <cstdlib>
#include <iostream>
#include <ostream>

namespace xrca::cli {

enrollment::ClientOptions client_options(Args& args) {
    enrollment::ClientOptions o;
    const auto server = args.option("--server");
    if (!server) throw Error(ErrorKind::Usage, "--server URL is required, e.g. --server http://127.0.0.1:8080/_wmcs");
    o.server = *server;
    const auto token = args.option("--token");
    const auto token_file = args.option("--token-file");
    if (token && token_file) throw Error(ErrorKind::Usage, "give --token or --token-file, not both");
    if (token) {
        // Any user of the machine can read argv (ps, /proc): said every time, as for passwords.
        std::cerr << "xrca: warning: a token on the command line can be read by every user of this machine; "
                     "use --token-file FILE or $XRCA_TOKEN\n";
        o.token = *token;
    } else if (token_file) {
        warn_if_others_may_read(*token_file);
        auto text = read_file(*token_file, k_max_password_file_bytes);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        if (text.empty()) throw Error(ErrorKind::Usage, "the token file " + *token_file + " is empty");
        o.token = std::move(text);
    } else if (const char* env = std::getenv("XRCA_TOKEN"); env && *env) {
        o.token = env;
    }
    if (auto ca = args.option("--ca-file")) o.ca_file = *ca;
    if (auto timeout = args.option("--timeout")) {
        if (timeout->empty() || timeout->size() > 4 || timeout->find_first_not_of("0123456789") != std::string::npos ||
            std::stol(*timeout) == 0) {
            throw Error(ErrorKind::Usage, "--timeout takes seconds, 1 to 9999");
        }
        o.timeout_seconds = std::stol(*timeout);
    }
    return o;
}

std::vector<xrml::Certificate> verify_received(const Context& ctx, const std::vector<std::string>& documents,
                                               const std::string& kind, const std::optional<std::string>& anchor,
                                               const std::string& what) {
    std::vector<xrml::Certificate> docs;
    try {
        docs = xrml::read_documents(ca::chain_text(documents)).documents;
    } catch (const xrml::FormatError& e) {
        throw Error(ErrorKind::PolicyDenied, "the server sent a " + what + " that is not valid XrML: " + e.what());
    }
    if (docs.empty() || docs.front().kind() != kind) {
        throw Error(ErrorKind::PolicyDenied, "the server sent a " + what + " whose first document is not a " + kind);
    }
    xrml::ChainOptions options{anchor, ca::SystemClock().now(), {}};
    const auto verdict = xrml::verify_ordered_chain(docs, options);
    if (!verdict.ok()) {
        throw Error(ErrorKind::PolicyDenied, "the " + what + " the server sent does not verify: " + verdict.detail);
    }
    if (anchor) {
        ctx.out << "  verified: every signature and link, ending at the pinned anchor " << anchor->substr(0, 16)
                << "…\n";
    } else {
        ctx.out << "  verified: every signature and link; the chain ends at key " << verdict.top_issuer_fingerprint
                << '\n'
                << "  (pass --anchor to pin that key; without it, trust in the root is not established)\n";
    }
    return docs;
}

}  // namespace xrca::cli
