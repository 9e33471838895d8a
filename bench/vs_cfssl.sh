#!/usr/bin/env bash
# xrca's online issuance against CFSSL's, under the same HTTP load, beside the raw RSA-2048
# signing rates of the libraries measured in the same run (docs/performance.md).
#
#   bench/vs_cfssl.sh [ROUNDS] [SECONDS]        defaults: 3 rounds of 10 s per load
#
# Each round measures, one after the other on the same machine:
#   - raw signatures: bench_raw_sign (libcrypto's EVP_PKEY_sign and Botan's PK_Signer, 2 threads
#     each, PKCS#1 v1.5 over a SHA-256 digest with an RSA-2048 key);
#   - CFSSL: `cfssl serve` with an RSA-2048 CA, wrk POSTing one RSA-2048 CSR to /api/v1/cfssl/sign;
#   - xrca: `xrca serve`, a self-enrolled root cluster (crypto mode 2, RSA-2048), wrk POSTing
#     Certify (a RAC for an activated machine) and GetClientLicensorCert (a CLC for that RAC)
#     with a `user` principal's token;
# every load `wrk -t2 -c50 -dSECONDS --latency` (2 threads, 50 keep-alive connections).
# It prints each round and the medians, with the servers' peak memory (VmHWM). A load that got
# HTTP errors or socket errors is printed as such, and the script then exits 1.
#
# Environment: BENCH_NO_BUILD=1 uses build/bench as it is; BENCH_BUILD_JOBS (default: nproc);
# BENCH_CFSSL_PORT, BENCH_XRCA_PORT (first ports tried, 18888 and 18080); BENCH_WRK_TIMEOUT
# (seconds after which wrk counts a request as timed out, default 30: GetClientLicensorCert
# answers in seconds under this load, and wrk's own 2 s would turn its tail into errors).
# Needs: cmake and a C++ toolchain (see scripts/setup.sh), wrk, golang-cfssl, openssl, curl, ss.
# Everything runs on 127.0.0.1, in a temporary directory that is removed at the end; every
# process it starts is stopped on exit, failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-3}
load_seconds=${2:-10}
for n in "$rounds" "$load_seconds"; do
  [[ "$n" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "usage: $0 [ROUNDS] [SECONDS] (whole numbers from 1)" >&2; exit 2; }
done
wrk_timeout=${BENCH_WRK_TIMEOUT:-30}
# GetClientLicensorCert takes a fresh RSA key per CLC: xrca serve keeps a pool of this many,
# filled before serving and again before each CLC load, and that load stops at 90 % of it.
clc_pool=${BENCH_CLC_POOL:-1000}
[[ "$wrk_timeout" =~ ^[1-9][0-9]{0,3}$ ]] || { echo "BENCH_WRK_TIMEOUT must be a whole number of seconds" >&2; exit 2; }

for tool in cfssl cfssljson wrk openssl curl awk ss; do
  command -v "$tool" >/dev/null || {
    echo "$0: '$tool' is not installed (Debian: apt-get install golang-cfssl wrk openssl curl iproute2)" >&2
    exit 2
  }
done

# --- The Release build --------------------------------------------------------------------
build=build/bench
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
  cmake --build "$build" -j"${BENCH_BUILD_JOBS:-$(nproc)}" --target xrca bench_soap_body bench_raw_sign >/dev/null
fi
xrca=$build/cli/xrca
soap_body=$build/bench/bench_soap_body
raw_sign=$build/bench/bench_raw_sign
for b in "$xrca" "$soap_body" "$raw_sign"; do
  [ -x "$b" ] || { echo "$0: $b is missing: build it, or run without BENCH_NO_BUILD=1" >&2; exit 2; }
done
build_type=$(awk -F= '/^CMAKE_BUILD_TYPE:/ {print $2}' "$build/CMakeCache.txt")
[ "$build_type" = Release ] || echo "warning: $build is a $build_type build, not Release" >&2

# --- What this script starts, and how it is stopped -------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xrca-vs-cfssl.XXXXXX")
pids=()
measured=0  # 1 once the rounds are done: a failure after that needs no server logs

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
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do stop_process "$pid"; done
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
  local url=$1 want=$2 pid=$3 tenths=${4:-300} code
  for _ in $(seq "$tenths"); do
    kill -0 "$pid" 2>/dev/null || { echo "$0: the server for $url exited" >&2; return 1; }
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [ "$code" = "$want" ] && return 0
    sleep 0.1
  done
  echo "$0: $url did not answer $want within $((tenths / 10)) s (last: $code)" >&2
  return 1
}

