#!/usr/bin/env bash
# What `cmake --install` and `cpack -G DEB` put on a machine (docs/install.md), checked on the
# real thing: the build tree is installed into a fresh temporary prefix (or packaged) and the
# installed files are used.
# usage: check_install.sh tree|man|unit|deb BUILD_DIR
# Exit 0 passed, 1 failed, 77 skipped (a tool the check needs is missing; the reason is printed).
set -euo pipefail
check=$1
build=$2
work=$(mktemp -d /tmp/xrca-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
install_tree() { cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "cmake --install"; }; }

case $check in
tree)
  install_tree
  "$prefix/bin/xrca" --version | grep -Eq '^xrca [0-9]+\.[0-9]+' || fail "the installed xrca --version"
  # The installed binary provisions and reads an authority on its own.
  printf 'correct-horse-battery\n' >"$work/password"
  chmod 600 "$work/password"
  "$prefix/bin/xrca" --data "$work/es" init --role enrollment --name ES --password-file "$work/password" \
    >"$work/init.log" 2>&1 || { cat "$work/init.log"; fail "the installed xrca init"; }
  "$prefix/bin/xrca" --data "$work/es" status >"$work/status.log" 2>&1 || { cat "$work/status.log"; fail "status"; }
  grep -q 'active' "$work/status.log" || { cat "$work/status.log"; fail "status does not say active"; }
  # Everything installed is the binary, its documentation, the unit or the example config:
  # nothing the tests need (libraries, test binaries, test data) is installed.
  unexpected=$(cd "$prefix"; find . -type f | grep -Ev '^\./(bin/xrca|share/man/man1/xrca(-[a-z0-9-]+)?\.1|share/bash-completion/completions/xrca|share/doc/xrca/.+|lib/systemd/system/xrca\.service|etc/xrca/xrca\.conf\.example)$' || true)
  [ -z "$unexpected" ] || fail "installed but not expected: $unexpected"
  for f in share/doc/xrca/README.md share/doc/xrca/CHANGELOG.md share/doc/xrca/install.md \
           share/doc/xrca/examples/xrca.conf etc/xrca/xrca.conf.example lib/systemd/system/xrca.service; do
    [ -s "$prefix/$f" ] || fail "$f is missing or empty"
  done
  # Bash completion, when the binary can write it: installed, and bash takes it for xrca.
  if "$prefix/bin/xrca" completion bash >/dev/null 2>&1; then
    completion=$prefix/share/bash-completion/completions/xrca
    [ -s "$completion" ] || fail "xrca completion bash works, but no completion is installed"
    bash -c 'source "$1" && complete -p xrca' _ "$completion" >/dev/null || fail "bash does not take $completion for xrca"
  fi
  cmp -s "$prefix/share/doc/xrca/examples/xrca.conf" "$prefix/etc/xrca/xrca.conf.example" \
    || fail "the two example configs differ"
  # Installed twice (an upgrade), the tree is the same: no leftovers, no failures.
  install_tree
  ;;
man)
  command -v groff >/dev/null || skip "groff is not installed"
  install_tree
  man1=$prefix/share/man/man1
  [ -e "$man1/xrca.1" ] || skip "no man pages were built (help2man was not found when the build was configured)"
  # One page per command of `xrca --help`, and the main page.
  commands=$("$prefix/bin/xrca" --help | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z0-9-]*\)  .*/\1/p')
  [ -n "$commands" ] || fail "xrca --help lists no commands"
  for c in $commands; do
    [ -s "$man1/xrca-$c.1" ] || fail "no man page for $c"
    grep -q '^\.TH "\?XRCA-'"${c^^}" "$man1/xrca-$c.1" || fail "xrca-$c.1 has no .TH line naming XRCA-${c^^}"
  done
  for c in init serve status; do grep -qx "$c" <<<"$commands" || fail "xrca --help does not list $c"; done
  grep -q '^\.TH' "$man1/xrca.1" || fail "xrca.1 has no .TH line"
  # The pages render, and say what the help says.
  groff -man -Tascii -P-c -P-b -P-u "$man1/xrca-serve.1" >"$work/serve.txt" 2>"$work/groff.err" || fail "groff failed"
  [ ! -s "$work/groff.err" ] || { cat "$work/groff.err"; fail "groff warned"; }
  grep -q -- '--listen' "$work/serve.txt" || fail "the rendered xrca-serve(1) does not mention --listen"
  grep -q 'xrca-init(1)' <(groff -man -Tascii -P-c -P-b -P-u "$man1/xrca.1") || fail "xrca(1) does not refer to xrca-init(1)"
  if command -v man >/dev/null; then
    man -l "$man1/xrca-init.1" 2>/dev/null | grep -q -- '--role' || fail "man -l xrca-init.1 does not show --role"
  fi
  ;;
