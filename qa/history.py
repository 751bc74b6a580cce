"""How the history of appeals, evaluations, complaints and other QA work reads (see
`callfloor.history`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from callfloor.history import phrase, said
from qa.models import Seat


def _seat(data) -> str:
    value = data.get("seat", "")
    return str(Seat(value).label) if value in Seat.values else str(value)


said("appeal.filed", gettext_lazy("Filed the appeal"))
said("appeal.accepted", gettext_lazy("Accepted the appeal for the review panel"))


@phrase("appeal.returned")
def _returned(data) -> str:
    return _("Returned the appeal: %(reason)s") % {"reason": data.get("reason", "")}


said("appeal.explained", gettext_lazy("Explained the deductions"))


@phrase("appeal.opinion")
def _opinion(data) -> str:
    opinions = list((data.get("opinions") or {}).values())
    upheld = sum(1 for value in opinions if value == "uphold")
    rejected = len(opinions) - upheld
    return _(
        "Gave the panel opinion from the seat of the %(seat)s: %(upheld)s item(s) to uphold, "
        "%(rejected)s to reject"
    ) % {"seat": _seat(data), "upheld": upheld, "rejected": rejected}


@phrase("appeal.proposed")
def _proposed(data) -> str:
    count = len(data.get("proposals") or {})
    return ngettext(
        "Proposed points from the seat of the %(seat)s for %(count)s item",
        "Proposed points from the seat of the %(seat)s for %(count)s items",
        count,
    ) % {"seat": _seat(data), "count": count}


def _decision(value) -> str:
    """An item's decision: a word before the panel proposed points, a dict of points since."""
    return value.get("decision", "") if isinstance(value, dict) else str(value)


@phrase("appeal.decided")
def _decided(data) -> str:
    decisions = [_decision(value) for value in (data.get("decisions") or {}).values()]
    upheld = decisions.count("upheld")
    partly = decisions.count("partly")
    if partly:
        text = ngettext(
            "Decided the appeal: of %(count)s item, %(upheld)s upheld, %(partly)s partly upheld",
            "Decided the appeal: of %(count)s items, %(upheld)s upheld, %(partly)s partly upheld",
            len(decisions),
        ) % {"upheld": upheld, "partly": partly, "count": len(decisions)}
        return _with_score(text, data)
    text = ngettext(
        "Decided the appeal: %(upheld)s of %(count)s item upheld",
        "Decided the appeal: %(upheld)s of %(count)s items upheld",
        len(decisions),
    ) % {"upheld": upheld, "count": len(decisions)}
    return _with_score(text, data)


def _with_score(text: str, data) -> str:
    before, after = data.get("score_before"), data.get("score_after")
    if before is not None and after is not None:
        text = _("%(text)s; score %(before)s → %(after)s") % {
            "text": text,
            "before": before,
            "after": after,
        }
    return text


said("appeal.reminded", gettext_lazy("Sent a reminder"))
said("qa.settings", gettext_lazy("Changed the QA settings"))
said("evaluation.created", gettext_lazy("Started the evaluation"))
said("evaluation.released", gettext_lazy("Released the score"))


@phrase("evaluation.score_revised")
def _revised(data) -> str:
    return _("Revised the score from %(before)s to %(after)s") % {
        "before": data.get("previous_score", ""),
        "after": data.get("score", ""),
    }


