"""Pages a signed-in learner reloads (a lesson, «Mis cursos»), kept per learner in the shared cache.

A learner's lesson page only changes when something is written: an answer, a visit that moves the "continue here"
mark, a trainer's grade, a published edit, a certificate. So the page rendered for one learner is kept (Redis in
production) and served again to the same learner until anything that could change it is written. A view opts in
with ``mark_learner``; ``LearnerPageCacheMiddleware`` serves and stores.

What keeps it correct:

- **One learner's page is never another's.** The key holds the learner's id (read from their verified session,
  after authentication), the host, path, language, ``Accept`` and a digest of the CSRF cookie (a form's token is
  masked from it). Requests with a message waiting, previews, and the phone's offline downloads and sync visits
  (``X-Ruta-Download``, ``X-Ruta-Offline``) neither read nor store. A response is stored only when it is a 200,
  sets no cookie other than renewing the same CSRF cookie, left the session unmodified, wrote nothing to the
  database, and varies on nothing the key does not cover.
- **Any write invalidates.** Every INSERT, UPDATE or DELETE (``execute_wrapper`` on every database connection,
  web and worker alike; the session and cache tables aside) is noticed without a list of models to keep up to
  date. A write made in a request of a learner who holds no other role bumps that learner's generation: it can only
  have changed their own pages. Any other write — a trainer's, an administrator's, an anonymous request's (a
  sign-in), a task's or a command's — bumps the ``learners`` generation and so every learner's pages. Writes
  outside a request bump at once and again after their transaction commits, so a page rendered in between
  from the old rows is never kept under the new generation. (With the embedded default's database cache — one
  process, tasks run in it — the learners' generations live in that process, so a bump never writes to the
  database; a command run in another process meanwhile shows on learners' pages when they expire.) Entries are
  also checked against the ``pages`` (published edits) and ``certificates`` generations of ``lms/pagecache.py``.
- **Outages.** While Redis cannot be reached the pages are rendered without the cache (``lms/pagecache.py``: a miss,
  nothing stored; the learners' generation is dropped when it answers again). When the database is down, asking who
  the learner is fails before any view: that answers the same 503 with ``Retry-After`` as a view would
  (``lms.middleware.outage_response``), never a 500.
- **Time still passes.** Entries expire after their timeout (a lesson keeps its page no longer than it would
  skip writing the visit, ``courses.services.VISIT_REFRESH``), so relative dates and the "last seen" a trainer
  reads stay as fresh as without the cache.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import InterfaceError, OperationalError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation

from . import pagecache
from .pagecache import CacheUnavailable

_ATTR = "_ruta_learner_cache"
_LEARNERS = "ruta:lc:gen:learners"
_PAGE_GROUPS = ("pages", "certificates")
_KEYED_VARY = {"accept", "accept-encoding", "accept-language", "cookie"}
_BYPASS_HEADERS = ("X-Ruta-Download", "X-Ruta-Offline")
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[`"]?([\w.]+)', re.IGNORECASE)
logger = logging.getLogger(__name__)


pagecache.OUTAGE_DROPS.append(_LEARNERS)  # dropped when Redis answers again after an outage


def _user_gen_key(user_id: int) -> str:
    return f"ruta:lc:gen:user:{user_id}"


def _ignored_tables() -> frozenset[str]:
    """Tables whose writes change no page: sessions, and the database cache of the embedded default."""
    tables = {"django_session"}
    for options in settings.CACHES.values():
        if options.get("BACKEND", "").endswith("DatabaseCache"):
            tables.add(options["LOCATION"])
    return frozenset(tables)


def _incr(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no counter yet (or evicted): start one from the clock, above any older value
        cache.set(key, time.time_ns(), timeout=None)


#: the learners' generations when the cache is the embedded default's database cache (one process, tasks run in
#: it): kept in this process, so that a bump never writes to the database (it may run inside a statement's wrapper,
#: and the test live server shares one SQLite connection between threads)
_LOCAL_GENERATIONS: dict[str, int] = {}
_PROCESS_START = time.time_ns()  # above any generation of an earlier process, whose entries may still be stored
_LOCAL_COUNTER = itertools.count(_PROCESS_START + 1)


def _bump(key: str) -> None:
    """Never lets a write fail: a cache that cannot be reached is logged (pages then expire by their timeout)."""
    if _database_cache():
        _LOCAL_GENERATIONS[key] = next(_LOCAL_COUNTER)
        return
    try:
        _incr(key)
    except CacheUnavailable:  # Redis is down (logged once by lms.pagecache): the key is dropped when it answers
        pass
    except Exception:
        logger.warning("Could not invalidate learners' cached pages (%s)", key, exc_info=True)


def _database_cache() -> bool:
    return isinstance(caches["default"], DatabaseCache)


def bump_learner(user_id: int) -> None:
    """Drop the pages kept for one learner."""
    _bump(_user_gen_key(user_id))


def bump_learners() -> None:
    """Drop the pages kept for every learner."""
    _bump(_LEARNERS)


# --- noticing writes ---------------------------------------------------------------------------------------------


@dataclass
class _RequestWrites:
    wrote: bool = False


_request: ContextVar[_RequestWrites | None] = ContextVar("ruta_learner_cache_request", default=None)
_IGNORED: frozenset[str] | None = None


def _after_commit(connection: BaseDatabaseWrapper) -> None:
    connection._ruta_lc_pending = None  # type: ignore[attr-defined]
    bump_learners()


#: whether this process served or stored a learner's page since it last bumped ``learners`` for a write
_read_since_bump = True


def _wrote(connection: BaseDatabaseWrapper) -> None:
    """A write outside any request (a task, a command, the shell): bump ``learners`` now, and again when its
    transaction commits. Within one transaction the bump now is made once (a worker issuing 50 certificates in a
    transaction bumps twice, not once per row), unless this process read a learner's page in between."""
    global _read_since_bump
    state = _request.get()
    if state is not None:  # the request decides at its end whose pages it changed
        state.wrote = True
        return
    if not connection.in_atomic_block:
        bump_learners()
        return
    marker = id(connection.atomic_blocks[0]) if connection.atomic_blocks else None
    new_transaction = getattr(connection, "_ruta_lc_pending", None) != marker
    if new_transaction or _read_since_bump:
        _read_since_bump = False
        bump_learners()
    if new_transaction:
        connection._ruta_lc_pending = marker  # type: ignore[attr-defined]
        transaction.on_commit(lambda: _after_commit(connection), using=connection.alias)


