"""``RutaRuntime``: the thin XBlock runtime adapter.

Shape borrowed from xblock-sdk's workbench runtime, but ours: field data through ``DjangoKeyValueStore``,
handler URLs reversed through Django (``/actividades/...``), static resources through ``staticfiles``, and
``publish(block, "grade" | "completion" | "pending_review", data)`` handed to a recorder callable that
``content.services`` supplies (the runtime itself records nothing). One runtime serves one learner.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import webob
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from xblock.core import XBlock
from xblock.fields import ScopeIds
from xblock.runtime import IdGenerator, IdReader, KvsFieldData, Runtime

from content.xblocks.kvs import DjangoKeyValueStore

if TYPE_CHECKING:
    from lms.accounts.permissions import AnyUser

Recorder = Callable[..., Any]


class UsageIdReader(IdReader, IdGenerator):
    """Usage id == definition id (the StreamField child id); the block type is registered when loaded."""

    def __init__(self) -> None:
        self.types: dict[str, str] = {}

    def get_definition_id(self, usage_id: str) -> str:
        return usage_id

    def get_block_type(self, def_id: str) -> str:
        return self.types[def_id]

    def get_usage_id_from_aside(self, aside_id: str) -> str:
        raise NotImplementedError("Ruta uses no asides")

    def get_definition_id_from_aside(self, aside_id: str) -> str:
        raise NotImplementedError("Ruta uses no asides")

    def get_aside_type_from_usage(self, aside_id: str) -> str:
        raise NotImplementedError("Ruta uses no asides")

    def get_aside_type_from_definition(self, aside_id: str) -> str:
        raise NotImplementedError("Ruta uses no asides")

    def create_aside(self, definition_id: str, usage_id: str, aside_type: str) -> tuple[str, str]:
        raise NotImplementedError("Ruta uses no asides")

    def create_usage(self, def_id: str) -> str:
        return def_id

    def create_definition(self, block_type: str, slug: str | None = None) -> str:
        raise NotImplementedError("Definitions are authored as StreamField blocks")


class DjangoI18nService:
    """The ``i18n`` service: Django's gettext, so XBlock strings share Ruta's catalogues."""

    def __init__(self) -> None:
        from django.utils import translation

        self.gettext = translation.gettext
        self.ngettext = translation.ngettext
        self.ugettext = translation.gettext
        self.ungettext = translation.ngettext


class RutaRuntime(Runtime):
    """Hosts activity XBlocks for one learner on one page."""

    def __init__(
        self,
        *,
        user: AnyUser,
        page_id: int | None,
        recorder: Recorder | None = None,
        kvs: DjangoKeyValueStore | None = None,
    ) -> None:
        self.user = user
        self.page_id = page_id
        self.recorder = recorder
        self.kvs = kvs if kvs is not None else DjangoKeyValueStore(user=user)
        self.ids = UsageIdReader()
        super().__init__(
            id_reader=self.ids,
            id_generator=self.ids,
            services={"field-data": KvsFieldData(self.kvs), "i18n": DjangoI18nService()},
        )

    def applicable_aside_types(self, block: XBlock) -> list[str]:
        """Ruta installs no XBlock asides. XBlock would otherwise scan every installed package's entry points
        (``importlib.metadata``) for each activity it renders: ~40 ms per activity, most of a lesson page."""
        return []

    def load_block_type(self, block_type: str) -> type[XBlock]:
        from content.xblocks.activities import XBLOCK_CLASSES

        return XBLOCK_CLASSES[block_type]

    def activity(self, *, usage_id: str, block_type: str, authored: dict[str, Any]) -> XBlock:
        """Build the XBlock for one authored activity, with the learner's stored state behind it."""
        self.ids.types[usage_id] = block_type
        self.kvs.add_authored(usage_id, authored)
        user_id = self.user.pk if getattr(self.user, "is_authenticated", False) else None
        keys = ScopeIds(user_id, block_type, usage_id, usage_id)
        return self.construct_xblock(block_type, keys)

    # --- Runtime abstract methods ------------------------------------------------------------------
    def handler_url(self, block: XBlock, handler_name: str, suffix: str = "", query: str = "", thirdparty=False):
        url = reverse(
            "content:activity_handler",
            kwargs={"page_id": self.page_id or 0, "usage_id": block.scope_ids.usage_id, "handler": handler_name},
        )
        if suffix:
            url += suffix.lstrip("/")
        if query:
            url += "?" + query
        return url

    def resource_url(self, resource: str) -> str:
        return static(resource)

    def local_resource_url(self, block: XBlock, uri: str) -> str:
        return static(f"content/{uri}")

    def publish(self, block: XBlock, event_type: str, event_data: dict[str, Any]) -> None:
        if self.recorder is None:
            raise RuntimeError("This runtime was built for reading; publishing needs a recorder")
        self.recorder(block=block, event_type=event_type, data=event_data)


def webob_request(request: HttpRequest) -> webob.Request:
    """The Django request as the ``webob.Request`` XBlock handlers expect (body re-readable)."""
    body = request.body
    environ = dict(request.META)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return webob.Request(environ)


def django_response(response: webob.Response) -> HttpResponse:
    """A handler's ``webob.Response`` as a Django response."""
    result = HttpResponse(response.body, status=response.status_code, content_type=response.content_type)
    if response.charset:
        result["Content-Type"] = f"{response.content_type}; charset={response.charset}"
    return result
