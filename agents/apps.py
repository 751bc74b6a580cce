from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "agents"
    verbose_name = "People and teams"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from agents.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="agents.sync_role_permissions")
