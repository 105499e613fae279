"""Template context: the person's unread notices (announcements, reviews, invitations), computed lazily.

Nothing is queried unless a template asks; the header asks on every page of a signed-in person (one indexed query).
"""

from django.utils.functional import SimpleLazyObject, cached_property

from . import selectors


class _Notices:
    def __init__(self, user):
        self.user = user

    @cached_property
    def latest(self) -> list:
        """Up to three unread notices, newest first."""
        if not getattr(self.user, "is_authenticated", False):
            return []
        return list(selectors.notifications_for(user=self.user).filter(read_at__isnull=True)[:3])

    @cached_property
    def unread(self) -> int:
        if len(self.latest) < 3:
            return len(self.latest)
        return selectors.unread_notification_count(user=self.user)


def notices(request):
    return {"ruta_notices": SimpleLazyObject(lambda: _Notices(request.user))}
