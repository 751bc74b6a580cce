"""REST API for scheduling: thin views over services and selectors, one module per sub-domain.

The views are re-exported here for `scheduling.urls`.
"""

from scheduling.api.briefings import (
    BriefingListApi,
    BriefingOutput,
    BriefingReadApi,
)
from scheduling.api.handovers import (
    HandoverAcknowledgeApi,
    HandoverAddendumAcknowledgeApi,
    HandoverAddendumApi,
    HandoverAddendumOutput,
    HandoverCaseConfirmApi,
    HandoverCaseOutcomeApi,
    HandoverCaseOutput,
    HandoverDetailApi,
    HandoverListApi,
    HandoverOutput,
    OpenCaseListApi,
    OpenCaseOutput,
)
from scheduling.api.leave import (
    LeaveCancelApi,
    LeaveDecideApi,
    LeaveListApi,
    LeaveOutput,
)
from scheduling.api.leftovers import (
    LeftoverCaseCloseApi,
    LeftoverCaseDetailApi,
    LeftoverCaseListApi,
    LeftoverCaseOutput,
    LeftoverCaseReassignApi,
)
from scheduling.api.shifts import (
    ActivityOutput,
    ShiftImportApi,
    ShiftListApi,
    ShiftOutput,
    WeekPublishApi,
)
from scheduling.api.staffing import (
    AttendanceApi,
    AttendanceRowOutput,
    StaffingApi,
    StaffingOutput,
    StaffingRowOutput,
)
from scheduling.api.swaps import (
    RuleOutput,
    SwapAcceptApi,
    SwapApproveApi,
    SwapCancelApi,
    SwapDeclineApi,
    SwapDetailApi,
    SwapListApi,
    SwapOutput,
    SwapRefuseApi,
)

__all__ = [
    "ActivityOutput",
    "AttendanceApi",
    "AttendanceRowOutput",
    "BriefingListApi",
    "BriefingOutput",
    "BriefingReadApi",
    "HandoverAcknowledgeApi",
    "HandoverAddendumAcknowledgeApi",
    "HandoverAddendumApi",
    "HandoverAddendumOutput",
    "HandoverCaseConfirmApi",
    "HandoverCaseOutcomeApi",
    "HandoverCaseOutput",
    "HandoverDetailApi",
    "HandoverListApi",
    "HandoverOutput",
    "LeaveCancelApi",
    "LeaveDecideApi",
    "LeaveListApi",
    "LeaveOutput",
    "LeftoverCaseCloseApi",
    "LeftoverCaseDetailApi",
    "LeftoverCaseListApi",
    "LeftoverCaseOutput",
    "LeftoverCaseReassignApi",
    "OpenCaseListApi",
    "OpenCaseOutput",
    "RuleOutput",
    "ShiftImportApi",
    "ShiftListApi",
    "ShiftOutput",
    "StaffingApi",
    "StaffingOutput",
    "StaffingRowOutput",
    "SwapAcceptApi",
    "SwapApproveApi",
    "SwapCancelApi",
    "SwapDeclineApi",
    "SwapDetailApi",
    "SwapListApi",
    "SwapOutput",
    "SwapRefuseApi",
    "WeekPublishApi",
]
