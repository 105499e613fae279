"""Template filters for cohort pages (presentation only)."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``{{ scores|get_item:usage_id }}``: a dict lookup by a variable key."""
    return mapping.get(key) if hasattr(mapping, "get") else None
