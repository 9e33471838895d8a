#!/usr/bin/env bash
# A cluster of `xrca serve` nodes on one PostgreSQL store, beside one node on SQLite, under the
# same keep-alive Certify load; with the CPU each backend spends per request (docs/performance.md).
#
#   bench/cluster.sh [ROUNDS] [SECONDS]           defaults 3 rounds, 10 s per load
#   bench/cluster.sh --soak [SECONDS]             3 nodes x 50 connections each, default 60 s
#   bench/cluster.sh --growth [N[,N]...] [ROUNDS] [SECONDS]
#                                                 Certify rate and `status` time with N bulk-loaded
#                                                 certificates (default 10000000), against the
#                                                 empty store's rate in the same run,
#                                                 with the WAL per request (the loads start
#                                                 after a CHECKPOINT) and the share of HOT
#                                                 updates of certificates
#
# Default mode: per round, one after the other, `wrk` with 50 keep-alive connections in all
# against (a) 1 node on SQLite, (b) 1, (c) 2 and (d) 3 nodes on PostgreSQL. Each configuration has
# its own store (the same authority copied with `xrca migrate-store` before the rounds), so every
# store grows by one load per round. The connections are split evenly over the nodes: one wrk
# per node (`-t2` for one node, `-t1` each for more), run at the same time. It reports requests/s
# (2xx, summed), p50/p99 latency (of all requests, the wrk processes' distributions merged), and
# server CPU per request: the change of utime+stime (/proc/PID/stat) of every serve process of
# the configuration, and of the PostgreSQL server (the postmaster, its children, and the children
# it reaped: cutime+cstime), over the load and until the nodes hold no connection, divided by the
# Certify requests the nodes answered in that time (their /metrics counters).
#
# PostgreSQL 15 runs in the temporary directory (initdb, then `postgres -k DIR` on a Unix socket
# only, as the postgres user when run as root), durable as SQLite is: fsync, synchronous_commit
# and full_page_writes on. Everything else listens on 127.0.0.1 only; the temporary directory is
# removed at the end and every process started here is stopped on exit, failure or Ctrl-C.
#
# Environment: BENCH_NO_BUILD=1 uses build/bench as it is (BENCH_BUILD_DIR: another tree, with
# BENCH_NO_BUILD=1); BENCH_BUILD_JOBS (default: nproc);
# BENCH_PG_SHARED_BUFFERS (growth mode only, default 2GB; 128MB is PostgreSQL's own default);
# BENCH_PG_STATEMENTS=1 (or all: with the statements of functions and triggers) counts the
# statements with pg_stat_statements; BENCH_PORT (first port tried, default 18180);
# BENCH_PG_BINDIR (default /usr/lib/postgresql/15/bin); BENCH_WRK_TIMEOUT (seconds, default 30); BENCH_KEEP_PG=1 prints
# the growth store's locator and waits for Enter before removing it. BENCH_PERF=LABEL:FILE[,LABEL:FILE]...
# records the whole machine (`perf record -a -g`) into FILE over the load labelled LABEL (e.g.
# 1-pg3: round 1 of 3 nodes; soak; empty.1 in growth mode), to see where its CPU went.
# Needs: cmake and a C++ toolchain (scripts/setup.sh), wrk, postgresql-15, psql, curl, ss.
set -euo pipefail
shopt -s inherit_errexit  # a failure inside $(...) fails the script too
cd "$(dirname "$0")/.."

usage() {
  echo "usage: $0 [ROUNDS] [SECONDS] | --soak [SECONDS] | --growth [N[,N]...] [ROUNDS] [SECONDS]" >&2
  exit 2
}
whole() { [[ "$1" =~ ^[1-9][0-9]{0,3}$ ]] || usage; }
mode=rounds rounds=3 load_seconds=10 soak_seconds=60 growth_sizes=10000000
case ${1:-} in
  --soak)
    mode=soak
    soak_seconds=${2:-60}
    whole "$soak_seconds"
    ;;
  --growth)
    mode=growth
    growth_sizes=${2:-10000000}
    rounds=${3:-3}
    load_seconds=${4:-10}
    [[ "$growth_sizes" =~ ^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9})*$ ]] || usage
    whole "$rounds"
    whole "$load_seconds"
    ;;
  -*) usage ;;
  *)
    rounds=${1:-3}
    load_seconds=${2:-10}
    whole "$rounds"
    whole "$load_seconds"
    ;;
