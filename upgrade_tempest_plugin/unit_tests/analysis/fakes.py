"""Samples and budgets for the analysis unit tests."""

from upgrade_tempest_plugin.store import models

RUN = 'run-a'
T0 = 1000000.0


def series(target, start, end, outcome_at, latency_at=None, step=0.1,
           observer=models.API):
    """Samples every ``step`` s from start to end (exclusive)."""
    samples = []
    n = int(round((end - start) / step))
    for i in range(n):
        sent = start + i * step
        outcome = outcome_at(sent)
        latency = latency_at(sent) if latency_at else 0.01
        samples.append(dict(
            run_id=RUN, observer=observer, target=target, sent_at=sent,
            answered_at=sent + latency if outcome == 'ok' else None,
            latency=latency, outcome=outcome,
            status=200 if outcome == 'ok' else None))
    return samples


class Budgets(object):
    """The attributes of the [upgrade_budgets] group the analysis reads."""
    baseline_seconds = 30.0
    max_downtime = 1.0
    max_downtime_per_service = {'image': '10'}
    min_availability = 95.0
    max_latency_p95_ratio = 3.0
    max_unhonoured = 0
    max_dataplane_loss = 5.0
    max_unobserved = 5.0
