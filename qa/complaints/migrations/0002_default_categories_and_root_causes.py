"""A starting list of complaint categories and root causes; administrators edit them."""

from django.db import migrations

CATEGORIES = ["Billing and charges", "Agent conduct", "Waiting time", "Wrong information",
              "Promise not kept", "Technical fault", "Other"]
ROOT_CAUSES = ["Process or policy", "Agent knowledge or skill", "System or tool fault",
               "Another department", "Third party", "Customer expectation"]


def add(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    RootCause = apps.get_model("complaints", "RootCause")
    for name in CATEGORIES:
        Category.objects.get_or_create(name=name)
    for name in ROOT_CAUSES:
        RootCause.objects.get_or_create(name=name)


def remove(apps, schema_editor):
    apps.get_model("complaints", "Category").objects.filter(
        name__in=CATEGORIES, complaints__isnull=True).delete()
    apps.get_model("complaints", "RootCause").objects.filter(
        name__in=ROOT_CAUSES, complaints__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_cases_timers_escalations_callbacks")]

    operations = [migrations.RunPython(add, remove)]
