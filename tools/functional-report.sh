#!/bin/bash
# The report of a real run, in headless Chromium. The demo on a sandbox of
# its own (ports +$PORT_OFFSET, default 500) leaves a run in
# <dir>/upgrade-state: observers, an upgrade to 2026.2, the validators'
# results imported into the store. Once the demo has brought the sandbox
# down, the post-upgrade release validators run again against it and fail
# (its APIs refuse connections): a real failed validator, imported into the
# same run as phase post-upgrade-cloud-down. Then the browser tests read
# the run (upgrade_tempest_plugin/functional_tests/report); the screenshots
# go to $UPGRADE_TEMPEST_ARTIFACTS (default .artifacts/report).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
bindir=$(dirname "$(command -v "$python")")
cd "$top"
dir=${UPGRADE_TEMPEST_REPORT_SANDBOX:-$HOME/.local/share/upgrade-tempest/report-sandbox}
conf="$dir/tempest/etc/tempest.conf"
tools/install-chromium
"$bindir/upgrade-tempest" demo --dir "$dir" --port-offset "${PORT_OFFSET:-500}" "$@"
# tempest run itself (validate would store the results without a phase)
if (cd "$dir/validators" && PYTHON="$python" "$bindir/tempest" run --config-file "$conf" \
        --regex '^upgrade_tempest_plugin\.tests\.scenario\.test_release\.ReleasePostUpgradeTest'); then
    echo "functional-report: the release validators passed against a stopped cloud" >&2
    exit 1
fi
"$bindir/upgrade-tempest" results import "$dir/validators" --config-file "$conf" \
    --phase post-upgrade-cloud-down
export UPGRADE_TEMPEST_REPORT_STATE_DIR="$dir/upgrade-state"
"$python" -m stestr --test-path ./upgrade_tempest_plugin/functional_tests/report \
    --top-dir ./ run --serial