esac
wrk_timeout=${BENCH_WRK_TIMEOUT:-30}
whole "$wrk_timeout"
pg_bin=${BENCH_PG_BINDIR:-/usr/lib/postgresql/15/bin}

for tool in wrk curl awk ss psql; do
  command -v "$tool" >/dev/null || {
    echo "$0: '$tool' is not installed (Debian: apt-get install wrk curl iproute2 postgresql-client)" >&2
    exit 2
  }
done
for b in initdb postgres; do
  [ -x "$pg_bin/$b" ] || { echo "$0: $pg_bin/$b is missing (apt-get install postgresql-15, or set BENCH_PG_BINDIR)" >&2; exit 2; }
done

# --- The Release build --------------------------------------------------------------------
# shellcheck source=bench/release_build.sh
. bench/release_build.sh
release_build xrca bench_soap_body
xrca=$build/cli/xrca
soap_body=$build/bench/bench_soap_body
for b in "$xrca" "$soap_body"; do
  [ -x "$b" ] || { echo "$0: $b is missing: build it, or run without BENCH_NO_BUILD=1" >&2; exit 2; }
done
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$build/CMakeCache.txt")
[ "$build_type" = Release ] || echo "warning: $build is a $build_type build, not Release" >&2

# --- What this script starts, and how it is stopped -------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xrca-cluster.XXXXXX")
chmod 711 "$tmp"  # the postgres user must reach its directory inside; nothing else is readable
pids=()           # serve processes (and the PostgreSQL launcher) to stop at the end
postmaster=""     # the postmaster's PID once it runs
measured=0        # 1 once the measurements are done: a failure after that needs no server logs