# Waits (at most 120 s) until the server on `port` holds no connection: the one before may
# still be answering the requests wrk left in flight on the connections it closed, and those
# connections would count against the next load's (64 per client address).
wait_drained() {
  local port=$1
  for _ in $(seq 1200); do
    [ "$(ss -Htn state established state close-wait "( sport = :$port )" | wc -l)" -eq 0 ] && return 0
    sleep 0.1
  done
  echo "$0: the server on port $port still holds connections after 120 s" >&2
  return 1
}

# Waits (at most 600 s) until xrca serve's CLC key pool is full again (its /metrics gauge).
wait_pool_full() {
  local ready=0
  for _ in $(seq 6000); do
    ready=$(curl -s --max-time 2 "http://127.0.0.1:$xrca_port/metrics" | awk '$1 == "xrca_clc_keys_ready" {print $2}')
    [ "${ready:-0}" -ge "$clc_pool" ] && return 0
    sleep 0.1
  done
  echo "$0: the CLC key pool holds $ready of $clc_pool keys after 600 s" >&2
  return 1
}

peak_rss_mb() { awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# Runs wrk with the body and headers in the environment (WRK_*, read by bench/wrk_post.lua);
# prints its RESULT line's fields. Bounded: wrk's own duration, plus a margin, then killed.
run_wrk() {
  local url=$1 port=$2 out=$tmp/wrk.out
  wait_drained "$port"
  timeout --foreground -k 5 $((load_seconds + wrk_timeout + 30)) \
    wrk -t2 -c50 -d"${load_seconds}s" --timeout "${wrk_timeout}s" --latency -s bench/wrk_post.lua "$url" >"$out" 2>&1 ||
    { cat "$out" >&2; echo "$0: wrk failed against $url" >&2; return 1; }
  grep '^RESULT ' "$out" | sed 's/^RESULT //' || { cat "$out" >&2; return 1; }
}
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'; }

# --- CFSSL: an RSA-2048 CA and an RSA-2048 CSR to sign --------------------------------------
mkdir "$tmp/cfssl"
cat >"$tmp/cfssl/ca-csr.json" <<'JSON'
{"CN": "cfssl bench CA", "key": {"algo": "rsa", "size": 2048}, "names": [{"O": "xrca bench"}]}
JSON
cat >"$tmp/cfssl/leaf-csr.json" <<'JSON'
{"CN": "bench leaf", "hosts": ["bench.example.test"], "key": {"algo": "rsa", "size": 2048}}
JSON
(
  cd "$tmp/cfssl"
  cfssl genkey -initca ca-csr.json 2>>../cfssl-setup.log | cfssljson -bare ca
  cfssl genkey leaf-csr.json 2>>../cfssl-setup.log | cfssljson -bare leaf
)
# {"certificate_request": "<PEM>"}, the PEM's line breaks written as \n.
printf '{"certificate_request": "%s"}' "$(awk '{printf "%s\\n", $0}' "$tmp/cfssl/leaf.csr")" >"$tmp/cfssl-sign.json"

cfssl_port=$(free_port "${BENCH_CFSSL_PORT:-18888}")
cfssl serve -loglevel 1 -address 127.0.0.1 -port "$cfssl_port" \
  -ca "$tmp/cfssl/ca.pem" -ca-key "$tmp/cfssl/ca-key.pem" >"$tmp/cfssl.log" 2>&1 &
cfssl_pid=$!
pids+=("$cfssl_pid")
cfssl_url=http://127.0.0.1:$cfssl_port/api/v1/cfssl/sign
wait_for "$cfssl_url" 405 "$cfssl_pid"  # GET on the sign endpoint: "method not allowed" once it listens
reply=$(curl -s --max-time 10 -H 'Content-Type: application/json' --data-binary @"$tmp/cfssl-sign.json" "$cfssl_url")
grep -q '"success":true' <<<"$reply" || { echo "$0: CFSSL did not sign: $reply" >&2; exit 1; }

# --- xrca: a root cluster, a user, an activated machine, its RAC ------------------------------
xrca_port=$(free_port "${BENCH_XRCA_PORT:-18080}")
xrca_base=http://127.0.0.1:$xrca_port/_wmcs
data=$tmp/xrca-data
password_file=$tmp/key-password
(umask 077 && head -c 32 /dev/urandom | base64 >"$password_file")
"$xrca" --data "$data" init --role root --name "xrca bench root" --url "$xrca_base" --self-enroll \
  --crypto-mode 2 --password-file "$password_file" >"$tmp/xrca-setup.log" 2>&1
XRCA_TOKEN=$("$xrca" --data "$data" principal add bench-user --role user --email bench-user@example.test |
  tail -n 1)
export XRCA_TOKEN  # the client reads it here, so the token is never on a command line
"$xrca" --data "$data" serve --listen "127.0.0.1:$xrca_port" --password-file "$password_file" \
  --clc-key-pool "$clc_pool" --clc-key-threads 2 --warm-key-pool >"$tmp/xrca.log" 2>&1 &
xrca_pid=$!
pids+=("$xrca_pid")
wait_for "http://127.0.0.1:$xrca_port/healthz" 200 "$xrca_pid" 3000  # after --warm-key-pool
client=$tmp/client
{
  "$xrca" client init --dir "$client" --password-file "$password_file"
  "$xrca" client activate --dir "$client" --server "$xrca_base" --password-file "$password_file"
  "$xrca" client certify --dir "$client" --server "$xrca_base"
} >>"$tmp/xrca-setup.log" 2>&1

# The two requests wrk repeats, written by the client's own message code; each sent once first.
declare -A xrca_path xrca_action
for op in certify clc; do
  chain=$client/spc-chain.xml
  [ "$op" = clc ] && chain=$client/rac-chain.xml
  where=$("$soap_body" "$op" "$chain" "$tmp/$op.xml")
  xrca_path[$op]=$(awk '$1 == "path" {print $2}' <<<"$where")
  xrca_action[$op]=$(awk '$1 == "soapaction" {print $2}' <<<"$where")
  code=$(curl -s -o "$tmp/$op-reply.xml" -w '%{http_code}' --max-time 30 -H 'Content-Type: text/xml; charset=utf-8' \
    -H "SOAPAction: \"${xrca_action[$op]}\"" -H @<(printf 'Authorization: Bearer %s\n' "$XRCA_TOKEN") \
    --data-binary @"$tmp/$op.xml" "http://127.0.0.1:$xrca_port${xrca_path[$op]}")
  [ "$code" = 200 ] || { echo "$0: xrca answered $op with HTTP $code: $(head -c 400 "$tmp/$op-reply.xml")" >&2; exit 1; }
done

# --- The rounds ---------------------------------------------------------------------------------
echo "xrca vs CFSSL: $rounds round(s), wrk -t2 -c50 -d${load_seconds}s --latency (timeout ${wrk_timeout}s), $(nproc) cores"
echo "xrca $(git rev-parse --short HEAD 2>/dev/null || echo '?') ($build_type); cfssl $(cfssl version | awk 'NR == 1 {print $2}');" \
  "$(openssl version | awk '{print $1, $2}'); $(wrk --version 2>&1 | head -n 1 | awk '{print $1, $2}')"
echo "load average before the rounds: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews every figure, ratios least)"
echo
header="round  raw_ossl/s raw_botan/s  cfssl/s cfssl_p99  certify/s cert_p99  clc/s clc_p99  x/cfssl x/ossl x/botan  rss_cfssl rss_xrca  errors"
echo "$header"
results=$tmp/results
: >"$results"
errors_total=0
for round in $(seq "$rounds"); do
  raw_out=$("$raw_sign" 3 2)
  raw_ossl=$(awk '/^libcrypto_/ {print $2}' <<<"$raw_out")
  raw_botan=$(awk '/^botan_/ {print $2}' <<<"$raw_out")
  [[ "$raw_ossl" =~ ^[0-9.]+$ && "$raw_botan" =~ ^[0-9.]+$ ]] ||
    { echo "$0: no raw signing rate (bench_raw_sign said: '$raw_out')" >&2; exit 1; }

  cfssl_r=$(WRK_BODY_FILE=$tmp/cfssl-sign.json WRK_CONTENT_TYPE=application/json WRK_SOAPACTION='' WRK_TOKEN='' \
    run_wrk "$cfssl_url" "$cfssl_port")
  declare -A r=()
  for op in certify clc; do
    max=0
    if [ "$op" = clc ]; then
      wait_pool_full
      max=$((clc_pool * 9 / 10 / 2))  # per wrk thread
    fi
    r[$op]=$(WRK_BODY_FILE=$tmp/$op.xml WRK_CONTENT_TYPE='text/xml; charset=utf-8' \
      WRK_SOAPACTION=${xrca_action[$op]} WRK_TOKEN=$XRCA_TOKEN WRK_MAX_REQUESTS=$max \
      run_wrk "http://127.0.0.1:$xrca_port${xrca_path[$op]}" "$xrca_port")
  done
  rss_cfssl=$(peak_rss_mb "$cfssl_pid")
  rss_xrca=$(peak_rss_mb "$xrca_pid")

  errors=""
  for name in cfssl certify clc; do
    case $name in cfssl) line=$cfssl_r ;; *) line=${r[$name]} ;; esac
    for k in http_errors socket_errors timeouts; do
      n=$(field "$k" "$line")
      if [ "$n" != 0 ]; then
        errors+="$name:$k=$n "
        errors_total=$((errors_total + n))
      fi
    done
  done
  cfssl_rate=$(field rate "$cfssl_r")
  certify_rate=$(field rate "${r[certify]}")
  clc_rate=$(field rate "${r[clc]}")
  echo "$round $raw_ossl $raw_botan $cfssl_rate $(field p99_ms "$cfssl_r") $certify_rate $(field p99_ms "${r[certify]}")" \
    "$clc_rate $(field p99_ms "${r[clc]}") $rss_cfssl $rss_xrca" >>"$results"
  awk -v e="${errors:-none}" '{
    printf "%5s %11.0f %11.0f %8.0f %9.1f %10.0f %8.1f %6.0f %7.1f %8.2f %6.2f %8.2f %10s %8s  %s\n",
      $1, $2, $3, $4, $5, $6, $7, $8, $9, $6 / $4, $6 / $2, $6 / $3, $10 " MB", $11 " MB", e
  }' <<<"$(tail -n 1 "$results")"
