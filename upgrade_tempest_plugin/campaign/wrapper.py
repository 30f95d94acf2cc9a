"""``python -m upgrade_tempest_plugin.campaign.wrapper RESULT -- ARGV...``

Runs ARGV and writes its exit code to the JSON file RESULT (atomically)
when it ends.  The runner starts every driver command through it in a
session of its own, so the command outlives a runner killed mid-step, and
a resumed campaign reads the outcome from RESULT instead of running the
command again.
"""

import json
import os
import signal
import subprocess
import sys
import time


def write_result(path, returncode, started, ended):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump({'returncode': returncode, 'started': started,
                   'ended': ended}, f)
    os.replace(tmp, path)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 3 or argv[1] != '--':
        sys.stderr.write('usage: wrapper RESULT -- ARGV...\n')
        return 2
    result, command = argv[0], argv[2:]
    started = time.time()
    try:
        proc = subprocess.Popen(command)
    except OSError as exc:
        sys.stderr.write('cannot run %s: %s\n' % (command[0], exc.strerror))
        write_result(result, 127, started, time.time())
        return 127
    # A SIGTERM to the wrapper (the runner's timeout) reaches the command.
    signal.signal(signal.SIGTERM,
                  lambda signum, frame: proc.send_signal(signum))
    returncode = proc.wait()
    write_result(result, returncode, started, time.time())
    return 0


if __name__ == '__main__':
    sys.exit(main())
