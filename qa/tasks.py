"""Quality's Celery tasks: thin, the work is in qa.services."""

from celery import shared_task

from qa import services


@shared_task(name="qa.appeal_reminders")
def appeal_reminders() -> int:
    """Remind whoever holds an appeal that is due within a day or overdue."""
    return services.appeal_send_reminders()


@shared_task(name="qa.draw_due_samples")
def draw_due_samples() -> int:
    """Draw the sample of every published rule whose period is over (and reveal its seed)."""
    return services.sampling_draw_due()


@shared_task(name="qa.expire_test_attempts")
def expire_test_attempts() -> int:
    """Close the test attempts whose time ran out without a hand-in."""
    from qa.quizzes import services as quiz_services

    return quiz_services.quiz_attempts_expire_overdue()
