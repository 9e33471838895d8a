#!/usr/bin/env bash
# The run command: installs what is missing, builds, and runs xrca's main job — a served root
# cluster. On first run it initialises a self-enrolled root cluster in ./xrca-data (or
# $XRCA_DATA), generating its key password into a file only you can read, adds a `user`
# principal to try it with, and prints the client commands. Then it serves on 127.0.0.1:8080
# (or $XRCA_LISTEN) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DXRCA_BUILD_TESTS=OFF -DXRCA_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target xrca -j"$(nproc)"

xrca=build/release/cli/xrca
data=${XRCA_DATA:-./xrca-data}
listen=${XRCA_LISTEN:-127.0.0.1:8080}
password_file="${data%/}.key-password"
token_file="${data%/}.demo-token"
url="http://${listen}/_wmcs"

password_args=()
if [ ! -e "$data/xrca.db" ]; then
  if [ -z "${XRCA_KEY_PASSWORD:-}" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 > "$password_file")
    echo
    echo "################################################################################"
    echo "#  A NEW KEY PASSWORD was generated for the cluster key in $data:"
    echo "#      $password_file   (mode 0600: only you can read it)"
    echo "#  Whoever holds this file and the data directory holds the cluster key."
    echo "#  Move it somewhere safe, or give your own with XRCA_KEY_PASSWORD next time."
    echo "################################################################################"
  fi
  [ -e "$password_file" ] && password_args=(--password-file "$password_file")
  echo
  echo "+ xrca --data $data init --role root --name \"xrca demo root\" --url $url --self-enroll"
  "$xrca" --data "$data" init --role root --name "xrca demo root" --url "$url" --self-enroll "${password_args[@]}"
  echo "+ xrca --data $data principal add demo-user --role user --email demo-user@example.test"
  token=$("$xrca" --data "$data" principal add demo-user --role user --email demo-user@example.test | tail -1)
  (umask 077 && echo "$token" > "$token_file")
else
  [ -e "$password_file" ] && password_args=(--password-file "$password_file")
  echo "using the existing root cluster in $data"
fi
token=$(cat "$token_file" 2>/dev/null || echo "TOKEN")

cat <<TRY

Try it from another terminal (the demo user's token is kept in $token_file):
  $xrca client init --dir demo-client
  $xrca client activate --dir demo-client --server $url --token $token
  $xrca client certify  --dir demo-client --server $url --token $token
  $xrca client clc      --dir demo-client --server $url --token $token
  $xrca client unseal   --dir demo-client demo-client/rac-chain.xml
  $xrca verify demo-client/clc-chain.xml --anchor \$($xrca --data $data anchor --fingerprint)
  curl -s http://$listen/metrics

TRY
echo "+ xrca --data $data serve --listen $listen"
exec "$xrca" --data "$data" serve --listen "$listen" "${password_args[@]}"
