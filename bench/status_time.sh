#!/usr/bin/env bash
# The wall time of `xrca status` on SQLite and on PostgreSQL, and of `xrca --version` (the
# process's own start and exit) beside it: the median of RUNS runs each (docs/performance.md).
#
#   bench/status_time.sh [RUNS]             default 21 runs of each command
#
# The authority is made once on SQLite (a self-enrolled root cluster, crypto mode 2), then copied
# by `xrca migrate-store` into a PostgreSQL 15 server started here (initdb, then `postgres -k DIR`
# on a Unix socket only, as the postgres user when run as root). `status` reads its counts from
# counter rows, so the number of stored certificates does not change its time (the growth mode
# of bench/cluster.sh measures it with millions); what this measures is the fixed cost: starting
# the process, connecting, and the reads status makes.
#
# Environment: BENCH_NO_BUILD=1 uses build/bench as it is; BENCH_BUILD_DIR=DIR (with
# BENCH_NO_BUILD=1) takes DIR/cli/xrca from another tree; BENCH_COMPARE=XRCA measures a second
# binary too, each of its runs right after the first binary's (the same load for both);
# BENCH_PG_BINDIR (default /usr/lib/postgresql/15/bin).
# Everything started here is stopped, and the temporary directory removed, on exit or Ctrl-C.
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

runs=${1:-21}
[[ "$runs" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "usage: $0 [RUNS]" >&2; exit 2; }
pg_bin=${BENCH_PG_BINDIR:-/usr/lib/postgresql/15/bin}
for b in initdb postgres; do
  [ -x "$pg_bin/$b" ] || { echo "$0: $pg_bin/$b is missing (apt-get install postgresql-15, or set BENCH_PG_BINDIR)" >&2; exit 2; }
done
command -v psql >/dev/null || { echo "$0: psql is missing (apt-get install postgresql-client)" >&2; exit 2; }

# release_build: the tree measured, in $build.
# shellcheck source=bench/release_build.sh
. bench/release_build.sh
release_build xrca
binaries=("$build/cli/xrca")
[ -n "${BENCH_COMPARE:-}" ] && binaries+=("$BENCH_COMPARE")
for b in "${binaries[@]}"; do
  [ -x "$b" ] || { echo "$0: $b is missing: build it, or run without BENCH_NO_BUILD=1" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xrca-status.XXXXXX")
chmod 711 "$tmp"  # the postgres user must reach its directory inside
# pg_start, pg_stop: the throwaway PostgreSQL server.
# shellcheck source=bench/pg_server.sh
. bench/pg_server.sh
pg_launcher="" postmaster=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  pg_stop
  [ -n "$pg_launcher" ] && wait "$pg_launcher" 2>/dev/null
  [ "$status" -ne 0 ] && [ -s "$tmp/postgres.log" ] && tail -n 5 "$tmp/postgres.log" >&2
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'echo "$0: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# --- PostgreSQL, on a Unix socket in $tmp ------------------------------------------------------
pg_start "$tmp/pg" "$tmp"
pg_dir=$tmp/pg

# --- The authority: on SQLite, copied to PostgreSQL ------------------------------------------
xrca=${binaries[0]}
sqlite_store=$tmp/sqlite
pg_store="postgresql:///status?host=$pg_dir&user=postgres"
(umask 077 && head -c 32 /dev/urandom | base64 >"$tmp/key-password")
"$xrca" --store "$sqlite_store" init --role root --name "xrca status bench" --url "https://rms.example.test/_wmcs" \
  --self-enroll --crypto-mode 2 --password-file "$tmp/key-password" >"$tmp/setup.log" 2>&1
psql -h "$pg_dir" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtX -c "CREATE DATABASE status" >>"$tmp/setup.log"
"$xrca" migrate-store --from "$sqlite_store" --to "$pg_store" >>"$tmp/setup.log" 2>&1
# The copy may hold only what a data directory no process uses; status reads it from here on.
for b in "${binaries[@]}"; do
  for store in "$sqlite_store" "$pg_store"; do
    "$b" --store "$store" status >/dev/null || { echo "$0: $b --store $store status failed" >&2; exit 1; }
  done
done

# --- The measurement --------------------------------------------------------------------------
# One line per run: "BINARY_INDEX CASE MILLISECONDS".
wall_ms() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "$0: failed: $*" >&2; return 1; }
  t1=$(date +%s%N)
  awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", ns / 1e6 }'
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/times"
for _ in $(seq "$runs"); do
  for i in "${!binaries[@]}"; do
    b=${binaries[$i]}
    {
      echo "$i version $(wall_ms "$b" --version)"
      echo "$i sqlite $(wall_ms "$b" --store "$sqlite_store" status)"
      echo "$i postgresql $(wall_ms "$b" --store "$pg_store" status)"
    } >>"$tmp/times"
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!binaries[@]}"; do echo "binary $i: ${binaries[$i]}"; done
printf '%-7s %-22s %9s %9s %9s\n' binary command median min max
for i in "${!binaries[@]}"; do
  for what in version sqlite postgresql; do
    case $what in
      version) label="--version" ;;
      sqlite) label="status (SQLite)" ;;
      postgresql) label="status (PostgreSQL)" ;;
    esac
    awk -v i="$i" -v what="$what" '$1 == i && $2 == what { print $3 }' "$tmp/times" | sort -n |
      awk -v i="$i" -v label="$label" \
        '{ a[NR] = $1 } END { printf "%-7s %-22s %6.1f ms %6.1f ms %6.1f ms\n", i, label, a[int((NR + 1) / 2)], a[1], a[NR] }'
  done
done
echo "($runs runs of each; medians in ms of wall time)"