_migrating = False


def _pause(**kwargs: Any) -> None:
    global _migrating
    _migrating = True


def _resume(**kwargs: Any) -> None:
    global _migrating
    _migrating = False


def _watch(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    if not _migrating and sql[:12].lstrip()[:1] in "IUDRiudr" and (match := _WRITE.match(sql)):
        global _IGNORED
        if _IGNORED is None:
            _IGNORED = _ignored_tables()
        if match.group(1) not in _IGNORED:
            _wrote(context["connection"])
    return result


def _install(connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch writes on every database connection of this process (called once from an app's ``ready``)."""
    from django.db import connections

    connection_created.connect(_install, dispatch_uid="ruta-learner-cache")
    # Migrations write before the cache (or its table) exists; every page is rendered anew after them anyway.
    pre_migrate.connect(_pause, dispatch_uid="ruta-learner-cache-pause")
    post_migrate.connect(_resume, dispatch_uid="ruta-learner-cache-resume")
    for connection in connections.all(initialized_only=True):
        _install(connection)


# --- serving -----------------------------------------------------------------------------------------------------


def mark_learner(response: HttpResponseBase, *, timeout: int = 300) -> HttpResponseBase:
    """Let the middleware keep ``response`` for the learner it was rendered for, at most ``timeout`` seconds (0: this
    answer is not kept, but the path is one whose later answers may be)."""
    setattr(response, _ATTR, max(0, timeout))
    return response


def _has_messages(request: HttpRequest) -> bool:
    if "messages" in request.COOKIES:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


#: paths whose answer a view marked in this process: only those are looked up (a trainer's report, the admin and
#: every other page pay no cache read); a process learns a path on its first answer to it
_MARKED_PATHS: set[str] = set()
_MARKED_PATHS_MAX = 100_000


def _key(request: HttpRequest) -> str | None:
    if request.method != "GET" or request.path not in _MARKED_PATHS:
        return None
    if any(request.headers.get(name) for name in _BYPASS_HEADERS):
        return None
    user: Any = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or _has_messages(request):
        return None
    varying = "\n".join(
        (
            request.get_full_path(),
            request.META.get("HTTP_ACCEPT", ""),
            request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        )
    )
    digest = hashlib.sha256(varying.encode()).hexdigest()[:32]
    return f"ruta:lc:{user.pk}:{request.get_host()}:{translation.get_language()}:{digest}"


def _storable(request: HttpRequest, response: HttpResponseBase, writes: _RequestWrites) -> int | None:
    timeout = getattr(response, _ATTR, None)
    if not timeout or writes.wrote or response.status_code != 200 or response.streaming:
        return None
    vary = {header.strip().lower() for header in response.get("Vary", "").split(",") if header.strip()}
    if not vary <= _KEYED_VARY or "no-store" in response.get("Cache-Control", ""):
        return None
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    for name, morsel in response.cookies.items():
        if name != settings.CSRF_COOKIE_NAME or morsel.value != csrf_cookie:
            return None
    session = getattr(request, "session", None)
    if session is not None and (session.modified or _has_messages(request)):
        return None
    return timeout


def _writer_holds_other_roles(request: HttpRequest) -> bool:
    user: Any = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return True
    if user.is_staff or user.is_superuser:
        return True
    known = getattr(user, "ruta_holds_other_roles", None)  # read with the session's account (accounts.backends)
    if known is not None:
        return bool(known)
    from lms.accounts.permissions import roles_of

    return bool(roles_of(user) - {"participant"})


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)


class LearnerPageCacheMiddleware:
    """Serve and store the pages marked with ``mark_learner``; notice what each request writes (module docstring).
    Placed after authentication and messages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return self._call(request)
        except (OperationalError, InterfaceError) as exc:  # the database is down: who is asking cannot be known
            from .middleware import outage_response

            return outage_response(request, exc) or HttpResponse(status=503)

    def _call(self, request: HttpRequest) -> HttpResponseBase:
        writes = _RequestWrites()
        token = _request.set(writes)
        try:
            return self._serve(request, writes)
        finally:
            _request.reset(token)
            session = getattr(request, "session", None)
            if writes.wrote:
                self._invalidate(request)
            elif session is not None and session.modified and getattr(request.user, "is_authenticated", False):
                bump_learner(_user_id(request))  # what a page shows may come from the session

    def _invalidate(self, request: HttpRequest) -> None:
        if _writer_holds_other_roles(request):
            bump_learners()
        else:
            bump_learner(_user_id(request))

    def _serve(self, request: HttpRequest, writes: _RequestWrites) -> HttpResponseBase:
        global _read_since_bump
        key = _key(request)
        if key is None:
            return self._learn(request, self.get_response(request))
        _read_since_bump = True
        user_gen = _user_gen_key(_user_id(request))
        page_gens = [pagecache._GEN[group] for group in _PAGE_GROUPS]
        values = cache.get_many([key, *page_gens] if _database_cache() else [key, user_gen, _LEARNERS, *page_gens])
        try:
            generations = (
                self._generation(values, user_gen),
                self._generation(values, _LEARNERS),
                *pagecache._generations(values, _PAGE_GROUPS).values(),
            )
            if len(generations) != 2 + len(_PAGE_GROUPS):
                raise CacheUnavailable(key)
        except CacheUnavailable:  # Redis is down: the page is rendered for this request only
            return self._learn(request, self.get_response(request))
        memo = pagecache._memo.get()
        if memo is not None:  # a page rendered below reads the same generations without asking again
            memo.update({pagecache._GEN[group]: gen for group, gen in zip(_PAGE_GROUPS, generations[2:], strict=True)})
        entry = values.get(key)
        if entry is not None and entry["generations"] == generations:
            hit = HttpResponse(entry["content"], status=200)
            for name, value in entry["headers"]:
                hit[name] = value
            hit["X-Ruta-Cache"] = "hit"
            return hit
        response = self._learn(request, self.get_response(request))
        if isinstance(response, HttpResponse) and (timeout := _storable(request, response, writes)):
            headers = [(k, v) for k, v in response.items() if k.lower() not in pagecache._NOT_STORED_HEADERS]
            cache.set(key, {"generations": generations, "headers": headers, "content": response.content}, timeout)
        return response

    @staticmethod
    def _learn(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(response, _ATTR, None) is not None and len(_MARKED_PATHS) < _MARKED_PATHS_MAX:
            _MARKED_PATHS.add(request.path)
        return response

    @staticmethod
    def _generation(values: dict[str, Any], key: str) -> int:
        if _database_cache():
            return _LOCAL_GENERATIONS.setdefault(key, _PROCESS_START)
        if key in values:
            return values[key]
        cache.add(key, time.time_ns(), timeout=None)
        if (value := cache.get(key)) is None:
            raise CacheUnavailable(key)
        return value
