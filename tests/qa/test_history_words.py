"""An appeal's history reads as sentences, the panel's points and partial decisions included."""

from django.utils import translation

from callfloor.history import describe


def test_a_points_proposal_reads_as_a_sentence_with_the_seat_in_words():
    data = {"seat": "team_lead", "proposals": {"3": {"points": 4, "max_points": 5}, "4": {}}}
    with translation.override("en"):
        text = describe("appeal.proposed", data)
    assert text == "Proposed points from the seat of the Team lead for 2 items"
    assert "team_lead" not in text


def test_a_decision_with_points_counts_its_partly_upheld_items():
    data = {
        "decisions": {
            "3": {"decision": "partly", "points": 4, "points_before": 3, "max_points": 5},
            "4": {"decision": "upheld", "points": 5, "points_before": 2, "max_points": 5},
            "5": {"decision": "rejected", "points": 1, "points_before": 1, "max_points": 5},
        },
        "score_before": "70.00",
        "score_after": "85.00",
    }
    with translation.override("en"):
        text = describe("appeal.decided", data)
    assert text == (
        "Decided the appeal: of 3 items, 1 upheld, 1 partly upheld; score 70.00 → 85.00"
    )


def test_a_decision_from_before_points_still_reads():
    data = {"decisions": {"3": "upheld", "4": "rejected"}}
    with translation.override("en"):
        assert describe("appeal.decided", data) == "Decided the appeal: 1 of 2 items upheld"
