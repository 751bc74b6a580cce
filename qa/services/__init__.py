"""Writes for quality: scorecards, sampling, evaluations, appeals, calibration, great calls.

Every state change is one service using a conditional update (0 rows → `Conflict`), writes an
audit row and notifies the people concerned, all in one transaction. One module per
sub-domain; the public services are re-exported here (`from qa import services`).
"""

from qa.services.appeals import (
    appeal_deadline,
    appeal_decide,
    appeal_explain,
    appeal_file,
    appeal_give_opinions,
    appeal_link,
    appeal_propose,
    appeal_screen,
    appeal_send_reminders,
    appeal_windows,
    appealable_criteria,
    panel_check,
    panel_propose,
    qa_settings_update,
)
from qa.services.calibration import calibration_close, calibration_create, calibration_submit
from qa.services.evaluations import (
    compute_score,
    evaluation_acknowledge,
    evaluation_create,
    evaluation_link,
    evaluation_mark_read,
    evaluation_release,
    evaluation_revise,
    evaluation_set_answers,
)
from qa.services.library import great_call_feature, great_call_nominate
from qa.services.sampling import (
    RULE_FIELDS,
    call_key,
    local_today,
    rule_candidates,
    sampled_call_replace,
    sampling_draw_due,
    sampling_rule_create,
    sampling_rule_draw,
    sampling_rule_publish,
    sampling_rule_update,
    seed_revealed,
)
from qa.services.scorecards import (
    scorecard_create,
    scorecard_version_copy,
    scorecard_version_release,
    scorecard_version_update,
)

__all__ = [
    "RULE_FIELDS",
    "appeal_deadline",
    "appeal_decide",
    "appeal_explain",
    "appeal_file",
    "appeal_give_opinions",
    "appeal_link",
    "appeal_propose",
    "appeal_screen",
    "appeal_send_reminders",
    "appeal_windows",
    "appealable_criteria",
    "calibration_close",
    "calibration_create",
    "calibration_submit",
    "call_key",
    "compute_score",
    "evaluation_acknowledge",
    "evaluation_create",
    "evaluation_link",
    "evaluation_mark_read",
    "evaluation_release",
    "evaluation_revise",
    "evaluation_set_answers",
    "great_call_feature",
    "great_call_nominate",
    "local_today",
    "panel_check",
    "panel_propose",
    "qa_settings_update",
    "rule_candidates",
    "sampled_call_replace",
    "sampling_draw_due",
    "sampling_rule_create",
    "sampling_rule_draw",
    "sampling_rule_publish",
    "sampling_rule_update",
    "scorecard_create",
    "scorecard_version_copy",
    "scorecard_version_release",
    "scorecard_version_update",
    "seed_revealed",
]
