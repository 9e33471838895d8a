// The table of xrca commands (cli/command_table.cpp), each with its declared options.
#pragma once

#include "cli/options.h"

#include <string>
#include <vector>

namespace xrca::cli {

/** Every command, by name. */
const std::vector<CommandSpec>& command_specs();

/** The command called `name`, or nullptr. */
const CommandSpec* find_command(const std::string& name);

}  // namespace xrca::cli
