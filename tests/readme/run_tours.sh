#!/usr/bin/env bash
# The README's tours, run as a reader runs them: every ```sh block under "## Using it", in order,
# read from README.md now (so the README cannot drift from this test), as one bash -euo pipefail
# script in one fresh directory, with the built xrca first on PATH and the passwords where the
# README says ($XRCA_KEY_PASSWORD, $XRCA_EXPORT_PASSWORD). A reader runs `xrca … serve` in a
# second terminal; here it runs in the background, the next command waits until it answers
# /healthz (with a deadline), and every server is stopped at the end, also on failure. The tours
# use the README's fixed ports (8080, 8081): when allowed, they run in a network namespace of
# their own, so that nothing else on the machine can hold those ports.
#
# usage: run_tours.sh README.md XRCA_BINARY SOURCE_DIR
set -euo pipefail

readme=$(realpath "$1")
xrca=$(realpath "$2")
source_dir=$(realpath "$3")

# Tours that are not run, each with the reason; a name here that the README lost fails the test.
declare -A excluded=(
    ["A cluster of several nodes"]="a deployment across hosts (a database server, node addresses, ~/.pgpass, /var/lib/xrca); tests/cluster and tests/cli/store_cli_test.cpp run it against a throwaway PostgreSQL"
)

if [[ ${XRCA_TOURS_NETNS:-} != entered ]] && unshare --net true 2>/dev/null && command -v ip >/dev/null; then
    XRCA_TOURS_NETNS=entered exec unshare --net bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$@"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/xrca-tours-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tours" "$work/home"
# The Verify tour reads the real chain the source tree holds, at the path the README gives.
mkdir -p "$work/tours/tests/data"
ln -s "$source_dir/tests/data/vectors" "$work/tours/tests/data/vectors"

# The tours as one script: headings become progress lines, continued lines are joined, and a
# serve line goes to the background and is waited for.
awk -v excluded_names="$(printf '%s\n' "${!excluded[@]}")" '
BEGIN {
    n = split(excluded_names, names, "\n")
    for (i = 1; i <= n; ++i) if (names[i] != "") skip[names[i]] = 1
    print "__pids=()"
    print "__stop() { local p; for p in \"${__pids[@]}\"; do kill -TERM \"$p\" 2>/dev/null || true; done"
    print "           for p in \"${__pids[@]}\"; do wait \"$p\" 2>/dev/null || true; done; }"
    print "trap __stop EXIT"
    print "__ready() {  # PID ADDRESS: until the server answers, or it exits, or 30 s pass"
    print "    local deadline=$((SECONDS + 30))"
    print "    until curl -s -o /dev/null \"http://$2/healthz\"; do"
    print "        kill -0 \"$1\" 2>/dev/null || { echo \"run_tours: the server for $2 exited\" >&2; return 1; }"
    print "        ((SECONDS < deadline)) || { echo \"run_tours: nothing answers on $2\" >&2; return 1; }"
    print "        sleep 0.1"
    print "    done"
    print "}"
}
/^## / { using = ($0 == "## Using it"); next }
!using { next }
/^### / {
    tour = substr($0, 5)
    if (tour in skip) { seen[tour] = 1; next }
    q = sprintf("%c", 39); shown = tour; gsub(q, q "\\\\" q q, shown)  # a heading may hold a quote
    printf "echo %c== tour: %s%c >&2\n", 39, shown, 39
    next
}
/^```/ {
    if (!fenced) { fenced = 1; run = ($0 == "```sh") && !(tour in skip); if (run) tours[tour] = 1; next }
    fenced = 0; run = 0; next
}
fenced && run {
    line = pending $0
    if (line ~ /\\$/) { pending = substr(line, 1, length(line) - 1); next }
    pending = ""
    if (line ~ /^xrca +(--(data|store) +[^ ]+ +)*serve( |$)/) {
        address = "127.0.0.1:8080"
        if (match(line, /--listen [^ ]+/)) address = substr(line, RSTART + 9, RLENGTH - 9)
        sub(/[ \t]+#.*$/, "", line)
        print line " &"
        print "__pids+=($!); __ready $! " address
        next
    }
    print line
}
END {
    for (t in skip) if (!(t in seen)) { print "run_tours: the excluded tour \"" t "\" is not in the README" > "/dev/stderr"; exit 1 }
    count = 0; for (t in tours) ++count
    if (count == 0) { print "run_tours: no ```sh tours under \"## Using it\"" > "/dev/stderr"; exit 1 }
}
' "$readme" >"$work/tours.sh"

for name in "${!excluded[@]}"; do echo "run_tours: not run: $name: ${excluded[$name]}" >&2; done
cd "$work/tours"
env -u XRCA_DATA -u XRCA_TOKEN -u XRCA_STORE \
    HOME="$work/home" PATH="$(dirname "$xrca"):$PATH" \
    XRCA_KEY_PASSWORD="tour key password" XRCA_EXPORT_PASSWORD="tour export password" \
    PS4='+ ' bash -euo pipefail -x "$work/tours.sh"
echo "run_tours: every tour ran" >&2