done

# Medians over the rounds of every column, ratios taken per round first.
awk '
  function median(values, n,   sorted, i, j, t) {
    for (i = 1; i <= n; i++) sorted[i] = values[i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && sorted[j - 1] > sorted[j]; j--) { t = sorted[j]; sorted[j] = sorted[j - 1]; sorted[j - 1] = t }
    return n % 2 ? sorted[(n + 1) / 2] : (sorted[n / 2] + sorted[n / 2 + 1]) / 2
  }
  { n++; for (c = 2; c <= 11; c++) col[c, n] = $c
    x_cfssl[n] = $6 / $4; x_ossl[n] = $6 / $2; x_botan[n] = $6 / $3 }
  END {
    for (c = 2; c <= 11; c++) { for (i = 1; i <= n; i++) v[i] = col[c, i]; m[c] = median(v, n) }
    printf "%5s %11.0f %11.0f %8.0f %9.1f %10.0f %8.1f %6.0f %7.1f %8.2f %6.2f %8.2f %10s %8s\n", "med",
      m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], median(x_cfssl, n), median(x_ossl, n), median(x_botan, n),
      m[10] " MB", m[11] " MB"
    printf "\nmedians of %d rounds: CFSSL %.0f req/s (p99 %.1f ms); xrca Certify %.0f req/s (p99 %.1f ms), ", n, m[4], m[5], m[6], m[7]
    printf "GetClientLicensorCert %.0f req/s (p99 %.1f ms)\n", m[8], m[9]
    printf "raw RSA-2048 signatures on 2 cores: libcrypto %.0f/s, Botan %.0f/s\n", m[2], m[3]
    printf "xrca Certify / CFSSL %.2f; / raw libcrypto %.2f; / raw Botan %.2f\n",
      median(x_cfssl, n), median(x_ossl, n), median(x_botan, n)
  }' "$results"
echo "load average after the rounds: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peak resident memory (VmHWM) after all rounds: cfssl serve $(peak_rss_mb "$cfssl_pid") MB, xrca serve $(peak_rss_mb "$xrca_pid") MB"
echo "(columns: req/s count 2xx answers only; p99 in ms; x/… = xrca Certify req/s over that rate, per round;"
echo " every CLC takes a fresh RSA-2048 key: GetClientLicensorCert under load is bound by key generation)"
measured=1
if [ "$errors_total" -ne 0 ]; then
  echo "ERRORS: $errors_total failed requests (HTTP 4xx/5xx, socket errors or timeouts): see the errors column" >&2
  exit 1
fi
