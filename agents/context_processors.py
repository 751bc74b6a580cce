from agents.access import roles_of
from agents.swaps.selectors import role_swaps_now


def roles(request) -> dict:
    user = getattr(request, "user", None)
    found = roles_of(user) if user is not None else frozenset()
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "roles": found,
        "unread_notifications": unread,
        "role_swaps_now": role_swaps_now(user) if user is not None else [],
    }