said("evaluation.acknowledged", gettext_lazy("Acknowledged the score"))
said("calibration.created", gettext_lazy("Opened the calibration session"))
said("calibration.scored", gettext_lazy("Scored the calibration call"))
said("calibration.closed", gettext_lazy("Closed the calibration session"))
said("sampling.created", gettext_lazy("Filed a sampling rule"))
said("sampling.updated", gettext_lazy("Changed a sampling rule before it applied"))
said("sampling.published", gettext_lazy("Announced the sampling rule"))
said("sampling.replaced", gettext_lazy("Replaced a sampling rule"))
said("sampling.drawn", gettext_lazy("Drew the recordings by the announced rule"))
said("scorecard.created", gettext_lazy("Created the scorecard"))
said("scorecard.updated", gettext_lazy("Changed the scorecard draft"))
said("scorecard.copied", gettext_lazy("Copied the scorecard"))
said("scorecard.released", gettext_lazy("Released the scorecard"))
said("greatcall.nominated", gettext_lazy("Nominated a great call"))
said("greatcall.featured", gettext_lazy("Featured a great call"))

said("complaint.created", gettext_lazy("Logged the complaint"))
said("complaint.acknowledged", gettext_lazy("Acknowledged the complaint"))
said("complaint.investigating", gettext_lazy("Started the investigation"))
said("complaint.resolution_proposed", gettext_lazy("Proposed a resolution"))
said("complaint.awaiting_callback", gettext_lazy("Scheduled the call-back"))
said("complaint.callback_recorded", gettext_lazy("Recorded the call-back"))
said("complaint.closed", gettext_lazy("Closed the complaint"))
said("complaint.reopened", gettext_lazy("Reopened the complaint"))
said("complaint.paused", gettext_lazy("Paused the timers: waiting on the customer"))
said("complaint.resumed", gettext_lazy("The timers run again"))
said("complaint.note_added", gettext_lazy("Added a note"))
said("complaint.ack_breached", gettext_lazy("The time to acknowledge was breached"))
said("complaint.resolve_breached", gettext_lazy("The time to resolve was breached"))


@phrase("complaint.forwarded")
def _forwarded(data) -> str:
    return _("Forwarded to %(department)s") % {"department": data.get("department", "")}


@phrase("complaint.escalated")
def _escalated(data) -> str:
    return _("Escalated to %(owner)s") % {"owner": data.get("to_owner", "")}


said("live_escalation.raised", gettext_lazy("Asked for a supervisor on a live call"))
said("live_escalation.taken", gettext_lazy("Took the live escalation"))
said("live_escalation.closed", gettext_lazy("Closed the live escalation"))


# Monthly tests
@phrase("quiztopic.created")
def _quiz_topic(data) -> str:
    return _("Added the test topic %(name)s") % {"name": data.get("name", "")}


@phrase("quizquestion.created")
def _quiz_question(data) -> str:
    return _("Added a question to the topic %(topic)s") % {"topic": data.get("topic", "")}


said("quizquestion.retired", gettext_lazy("Took the question out of use"))


@phrase("quiz.created")
def _quiz_created(data) -> str:
    return _("Set the test %(title)s") % {"title": data.get("title", "")}


said("quiz.published", gettext_lazy("Published the test"))
said("quiz.withdrawn", gettext_lazy("Withdrew the test"))


@phrase("quizattempt.started")
def _attempt_started(data) -> str:
    return _("Started attempt %(number)s") % {"number": data.get("number", "")}


@phrase("quizattempt.submitted")
def _attempt_submitted(data) -> str:
    return _("Handed in the test: %(right)s of %(questions)s right, score %(score)s") % {
        "right": data.get("right", ""),
        "questions": data.get("questions", ""),
        "score": data.get("score", ""),
    }


said("quizattempt.expired", gettext_lazy("The time for the attempt ran out"))
said("evaluation.moment_pinned", gettext_lazy("Pinned a moment of the call"))
said("evaluation.moment_unpinned", gettext_lazy("Removed a pinned moment of the call"))
said("appeal.moments_cited", gettext_lazy("Moments of the call cited"))
said("greatcall.highlighted", gettext_lazy("Highlighted a moment of the great call"))

import qa.coaching.history  # noqa: E402  (the coaching sentences)

# The rotation's and the recognition's own phrases (their modules register them on import).
import qa.recognition.history  # noqa: E402
import qa.rotation.history  # noqa: E402, F401
