// Whether a run of xrca needs Botan's pool of locked memory (docs/key-protection.md).
//
// Botan 2 builds that pool at the process's first secure allocation: 128 pages, each mapped
// between guard pages, mlock()ed and excluded from core dumps, then undone page by page at
// exit. That is about 1,000 system calls and 12 ms of CPU on the project's machine, a third of
// what `xrca status` spent in its own process. A command that holds no secret does not need it:
// main() asks this first, and turns the pool off for such a run with Botan's own switch,
// BOTAN_MLOCK_POOL_SIZE=0 (unless the operator set it).
#pragma once

namespace xrca::cli {

/**
 * False only for runs that read no password, PIN or private key: no command (`--version`,
 * `--help`), or one of status, anchor, chain, verify, show, export-key and completion after the
 * global options. Any global option it does not know keeps the pool (true).
 */
bool needs_locked_memory(int argc, const char* const* argv) noexcept;

}  // namespace xrca::cli
