"""How the history of floor settings, alerts and floor actions reads (see
`callfloor.history`)."""

from django.utils.translation import gettext_lazy

from callfloor.history import said

said("alert.acknowledged", gettext_lazy("Acknowledged the alert"))
said("alert_channel.created", gettext_lazy("Added an alert channel"))
said("alert_channel.updated", gettext_lazy("Changed an alert channel"))
said("alert_channel.deleted", gettext_lazy("Removed an alert channel"))
said("alert_rule.created", gettext_lazy("Added an alert rule"))
said("recording_store.saved", gettext_lazy("Saved where a telephony source's recordings are found"))
said("alert_rule.updated", gettext_lazy("Changed an alert rule"))
said("alert_rule.deleted", gettext_lazy("Removed an alert rule"))
said("broadcast.sent", gettext_lazy("Broadcast a message to the floor"))
said("broadcast.withdrawn", gettext_lazy("Withdrew a broadcast"))
said("floor_settings.changed", gettext_lazy("Changed the floor settings"))
said("help_request.created", gettext_lazy("Asked the floor for help"))
said("help_request.taken", gettext_lazy("Took the help request"))
said("help_request.cancelled", gettext_lazy("Cancelled the help request"))
said("queue.saved", gettext_lazy("Saved the queue"))
said("queue.settings_changed", gettext_lazy("Changed the queue settings"))
said("takeover.started", gettext_lazy("Took over the call"))
said("takeover.finished", gettext_lazy("Handed the call back"))
import metrics.emergency.history  # noqa: E402, F401 (registers the emergency plans' words)
