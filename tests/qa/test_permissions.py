"""Quality pages and API: every endpoint × every role (and anonymous).

The world: quincy (a second analyst) evaluated ann's and bob's calls; ann has one appeal
waiting for tina's screening and one with the panel (sam, tina, quinn); quinn holds a draft
evaluation of bob's call; there are draft and published sampling rules, a rule whose period
is over, a calibration session and a nomination.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.permissions import ROLES, Case, cases_by_role, check_case
from tests.qa.conftest import answers_for, released_evaluation

ANON_API = 403
EVERYONE = {"anonymous": 302}
STAFF_PAGE = {"anonymous": 302, "agent": 403}
MANAGERS_API = {"anonymous": 403, "agent": 403, "team_lead": 403}
STAFF_API = {"anonymous": 403, "agent": 403}
ANY_API = {"anonymous": 403}
# The site lets team leads read (not act on) every team's agents.
WHOLE_FLOOR = {"CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR": True}


def ids(name):
    return lambda w: getattr(w, name)


MATRIX = [
    # --- pages ---
    Case("my-quality", api=False, expect={"anonymous": 302, "agent": 200}, default=403),
    Case("qa-peers", api=False, expect={"anonymous": 302, "agent": 200}, default=403),
    Case(
        "qa-worklist",
        api=False,
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=200,
    ),
    Case(
        "qa-worklist",
        method="post",
        api=False,
        data=lambda w: {"action": "evaluate", "pick": w.pick.pk},
        expect={"anonymous": 302, "qa_analyst": 302},
        default=403,
    ),
    Case(
        "qa-evaluation",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        expect=EVERYONE,
        default=200,
    ),
    # Bob is in Cards: tina (the matrix's team lead, Billing) reads his evaluations and appeals
    # only when the site lets team leads read the whole floor.
    Case(
        "qa-evaluation",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-evaluation",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        expect={"anonymous": 302, "agent": 404},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "qa-evaluation",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-evaluation",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        data={"action": "acknowledge"},
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "qa-evaluation",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev_free.pk},
        data=lambda w: {
            "action": "revise",
            f"points_{w.crit['greeting'].pk}": "2",
            "reason": "Second listen",
        },
        expect={"anonymous": 302, "qa_analyst": 302, "supervisor": 302},
        default=403,
    ),
    Case(
        "qa-evaluation",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        data=lambda w: {
            "action": "revise",
            f"points_{w.crit['empathy'].pk}": "3",
            "reason": "Second listen",
        },
        expect={"anonymous": 302},
        default=403,
    ),
    Case(
        "qa-evaluation",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        data={"action": "save"},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404, "qa_analyst": 302},
        default=403,
    ),
    Case(
        "qa-appeal-file",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.ev_free.pk},
        data=lambda w: {
            f"appeal_{w.crit['greeting'].pk}": "on",
            f"reason_{w.crit['greeting'].pk}": "I greeted.",
        },
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "qa-appeal",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        expect=EVERYONE,
        default=200,
    ),
    Case(
        "qa-appeal",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_bob.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-appeal",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_bob.pk},
        expect={"anonymous": 302, "agent": 404},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    # Reading the whole floor is not screening it: bob's appeal is tom's to screen.
    Case(
        "qa-appeal",
        method="post",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_bob_screening.pk},
        data={"action": "accept"},
        expect={"anonymous": 302, "agent": 404},
        default=403,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "qa-appeal",
        method="post",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        data=lambda w: {
            "action": "opinions",
            **{f"opinion_{i.pk}": "uphold" for i in w.appeal_panel.items.all()},
        },
        expect={"anonymous": 302, "team_lead": 302, "qa_analyst": 302, "supervisor": 302},
        default=403,
    ),
    Case(
        "qa-appeal",
        method="post",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        data=lambda w: {
            "action": "propose",
            **{f"points_{i.pk}": "2" for i in w.appeal_panel.items.all()},
            **{f"reason_{i.pk}": "Heard it." for i in w.appeal_panel.items.all()},
        },
        expect={"anonymous": 302, "team_lead": 302, "qa_analyst": 302, "supervisor": 302},
        default=403,
    ),
    Case(
        "qa-appeal",
        method="post",
        api=False,
        kwargs=lambda w: {"appeal_id": w.appeal_screening.pk},
        data={"action": "accept"},
        expect={"anonymous": 302, "team_lead": 302},
        default=403,
    ),
    Case(
        "qa-screening",
        api=False,
        expect={"anonymous": 302, "agent": 403, "qa_analyst": 403},
        default=200,
    ),
    Case("qa-panel", api=False, expect={"anonymous": 302, "agent": 403, "admin": 403}, default=200),
    Case("qa-scorecards", api=False, expect=EVERYONE, default=200),
    Case(
        "qa-scorecards",
        method="post",
        api=False,
        data={"name": "Chat", "sections": '[{"title": "All", "criteria": [{"title": "Tone"}]}]'},
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=302,
    ),
    Case(
        "qa-scorecard",
        method="post",
        api=False,
        kwargs=lambda w: {"version_id": w.draft_version.pk},
        data={"action": "release"},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=302,
    ),
    Case(
        "qa-scorecard",
        api=False,
        kwargs=lambda w: {"version_id": w.version.pk},
        expect=EVERYONE,
        default=200,
    ),
    Case(
        "qa-scorecard",
        api=False,
        kwargs=lambda w: {"version_id": w.draft_version.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case("qa-sampling", api=False, expect=EVERYONE, default=200),
    Case(
        "qa-sampling",
        method="post",
        api=False,
        data=lambda w: {
            "name": "Next",
            "scorecard_version": w.version.pk,
            "method": "random",
            "calls_per_agent": 2,
            "min_talk_s": 0,
            "nth": 1,
            "period_start": str(w.tomorrow),
            "period_end": str(w.next_week),
        },
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=302,
    ),
    Case(
        "qa-sampling-rule",
        api=False,
        kwargs=lambda w: {"rule_id": w.rule.pk},
        expect=EVERYONE,
        default=200,
    ),
    Case(
        "qa-sampling-rule",
        api=False,
        kwargs=lambda w: {"rule_id": w.rule_cards.pk},
        expect={"anonymous": 302, "agent": 404},
        default=200,
    ),
    Case(
        "qa-sampling-rule",
        api=False,
        kwargs=lambda w: {"rule_id": w.rule_draft.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-sampling-rule",
        method="post",
        api=False,
        kwargs=lambda w: {"rule_id": w.rule_draft.pk},
        data={"action": "publish"},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=302,
    ),
    Case("qa-calibration", api=False, expect=STAFF_PAGE, default=200),
    Case(
        "qa-calibration",
        method="post",
        api=False,
        data=lambda w: {
            "title": "Week 2",
            "scorecard_version": w.version.pk,
            "recording_id": "rec-5",
            "participants": [w.quinn.pk, w.quincy.pk],
        },
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=302,
    ),
    Case(
        "qa-calibration-session",
        api=False,
        kwargs=lambda w: {"session_id": w.session.pk},
        expect={"anonymous": 302, "agent": 403, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-calibration-session",
        method="post",
        api=False,
        kwargs=lambda w: {"session_id": w.session.pk},
        data=lambda w: {
            "action": "submit",
            **{f"points_{c.pk}": c.max_points for c in w.crit.values()},
        },
        expect={"anonymous": 302, "agent": 403, "team_lead": 404},
        default=302,
    ),
    Case("qa-library", api=False, expect=EVERYONE, default=200),
    Case(
        "qa-library",
        method="post",
        api=False,
        data=lambda w: {"agent": w.bob_agent.pk, "recording_id": "rec-9", "reason": "Calm."},
        default=302,
    ),
    Case(
        "qa-library-feature",
        method="post",
        api=False,
        kwargs=lambda w: {"nomination_id": w.nomination.pk},
        expect={"anonymous": 302, "supervisor": 302},
        default=403,
    ),
    Case("qa-stats", api=False, expect=STAFF_PAGE, default=200),
    # --- API: scorecards ---
    Case("api-qa-scorecard-list", expect=STAFF_API, default=200),
    Case(
        "api-qa-scorecard-list",
        method="post",
        data={"name": "Chat", "sections": [{"title": "All", "criteria": [{"title": "Tone"}]}]},
        expect=MANAGERS_API,
        default=201,
    ),
    Case(
        "api-qa-scorecard-version",
        kwargs=lambda w: {"version_id": w.version.pk},
        expect=STAFF_API,
        default=200,
    ),
    Case(
        "api-qa-scorecard-version",
        method="put",
        kwargs=lambda w: {"version_id": w.draft_version.pk},
        data={"sections": [{"title": "All", "criteria": [{"title": "Tone"}]}]},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-scorecard-version-release",
        method="post",
        kwargs=lambda w: {"version_id": w.draft_version.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-scorecard-version-copy",
        method="post",
        kwargs=lambda w: {"version_id": w.version.pk},
        expect=MANAGERS_API,
        default=201,
    ),
    # --- API: evaluations ---
    Case("api-qa-evaluation-list", expect=ANY_API, default=200),
    Case(
        "api-qa-evaluation-list",
        method="post",
        data=lambda w: {"call": w.bob_call.pk, "scorecard_version": w.version.pk},
        expect={"qa_analyst": 201},
        default=403,
    ),
    Case(
        "api-qa-evaluation-detail",
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        expect=ANY_API,
        default=200,
    ),
    Case(
        "api-qa-evaluation-detail",
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-qa-evaluation-detail",
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        expect={"anonymous": 403, "agent": 404},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-qa-evaluation-detail",
        method="patch",
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        data={"answers": {}},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404, "qa_analyst": 200},
        default=403,
    ),
    Case(
        "api-qa-evaluation-release",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404, "qa_analyst": 200},
        default=403,
    ),
    Case(
        "api-qa-evaluation-acknowledge",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        expect={"agent": 200},
        default=403,
    ),
    # Revising, in each state: released without an appeal; under an open appeal (screening,
    # panel): nobody; after a decided appeal: the decided criteria never, the others as before.
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_free.pk},
        data=lambda w: {
            "answers": {str(w.crit["greeting"].pk): {"points": 2}},
            "reason": "Second listen",
        },
        expect={"qa_analyst": 201, "supervisor": 201},
        default=403,
    ),
    # Bob's evaluation: tina (Billing) does not find it unless the site lets team leads read
    # every team, and then she still may not revise it.
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        data=lambda w: {
            "answers": {str(w.crit["greeting"].pk): {"points": 2}},
            "reason": "Second listen",
        },
        expect={"agent": 404, "team_lead": 404},
        default=403,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_bob.pk},
        data=lambda w: {
            "answers": {str(w.crit["greeting"].pk): {"points": 2}},
            "reason": "Second listen",
        },
        expect={"agent": 404},
        default=403,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_screening.pk},
        data=lambda w: {
            "answers": {str(w.crit["empathy"].pk): {"points": 2}},
            "reason": "Second listen",
        },
        default=403,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        data=lambda w: {
            "answers": {str(w.crit["empathy"].pk): {"points": 3}},
            "reason": "Second listen",
        },
        default=403,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_decided.pk},
        data=lambda w: {
            "answers": {str(w.crit["greeting"].pk): {"points": 0, "comment": "No name"}},
            "reason": "Second listen",
        },
        expect={"qa_analyst": 400, "supervisor": 400},
        default=403,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_decided.pk},
        data=lambda w: {
            "answers": {str(w.crit["empathy"].pk): {"points": 3}},
            "reason": "Second listen",
        },
        expect={"qa_analyst": 201, "supervisor": 201},
        default=403,
    ),
    Case(
        "api-qa-evaluation-revise",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        data=lambda w: {
            "answers": {str(w.crit["empathy"].pk): {"points": 3}},
            "reason": "Second listen",
        },
        expect={"agent": 404, "team_lead": 404},
        default=403,
    ),
    # --- moments: the evaluator pins them on a draft; whoever reads the evaluation sees them ---
    Case(
        "api-qa-evaluation-moments",
        kwargs=lambda w: {"evaluation_id": w.ev.pk},
        expect=ANY_API,
        default=200,
    ),
    Case(
        "api-qa-evaluation-moments",
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-qa-evaluation-moments",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        data={"at_ms": 4000, "note": "Talks over the caller"},
        expect={"agent": 404, "team_lead": 404, "qa_analyst": 201},
        default=403,
    ),
    Case(
        "api-qa-evaluation-moments",
        method="post",
        kwargs=lambda w: {"evaluation_id": w.ev_free.pk},
        data={"at_ms": 4000, "note": "Too late: released"},
        default=403,
    ),
    Case(
        "api-qa-evaluation-moment",
        method="delete",
        kwargs=lambda w: {"evaluation_id": w.draft.pk, "moment_id": w.draft_moment.pk},
        expect={"agent": 404, "team_lead": 404, "qa_analyst": 204},
        default=403,
    ),
    Case(
        "qa-evaluation-moments",
        method="post",
        api=False,
        kwargs=lambda w: {"evaluation_id": w.draft.pk},
        data={"at": "0:04", "note": "Talks over the caller"},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404, "qa_analyst": 302},
        default=403,
    ),
    # --- API: appeals ---
    Case("api-qa-appeal-list", expect=ANY_API, default=200),
    Case(
        "api-qa-appeal-list",
        method="post",
        data=lambda w: {
            "evaluation": w.ev_free.pk,
            "items": [{"criterion": w.crit["greeting"].pk, "reason": "I greeted."}],
        },
        expect={"agent": 201},
        default=403,
    ),
    Case(
        "api-qa-appeal-detail",
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        expect=ANY_API,
        default=200,
    ),
    Case(
        "api-qa-appeal-detail",
        kwargs=lambda w: {"appeal_id": w.appeal_bob.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-qa-appeal-detail",
        kwargs=lambda w: {"appeal_id": w.appeal_bob.pk},
        expect={"anonymous": 403, "agent": 404},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-qa-appeal-screen",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_bob_screening.pk},
        data={"accept": True},
        expect={"team_lead": 404, "agent": 404},
        default=403,
    ),
    Case(
        "api-qa-appeal-screen",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_bob_screening.pk},
        data={"accept": True},
        expect={"agent": 404},
        default=403,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-qa-appeal-screen",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_screening.pk},
        data={"accept": True},
        expect={"team_lead": 200},
        default=403,
    ),
    # Only the evaluator (quincy, no matrix role) explains.
    Case(
        "api-qa-appeal-explain",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        data={"text": "Because."},
        default=403,
    ),
    Case(
        "api-qa-appeal-opinions",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        data=lambda w: {
            "opinions": [{"item": i.pk, "opinion": "reject"} for i in w.appeal_panel.items.all()]
        },
        expect={"team_lead": 200, "qa_analyst": 200, "supervisor": 200},
        default=403,
    ),
    # Proposals: the three panel members of ann's appeal (sam, tina, quinn), nobody else.
    Case(
        "api-qa-appeal-proposals",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_panel.pk},
        data=lambda w: {
            "proposals": [
                {"item": i.pk, "points": 2, "reason": "Heard the greeting."}
                for i in w.appeal_panel.items.all()
            ]
        },
        expect={"team_lead": 200, "qa_analyst": 200, "supervisor": 200},
        default=403,
    ),
    # Bob's panel (sam, tom, quinn): tina and ann do not read it; the others may read but
    # not propose (sam and quinn proposed already: a conflict, not a permission).
    Case(
        "api-qa-appeal-proposals",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_bob.pk},
        data=lambda w: {
            "proposals": [
                {"item": i.pk, "points": 2, "reason": "Heard the greeting."}
                for i in w.appeal_bob.items.all()
            ]
        },
        expect={
            "anonymous": 403,
            "agent": 404,
            "team_lead": 404,
            "qa_analyst": 409,
            "supervisor": 409,
        },
        default=403,
    ),
    Case(
        "api-qa-appeal-decide",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_decidable.pk},
        data=lambda w: {
            "decisions": [
                {"item": i.pk, "decision": "rejected", "reason": "No."}
                for i in w.appeal_decidable.items.all()
            ]
        },
        expect={"supervisor": 200, "agent": 404, "team_lead": 404},
        default=403,
    ),
    Case(
        "api-qa-appeal-decide",
        method="post",
        kwargs=lambda w: {"appeal_id": w.appeal_decidable.pk},
        data=lambda w: {
            "decisions": [
                {"item": i.pk, "decision": "rejected", "reason": "No."}
                for i in w.appeal_decidable.items.all()
            ]
        },
        expect={"supervisor": 200, "agent": 404},
        default=403,
        settings=WHOLE_FLOOR,
    ),
    # --- API: sampling ---
    Case("api-qa-sampling-list", expect=ANY_API, default=200),
    Case(
        "api-qa-sampling-list",
        method="post",
        data=lambda w: {
            "name": "Next",
            "scorecard_version": w.version.pk,
            "period_start": str(w.tomorrow),
            "period_end": str(w.next_week),
        },
        expect=MANAGERS_API,
        default=201,
    ),
    Case(
        "api-qa-sampling-detail",
        kwargs=lambda w: {"rule_id": w.rule.pk},
        expect=ANY_API,
        default=200,
    ),
    Case(
        "api-qa-sampling-detail",
        kwargs=lambda w: {"rule_id": w.rule_draft.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-qa-sampling-detail",
        method="patch",
        kwargs=lambda w: {"rule_id": w.rule_draft.pk},
        data={"calls_per_agent": 3},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-sampling-publish",
        method="post",
        kwargs=lambda w: {"rule_id": w.rule_draft.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-sampling-draw",
        method="post",
        kwargs=lambda w: {"rule_id": w.rule_past.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-sampling-verify",
        kwargs=lambda w: {"rule_id": w.rule_past.pk},
        expect=ANY_API,
        default=200,
    ),
    Case(
        "api-qa-pick-replace",
        method="post",
        kwargs=lambda w: {"pick_id": w.pick.pk},
        data={"reason": "Recording missing"},
        expect=MANAGERS_API,
        default=200,
    ),
    # --- API: calibration ---
    Case("api-qa-calibration-list", expect=STAFF_API, default=200),
    Case(
        "api-qa-calibration-list",
        method="post",
        data=lambda w: {
            "title": "Week 2",
            "scorecard_version": w.version.pk,
            "recording_id": "rec-5",
            "participants": ["quinn", "quincy"],
        },
        expect=MANAGERS_API,
        default=201,
    ),
    Case("api-qa-calibration-trends", expect=MANAGERS_API, default=200),
    Case(
        "api-qa-calibration-detail",
        kwargs=lambda w: {"session_id": w.session.pk},
        expect={**STAFF_API, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-qa-calibration-submit",
        method="post",
        kwargs=lambda w: {"session_id": w.session.pk},
        data=lambda w: {"answers": {str(c.pk): {"points": c.max_points} for c in w.crit.values()}},
        expect={**STAFF_API, "team_lead": 404, "admin": 403},
        default=201,
    ),
    Case(
        "api-qa-calibration-close",
        method="post",
        kwargs=lambda w: {"session_id": w.session_scored.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    # --- API: library, statistics, settings ---
    Case("api-qa-library", expect=ANY_API, default=200),
    Case(
        "api-qa-library",
        method="post",
        data=lambda w: {"agent": w.bob_agent.pk, "recording_id": "rec-9", "reason": "Calm."},
        expect=ANY_API,
        default=201,
    ),
    Case(
        "api-qa-library-feature",
        method="post",
        kwargs=lambda w: {"nomination_id": w.nomination.pk},
        expect={"supervisor": 200},
        default=403,
    ),
    Case("api-qa-stats", expect=STAFF_API, default=200),
    Case("api-qa-settings", expect=ANY_API, default=200),
    Case(
        "api-qa-settings",
        method="patch",
        data={"transparency": True},
        expect={"admin": 200},
        default=403,
    ),
]


@pytest.fixture
def matrix_world(cast, world, ann_evaluation):
    from django.utils import timezone

    from qa import services
    from qa.models import CalibrationScore, SampledCall, SamplingRule
    from qa.moments.services import moment_pin

    w = SimpleNamespace(**vars(cast), **vars(world))
    w.ev = ann_evaluation
    w.ev_free = released_evaluation(world, cast.ann_agent, greeting=0)
    w.ev_screening = released_evaluation(world, cast.ann_agent, greeting=0)
    w.ev_bob = released_evaluation(world, cast.bob_agent, call=world.bob_call, greeting=0)
    w.draft = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.bob_agent,
        recording_id="rec-draft",
        scorecard_version=world.version,
    )
    services.evaluation_set_answers(
        evaluation=w.draft, actor=cast.quinn, answers=answers_for(world)
    )
    w.draft_moment = moment_pin(
        evaluation=w.draft, actor=cast.quinn, at_ms=2000, note="Greets without a name"
    )
    greeting = {"criterion": world.crit["greeting"].pk, "reason": "I greeted."}
    w.appeal_panel = services.appeal_file(evaluation=w.ev, user=cast.ann, items=[greeting])
    services.appeal_screen(appeal=w.appeal_panel, actor=cast.tina, accept=True)
    w.appeal_screening = services.appeal_file(
        evaluation=w.ev_screening, user=cast.ann, items=[greeting]
    )
    w.appeal_bob = services.appeal_file(evaluation=w.ev_bob, user=cast.bob, items=[greeting])
    services.appeal_screen(appeal=w.appeal_bob, actor=cast.tom, accept=True)
    w.appeal_decidable = w.appeal_bob
    w.ev_bob_screening = released_evaluation(world, cast.bob_agent, greeting=0)
    w.appeal_bob_screening = services.appeal_file(
        evaluation=w.ev_bob_screening, user=cast.bob, items=[greeting]
    )
    for user in (cast.sam, cast.tom, cast.quinn):
        services.appeal_give_opinions(
            appeal=w.appeal_bob,
            actor=user,
            opinions=[{"item": i.pk, "opinion": "reject"} for i in w.appeal_bob.items.all()],
        )
    # Greeting upheld by the panel (sam, tina, quinn): decided, locked against revision.
    w.ev_decided = released_evaluation(world, cast.ann_agent, greeting=0, empathy=2)
    decided = services.appeal_file(evaluation=w.ev_decided, user=cast.ann, items=[greeting])
    services.appeal_screen(appeal=decided, actor=cast.tina, accept=True)
    for user in (cast.sam, cast.tina, cast.quinn):
        services.appeal_give_opinions(
            appeal=decided,
            actor=user,
            opinions=[{"item": i.pk, "opinion": "uphold"} for i in decided.items.all()],
        )
    services.appeal_decide(
        appeal=decided,
        actor=cast.sam,
        decisions=[
            {"item": i.pk, "decision": "upheld", "reason": "Heard it."} for i in decided.items.all()
        ],
    )
    w.draft_version = services.scorecard_version_copy(version=world.version, actor=cast.quinn)

    today = services.local_today()
    w.tomorrow, w.next_week = today + timedelta(days=1), today + timedelta(days=7)
    w.rule = services.sampling_rule_publish(
        rule=services.sampling_rule_create(
            actor=cast.quinn,
            name="Billing weekly",
            team=cast.billing,
            scorecard_version=world.version,
            period_start=w.tomorrow,
            period_end=w.next_week,
        ),
        actor=cast.quinn,
    )
    w.rule_cards = services.sampling_rule_publish(
        rule=services.sampling_rule_create(
            actor=cast.quinn,
            name="Cards weekly",
            team=cast.cards,
            scorecard_version=world.version,
            period_start=w.tomorrow,
            period_end=w.next_week,
        ),
        actor=cast.quinn,
    )
    w.rule_draft = services.sampling_rule_create(
        actor=cast.quinn,
        name="Draft",
        scorecard_version=world.version,
        period_start=w.tomorrow,
        period_end=w.next_week,
    )
    # A rule whose period is over (published back then), so its seed is revealed.
    past = services.sampling_rule_create(
        actor=cast.quinn,
        name="Last week",
        team=cast.billing,
        scorecard_version=world.version,
        period_start=w.tomorrow,
        period_end=w.next_week,
    )
    SamplingRule.objects.filter(pk=past.pk).update(
        status="published",
        published_at=timezone.now() - timedelta(days=9),
        period_start=today - timedelta(days=7),
        period_end=today - timedelta(days=1),
    )
    w.rule_past = SamplingRule.objects.get(pk=past.pk)
    w.pick = SampledCall.objects.create(
        rule=w.rule_past, agent=cast.ann_agent, call=world.ann_call, key="pbx/1001", position=0
    )

    w.session = services.calibration_create(
        actor=cast.quinn,
        title="Week 1",
        scorecard_version=world.version,
        recording_id="rec-cal",
        participants=[cast.quinn, world.quincy, cast.sam],
    )
    w.session_scored = services.calibration_create(
        actor=cast.quinn,
        title="Week 0",
        scorecard_version=world.version,
        recording_id="rec-cal0",
        participants=[cast.quinn, world.quincy],
    )
    for user in (cast.quinn, world.quincy):
        CalibrationScore.objects.create(
            session=w.session_scored, evaluator=user, answers=answers_for(world), score=100.0
        )
    w.nomination = services.great_call_nominate(
        user=cast.ann,
        agent=cast.bob_agent,
        recording_id="rec-2001",
        reason="So calm.",
        anonymous=True,
    )
    return w


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(matrix_world, role):
    # One world per role; each request runs in a savepoint rolled back afterwards.
    failures = []
    for case in MATRIX:
        try:
            check_case(case, matrix_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("whole_floor", [False, True])
def test_a_team_lead_lists_their_teams_evaluations_and_appeals(
    matrix_world, api, settings, whole_floor
):
    """Lists filter, not only the detail views: tina (Billing) lists ann's, not bob's (Cards),
    unless the site lets team leads read the whole floor."""
    settings.CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = whole_floor
    w = matrix_world
    client = api(w.tina)
    evaluations = {row["id"] for row in client.get("/api/qa/evaluations/").json()}
    appeals = {row["id"] for row in client.get("/api/qa/appeals/").json()}
    assert w.ev.pk in evaluations and w.appeal_panel.pk in appeals
    bob_evaluations = {w.ev_bob.pk, w.ev_bob_screening.pk}
    bob_appeals = {w.appeal_bob.pk, w.appeal_bob_screening.pk}
    assert (bob_evaluations <= evaluations) is whole_floor
    assert (bob_evaluations & evaluations == set()) is not whole_floor
    assert (bob_appeals <= appeals) is whole_floor
    assert (bob_appeals & appeals == set()) is not whole_floor
    by_agent = client.get("/api/qa/evaluations/", {"agent": w.bob_agent.pk}).json()
    assert bool(by_agent) is whole_floor
    from qa import services

    services.appeal_decide(
        appeal=w.appeal_bob,
        actor=w.sam,
        decisions=[
            {"item": i.pk, "decision": "rejected", "reason": "No.", "points": None}
            for i in w.appeal_bob.items.all()
        ],
    )
    stats = client.get("/api/qa/stats/").json()
    assert ("Bob Agent" in {row["agent"] for row in stats["agents"]}) is whole_floor


def test_a_team_lead_on_another_teams_panel_reads_that_appeal(matrix_world, api):
    """A panel seat is a reason to read an appeal and its evaluation, whatever the team."""
    from qa.models import PanelMember, Seat

    w = matrix_world
    PanelMember.objects.filter(appeal=w.appeal_bob, seat=Seat.TEAM_LEAD).update(user=w.tina)
    client = api(w.tina)
    assert client.get(f"/api/qa/appeals/{w.appeal_bob.pk}/").status_code == 200
    assert client.get(f"/api/qa/evaluations/{w.ev_bob.pk}/").status_code == 200
    assert w.ev_bob.pk in {row["id"] for row in client.get("/api/qa/evaluations/").json()}
    assert w.ev_bob_screening.pk not in {
        row["id"] for row in client.get("/api/qa/evaluations/").json()
    }


def test_the_matrix_covers_every_quality_url():
    from django.urls import get_resolver

    from qa.urls import urlpatterns

    names = {p.name for p in urlpatterns}
    assert names <= {case.url_name for case in MATRIX}
    assert {role for _, role in cases_by_role(MATRIX[:1])} == set(ROLES)
    assert all(name in get_resolver().reverse_dict for name in names)
