"""Erlang C against published figures, a monotonicity property, and the forecast on real data."""

import csv
import math
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling import erlang, forecast
from tests.conftest import shared_data


def test_100_calls_in_30_minutes_at_180_s_need_14_agents_and_20_scheduled():
    # The worked example of the Erlang C literature: 10 erlangs, 80 % in 20 s, 30 % shrinkage.
    result = erlang.required(
        calls=100, aht_s=180, sl_target=0.8, threshold_s=20, interval_s=1800, shrinkage=0.3
    )
    assert result.traffic_erlangs == 10
    assert result.raw_agents == 14
    assert result.scheduled_agents == 20
    assert math.isclose(result.service_level, 0.888, abs_tol=0.0005)
    assert math.isclose(result.waiting_probability, 0.174, abs_tol=0.0005)
    assert math.isclose(result.occupancy, 10 / 14)
    # ASA = 0.1741 × 180 / (14 − 10) ≈ 7.8 s
    assert math.isclose(result.asa_s, 7.8, abs_tol=0.05)


def test_one_agent_fewer_misses_the_target():
    sl13 = erlang.service_level(agents=13, calls=100, aht_s=180, threshold_s=20, interval_s=1800)
    assert math.isclose(sl13, 0.796, abs_tol=0.0005)


def test_an_occupancy_cap_adds_agents():
    capped = erlang.required(
        calls=100, aht_s=180, sl_target=0.5, threshold_s=20, interval_s=1800, max_occupancy=0.7
    )
    assert capped.raw_agents == 15 and capped.occupancy <= 0.7


def test_an_empty_interval_needs_nobody_and_an_overloaded_queue_has_no_service():
    assert erlang.required(calls=0, aht_s=180, sl_target=0.8, threshold_s=20).raw_agents == 0
    assert (
        erlang.service_level(agents=10, calls=100, aht_s=180, threshold_s=20, interval_s=1800)
        == 0.0
    )
    assert erlang.asa(agents=9, calls=100, aht_s=180, interval_s=1800) == math.inf


@settings(max_examples=150, deadline=None)
@given(
    calls=st.integers(min_value=1, max_value=400),
    aht_s=st.integers(min_value=20, max_value=900),
    threshold_s=st.integers(min_value=1, max_value=120),
    agents=st.integers(min_value=1, max_value=250),
)
def test_more_agents_never_lower_the_service_level(calls, aht_s, threshold_s, agents):
    kwargs = {"calls": calls, "aht_s": aht_s, "threshold_s": threshold_s, "interval_s": 1800}
    now = erlang.service_level(agents=agents, **kwargs)
    more = erlang.service_level(agents=agents + 1, **kwargs)
    assert 0.0 <= now <= 1.0
    assert more >= now - 1e-12
    assert erlang.asa(agents=agents + 1, calls=calls, aht_s=aht_s, interval_s=1800) <= erlang.asa(
        agents=agents, calls=calls, aht_s=aht_s, interval_s=1800
    )


def _bank_history():
    path = shared_data("arrivals/bank-calls-2003.csv")
    rows = []
    with path.open() as handle:
        for row in csv.DictReader(handle):
            moment = datetime.fromisoformat(row["DateTime"].replace("Z", "+00:00"))
            rows.append((moment, float(row["Calls"])))
    return forecast.per_interval(rows, 30)


def test_the_same_weekday_average_forecasts_the_bank_calls_of_2003():
    history = _bank_history()
    day = date(2003, 4, 28)  # a Monday with four Mondays of history before it
    predicted = forecast.same_weekday_average(history, day, weeks=4)
    # Monday 7 April is missing from the data: the average takes the last four Mondays with data.
    mondays = [date(2003, 4, 21), date(2003, 4, 14), date(2003, 3, 31), date(2003, 3, 24)]
    nine = next(slot for slot in predicted if slot.hour == 9 and slot.minute == 0)
    by_hand = (
        sum(history[datetime.combine(d, nine, tzinfo=next(iter(history)).tzinfo)] for d in mondays)
        / 4
    )
    assert predicted[nine] == by_hand
    errors = forecast.backtest(history, forecast.days_between(date(2003, 4, 28), date(2003, 5, 2)))
    assert [e.day.weekday() for e in errors] == [0, 1, 2, 3, 4]
    # The day's shape repeats week on week: the forecast is off by well under a third.
    assert all(e.wape is not None and e.wape < 0.3 for e in errors)
    peak = erlang.required(
        calls=predicted[nine],
        aht_s=180,
        sl_target=0.8,
        threshold_s=20,
        interval_s=1800,
        shrinkage=0.3,
    )
    assert peak.raw_agents > peak.traffic_erlangs
