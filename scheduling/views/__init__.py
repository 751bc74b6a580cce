"""Server-rendered pages for scheduling; every write goes through a service. One module per
sub-domain.

The views are re-exported here for `scheduling.urls`.
"""

from scheduling.views.briefing_pages import (
    briefing_detail,
    briefing_new,
    briefing_read,
    briefings,
)
from scheduling.views.handover_pages import (
    handover_acknowledge,
    handover_addendum,
    handover_addendum_acknowledge,
    handover_case_confirm,
    handover_case_outcome,
    handover_detail,
    handover_new,
    handover_open_cases,
    handovers,
    my_leftover_cases,
)
from scheduling.views.leave_pages import (
    leave,
    leave_cancel,
    leave_decide,
    leave_request,
)
from scheduling.views.schedule_pages import (
    my_schedule,
    schedule,
    schedule_import,
    schedule_publish,
)
from scheduling.views.staffing_pages import (
    attendance,
    attendance_export,
    staffing,
)
from scheduling.views.swap_pages import (
    swap_accept,
    swap_approve,
    swap_cancel,
    swap_decline,
    swap_detail,
    swap_propose,
    swap_refuse,
    swaps,
)

__all__ = [
    "attendance",
    "attendance_export",
    "briefing_detail",
    "briefing_new",
    "briefing_read",
    "briefings",
    "handover_acknowledge",
    "handover_addendum",
    "handover_addendum_acknowledge",
    "handover_case_confirm",
    "handover_case_outcome",
    "handover_detail",
    "handover_new",
    "handover_open_cases",
    "handovers",
    "leave",
    "leave_cancel",
    "leave_decide",
    "leave_request",
    "my_leftover_cases",
    "my_schedule",
    "schedule",
    "schedule_import",
    "schedule_publish",
    "staffing",
    "swap_accept",
    "swap_approve",
    "swap_cancel",
    "swap_decline",
    "swap_detail",
    "swap_propose",
    "swap_refuse",
    "swaps",
]
