from agents.access import roles_of


def roles(request) -> dict:
    user = getattr(request, "user", None)
    found = roles_of(user) if user is not None else frozenset()
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"roles": found, "unread_notifications": unread}
