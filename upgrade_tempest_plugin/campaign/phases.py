"""What a campaign asks of the rest of the plugin, through the facade.

The validators of each point of a campaign (:data:`REGEXES`), the run's
observers and the run analysis, all for the campaign's run.  A plan
without a ``tempest`` section runs none of them (a campaign that only
drives the deployment tool); its budget checks then fail, since nothing
observed the step.
"""

import os

from upgrade_tempest_plugin import facade

#: The validators of each point of a campaign.
REGEXES = {
    # Before anything: the cloud is healthy (unless --force).
    'preflight': r'^upgrade_tempest_plugin\..*Health',
    # Workloads created, the start release checked.
    'pre-upgrade': facade.PHASES['pre-upgrade'],
    # Workloads verified, the target release checked, budgets judged.
    'post-upgrade': facade.PHASES['post-upgrade'],
    # After a rollback: back at the start release, workloads intact,
    # healthy.
    'rolled-back': r'^upgrade_tempest_plugin\..*(ReleasePreUpgrade|'
                   r'WorkloadsPostUpgrade|Health)',
    # What the campaign created is removed.
    'destroy': facade.PHASES['destroy'],
}


class Phases(object):
    """The validators, observers and analysis of run ``run_id``.

    The validators find the run as every validator does: the run id
    recorded in the state directory of the tempest.conf, where the
    campaign recorded it.
    """

    def __init__(self, tempest, run_id, state_dir):
        self.tempest = tempest
        self.run_id = run_id
        self.state_dir = state_dir

    @property
    def enabled(self):
        return self.tempest is not None

    @property
    def config_file(self):
        return self.tempest.get('config_file') or os.path.join(
            self.tempest['workspace'], 'etc', 'tempest.conf')

    def regex(self, point):
        if point == 'preflight' and self.tempest.get('health'):
            return self.tempest['health']
        return REGEXES[point]

    def validators(self, regex):
        """(ok, one line) of the validators ``regex`` selects."""
        result = facade.run_validators(
            workspace=self.tempest['workspace'], regex=regex,
            concurrency=self.tempest.get('concurrency', 1),
            config_file=self.tempest.get('config_file'))
        return result['ok'], result['explanation']

    def observers_wanted(self):
        return self.enabled and self.tempest.get('observers', True)

    def start_observers(self):
        return facade.start_observers(config_file=self.config_file,
                                      run_id=self.run_id,
                                      state_dir=self.state_dir)

    def stop_observers(self):
        return facade.stop_observers(config_file=self.config_file,
                                     run_id=self.run_id,
                                     state_dir=self.state_dir)

    def analyse(self):
        return facade.analyse_run(config_file=self.config_file,
                                  run_id=self.run_id,
                                  state_dir=self.state_dir, verdicts=False)
