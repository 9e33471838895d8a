#!/usr/bin/env bash
# The administrator's console's server time per page with many stored certificates (issue 17:
# each page under 100 ms with 100,000). Not a test: it prints medians; run it by hand.
#
#   bench/console_pages.sh [CERTIFICATES=100000] [REQUESTS=20]
#
# A fresh root authority (SQLite) in a temporary directory, its certificates table bulk-loaded
# with rows shaped like cluster.sh --growth's (RACs, CLCs and SPCs of many users and machines,
# short documents), and revocations that name 80 of them (20 each by certificate ID, BODY hash,
# user and key; 20 more of issuer keys that name none, so that the revoked search has rows to
# find), then `xrca serve --admin-listen` and curl: each page REQUESTS times over one signed-in
# session, the median and the slowest of curl's time to the first byte. Uses build/test/cli/xrca
# (or $XRCA). Needs sqlite3 and curl. Everything it starts is stopped and the directory removed
# on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
requests=${2:-20}
[[ "$count" =~ ^[1-9][0-9]{0,8}$ && "$requests" =~ ^[1-9][0-9]{0,3}$ ]] || {
  echo "usage: $0 [CERTIFICATES] [REQUESTS]" >&2
  exit 2
}
xrca=${XRCA:-build/test/cli/xrca}
[ -x "$xrca" ] || { echo "$0: no $xrca (build the xrca target, or set XRCA)" >&2; exit 1; }
work=$(mktemp -d /tmp/xrca-console-bench-XXXXXX)
serve_pid=
cleanup() {
  [ -z "$serve_pid" ] || { kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

(umask 077; echo "console-bench-password" > "$work/pw")
"$xrca" --data "$work/r" init --role root --name bench --url https://bench.example.test/_wmcs --self-enroll \
  --password-file "$work/pw" > /dev/null
token=$("$xrca" --data "$work/r" principal add ops --role admin | tail -n 1)

t0=$(date +%s)
sqlite3 "$work/r/xrca.db" > /dev/null <<SQL
PRAGMA busy_timeout = 10000;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $count)
INSERT INTO certificates (id, kind, status, subject, issuer_fingerprint, key_fingerprint, issued, valid_from,
                          valid_until, body, xrml, request_id, license_hash, machine)
SELECT 'bulk-' || n,
       CASE n % 5 WHEN 3 THEN 'Client-Licensor-Certificate' WHEN 4 THEN 'Machine-Certificate'
                  ELSE 'Group-Identity-Credential' END,
       'issued', 'S-1-5-21-' || (n % 1000003),
       (SELECT issuer_fingerprint FROM certificates WHERE status = 'issued' LIMIT 1),
       printf('%064x', n),
       strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || n || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%SZ', '2025-01-01', '+' || n || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%SZ', '2026-01-01', '+' || n || ' seconds'),
       '', '<bulk n="' || n || '"/>', 'request-' || n, printf('%040x', n),
       CASE WHEN n % 5 <> 3 THEN 'machine-' || (n % 5000) END
FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20)
INSERT OR IGNORE INTO revocations (type, value, object_type, id_type, id, public_key, reason, revoked, caller)
SELECT type, value, '', '', value, '', 'bench', '2026-01-01T00:00:00Z', 'bench' FROM (
  SELECT 'license-id' AS type, 'bulk-' || (n * 4999 % $count + 1) AS value FROM g
  UNION ALL SELECT 'license-hash', printf('%040x', n * 4999 % $count + 2) FROM g
  UNION ALL SELECT 'principal-id', 's-1-5-21-' || ((n * 4999 % $count + 3) % 1000003) FROM g
  UNION ALL SELECT 'principal-key', printf('%064x', n * 4999 % $count + 4) FROM g
  UNION ALL SELECT 'issuer-key', printf('%064x', n) FROM g);
ANALYZE;
SQL
echo "$count certificates bulk-loaded in $(($(date +%s) - t0)) s"

"$xrca" --data "$work/r" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --password-file "$work/pw" \
  > "$work/serve.out" 2>&1 &
serve_pid=$!
base=
for _ in $(seq 600); do  # the console's line, polled for up to a minute
  base=$(grep -o "administrator's console on http://127.0.0.1:[0-9]*" "$work/serve.out" | sed 's/.* on //' || true)
  [ -n "$base" ] && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$work/serve.out" >&2; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "$0: serve printed no console URL" >&2; exit 1; }

jar="$work/cookies"
csrf=$(curl -s -c "$jar" "$base/admin/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | sed 's/.*value="//; s/"//')
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" \
  --data-urlencode "token=$token" "$base/admin/login")
[ "$status" = 303 ] || { echo "$0: sign-in answered $status" >&2; exit 1; }

printf '%-55s %10s %10s\n' "page ($count certificates)" "median ms" "max ms"
for page in / /certificates '/certificates?kind=rac' '/certificates?user=S-1-5-21-4242' \
  '/certificates?machine=machine-42' '/certificates?since=2025-01-01&until=2025-01-02' \
  '/certificates?revoked=yes' '/certificates?status=all' '/certificates/bulk-50000' /principals /trust \
  /revocation /log /activity; do
  times=()
  for _ in $(seq "$requests"); do
    out=$(curl -s -o /dev/null -w '%{http_code} %{time_starttransfer}' -b "$jar" "$base/admin$page")
    [ "${out%% *}" = 200 ] || { echo "$0: $page answered ${out%% *}" >&2; exit 1; }
    times+=("${out#* }")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v page="/admin$page" '
    { t[NR] = $1 * 1000 } END { printf "%-55s %10.1f %10.1f\n", page, t[int((NR + 1) / 2)], t[NR] }'
done
