#!/usr/bin/env bash
# The format and lint check. Fails on any clang-format difference in a tracked *.cpp/*.h, and on
# any clang-tidy diagnostic of the checks in .clang-tidy (WarningsAsErrors: '*').
#
# usage: scripts/lint.sh [BUILD_DIR] [PATH...]
#   BUILD_DIR  a configured build tree whose compile_commands.json lists the sources to tidy
#              (default build/test; CMAKE_EXPORT_COMPILE_COMMANDS is on in CMakeLists.txt).
#              Its generated headers must exist, so build it (or at least configure it) first.
#   PATH...    only check files under these repository paths, e.g. `scripts/lint.sh build/test xrml`.
# environment:
#   XRCA_LINT_JOBS  parallel clang-tidy processes (default: nproc)
#   XRCA_LINT_SKIP  "format" or "tidy" to skip one half
#   XRCA_LINT_DEEP  1 runs clang-analyzer-* in its deep mode (about 4x the time; see .clang-tidy)
#   CLANG_FORMAT, CLANG_TIDY  the binaries (default: clang-format-14 / clang-tidy-14, else the
#              unversioned names; both must be version 14, which .clang-format is pinned to)
# Full clang-tidy output, notes and source lines included, is kept in BUILD_DIR/lint/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

build_dir=${1:-build/test}
[ $# -gt 0 ] && shift
paths=("$@")
jobs=${XRCA_LINT_JOBS:-$(nproc)}
skip=${XRCA_LINT_SKIP:-}
start=$SECONDS

pick() {  # pick VAR-VALUE NAME...: the first of the names found on PATH
  local given=$1; shift
  if [ -n "$given" ]; then echo "$given"; return; fi
  for name in "$@"; do
    if command -v "$name" >/dev/null; then echo "$name"; return; fi
  done
  echo "lint: none of $* is installed (scripts/setup.sh --with-fuzz installs them)" >&2
  exit 2
}
need_v14() {
  local v
  v=$("$1" --version | grep -o 'version [0-9]*' | head -n1 | cut -d' ' -f2)
  if [ "$v" != 14 ]; then
    echo "lint: $1 is version ${v:-unknown}; the configs are pinned to 14" >&2
    exit 2
  fi
}
under_paths() {  # filters relative paths on stdin to those under one of PATH...
  if [ ${#paths[@]} -eq 0 ]; then cat; return; fi
  local p
  while IFS= read -r f; do
    for p in "${paths[@]}"; do
      p=${p%/}
      if [ "$f" = "$p" ] || [ "${f#"$p"/}" != "$f" ]; then echo "$f"; break; fi
    done
  done
}

format_failed=0
if [ "$skip" != format ]; then
  clang_format=$(pick "${CLANG_FORMAT:-}" clang-format-14 clang-format)
  need_v14 "$clang_format"
  mapfile -t sources < <(git ls-files -- '*.cpp' '*.h' | under_paths)
  offenders=()
  for f in "${sources[@]}"; do
    if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then offenders+=("$f"); fi
  done
  if [ ${#offenders[@]} -gt 0 ]; then
    format_failed=1
    echo "clang-format: ${#offenders[@]} of ${#sources[@]} files differ from .clang-format:"
    printf '  %s\n' "${offenders[@]}"
    echo "  fix: $clang_format -i <file>..."
  else
    echo "clang-format: ${#sources[@]} files clean"
  fi
fi

tidy_failed=0
if [ "$skip" != tidy ]; then
  clang_tidy=$(pick "${CLANG_TIDY:-}" clang-tidy-14 clang-tidy)
  need_v14 "$clang_tidy"
  db="$build_dir/compile_commands.json"
  if [ ! -f "$db" ]; then
    echo "lint: $db is missing; configure and build $build_dir first" >&2
    exit 2
  fi
  # The project's own translation units: under the repository, outside any build tree, not the
  # fuzz targets (built by clang with libFuzzer flags in their own tree), each once.
  mapfile -t units < <(sed -n 's/^ *"file": *"\(.*\)",\{0,1\}$/\1/p' "$db" |
    sed -n "s|^$root/||p" | grep -v -e '^build/' -e '^tests/fuzz/' | sort -u | under_paths)
  if [ ${#units[@]} -eq 0 ]; then
    echo "lint: no translation unit of $db is under ${paths[*]:-the repository}" >&2
    exit 2
  fi

  out="$build_dir/lint"
  rm -rf "$out"
  mkdir -p "$out"
  # The analyzer's shallow mode by default: the deep one costs ~4x, mostly in test bodies.
  analyzer_mode=shallow
  [ "${XRCA_LINT_DEEP:-0}" = 1 ] && analyzer_mode=deep
  export clang_tidy build_dir out analyzer_mode
  # Every unit gets its own log, so parallel output does not interleave; the exit status of each
  # is kept too, since a unit that does not compile may print no diagnostic in a checked file.
  printf '%s\0' "${units[@]}" | xargs -0 -r -n1 -P"$jobs" bash -c '
    log="$out/$(printf %s "$1" | tr / _).log"
    if "$clang_tidy" -p "$build_dir" --quiet --extra-arg=-Xclang --extra-arg=-analyzer-config \
        --extra-arg=-Xclang --extra-arg="mode=$analyzer_mode" "$1" >"$log" 2>&1; then :; else echo "$1" >>"$out/failed-units"; fi
  ' lint-unit

  # One line per diagnostic: a header included by several units reports the same one each time.
  cat "$out"/*.log |
    sed -n -E "s#^($root/)?([^ :]+):([0-9]+):([0-9]+): (warning|error): (.*) \[([^]]+)\]\$#\2:\3:\4: \6 [\7]#p" |
    sed 's/,-warnings-as-errors\]$/]/' | sort -u >"$out/diagnostics.txt"
  count=$(wc -l <"$out/diagnostics.txt")
  failed_units=0
  [ -f "$out/failed-units" ] && failed_units=$(wc -l <"$out/failed-units")

  if [ "$count" -gt 0 ]; then
    cat "$out/diagnostics.txt"
    echo
    echo "clang-tidy: by check"
    sed -E 's/.*\[([^]]+)\]$/\1/' "$out/diagnostics.txt" | sort | uniq -c | sort -rn | sed 's/^/  /'
    echo "clang-tidy: by directory"
    cut -d/ -f1 "$out/diagnostics.txt" | sed 's/:.*//' | sort | uniq -c | sort -rn | sed 's/^/  /'
  fi
  if [ "$count" -gt 0 ] || [ "$failed_units" -gt 0 ]; then
    tidy_failed=1
    echo "clang-tidy: $count diagnostics; $failed_units of ${#units[@]} units failed (full output in $out/)"
    if [ "$count" -eq 0 ]; then sed 's/^/  failed: /' "$out/failed-units"; fi
  else
    echo "clang-tidy: ${#units[@]} units clean ($jobs jobs, analyzer mode $analyzer_mode)"
  fi
fi

echo "lint: $((SECONDS - start)) s"
if [ "$format_failed" -ne 0 ] || [ "$tidy_failed" -ne 0 ]; then
  echo "lint: FAILED"
  exit 1
fi
echo "lint: passed"
