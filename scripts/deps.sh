#!/usr/bin/env bash
# Installs what building and testing Vigil needs on Debian: the packages in
# .ci/apt-packages and .ci/pip-packages. Does nothing when all are present.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done < .ci/apt-packages
if ((${#missing[@]})); then
    sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    python3 -c "import importlib.metadata as m; m.version('$pkg')" 2>/dev/null \
        || python3 -m pip install -q --root-user-action=ignore "$pkg"
done < .ci/pip-packages