unit)
  command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed"
  install_tree
  unit=$prefix/lib/systemd/system/xrca.service
  [ -s "$unit" ] || fail "no unit installed"
  # The paths come from the prefix installed to; systemd expands the credential directory.
  grep -qxF "ExecStart=$prefix/bin/xrca serve --config $prefix/etc/xrca/xrca.conf --password-file \${CREDENTIALS_DIRECTORY}/key-password" "$unit" \
    || { grep ExecStart "$unit"; fail "ExecStart does not name the installed binary and config"; }
  grep -qxF "LoadCredential=key-password:$prefix/etc/xrca/key-password" "$unit" || fail "no LoadCredential for the key password"
  for setting in Type=notify User=xrca StateDirectory=xrca NoNewPrivileges=yes ProtectSystem=strict \
                 CapabilityBoundingSet= 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
                 SystemCallFilter=@system-service MemoryDenyWriteExecute=yes PrivateTmp=yes; do
    grep -qxF "$setting" "$unit" || fail "the unit lacks $setting"
  done
  # systemd's own check: every setting known and well-formed, the binary executable, the man
  # page of Documentation= found (the installed one).
  if ! MANPATH=$prefix/share/man systemd-analyze verify "$unit" >"$work/verify.out" 2>&1; then
    cat "$work/verify.out"; fail "systemd-analyze verify refused the unit"
  fi
  # It exits 0 on settings it ignores, with a message: none is acceptable.
  if [ -s "$work/verify.out" ]; then cat "$work/verify.out"; fail "systemd-analyze verify complained"; fi
  ;;
deb)
  for tool in cpack dpkg-deb dpkg-shlibdeps; do command -v $tool >/dev/null || skip "$tool is not installed"; done
  (cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >"$work/cpack.log" 2>&1) \
    || { cat "$work/cpack.log"; fail "cpack -G DEB"; }
  debs=("$work"/deb/xrca_*.deb)
  deb=${debs[0]}
  [ -e "$deb" ] || { cat "$work/cpack.log"; fail "cpack made no xrca_*.deb"; }
  dpkg-deb -c "$deb" >"$work/contents"
  for f in ./usr/bin/xrca ./usr/lib/systemd/system/xrca.service ./etc/xrca/xrca.conf.example \
           ./usr/share/doc/xrca/examples/xrca.conf ./usr/share/doc/xrca/install.md; do
    grep -q " $f\$" "$work/contents" || { cat "$work/contents"; fail "the .deb lacks $f"; }
  done
  if [ -e "$build/packaging/generated/man1/xrca.1" ]; then
    grep -q ' ./usr/share/man/man1/xrca-serve.1$' "$work/contents" || fail "the .deb lacks the man pages"
  fi
  if [ -e "$build/packaging/generated/completion/xrca" ]; then
    grep -q ' ./usr/share/bash-completion/completions/xrca$' "$work/contents" || fail "the .deb lacks the completion"
  fi
  [ "$(dpkg-deb -f "$deb" Package)" = xrca ] || fail "the package is not named xrca"
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libbotan-2 libsqlite3 libpugixml libmicrohttpd libpq libcurl libssl3; do
    [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
  done
  dpkg-deb -e "$deb" "$work/control"
  grep -q 'useradd --system' "$work/control/postinst" || fail "postinst makes no system user"
  grep -qx '/etc/xrca/xrca.conf.example' "$work/control/conffiles" || fail "the example config is no conffile"
  dpkg-deb -x "$deb" "$work/root"
  # shellcheck disable=SC2016 # the unit holds ${CREDENTIALS_DIRECTORY} for systemd to expand
  grep -qxF 'ExecStart=/usr/bin/xrca serve --config /etc/xrca/xrca.conf --password-file ${CREDENTIALS_DIRECTORY}/key-password' \
    "$work/root/usr/lib/systemd/system/xrca.service" || fail "the packaged unit does not name /usr/bin/xrca and /etc/xrca"
  "$work/root/usr/bin/xrca" --version | grep -q '^xrca ' || fail "the packaged binary does not run"
  ;;
*)
  echo "usage: check_install.sh tree|man|unit|deb BUILD_DIR" >&2
  exit 2
  ;;
esac
echo "PASS: $check"
