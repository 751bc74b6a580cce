"""Writes for handovers, shifts, swaps, leave and briefings: one service per state transition.

One module per sub-domain; the public services are re-exported here
(`from scheduling import services`).
"""

from scheduling.services.briefings import briefing_create, briefing_mark_read
from scheduling.services.handovers import (
    CaseInput,
    handover_acknowledge,
    handover_addendum_acknowledge,
    handover_addendum_add,
    handover_case_confirm,
    handover_case_record_outcome,
    handover_create,
    handovers_alert_overdue,
)
from scheduling.services.leave import leave_cancel, leave_decide, leave_request
from scheduling.services.leftovers import (
    LeftoverDecision,
    leftover_case_close,
    leftover_case_reassign,
    leftover_case_submit,
)
from scheduling.services.shifts import (
    IMPORT_COLUMNS,
    ActivityInput,
    ImportReport,
    shift_create,
    shifts_import_csv,
    week_bounds,
    week_publish,
)
from scheduling.services.swaps import (
    swap_accept,
    swap_approve,
    swap_cancel,
    swap_checks,
    swap_decline,
    swap_propose,
    swap_refuse,
    swaps_expire,
)

__all__ = [
    "IMPORT_COLUMNS",
    "ActivityInput",
    "CaseInput",
    "ImportReport",
    "LeftoverDecision",
    "briefing_create",
    "briefing_mark_read",
    "handover_acknowledge",
    "handover_addendum_acknowledge",
    "handover_addendum_add",
    "handover_case_confirm",
    "handover_case_record_outcome",
    "handover_create",
    "handovers_alert_overdue",
    "leave_cancel",
    "leave_decide",
    "leave_request",
    "leftover_case_close",
    "leftover_case_reassign",
    "leftover_case_submit",
    "shift_create",
    "shifts_import_csv",
    "swap_accept",
    "swap_approve",
    "swap_cancel",
    "swap_checks",
    "swap_decline",
    "swap_propose",
    "swap_refuse",
    "swaps_expire",
    "week_bounds",
    "week_publish",
]
