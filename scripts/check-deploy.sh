#!/usr/bin/env bash
# Validates the deployment files offline: the Kubernetes manifests against the
# API schemas kubernetes-validate ships (--strict: unknown fields are errors),
# and the systemd unit with systemd-analyze when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
kubernetes-validate --strict --quiet deploy/kubernetes/*.yaml
echo "deploy/kubernetes: valid"
if command -v systemd-analyze >/dev/null; then
    unit=deploy/systemd/vigil.service
    if [[ ! -x /usr/bin/vigil ]]; then
        # verify insists that ExecStart's binary exists; on a build machine
        # check everything else with a stand-in.
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        sed 's#^ExecStart=/usr/bin/vigil #ExecStart=/bin/true #' "$unit" > "$tmp/vigil.service"
        unit="$tmp/vigil.service"
    fi
    systemd-analyze verify "$unit"
    echo "deploy/systemd/vigil.service: valid"
fi
