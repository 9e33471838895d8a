#!/usr/bin/env bash
# The run command: installs what is missing, builds, and runs xrca's main job.
# For now the main job verifies the bundled real Microsoft-signed chain against its pinned
# anchor; later it will serve a root cluster from ./xrca-data.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DXRCA_BUILD_TESTS=OFF -DXRCA_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target xrca -j"$(nproc)"

anchor=25e6de948368607e1f9b8c9f066a0f25cde6072605c5888b5af742a0ed88c72d
echo
echo "+ xrca verify tests/data/vectors/ms-onprem-pl-chain-2015.xml --anchor $anchor --at 2015-04-02T00:00"
exec build/release/cli/xrca verify tests/data/vectors/ms-onprem-pl-chain-2015.xml --anchor "$anchor" --at 2015-04-02T00:00
