# shellcheck shell=bash
# The tree the benchmarks measure (bench/cluster.sh, bench/status_time.sh): sourced, not run.

# release_build TARGET...: sets $build to $BENCH_BUILD_DIR or build/bench and, unless
# BENCH_NO_BUILD=1, configures it as a Release tree (with ccache when installed) and builds the
# targets there (BENCH_BUILD_JOBS jobs, default nproc). Another tree (BENCH_BUILD_DIR) is measured
# as it is: building there would make it a Release tree, so it needs BENCH_NO_BUILD=1.
release_build() {
  build=${BENCH_BUILD_DIR:-build/bench}
  if [ -n "${BENCH_BUILD_DIR:-}" ] && [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    echo "$0: BENCH_BUILD_DIR needs BENCH_NO_BUILD=1" >&2
    exit 2
  fi
  [ "${BENCH_NO_BUILD:-0}" = 1 ] && return 0
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  cmake --build "$build" -j"${BENCH_BUILD_JOBS:-$(nproc)}" --target "$@" >/dev/null
}
