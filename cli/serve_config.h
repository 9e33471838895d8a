// `xrca serve`'s settings from its command line and its configuration file (docs/serve.md),
// read at start and again at SIGHUP. The command line wins: an option given there replaces the
// file's values (all of them, for a repeatable option).
#pragma once

#include "cli/args.h"
#include "cli/config_file.h"
#include "enrollment/http_server.h"
#include "enrollment/request_log.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace xrca::cli {

/** serve's options as configuration keys. */
const std::vector<ConfigKey>& serve_config_keys();

/**
 * The configuration file to read: `--config FILE` (taken from `args`), else $XRCA_CONFIG, else
 * /etc/xrca/xrca.conf when it exists; nullopt: none.
 */
std::optional<std::string> serve_config_path(Args& args);

/** The command line with the file's settings added where it has none. */
struct MergedSettings {
    Args args;
    std::optional<std::string> store;  ///< the file's `store`, when it names one
};

/**
 * Reads `path` and merges it under `command_line`. Warns on `err` when the file may be changed
 * by users other than its owner; throws xrca::Error (Usage) naming FILE:LINE for a bad line and
 * (Storage) when it cannot be read.
 */
MergedSettings merge_config(const Args& command_line, const std::optional<std::string>& path, std::ostream& err);

/** What may change while serving (applied at SIGHUP without a restart). */
struct LiveSettings {
    enrollment::ServerOptions server;  ///< `listen` too, though a reload keeps the sockets
    enrollment::RequestLogFormat log_format = enrollment::RequestLogFormat::Text;
};

/** Takes and checks the live settings from `args` (reads the TLS files); throws xrca::Error. */
LiveSettings read_live_settings(Args& args);

/**
 * The settings that need a restart to change, as given in `before` and `after`: one message
 * per setting that differs ("listen changed; it needs a restart").
 */
std::vector<std::string> restart_only_changes(const MergedSettings& before, const MergedSettings& after);

}  // namespace xrca::cli
