"""What a campaign asks of the rest of the plugin, through the facade.

The validators of each point of a campaign (:data:`REGEXES`), the run's
observers and the run analysis, all for the campaign's run.  A plan
without a ``tempest`` section runs none of them (a campaign that only
drives the deployment tool); its budget checks then fail, since nothing
observed the step.
"""

import configparser
import os
import re

from upgrade_tempest_plugin import facade

#: The tempest.conf the validators of a campaign run with.
VALIDATORS_CONF = 'tempest.conf'
#: What points an OpenStack client at credentials: the operator's are
#: the campaign's, never the validators' (they use the non-admin
#: accounts of their tempest.conf).
OPERATOR_ENV = re.compile(r'^OS_')

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
    # The same once the campaign destroyed its workloads (a rollback of a
    # campaign that ended): nothing left to verify.
    'rolled-back-after-destroy': r'^upgrade_tempest_plugin\..*('
                                 r'ReleasePreUpgrade|Health)',
    # What the campaign created is removed.
    'destroy': facade.PHASES['destroy'],
}


def validators_env(environ=None):
    """The environment of the validators: this one without ``OS_*``.

    ``OS_CLIENT_CONFIG_FILE``, ``OS_CLOUD``, ``OS_PASSWORD``... name the
    operator's credentials (operator_check); the tests never see them.
    """
    environ = os.environ if environ is None else environ
    return {name: value for name, value in environ.items()
            if not OPERATOR_ENV.match(name)}


class Phases(object):
    """The validators, observers and analysis of run ``run_id``.

    The validators find the run as every validator does: the run id
    recorded in the state directory of the tempest.conf, where the
    campaign recorded it.  They run with a copy of the plan's tempest.conf
    (mode 0600, in the campaign's directory ``work_dir``) whose ``[upgrade]
    expected_release_before`` and ``expected_release_after`` are the
    plan's releases, so the release validators check them.
    """

    def __init__(self, tempest, run_id, state_dir, releases=None,
                 work_dir=None):
        self.tempest = tempest
        self.run_id = run_id
        self.state_dir = state_dir
        self.releases = releases
        self.work_dir = work_dir

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

    def validators_conf(self):
        """Write the validators' tempest.conf; returns its path.

        Written again before every run: the deployment tool may have
        rewritten the plan's tempest.conf since (the sandbox records the
        package versions it runs).
        """
        conf = configparser.RawConfigParser()
        conf.optionxform = str
        conf.read(self.config_file)
        if not conf.has_section('upgrade'):
            conf.add_section('upgrade')
        conf.set('upgrade', 'expected_release_before', self.releases[0])
        conf.set('upgrade', 'expected_release_after', self.releases[1])
        path = os.path.join(self.work_dir, VALIDATORS_CONF)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                          0o600), 'w') as f:
            conf.write(f)
        return path

    def validators(self, regex):
        """(ok, one line) of the validators ``regex`` selects."""
        config_file = self.tempest.get('config_file')
        if self.releases and self.work_dir:
            config_file = self.validators_conf()
        result = facade.run_validators(
            workspace=self.tempest['workspace'], regex=regex,
            concurrency=self.tempest.get('concurrency', 1),
            config_file=config_file, env=validators_env())
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

    def analyse(self, events_file=None):
        """The run analysis.

        ``events_file``: the deployment tool's own step log, imported
        first when it exists.
        """
        if events_file and not os.path.exists(events_file):
            events_file = None
        return facade.analyse_run(config_file=self.config_file,
                                  run_id=self.run_id,
                                  state_dir=self.state_dir,
                                  events_file=events_file, verdicts=False)
