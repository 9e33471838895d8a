// `xrca completion bash`: the completion script, generated from the command declarations.
#include "ca/errors.h"
#include "cli/command_table.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/help.h"

#include <ostream>

namespace xrca::cli {

int cmd_completion(Context& ctx, Args& args) {
    const auto shell = args.verb();
    if (!args.positionals().empty()) throw Error(ErrorKind::Usage, "completion takes only the shell's name");
    if (shell != "bash")
        throw Error(ErrorKind::Usage,
                    "completion needs a shell: bash" + (shell.empty() ? "" : ", not '" + shell + "'"));
    ctx.out << bash_completion(command_specs());
    return k_exit_ok;
}

}  // namespace xrca::cli
