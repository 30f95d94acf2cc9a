#!/bin/bash
#
# Grenade's upgrade step of upgrade-tempest-plugin.  There is no service of
# the plugin to upgrade: the step prepares the new side's Tempest (the
# plugin installed into its venv, the plugin's options in its tempest.conf)
# as soon as grenade upgrades, so that a bad option fails here, named, and
# not at the end of the post-upgrade validation.  "resources.sh verify
# post-upgrade" prepares again, since grenade's Tempest upgrade comes after
# this step and may rebuild the venv.

set -o errexit

# shellcheck source=/dev/null
source "$GRENADE_DIR/grenaderc"
# shellcheck source=/dev/null
source "$GRENADE_DIR/functions"
# shellcheck source=devstack/upgrade/functions
source "$(dirname "${BASH_SOURCE[0]}")/functions"

set -o xtrace

upgrade_tempest_prepare "$TARGET_RELEASE_DIR"
