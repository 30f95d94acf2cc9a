#!/bin/bash
# The report of a real run, in headless Chromium: the demo on a sandbox of
# its own (ports +$PORT_OFFSET, default 500) leaves a run in
# <dir>/upgrade-state (observers, an upgrade to 2026.2, the validators'
# results imported into the store), then the browser tests read it
# (upgrade_tempest_plugin/functional_tests/report). The screenshots go to
# $UPGRADE_TEMPEST_ARTIFACTS (default .artifacts/report).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
bindir=$(dirname "$(command -v "$python")")
cd "$top"
dir=${UPGRADE_TEMPEST_REPORT_SANDBOX:-$HOME/.local/share/upgrade-tempest/report-sandbox}
tools/install-chromium
"$bindir/upgrade-tempest" demo --dir "$dir" --port-offset "${PORT_OFFSET:-500}" "$@" || true
export UPGRADE_TEMPEST_REPORT_STATE_DIR="$dir/upgrade-state"
"$python" -m stestr --test-path ./upgrade_tempest_plugin/functional_tests/report \
    --top-dir ./ run --serial