# SIGTERM, then up to 10 s for the server to finish its requests in flight, then SIGKILL.
stop_process() {
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}
# pg_start, pg_stop: the throwaway PostgreSQL server.
# shellcheck source=bench/pg_server.sh
. bench/pg_server.sh
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${pids[@]}"; do [ "$pid" = "${pg_launcher:-}" ] || stop_process "$pid"; done
  pg_stop
  [ -n "${pg_launcher:-}" ] && stop_process "$pg_launcher"
  if [ "$status" -ne 0 ] && [ "$measured" = 0 ] && [ -d "$tmp" ]; then
    for log in "$tmp"/*.log; do
      [ -s "$log" ] && { echo "--- last lines of $(basename "$log")" >&2; tail -n 5 "$log" >&2; }
    done
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'echo "$0: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# The first port from $1 on that nothing on 127.0.0.1 answers.
free_port() {
  local port=$1
  for _ in $(seq 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  echo "$0: no free port from $1 on" >&2
  return 1
}

# Waits (at most TENTHS/10 s, default 30 s) until `url` answers with HTTP status `want` while `pid` lives.
wait_for() {
  local url=$1 want=$2 pid=$3 tenths=${4:-300} code=""
  for _ in $(seq "$tenths"); do
    kill -0 "$pid" 2>/dev/null || { echo "$0: the server for $url exited" >&2; return 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [ "$code" = "$want" ] && return 0
    sleep 0.1
  done
  echo "$0: $url did not answer $want within $((tenths / 10)) s (last: $code)" >&2
  return 1
}

# Waits (at most 120 s) until the server on `port` holds no connection: it may still be answering
# the requests wrk left in flight when it closed its connections.
wait_drained() {
  local port=$1
  for _ in $(seq 1200); do
    [ "$(ss -Htn state established state close-wait "( sport = :$port )" | wc -l)" -eq 0 ] && return 0
    sleep 0.1
  done
  echo "$0: the server on port $port still holds connections after 120 s" >&2
  return 1
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_dir=$tmp/pg
pg_extra=()
statements=${BENCH_PG_STATEMENTS:-0}
case $statements in
  0 | 1) ;;
  all) statements=1 pg_extra=(-c pg_stat_statements.track=all) ;;  # the triggers' statements too
  *) echo "BENCH_PG_STATEMENTS: 0, 1 or all, not $statements" >&2 && exit 2 ;;
esac
[ "$statements" = 1 ] && pg_extra+=(-c shared_preload_libraries=pg_stat_statements)
# Growth: buffers for the indexes of millions of rows (the default 128 MB holds a fraction of
# them: every insert then waits for index pages read back), and checkpoints spaced by time, not
# by the WAL that index builds write (each checkpoint makes the next change of every page write
# that whole page to the WAL). The operator's settings docs/store.md recommends for a large store.
[ "$mode" = growth ] && pg_extra+=(-c "shared_buffers=${BENCH_PG_SHARED_BUFFERS:-2GB}" -c max_wal_size=8GB)
# Durable like SQLite's synced commits: fsync, synchronous_commit, full_page_writes on (the
# defaults, said out loud). max_connections: each serve keeps up to 19 connections, 7 nodes here.
pg_start "$pg_dir" "$tmp" -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200 \
  "${pg_extra[@]}"
pids+=("$pg_launcher")
pg_sql() {  # pg_sql DATABASE SQL...: runs it as the superuser, unaligned, tuples only
  local db=$1
  shift
  psql -h "$pg_dir" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAtX "$@"
}
locator_of() { echo "postgresql:///$1?host=$pg_dir&user=postgres"; }

# --- CPU: clock ticks of processes, from /proc/PID/stat -----------------------------------
ticks_per_second=$(getconf CLK_TCK)
# The utime+stime of the PIDs given.
xrca_ticks() {
  local pid
  for pid; do cat "/proc/$pid/stat"; done | awk '{sub(/^.*\) /, ""); s += $12 + $13} END {print s + 0}'
}
# The PostgreSQL server's: the postmaster's utime+stime, and cutime+cstime (what its children
# that ended used), plus the utime+stime of its living children (backends, checkpointer, WAL
# writer, autovacuum...). A process that ends between the listing and the reading is skipped
# (cat goes on past a file it cannot open; awk would stop there).
pg_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$postmaster" '{
      pid = $1; sub(/^.*\) /, "")
      if (pid == pm) s += $12 + $13 + $14 + $15
      else if ($2 == pm) s += $12 + $13
    } END {print s + 0}'
}
# Certify requests answered "ok" by the nodes on these ports (their /metrics counters).
certify_ok() {
  local port total=0 n
  for port; do
    n=$(curl -s --max-time 5 "http://127.0.0.1:$port/metrics" |
      awk '$1 == "xrca_requests_total{operation=\"Certify\",outcome=\"ok\"}" {print $2}')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

# --- The authority: made once on SQLite, copied to every PostgreSQL store --------------------
next_port=${BENCH_PORT:-18180}
port_for() {  # a free port for a new node, in $port
  port=$(free_port "$next_port")
  next_port=$((port + 1))
}
port_for
setup_port=$port
sqlite_dir=$tmp/sqlite
password_file=$tmp/key-password
(umask 077 && head -c 32 /dev/urandom | base64 >"$password_file")
"$xrca" --store "$sqlite_dir" init --role root --name "xrca cluster bench" --url "http://127.0.0.1:$setup_port/_wmcs" \
  --self-enroll --crypto-mode 2 --password-file "$password_file" >"$tmp/setup.log" 2>&1
XRCA_TOKEN=$("$xrca" --store "$sqlite_dir" principal add bench-user --role user --email bench-user@example.test |
  tail -n 1)
export XRCA_TOKEN  # read from here by the client and wrk: never on a command line

declare -A node_pid=()  # port -> serve PID
start_node() {          # start_node LOCATOR PORT
  local store=$1 node_port=$2
  "$xrca" --store "$store" serve --listen "127.0.0.1:$node_port" --password-file "$password_file" \
    >>"$tmp/node-$node_port.log" 2>&1 &
  node_pid[$node_port]=$!
  pids+=("$!")
  # /metrics, not /healthz: on a PostgreSQL store, serve's health check takes the locator for a
  # directory whose free space it cannot read, and answers 503 "free space unknown".
  wait_for "http://127.0.0.1:$node_port/metrics" 200 "$!" 600
}
stop_node() {
  stop_process "${node_pid[$1]}"
  unset "node_pid[$1]"
}

# A machine activated and certified by the first node, and the Certify body wrk repeats, written
# by the client's own message code.
start_node "$sqlite_dir" "$setup_port"
client=$tmp/client
{
  "$xrca" client init --dir "$client" --password-file "$password_file"
  "$xrca" client activate --dir "$client" --server "http://127.0.0.1:$setup_port/_wmcs" --password-file "$password_file"
  "$xrca" client certify --dir "$client" --server "http://127.0.0.1:$setup_port/_wmcs"
} >>"$tmp/setup.log" 2>&1
where=$("$soap_body" certify "$client/spc-chain.xml" "$tmp/certify.xml")
certify_path=$(awk '$1 == "path" {print $2}' <<<"$where")
certify_action=$(awk '$1 == "soapaction" {print $2}' <<<"$where")
stop_node "$setup_port"  # migrate-store copies a data directory no process is using

# One Certify through the node on `port` (its first: caches filled before any measurement).
certify_once() {
  local code
  code=$(curl -s -o "$tmp/reply.xml" -w '%{http_code}' --max-time 30 -H 'Content-Type: text/xml; charset=utf-8' \
    -H "SOAPAction: \"$certify_action\"" -H @<(printf 'Authorization: Bearer %s\n' "$XRCA_TOKEN") \
    --data-binary @"$tmp/certify.xml" "http://127.0.0.1:$1$certify_path")
  [ "$code" = 200 ] || { echo "$0: the node on port $1 answered Certify with HTTP $code: $(head -c 400 "$tmp/reply.xml")" >&2; return 1; }
}

# A PostgreSQL store named $1 holding a copy of the authority.
make_pg_store() {
  pg_sql postgres -c "CREATE DATABASE $1"
  [ "$statements" = 1 ] && pg_sql "$1" -c "CREATE EXTENSION pg_stat_statements"
  "$xrca" migrate-store --from "$sqlite_dir" --to "$(locator_of "$1")" >>"$tmp/setup.log" 2>&1
}

# With BENCH_PG_STATEMENTS=1: what PostgreSQL spent its time on in database $1, per statement.
statements_report() {
  [ "$statements" = 1 ] || return 0
  echo "PostgreSQL statements in $1, by total time (pg_stat_statements):"
  pg_sql "$1" -F ' | ' -c "SELECT calls, round(total_exec_time::numeric, 0) AS total_ms,
      round(mean_exec_time::numeric, 3) AS mean_ms, left(regexp_replace(query, '\s+', ' ', 'g'), 110)
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$1')
    ORDER BY total_exec_time DESC LIMIT 20" | sed 's/^/  /'
}

# With BENCH_PG_STATEMENTS=1: the statements PostgreSQL ran in database $1 per Certify answered
# ($2 of them since the statistics were reset), most frequent first.
statements_per_request() {
  [ "$statements" = 1 ] || return 0
  echo "PostgreSQL statements in $1 per Certify answered ($2; pg_stat_statements):"
  pg_sql "$1" -F ' | ' -c "SELECT round(calls::numeric / $2, 2) AS per_request,
      left(regexp_replace(query, '\s+', ' ', 'g'), 120)
    FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$1')
      AND calls::numeric / $2 >= 0.01
    ORDER BY calls DESC, query" | sed 's/^/  /'
  pg_sql "$1" -c "SELECT 'total: ' || round(SUM(calls)::numeric / $2, 2) FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$1')" | sed 's/^/  /'
}

# --- A load: one wrk per node, at once ---------------------------------------------------------
# run_load LABEL SECONDS CONNECTIONS_PER_NODE|-TOTAL PORT... appends to $tmp/loads one line:
# "LABEL rate p50 p99 xrca_ms pg_ms requests_answered failed", and keeps wrk's output in
# $tmp/wrk-LABEL.N.out. CONNECTIONS -50 means 50 in all, split evenly; 50 means 50 per node.
run_load() {
  local label=$1 seconds=$2 conns=$3
  shift 3
  local ports=("$@") n=$# i c threads pids_x=() wrk_pids=() failed=0
  for i in "${!ports[@]}"; do pids_x+=("${node_pid[${ports[$i]}]}"); done
  for i in "${!ports[@]}"; do wait_drained "${ports[$i]}"; done
  local ok0 x0 p0
  ok0=$(certify_ok "${ports[@]}")
  x0=$(xrca_ticks "${pids_x[@]}")
  p0=$(pg_ticks)
  for i in "${!ports[@]}"; do
    if [ "$conns" -lt 0 ]; then
      c=$((-conns / n + (i < -conns % n ? 1 : 0)))
    else
      c=$conns
    fi
    threads=1
    [ "$n" = 1 ] || [ "$conns" -gt 0 ] && threads=2
    [ "$c" -ge "$threads" ] || threads=1
    WRK_BODY_FILE=$tmp/certify.xml WRK_CONTENT_TYPE='text/xml; charset=utf-8' WRK_SOAPACTION=$certify_action \
      WRK_TOKEN=$XRCA_TOKEN WRK_QUANTILES=1 \
      timeout --foreground -k 5 $((seconds + wrk_timeout + 30)) \
      wrk -t"$threads" -c"$c" -d"${seconds}s" --timeout "${wrk_timeout}s" --latency -s bench/wrk_post.lua \
      "http://127.0.0.1:${ports[$i]}$certify_path" >"$tmp/wrk-$label.$i.out" 2>&1 &
    wrk_pids+=("$!")
  done
  local perf_pid="" recording
  for recording in ${BENCH_PERF:+${BENCH_PERF//,/ }}; do
    [ "${recording%%:*}" = "$label" ] || continue
    perf record -a -g -F 499 -o "${recording#*:}" -- sleep "$seconds" >"$tmp/perf-$label.out" 2>&1 &
    perf_pid=$!
  done
  for i in "${!wrk_pids[@]}"; do
    wait "${wrk_pids[$i]}" || { cat "$tmp/wrk-$label.$i.out" >&2; echo "$0: wrk failed against port ${ports[$i]}" >&2; failed=1; }
  done
  [ -z "$perf_pid" ] || wait "$perf_pid" || { cat "$tmp/perf-$label.out" >&2; echo "$0: perf record failed" >&2; }
  [ "$failed" = 0 ] || return 1
  for i in "${!ports[@]}"; do wait_drained "${ports[$i]}"; done
  local ok1 x1 p1
  ok1=$(certify_ok "${ports[@]}")
  x1=$(xrca_ticks "${pids_x[@]}")
  p1=$(pg_ticks)
  if [ "$x1" -lt "$x0" ] || [ "$p1" -lt "$p0" ]; then
    echo "$0: the CPU counters went back ($x0 -> $x1, $p0 -> $p1): a process was missed" >&2
    return 1
  fi
  # Rates and failures summed over the wrk processes; latencies from their merged distributions
  # (each QUANTILES point stands for 0.1 % of that process's requests).
  cat "$tmp/wrk-$label".*.out | awk -v label="$label" -v answered=$((ok1 - ok0)) -v tck="$ticks_per_second" \
    -v dx=$((x1 - x0)) -v dp=$((p1 - p0)) '
    /^RESULT / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
      rate += r["rate"]; failed += r["http_errors"] + r["socket_errors"] + r["timeouts"]; weight = r["requests"] / 1000
    }
    /^QUANTILES / { for (i = 2; i <= NF; i++) { m++; v[m] = $i + 0; w[m] = weight; total += weight } }
    function quantile(q,   i, acc) { acc = 0; for (i = 1; i <= m; i++) { acc += w[order[i]]; if (acc >= q * total) return v[order[i]] } return v[order[m]] }
    END {
      for (i = 1; i <= m; i++) order[i] = i
      # sort the points by value (insertion sort on an index; a few thousand points)
      for (i = 2; i <= m; i++) for (j = i; j > 1 && v[order[j - 1]] > v[order[j]]; j--) { t = order[j]; order[j] = order[j - 1]; order[j - 1] = t }
      per = answered > 0 ? 1000 / tck / answered : 0
      printf "%s %.1f %.1f %.1f %.3f %.3f %d %d\n", label, rate, quantile(0.5), quantile(0.99), dx * per, dp * per, answered, failed
    }' >>"$tmp/loads"
  tail -n 1 "$tmp/loads"
}
field_of() { awk -v label="$1" -v col="$2" '$1 == label {v = $col} END {print v}' "$tmp/loads"; }

median_awk='
  function median(values, n,   sorted, i, j, t) {
    for (i = 1; i <= n; i++) sorted[i] = values[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
    return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
  }'

echo "xrca $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($build_type); $("$pg_bin/postgres" --version);" \
  "$(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}'); $(nproc) cores"
echo "before: $(uptime)"
: >"$tmp/loads"

# --- Default mode: 1 node on SQLite, 1, 2 and 3 nodes on PostgreSQL ---------------------------
if [ "$mode" = rounds ]; then
  declare -A conf_ports=()
  start_node "$sqlite_dir" "$setup_port"
  conf_ports[sqlite1]=$setup_port
  for nodes in 1 2 3; do
    make_pg_store "pg$nodes"
    conf_ports[pg$nodes]=""
    for _ in $(seq "$nodes"); do
      port_for
      start_node "$(locator_of "pg$nodes")" "$port"
      conf_ports[pg$nodes]+="$port "
    done
  done
  for conf in sqlite1 pg1 pg2 pg3; do
    for p in ${conf_ports[$conf]}; do certify_once "$p"; done
  done
  [ "$statements" = 1 ] && pg_sql pg1 -c "SELECT pg_stat_statements_reset()" >/dev/null
  echo "Certify, wrk with 50 keep-alive connections in all (split over the nodes), ${load_seconds}s per load, $rounds round(s)"
  echo
  printf '%-5s %-7s %8s %8s %8s %10s %10s %10s %8s %6s\n' round config req/s p50_ms p99_ms xrca_ms/r pg_ms/r total_ms/r answered failed
  failed_total=0
  for round in $(seq "$rounds"); do
    for conf in sqlite1 pg1 pg2 pg3; do
      # shellcheck disable=SC2086  # the ports are words
      line=$(run_load "$round-$conf" "$load_seconds" -50 ${conf_ports[$conf]})
      read -r _ rate p50 p99 xms pms answered failed <<<"$line"
      failed_total=$((failed_total + failed))
      printf '%-5s %-7s %8.0f %8.1f %8.1f %10.2f %10.2f %10.2f %8d %6d\n' "$round" "$conf" "$rate" "$p50" "$p99" \
        "$xms" "$pms" "$(awk -v a="$xms" -v b="$pms" 'BEGIN {print a + b}')" "$answered" "$failed"
    done
  done
  echo
  echo "medians of $rounds round(s) (CPU in ms of a core per answered request; ratio = that over 1 node on SQLite's, per round):"
  awk "$median_awk"'
    { split($1, rc, "-"); round = rc[1]; conf = rc[2]
      rate[conf, round] = $2; p50[conf, round] = $3; p99[conf, round] = $4; x[conf, round] = $5; pg[conf, round] = $6
      rounds[round] = 1 }
    END {
      n = 0; for (r in rounds) n++
      printf "%-7s %8s %8s %8s %10s %10s %10s %14s %14s\n", "config", "req/s", "p50_ms", "p99_ms", "xrca_ms/r", "pg_ms/r", "total_ms/r", "xrca/sqlite", "total/sqlite"
      split("sqlite1 pg1 pg2 pg3", confs, " ")
      for (k = 1; k <= 4; k++) {
        c = confs[k]
        for (r = 1; r <= n; r++) {
          a[r] = rate[c, r]; b[r] = p50[c, r]; d[r] = p99[c, r]; e[r] = x[c, r]; f[r] = pg[c, r]; g[r] = x[c, r] + pg[c, r]
          rx[r] = x[c, r] / x["sqlite1", r]; rt[r] = (x[c, r] + pg[c, r]) / x["sqlite1", r]
        }
        printf "%-7s %8.0f %8.1f %8.1f %10.2f %10.2f %10.2f %14.2f %14.2f\n", c, median(a, n), median(b, n), median(d, n),
          median(e, n), median(f, n), median(g, n), median(rx, n), median(rt, n)
      }
    }' "$tmp/loads"
  echo "(goal of issue 14: PostgreSQL total_ms/r <= 1.25 x SQLite's, i.e. total/sqlite <= 1.25)"
  for conf in pg1 pg2 pg3; do
    statements_per_request "$conf" "$(awk -v c="$conf" '$1 ~ "-" c "$" {s += $7} END {print s}' "$tmp/loads")"
  done
  echo "after: $(uptime)"
  measured=1
  if [ "$failed_total" -ne 0 ]; then
    echo "ERRORS: $failed_total failed requests (HTTP errors, socket errors or timeouts)" >&2
    exit 1
  fi
  exit 0
fi

# --- Soak: 3 nodes on one PostgreSQL store, 50 connections each --------------------------------
if [ "$mode" = soak ]; then
  make_pg_store soak
  soak_ports=()
  for _ in 1 2 3; do
    port_for
    start_node "$(locator_of soak)" "$port"
    soak_ports+=("$port")
  done
  for p in "${soak_ports[@]}"; do certify_once "$p"; done
  echo "soak: 3 nodes on one PostgreSQL store, wrk -t2 -c50 on each (150 connections), ${soak_seconds}s"
  line=$(run_load soak "$soak_seconds" 50 "${soak_ports[@]}")
  read -r _ rate p50 p99 xms pms answered failed <<<"$line"
  printf 'Certify: %.0f req/s, p50 %.1f ms, p99 %.1f ms, %d answered, %d failed; CPU/request: xrca %.2f ms, PostgreSQL %.2f ms\n' \
    "$rate" "$p50" "$p99" "$answered" "$failed" "$xms" "$pms"
  grep -h '^RESULT' "$tmp"/wrk-soak.*.out | sed 's/^/  wrk: /'
  for p in "${soak_ports[@]}"; do stop_node "$p"; done
  statements_report soak
  status=0
  if "$xrca" --store "$(locator_of soak)" log --verify >"$tmp/verify.out" 2>&1; then
    echo "log --verify: passed: $(tail -n 1 "$tmp/verify.out")"
  else
    echo "log --verify FAILED:" >&2
    cat "$tmp/verify.out" >&2
    status=1
  fi
  echo "after: $(uptime)"
  measured=1
  if [ "$failed" -ne 0 ]; then
    echo "ERRORS: $failed failed requests (HTTP errors, socket errors or timeouts)" >&2
    status=1
  fi
  exit "$status"
fi

# --- Growth: Certify and `status` with N certificates stored -------------------------------------
store=$(locator_of growth)
make_pg_store growth
port_for
growth_port=$port
start_node "$store" "$growth_port"
certify_once "$growth_port"

# The rate: the median of ROUNDS loads of 50 connections on the one node, labelled $1; then
# the WAL written per request answered over the loads, which start after a checkpoint (so that
# the first change of each page writes it whole, as in a store running for a while).
measure_rate() {
  local r wal0 wal1
  pg_sql growth -c "CHECKPOINT"
  wal0=$(pg_sql growth -c "SELECT pg_current_wal_lsn()")
  for r in $(seq "$rounds"); do run_load "$1.$r" "$load_seconds" -50 "$growth_port" >/dev/null; done
  wal1=$(pg_sql growth -c "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$wal0')")
  awk "$median_awk"' index($1, label ".") == 1 { n++; a[n] = $2; b[n] = $4; c[n] = $5 + $6; answered += $7 }
    END { printf "%.0f %.1f %.2f %.0f\n", median(a, n), median(b, n), median(c, n), answered ? wal / answered : 0 }' \
    label="$1" wal="$wal1" "$tmp/loads"
}
# The updates of certificates so far, and how many of them were HOT (heap-only: no index entry).
hot_updates() {
  pg_sql growth -c "SELECT n_tup_hot_upd || ' of ' || n_tup_upd || ' updates HOT' FROM pg_stat_user_tables
    WHERE relid = 'xrca.certificates'::regclass"
}
# The wall time of `xrca status`, in ms: the median of 5.
status_ms() {
  local i t0 t1 times=()
  for i in 1 2 3 4 5; do
    t0=$(date +%s%N)
    "$xrca" --store "$store" status >"$tmp/status.out" 2>&1 || { cat "$tmp/status.out" >&2; return 1; }
    t1=$(date +%s%N)
    times+=("$(((t1 - t0) / 1000000))")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
# Issued certificates FROM..TO (bulk_load FROM TO), made by the database itself in one
# transaction: ids, key fingerprints, request ids and license hashes are md5 values (spread over
# each index as real ones are), subjects are user ids, machines machine ids, the issuer the
# authority's, the times a second apart, the documents short. Loading row by row into every
# index of a table of millions slows with each million (random pages of indexes larger than the
# buffers); so the indexes are dropped, the rows written without the count triggers (that would
# stage every row for the statement's count), then the indexes built again by sorting and the
# counts taken once, as the migration that brought them does (the node is idle meanwhile).
bulk_load() {
  local from=$1 to=$2 indexes
  indexes=$(pg_sql growth -c "SELECT indexdef || ';' FROM pg_indexes WHERE schemaname = 'xrca'
    AND tablename = 'certificates' AND indexname <> 'certificates_pkey'")
  pg_sql growth -c "SET search_path = xrca" -c "SET maintenance_work_mem = '1GB'" \
    -c "SET session_replication_role = replica" -c "BEGIN" -c "
    DO \$\$ DECLARE i record; BEGIN
      FOR i IN SELECT indexname FROM pg_indexes WHERE schemaname = 'xrca' AND tablename = 'certificates'
                 AND indexname <> 'certificates_pkey' LOOP
        EXECUTE format('DROP INDEX %I', i.indexname);
      END LOOP; END \$\$;
    ALTER TABLE certificates DROP CONSTRAINT certificates_pkey;
    INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, valid_from,
                              valid_until, body, xrml, request_id, license_hash, machine)
    SELECT 'bulk-' || md5(g::text),
           (ARRAY['Group-Identity-Credential', 'Group-Identity-Credential', 'Group-Identity-Credential',
                  'Client-Licensor-Certificate', 'Machine-Certificate'])[1 + g % 5], 'issued',
           'S-1-5-21-' || (g % 1000003), issuer.fp, md5('key' || g) || md5('key2' || g),
           to_char(timestamp '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
           to_char(timestamp '2025-01-01' + g * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
           to_char(timestamp '2026-01-01' + g * interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
           '', '<bulk n=\"' || g || '\"/>', md5('request' || g), md5('license' || g),
           md5('machine' || (g % 2000003))
    FROM generate_series($from, $to) AS g,
         (SELECT issuer_fingerprint AS fp FROM certificates WHERE status = 'issued' LIMIT 1) AS issuer;
    ALTER TABLE certificates ADD PRIMARY KEY (id);
    $indexes
    DELETE FROM row_count_changes;
    DELETE FROM row_counts WHERE tbl = 'certificates';
    INSERT INTO row_counts (tbl, kind, status, n)
      SELECT 'certificates', kind, status, count(*) FROM certificates GROUP BY kind, status;
    COMMIT"
}
counts_sql="SELECT tbl, kind, status, sum(n) FROM (SELECT tbl, kind, status, n FROM row_counts UNION ALL
  SELECT tbl, kind, status, n FROM row_count_changes) AS counted GROUP BY tbl, kind, status"

measured_rate=$(measure_rate empty)
read -r empty_rate empty_p99 empty_cpu empty_wal <<<"$measured_rate"
empty_status=$(status_ms)
echo "empty store ($(pg_sql growth -c 'SELECT COUNT(*) FROM xrca.certificates') certificates): Certify $empty_rate req/s" \
  "(p99 $empty_p99 ms, $empty_cpu ms CPU/request, $empty_wal bytes of WAL/request), status $empty_status ms" \
  "(median of $rounds loads, 5 status runs); $(hot_updates)"

loaded=0
IFS=, read -r -a sizes <<<"$growth_sizes"
for target in "${sizes[@]}"; do
  [ "$target" -gt "$loaded" ] || { echo "$0: growth sizes must increase ($target after $loaded)" >&2; exit 2; }
  # Room for it: ~1 KB a row with its indexes, and as much WAL again, measured at 1M.
  free_kb=$(df -Pk "$tmp" | awk 'NR == 2 {print $4}')
  need_kb=$(((target - loaded) * 2))
  [ "$free_kb" -gt "$need_kb" ] || { echo "$0: $target rows need ~$((need_kb / 1048576)) GB, $((free_kb / 1048576)) GB free: stopping here" >&2; break; }
  t0=$(date +%s)
  bulk_load "$((loaded + 1))" "$target"
  pg_sql growth -c "VACUUM ANALYZE xrca.certificates"
  loaded=$target
  load_s=$(($(date +%s) - t0))
  size=$(pg_sql growth -c "SELECT pg_size_pretty(pg_total_relation_size('xrca.certificates'))")
  measured_rate=$(measure_rate "n$target")
  read -r rate p99 cpu wal <<<"$measured_rate"
  st=$(status_ms)
  echo
  echo "$target certificates bulk-loaded in ${load_s}s (table with indexes: $size):"
  awk -v r="$rate" -v e="$empty_rate" -v p="$p99" -v c="$cpu" -v w="$wal" -v st="$st" 'BEGIN {
    printf "  Certify %.0f req/s = %.2f x the empty store (goal >= 0.9), p99 %.1f ms, %.2f ms CPU/request, %d bytes of WAL/request\n", r, r / e, p, c, w
    printf "  status %d ms (goal < 100 ms)\n", st }'
  echo "  $(hot_updates) (since the start)"
  echo "  the count behind status (EXPLAIN ANALYZE):"
  pg_sql growth -c "SET search_path = xrca" -c "EXPLAIN (ANALYZE, BUFFERS) $counts_sql" | sed 's/^/    /'
done
echo "after: $(uptime)"
measured=1
if [ "${BENCH_KEEP_PG:-0}" = 1 ]; then
  echo "the store: $store (Enter removes it)"
  read -r _
fi
fails=$(awk '{s += $8} END {print s + 0}' "$tmp/loads")
[ "$fails" = 0 ] || { echo "ERRORS: $fails failed requests" >&2; exit 1; }
