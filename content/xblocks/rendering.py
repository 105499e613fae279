"""Rendering an activity block for the current learner.

``render_activity_block`` is what ``ActivityBlock.render`` calls from ``{% include_block %}``: it needs the
StreamField child ``id`` (Wagtail puts it in the context), ``request`` and ``page``. Without them (the editor's
block preview) it renders a read-only preview. One runtime per request and page preloads the learner's state
for every activity on the page in one query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from content.xblocks.kvs import DjangoKeyValueStore
from content.xblocks.runtime import RutaRuntime

FLASH_SESSION_KEY = "content_activity_flash"


def flash_set(request: Any, usage_id: str, message: str) -> None:
    """Keep a message for one activity until the page shows it (post/redirect/get without JavaScript)."""
    flashes = dict(request.session.get(FLASH_SESSION_KEY, {}))
    flashes[str(usage_id)] = str(message)
    request.session[FLASH_SESSION_KEY] = flashes


def _flash_pop(request: Any, usage_id: str) -> str:
    session = getattr(request, "session", None)
    if session is None or FLASH_SESSION_KEY not in session:
        return ""
    flashes = dict(session[FLASH_SESSION_KEY])
    message = flashes.pop(str(usage_id), "")
    if message:
        session[FLASH_SESSION_KEY] = flashes
    return message


def runtime_for_request(request: Any, page: Any) -> RutaRuntime:
    cache = request.__dict__.setdefault("_ruta_runtimes", {})
    if page.pk not in cache:
        from content.selectors import page_activities

        runtime = RutaRuntime(user=request.user, page_id=page.pk)
        runtime.kvs.preload(page_activities(page=page).keys())
        cache[page.pk] = runtime
    return cache[page.pk]


def seed_request_runtime(request: Any, page: Any, kvs: DjangoKeyValueStore) -> None:
    """Render this request's activities of ``page`` from ``kvs`` (state this request already holds): what is not
    in it is read lazily, one activity at a time."""
    request.__dict__.setdefault("_ruta_runtimes", {})[page.pk] = RutaRuntime(
        user=request.user, page_id=page.pk, kvs=kvs
    )


def render_activity_block(*, block: Any, value: Any, context: dict[str, Any]) -> SafeString:
    """The XBlock student view of one authored activity for ``context['request'].user``."""
    request = context.get("request")
    page = context.get("page")
    usage_id = str(context.get("id") or "")
    if (
        request is None
        or page is None
        or not usage_id
        or not getattr(page, "pk", None)
        or getattr(request, "is_preview", False)
    ):
        # The editor's previews (of a block, or of a draft page): nothing to submit, no learner state.
        runtime = RutaRuntime(user=AnonymousUser(), page_id=None)
        xblock = runtime.activity(
            usage_id=usage_id or "vista-previa", block_type=block.xblock_type, authored=value.xblock_fields()
        )
        view_context: dict[str, Any] = {"request": request, "preview": True}
    else:
        from content.selectors import activity_can_submit

        runtime = runtime_for_request(request, page)
        xblock = runtime.activity(usage_id=usage_id, block_type=block.xblock_type, authored=value.xblock_fields())
        user = request.user
        next_url = context.get("activity_next_url") or request.get_full_path()
        view_context = {
            "request": request,
            "preview": False,
            "can_submit": activity_can_submit(user=user, page=page),
            "is_authenticated": user.is_authenticated,
            "submit_url": reverse("content:activity_submit", kwargs={"page_id": page.pk, "usage_id": usage_id}),
            "next_url": next_url,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': next_url})}",
            "flash": context.get("activity_flash") or _flash_pop(request, usage_id),
        }
    fragment = runtime.render(xblock, "student_view", context=view_context)
    return mark_safe(fragment.body_html())  # noqa: S308 - rendered by our own escaped templates


def render_activity(*, request: Any, page: Any, usage_id: str, next_url: str = "", flash: str = "") -> SafeString:
    """Render one activity of a page outside the page template (the JSON answer to a submission)."""
    from content.selectors import activity_get

    activity = activity_get(page=page, usage_id=usage_id)
    context = {"request": request, "page": page, "id": usage_id, "activity_next_url": next_url, "activity_flash": flash}
    return render_activity_block(block=activity.block, value=activity.value, context=context)
