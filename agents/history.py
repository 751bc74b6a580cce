"""How the history of people, teams and accounts reads (see `callfloor.history`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callfloor.history import phrase, said

said("agent.created", gettext_lazy("Added the agent"))
said("agent.updated", gettext_lazy("Changed the agent"))
said("team.created", gettext_lazy("Created the team"))
said("team.updated", gettext_lazy("Changed the team"))
said("team.deleted", gettext_lazy("Removed the team"))
said("user.created", gettext_lazy("Created the account"))
said("user.password_changed", gettext_lazy("Changed the password"))
said("user.password_change_required", gettext_lazy("Asked for a new password at next sign-in"))
said("user.privileges_changed", gettext_lazy("Changed the roles"))
said("telephony_source.token_issued", gettext_lazy("Issued a token to a telephony source"))
said(
    "telephony_source.ami_secret_set",
    gettext_lazy("Set the secret of a telephony source's Manager account"),
)
said("user.extension_set", gettext_lazy("Set the phone extension"))
said("display.created", gettext_lazy("Created a TV display link"))
said("display.revoked", gettext_lazy("Revoked a TV display link"))


def _swap_people(data) -> str:
    names = []
    if data.get("agent_as_analyst"):
        names.append(_("%(name)s works as a QA analyst") % {"name": data["agent_as_analyst"]})
    if data.get("analyst_as_agent"):
        names.append(_("%(name)s works as an agent") % {"name": data["analyst_as_agent"]})
    return "; ".join(names)


@phrase("role_swap.granted")
def _swap_granted(data) -> str:
    return _("Granted a role swap: %(people)s") % {"people": _swap_people(data)}


@phrase("role_swap.started")
def _swap_started(data) -> str:
    return _("The role swap started: %(people)s") % {"people": _swap_people(data)}


@phrase("role_swap.ended")
def _swap_ended(data) -> str:
    if data.get("early"):
        return _("Ended the role swap early: %(people)s") % {"people": _swap_people(data)}
    return _("The role swap ended: %(people)s") % {"people": _swap_people(data)}
