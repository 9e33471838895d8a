// Text generated from the command declarations (cli/options.h): `--help` and bash completion.
#pragma once

#include "cli/options.h"

#include <string>
#include <vector>

namespace xrca::cli {

/** `xrca COMMAND --help`: usage lines and option list from the declarations, around the command's prose. */
std::string command_help(const CommandSpec& spec);

/** `xrca --help`: the global options and one line per command. */
std::string overview(const std::vector<CommandSpec>& commands);

/** `xrca completion bash`: a script defining _xrca and registering it for `xrca`. */
std::string bash_completion(const std::vector<CommandSpec>& commands);

}  // namespace xrca::cli
