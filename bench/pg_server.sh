# shellcheck shell=bash
# A throwaway PostgreSQL server for the benchmarks (bench/cluster.sh, bench/status_time.sh):
# sourced, not run. Needs $pg_bin (the server's binaries) set by the script that sources it.

# pg_start DIR LOG_DIR [-c NAME=VALUE]...: initdb into DIR/data, then `postgres -k DIR` on a Unix
# socket only (no TCP), as the postgres user when run as root, with the settings given. Sets
# $pg_launcher (the process started) and, once it accepts connections, $postmaster. Exits the
# script, saying why, if it cannot (DIR's parent must let the postgres user through).
pg_start() {
  local dir=$1 logs=$2
  shift 2
  mkdir "$dir"
  local as_owner=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "$0: running as root, and there is no postgres user (initdb refuses root)" >&2; exit 2; }
    chown postgres: "$dir"
    as_owner=(runuser -u postgres --)
  fi
  "${as_owner[@]}" "${pg_bin:?set by the script that sources this}/initdb" -D "$dir/data" --auth=trust --username=postgres --locale=C --encoding=UTF8 \
    >"$logs/initdb.log" 2>&1 || { tail -n 20 "$logs/initdb.log" >&2; exit 1; }
  "${as_owner[@]}" "$pg_bin/postgres" -D "$dir/data" -k "$dir" -c listen_addresses= "$@" >"$logs/postgres.log" 2>&1 &
  pg_launcher=$!
  postmaster=""
  for _ in $(seq 600); do
    kill -0 "$pg_launcher" 2>/dev/null || { echo "$0: PostgreSQL exited at start" >&2; exit 1; }
    # postmaster.pid's 8th line says "ready" once it accepts connections.
    if [ -f "$dir/data/postmaster.pid" ] && [ "$(sed -n 8p "$dir/data/postmaster.pid" 2>/dev/null | tr -d ' ')" = ready ]; then
      postmaster=$(head -n 1 "$dir/data/postmaster.pid")
      return 0
    fi
    sleep 0.1
  done
  echo "$0: PostgreSQL did not start within 60 s" >&2
  exit 1
}

# A fast shutdown (SIGINT: clients disconnected, a checkpoint), then an immediate one (SIGQUIT),
# then SIGKILL; at most 60 s in all. Nothing to do before pg_start set $postmaster.
pg_stop() {
  [ -n "${postmaster:-}" ] || return 0
  local signal
  for signal in INT QUIT KILL; do
    kill -0 "$postmaster" 2>/dev/null || break
    kill -"$signal" "$postmaster" 2>/dev/null || true
    for _ in $(seq 200); do
      kill -0 "$postmaster" 2>/dev/null || break
      sleep 0.1
    done
  done
  postmaster=""
}
