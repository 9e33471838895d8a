// glibc's malloc settings for a long-running server (see allocator_tuning.h).
#include "cli/allocator_tuning.h"

#include <malloc.h>

namespace xrca::cli {

bool keep_freed_memory_for_reuse() noexcept {
    constexpr int k_trim_threshold = 32 << 20;
    // Setting the trim threshold fixes the mmap threshold too (glibc stops adapting it): set it
    // explicitly, so that blocks below 1 MiB come from the arenas rather than from mmap/munmap,
    // which flush the TLB the same way.
    constexpr int k_mmap_threshold = 1 << 20;
    // Called before serve starts any thread; mallopt takes the arena lock in any case.
    const bool trim = mallopt(M_TRIM_THRESHOLD, k_trim_threshold) == 1;  // NOLINT(concurrency-mt-unsafe)
    const bool mmap = mallopt(M_MMAP_THRESHOLD, k_mmap_threshold) == 1;  // NOLINT(concurrency-mt-unsafe)
    return trim && mmap;
}

}  // namespace xrca::cli
