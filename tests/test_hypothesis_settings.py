"""Property tests fail on a broken property, never on a slow machine."""

import importlib
import pkgutil
import time
from pathlib import Path

from hypothesis import HealthCheck, given, is_hypothesis_test
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

TESTS = Path(__file__).resolve().parent


def hypothesis_tests() -> dict[str, object]:
    found = {}
    for info in pkgutil.walk_packages([str(TESTS)], "tests."):
        leaf = info.name.rsplit(".", 1)[-1]
        if info.ispkg or not leaf.startswith("test_"):
            continue
        path = TESTS.joinpath(*info.name.split(".")[1:]).with_suffix(".py")
        if "hypothesis" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if is_hypothesis_test(value):
                found[f"{info.name}.{name}"] = value
    return found


def test_no_property_test_has_a_deadline_or_a_load_health_check():
    found = hypothesis_tests()
    assert (
        "tests.qa.test_sampling.test_selection_is_a_pure_function_of_rule_seed_and_calls" in found
    )
    # Every @given in the suite is found (indented ones, in classes, would need a look here).
    given_count = sum(
        path.read_text(encoding="utf-8").count("\n@given(") for path in TESTS.rglob("test_*.py")
    )
    assert len(found) == given_count >= 14
    for name, test in found.items():
        chosen = test._hypothesis_internal_use_settings
        assert chosen.deadline is None, name
        assert HealthCheck.too_slow in chosen.suppress_health_check, name
        assert HealthCheck.data_too_large in chosen.suppress_health_check, name


def test_the_examples_are_each_tests_own():
    found = hypothesis_tests()
    erlang = found["tests.scheduling.test_erlang.test_more_agents_never_lower_the_service_level"]
    assert erlang._hypothesis_internal_use_settings.max_examples == 150
    sampling = found[
        "tests.qa.test_sampling.test_selection_is_a_pure_function_of_rule_seed_and_calls"
    ]
    assert sampling._hypothesis_internal_use_settings.max_examples == 100


def test_a_slow_example_is_not_a_failure():
    """An example slower than Hypothesis' default 200 ms deadline, as on a loaded machine."""
    runs = []

    @hypothesis_settings(max_examples=2, database=None)
    @given(st.integers())
    def slow(number):
        runs.append(number)
        time.sleep(0.25)

    slow()
    assert len(runs) >= 2
