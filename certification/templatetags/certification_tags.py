"""Template tags for including certificates in other apps' pages (e.g. the learner dashboard)."""

from django import template

from ..selectors import certificates_for_holder

register = template.Library()


@register.simple_tag
def holder_certificates(user, limit: int = 5):
    """The user's latest certificates (none for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(certificates_for_holder(user=user)[:limit])
