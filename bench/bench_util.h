// Timing helpers for the benchmarks: run a body repeatedly for a fixed wall time, report
// operations per second, take medians of several rounds.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace xrca::bench {

/** Calls `body()` (which performs `ops_per_call` operations) for about `seconds`; returns ops/s. */
template <typename Body>
double rate(double seconds, Body&& body, double ops_per_call = 1.0) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    std::size_t calls = 0;
    do {
        body();
        ++calls;
    } while (clock::now() < deadline && calls < 100000000);
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    return static_cast<double>(calls) * ops_per_call / elapsed;
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

}  // namespace xrca::bench
