#!/usr/bin/env bash
# The test command: installs what is missing, builds with warnings as errors, builds the fuzz
# targets with clang (ASan + UBSan + libFuzzer), and runs every test through CTest: unit,
# integration, and each fuzz target for XRCA_FUZZ_SECONDS (default 30). Ends with CTest's summary.
# Between the build and the tests, scripts/lint.sh checks the format and runs clang-tidy.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --with-fuzz
jobs=$(nproc)
fuzz_seconds=${XRCA_FUZZ_SECONDS:-30}

# Debug information is most of the compile time: CI keeps line tables only (enough for
# backtraces and sanitizer reports) and builds the fuzz tree at -O1, as libFuzzer advises. The
# same two trees with full -g build in about 60 % more time (docs/testing.md).
cmake -S . -B build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXRCA_FUZZ=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" >/dev/null
cmake --build build/fuzz -j"$jobs"

cmake -S . -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXRCA_WERROR=ON \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
      -DXRCA_FUZZ_BUILD_DIR="$PWD/build/fuzz" -DXRCA_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build build/test -j"$jobs"

# Format and lint are part of the test: any clang-format difference or clang-tidy diagnostic of
# the checks in .clang-tidy fails it (scripts/lint.sh; about 5 minutes on 2 cores).
scripts/lint.sh build/test

ctest --test-dir build/test --output-on-failure -j"$jobs"
