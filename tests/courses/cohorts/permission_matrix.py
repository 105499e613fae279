"""Shared helpers for the permission matrices: every route with a converter must have an entry."""

from django.urls import URLPattern, URLResolver, get_resolver


def routes_with_converters(namespace: str) -> set[str]:
    """``namespace:name`` of every route in ``namespace`` that takes a value from the path (an id, a code...)."""
    found: set[str] = set()

    def walk(patterns, current: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                child = pattern.namespace or ""
                walk(pattern.url_patterns, f"{current}:{child}".strip(":") if child else current)
            elif isinstance(pattern, URLPattern) and current == namespace and pattern.pattern.converters:
                found.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


def assert_denied(response, actor: str) -> None:
    if actor.startswith("anonymous"):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], response.status_code
    else:
        assert response.status_code in (403, 404), f"{actor} got {response.status_code}"
