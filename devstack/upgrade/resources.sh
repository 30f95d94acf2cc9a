#!/bin/bash
#
# Grenade's resource hooks of upgrade-tempest-plugin: the plugin's
# validator phases at the points of grenade's calling sequence.
#
#   create               pre-upgrade validators on the old side: health,
#                        release, the workloads created, the observers
#                        started in the background
#   verify pre-upgrade   nothing more: the observers are probing
#   verify_noapi         nothing: the APIs are down; the observers record
#                        the outage
#   verify post-upgrade  post-upgrade validators on the new side: health,
#                        release, the workloads verified, the observers
#                        stopped and the budgets judged
#   destroy              the destroy phase (workloads deleted), in a
#                        directory of its own so that "stestr last" in the
#                        new Tempest lists the post-upgrade results

set -o errexit

# shellcheck source=/dev/null
source "$GRENADE_DIR/grenaderc"
# shellcheck source=/dev/null
source "$GRENADE_DIR/functions"
# shellcheck source=devstack/upgrade/functions
source "$(dirname "${BASH_SOURCE[0]}")/functions"

set -o xtrace

function create {
    upgrade_tempest_prepare "$BASE_RELEASE_DIR"
    upgrade_tempest_phase "$BASE_RELEASE_DIR" pre-upgrade \
        "$UPGRADE_TEMPEST_PRE_REGEX" "$BASE_RELEASE_DIR/tempest" ||
        die $LINENO "upgrade-tempest-plugin: pre-upgrade validators failed"
}

function verify {
    if [[ $1 != post-upgrade ]]; then
        return 0
    fi
    upgrade_tempest_prepare "$TARGET_RELEASE_DIR"
    upgrade_tempest_phase "$TARGET_RELEASE_DIR" post-upgrade \
        "$UPGRADE_TEMPEST_POST_REGEX" "$TARGET_RELEASE_DIR/tempest" ||
        die $LINENO "upgrade-tempest-plugin: post-upgrade validators failed"
}

function destroy {
    upgrade_tempest_phase "$TARGET_RELEASE_DIR" destroy \
        "$UPGRADE_TEMPEST_DESTROY_REGEX" "$UPGRADE_TEMPEST_STATE_DIR/destroy" ||
        die $LINENO "upgrade-tempest-plugin: destroy phase failed"
}

case $1 in
    create)
        create
        ;;
    verify)
        verify "$2"
        ;;
    verify_noapi)
        ;;
    destroy)
        destroy
        ;;
    force_destroy)
        set +o errexit
        destroy
        ;;
esac
