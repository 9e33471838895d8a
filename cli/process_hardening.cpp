// Core dumps off and not dumpable (see process_hardening.h).
//
// Memory is not locked here: mlockall(MCL_CURRENT | MCL_FUTURE) would pin every thread stack and
// buffer of the service, fail under the usual RLIMIT_MEMLOCK (and then make later allocations
// fail), while what is secret already lives in Botan's secure_vector storage, which Botan
// allocates from a pool it mlock()s itself (docs/key-protection.md).
#include "cli/process_hardening.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <cerrno>
#include <system_error>

namespace xrca::cli {

std::vector<std::string> keep_secrets_out_of_dumps() {
    std::vector<std::string> failed;
    const rlimit no_core{0, 0};
    if (::setrlimit(RLIMIT_CORE, &no_core) != 0)
        failed.push_back("setting RLIMIT_CORE to 0: " + std::generic_category().message(errno));
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        failed.push_back("prctl(PR_SET_DUMPABLE, 0): " + std::generic_category().message(errno));
    return failed;
}

}  // namespace xrca::cli
