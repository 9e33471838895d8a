// Timing helpers for the benchmarks: run a body repeatedly for a fixed wall time, report
// operations per second, take medians of several rounds. Also the benchmarks' argument reading
// and the guard of their main().
#pragma once

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
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

/**
 * argv[index] as a number of type T (an integer or a floating-point type), or `fallback` when
 * there are not that many arguments. Throws std::invalid_argument for anything but one whole
 * number in T's range, where atoi/atof would have measured with 0.
 */
template <typename T>
T number_arg(int argc, char** argv, int index, T fallback) {
    if (argc <= index) return fallback;
    const std::string_view text(argv[index]);
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        throw std::invalid_argument("argument " + std::to_string(index) + " ('" + std::string(text) +
                                    "') is not a number of the expected kind");
    }
    return value;
}

/** Runs a benchmark's main body: an exception ends it with its message and status 1. */
template <typename Body>
int guarded_main(const char* name, Body&& body) noexcept {
    try {
        return body();
    } catch (const std::exception& e) {
        static_cast<void>(std::fprintf(stderr, "%s: %s\n", name, e.what()));
    } catch (...) {
        static_cast<void>(std::fprintf(stderr, "%s: an unknown exception\n", name));
    }
    return 1;
}

}  // namespace xrca::bench
