#!/bin/bash
# The functional tests, against real sandbox clouds on this machine (no
# mocks). Runs with the Python that has upgrade-tempest-plugin, stestr and
# openstacksdk (the tox env, or PYTHON=/path/to/python). Must run as root:
# the sandbox may apt-get install MariaDB, RabbitMQ, memcached, qemu-utils.
#
# 1. The sandbox suite, on a sandbox of its own (ports +100): up at 2026.1
#    from nothing, demo-user resources, tempest --smoke, upgrade to 2026.2,
#    status, smoke again, down with no process left.
#    Then the object-storage profile against a real Swift of its own,
#    then the campaigns on a sandbox of their own (ports +600).
# 2. On one more sandbox ($UPGRADE_TEMPEST_SANDBOX_DIR), destroyed first
#    (an earlier run leaves it at 2026.2, or half-built), brought up at
#    2026.1 and brought down at the end whatever happens:
#    0. the gate roles, applied by ansible-playbook around an upgrade of
#       that sandbox to 2026.2, and the Grenade hooks.  First, as they
#       need the sandbox at 2026.1 and leave it at 2026.2: the validators
#       suite then rebuilds it at 2026.1 from the venv cache (a destroy
#       and a "sandbox up" with cached venvs, no package build; no other
#       sandbox of this script is at 2026.1 when a suite could use it).
#       Measured on the 2-core machine, 2026-11-30, load 4-7: the suite
#       419 s from a fresh 2026.1 sandbox, the rebuild 155 s ("sandbox
#       destroy" 36 s, "sandbox up --release 2026.1" 119 s);
#    a. the validators across its upgrade to 2026.2 (pre-upgrade, upgrade,
#       post-upgrade, a broken workload, destroy, SIGINT and cleanup);
#    b. the identity validators run by tempest;
#    c. the observers (services stopped, restarted and frozen while they
#       probe; kill -9 of the observer; store outages);
#    d. the test queue (real geard and workers on loopback; ten jobs
#       against this sandbox).
#    e. last, as it destroys that sandbox: environment snapshots (a failed
#       run exported with its cloud, the sandbox destroyed, the bundle
#       imported into a new sandbox with other ports, the same validator
#       failing the same way; bundles through a directory and a real
#       Swift).
# The store-outage tests need the test databases
# (tools/start-test-databases.sh; tools/run-tests starts them).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
bindir=$(dirname "$(command -v "$python")")
cd "$top"

export UPGRADE_TEMPEST_SANDBOX_DIR=${UPGRADE_TEMPEST_SANDBOX_DIR:-$HOME/.local/share/upgrade-tempest/functional}
export UPGRADE_TEMPEST_FUNCTIONAL_RESET=1

suite() {
    local path=$1
    shift
    echo "functional: $path $*"
    "$python" -m stestr --test-path "./upgrade_tempest_plugin/functional_tests/$path" \
        --top-dir ./ run --serial "$@"
}

suite sandbox
# A real Swift of its own (the sandbox has none); after the sandbox suite,
# which installs the memcached it needs.
suite object_storage
# The report's pages in headless Chromium, on a small run of their own (the
# report of a real run: tools/functional-report.sh).
tools/install-chromium
suite report
# Campaigns, on a sandbox of their own (ports +600, brought down at the
# end): a failed check rolled back from the backup, an upgrade whose
# runner is killed and resumed.
suite campaign

sandbox() {
    "$bindir/upgrade-tempest" sandbox "$@" --dir "$UPGRADE_TEMPEST_SANDBOX_DIR"
}
trap 'sandbox down || true' EXIT
sandbox destroy
sandbox up --release 2026.1
suite gates
suite validators
suite . 'test_identity_validator'
suite observers
suite queue
suite snapshot
