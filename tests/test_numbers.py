"""How a service level under its target reads: never as the target itself."""

import pytest

from callfloor.numbers import percent_under
from metrics.alerts.messages import _figure
from metrics.alerts.rules import Condition


@pytest.mark.parametrize(
    ("level", "target", "shown"),
    [
        (0.7996, 0.8, "79.9"),  # whole it would read 80: cut to a tenth, not rounded up
        (0.795, 0.8, "79.5"),
        (0.79, 0.8, "79"),  # whole it reads under the target: whole
        (0.8, 0.8, "80"),
        (0.86, 0.8, "86"),
        (0.0, 0.8, "0"),
        (0.6666, 0.67, "66.6"),
    ],
)
def test_a_level_under_its_target_never_reads_as_the_target(level, target, shown):
    assert percent_under(level, target) == shown


def test_an_alert_message_says_79_9_under_80_not_80():
    condition = Condition(subject="queue:1", kind="queue_sl", figure=0.7996, limit=0.8)
    assert _figure(condition) == "Service level 79.9 % (target 80 %)"
