#!/usr/bin/env bash
# Installs the Debian packages xrca needs, only those that are missing, non-interactively.
# help2man makes the man pages.
# usage: scripts/setup.sh [--with-fuzz]   (--with-fuzz, used by scripts/test.sh, adds clang and its
#        sanitizer runtimes, clang-format and clang-tidy for scripts/lint.sh, and the tools only
#        tests use: dpkg-dev and systemd for the install tests, Chromium for the console's)
set -euo pipefail

packages=(build-essential cmake pkg-config
          libbotan-2-dev libpugixml-dev libsqlitecpp-dev libsqlite3-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev
          libgtest-dev libp11-kit-dev softhsm2 libpq-dev postgresql
          help2man groff-base man-db  # the man pages, made at build time
          openssl python3  # the serve tests: a TLS client and an independent JSON parser
          curl)  # the README's online tour, and readme_tours which runs it
if [ "${1:-}" = "--with-fuzz" ]; then
  packages+=(clang libclang-rt-14-dev clang-format clang-tidy
             dpkg-dev systemd  # the install tests: cpack's dpkg-shlibdeps, systemd-analyze verify
             chromium chromium-driver python3-selenium)  # the console's browser test (tests/console)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: every needed package is installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
