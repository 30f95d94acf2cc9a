#!/bin/bash
# Functional tests of the sandbox (a real cloud on this machine, no mock):
# up at 2026.1, demo-user resources, tempest --smoke, upgrade to 2026.2,
# status, smoke again, down. About 10 minutes with a warm venv cache,
# plus ~5 minutes to fill the cache on a fresh machine.
#
# Runs with the Python that has upgrade-tempest-plugin, stestr and
# openstacksdk installed (the tox env, or PYTHON=/path/to/python).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
cd "$top"
exec "$python" -m stestr --test-path ./upgrade_tempest_plugin/functional_tests/sandbox \
    --top-dir ./ run --concurrency 1 "$@"
