from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = gettext_lazy("People and teams")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from agents import signals  # noqa: F401  (connects the login receiver)
        from agents.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="agents.sync_role_permissions")
