#!/bin/bash
# Functional tests (tox -e functional). Runs inside the tox env, so
# upgrade-tempest, tempest and stestr are on PATH.
#
# With UPGRADE_TEMPEST_CONF=/path/to/tempest.conf: the plugin's validators
# against that cloud, in a scratch workspace.
# Without it: the sandbox cloud is brought up and the whole functional suite
# runs against it (see doc/source/sandbox.rst).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${UPGRADE_TEMPEST_CONF:-}" ]; then
    ws=$(mktemp -d)
    trap 'rm -rf "$ws"' EXIT
    tempest init "$ws/ws" >/dev/null
    cp "$UPGRADE_TEMPEST_CONF" "$ws/ws/etc/tempest.conf"
    upgrade-tempest check-config --config-file "$ws/ws/etc/tempest.conf"
    exec upgrade-tempest validate --workspace "$ws/ws" "$@"
fi

exec bash "$top/tools/functional-sandbox.sh" "$@"
