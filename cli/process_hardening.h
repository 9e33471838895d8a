// Keeping the secrets a command holds (key password, authority keys, cached user keys) out of
// core dumps and away from other processes of the same user (docs/key-protection.md).
#pragma once

#include <string>
#include <vector>

namespace xrca::cli {

/**
 * Turns core dumps off (RLIMIT_CORE 0) and makes the process not dumpable (PR_SET_DUMPABLE 0:
 * no core even when the limit is raised again, and /proc/PID/mem, environ and ptrace closed to
 * unprivileged processes of the same user). Called first thing by every xrca process. Returns
 * a description of each step that failed (nothing fatal), empty when all held.
 */
std::vector<std::string> keep_secrets_out_of_dumps();

}  // namespace xrca::cli
