"""The Celery application: tasks live in each app's tasks.py, beat entries in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")

app = Celery("callfloor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
