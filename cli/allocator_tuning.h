// How `xrca serve` asks glibc's allocator to keep the memory it has (docs/performance.md).
#pragma once

namespace xrca::cli {

/**
 * Stops glibc's malloc from handing freed memory back to the kernel after every request.
 *
 * Each of serve's worker threads allocates from a per-thread arena. When a request's buffers
 * are freed, glibc trims the arena's top with madvise(MADV_DONTNEED) once more than 128 KiB is
 * free, and the next request faults the same pages in again. Each trim also flushes the TLB on
 * every core that runs a thread of the process: under a Certify load a profile of serve showed
 * 12 % of its CPU in those flushes and 3 % more in the page faults after them. A trim threshold
 * of 32 MiB keeps a request's working set; the process's peak stays the same (the pages were
 * in use anyway), it only no longer shrinks between requests. Large blocks (1 MiB and more)
 * still go to mmap and back, so a one-off large buffer is returned at once.
 *
 * Returns false when glibc refused a setting (nothing is lost but speed).
 */
bool keep_freed_memory_for_reuse() noexcept;

}  // namespace xrca::cli
