from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    """Complaints and escalations: service-quality work, so it lives inside qa/."""

    name = "qa.complaints"
    label = "complaints"
    verbose_name = "Complaints and escalations"
