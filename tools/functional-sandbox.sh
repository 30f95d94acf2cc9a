#!/bin/bash
# The functional tests, against real sandbox clouds on this machine (no
# mocks). Runs with the Python that has upgrade-tempest-plugin, stestr and
# openstacksdk (the tox env, or PYTHON=/path/to/python). Must run as root:
# the sandbox may apt-get install MariaDB, RabbitMQ, memcached, qemu-utils.
#
# 1. The sandbox suite, on a sandbox of its own (ports +100): up at 2026.1
#    from nothing, demo-user resources, tempest --smoke, upgrade to 2026.2,
#    status, smoke again, down with no process left.
#    Then the campaigns on a sandbox of their own (ports +600).
# 2. On one more sandbox ($UPGRADE_TEMPEST_SANDBOX_DIR), destroyed first
#    (an earlier run leaves it at 2026.2, or half-built), brought up at
#    2026.1 and brought down at the end whatever happens:
#    a. the object-storage profile against the sandbox's Swift (its
#       /info, the observers' probe, keystoneauth);
#    b. the gate roles, applied by ansible-playbook around an upgrade of
#       that sandbox to 2026.2, and the Grenade hooks.  They need the
#       sandbox at 2026.1 and leave it at 2026.2: the validators suite
#       then rebuilds it at 2026.1 from the venv cache (a destroy and a
#       "sandbox up" with cached venvs, no package build; no other sandbox
#       of this script is at 2026.1 when a suite could use it).  Measured
#       on the 2-core machine, 2026-11-30, load 4-7: the suite 419 s from a
#       fresh 2026.1 sandbox, the rebuild 155 s ("sandbox destroy" 36 s,
#       "sandbox up --release 2026.1" 119 s);
#    c. the validators across its upgrade to 2026.2 (pre-upgrade with the
#       observers, upgrade, post-upgrade, budgets, a broken workload,
#       destroy, SIGINT and cleanup); then the report of that run (kept in
#       $report_run: observers, the upgrade's steps, every phase's results)
#       in headless Chromium;
#    d. the identity validators run by tempest;
#    e. the observers (services stopped, restarted, frozen and throttled
#       while they probe, new connections refused by an nftables rule;
#       budgets from the history of five runs; kill -9 of the observer;
#       store outages);
#    f. the test queue (real geard and workers on loopback; ten jobs
#       against this sandbox).
#    g. last, as it destroys that sandbox: environment snapshots (bundles
#       through the sandbox's Swift; a failed run exported with its cloud,
#       the sandbox destroyed, the bundle imported into a new sandbox with
#       other ports, the same validator failing the same way, the Swift
#       objects still there; bundles through a directory).
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
# The report's pages in headless Chromium, on a small run of their own (the
# report of a real run follows the validators, below).
tools/install-chromium
suite report SmallRunTest
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
suite object_storage
suite gates
# The upgrade cycle keeps a copy of its run here; the report of that real
# run is then opened in headless Chromium (screenshots in .artifacts/report).
report_run=$top/.artifacts/validators-run
rm -rf "$report_run"
UPGRADE_TEMPEST_REPORT_STATE_DIR=$report_run suite validators
UPGRADE_TEMPEST_REPORT_STATE_DIR=$report_run suite report RealRunTest
suite . 'test_identity_validator'
# nft: the observers test that refuses new connections to one API.
command -v nft >/dev/null || {
    echo "functional: installing nftables (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null
}
suite observers
suite queue
suite snapshot
