"""A shared cache of the public pages anonymous visitors see (catalogue, course pages, certificate verification).

An employer scanning a QR code or a visitor browsing the catalogue gets the same bytes as every other anonymous
visitor, so those responses are rendered once and kept in the shared cache (Redis in production: every web
process sees the same entries and the same invalidations). A view opts in by marking its response
(``mark_anonymous``, ``anonymous_cache``); the middleware serves a marked response again to the next anonymous
request for the same host, path, language and encoding, before sessions, routing or templates run.

What keeps it correct:

- **Only anonymous, only public.** A request that carries a session or a messages cookie never reads the cache, and
  a response is stored only when it was rendered for an anonymous user, sets no cookie and used no CSRF token
  (a form's token belongs to one visitor). Pages for signed-in learners are never stored
  here; ``lms/learnercache.py`` keeps a lesson and «Mis cursos» per learner.
- **Invalidation by generation.** Each group (``pages``, ``certificates``) has a generation number in the cache; an
  entry is served only while its group's generation is unchanged. Publishing, unpublishing, moving or deleting a
  page, or saving a site or theme, bumps ``pages``; any change to a certificate (issue, revocation, replacement)
  bumps ``certificates``, so a revocation shows on the next request. Entries also expire after their timeout.
- **Certificate answers, within half a second.** An employer's scan is the busiest public request, so each process
  also keeps the verification answers it served for ``RUTA_VERIFY_LOCAL_SECONDS`` (0.5 s by default, never more
  than ``LOCAL_ANSWER_SECONDS``, 1 s; 0 turns it off) and serves them again without asking the shared cache (the
  rate-limit count still goes to it, one round trip). A change to a certificate clears them at once in the process
  that made it; every other process shows it within that time (issue #12 asks for a revocation to show within a
  second). Course and catalogue pages are never kept this way: a published edit shows at once everywhere.
- **Bounded.** The key holds the path with its query string, the language, the encoding and the type a negotiating
  page would choose from Accept (never the raw header); at most ``QUERY_VARIANTS_PER_PATH`` answers with a query
  string are stored per path and timeout, so ``?x=<random>`` on every request cannot fill the shared cache (such
  answers are still served, rendered). Unknown paths and codes answer 404, which is never stored.
- **Rate limits still hold.** A group can name a rate limit (``lms/ratelimit.py``; verification does); a cached
  answer counts against the same counter as the view, and a limited visitor gets the view's own 429.
- **Content-Security-Policy stays fresh.** The policy middleware runs outside this one, so a cached page gets a new
  policy header; cached pages carry no nonce (the theme colours come from a stylesheet URL, not an inline style).

Generations are read with the entry in one round trip (``get_many``); a missing generation is recreated from the
clock, never from zero, so an evicted counter cannot bring back entries older than it.

Within one request (the middleware opens a ``request_memo`` scope) a generation, and each value kept under one with
``shared_value``, is read from the shared cache once: a lesson page asks for the course structure and the
``pages`` generation from several places. A bump inside the request forgets the memoised generation, so what the
request reads afterwards is keyed by the new one. Outside a request (tasks, shell, tests calling services) nothing
is memoised.

A value kept with ``shared_value`` never changes under its key, because the key holds its group's generation: a
change makes a new key. So each process also keeps the last values it read (``_local``, a few MiB, least recently
used first out, each until the same timeout as in the shared cache) and asks the shared cache only for the
generation, once per request. Every request unpickles its own copy, as it would from the shared cache: one
request's changes to a page object never reach another's.

**When Redis is down.** For the length of a request this middleware (the first that touches the shared cache) puts
``OutageTolerantCache`` in front of a Redis cache, so every reader — sessions (``cached_db`` falls back to the
database), themes, Wagtail, these caches — takes an outage for a miss and skips its writes, and pages keep working
from the database. What a cache cannot fake is refused instead: ``add`` and ``incr`` (locks and counters: rate
limits, one-time codes) raise ``CacheUnavailable``, which ``lms/middleware.py`` answers with a Spanish 503 and
``Retry-After``, so a login or a verification is never let through unlimited (rate limits fail closed, as
django-ratelimit's and allauth's own do). After a failure this process does not ask Redis again for
``OUTAGE_SECONDS``. When Redis answers again, the keys whose writes were skipped (a revoked certificate's page, a
logged-out session) and every group's generation are dropped first, so nothing older than the outage is served.
``/healthz`` probes Redis itself and reports it down. Outside requests (tasks, commands) the cache is used as is.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from functools import wraps
from typing import Any

from cachetools import TLRUCache
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import translation

GROUPS = ("pages", "certificates")
_GEN = {group: f"ruta:pc:gen:{group}" for group in GROUPS}
_ATTR = "_ruta_anonymous_cache"
_NOT_STORED_HEADERS = {
    "set-cookie",
    "content-security-policy",
    "content-security-policy-report-only",
    "reporting-endpoints",
}
#: group → (rate-limit group, rate) checked before a cached answer of that group is served
_RATE_LIMITS: dict[str, tuple[str, Callable[[], str]]] = {}
#: what this request has already read from the shared cache (None outside a request scope)
_memo: ContextVar[dict[str, Any] | None] = ContextVar("ruta_request_memo", default=None)
_MISSING = object()
#: values this process read with ``shared_value``: full key → (expiry on the monotonic clock, pickled value)
_LOCAL_BYTES = 4 * 1024 * 1024
_local: TLRUCache = TLRUCache(
    maxsize=_LOCAL_BYTES, ttu=lambda _key, value, _now: value[0], timer=time.monotonic, getsizeof=lambda v: len(v[1])
)
_local_lock = threading.Lock()

logger = logging.getLogger(__name__)


# --- when the shared cache is down (module docstring, «When Redis is down») ---------------------------------------


class CacheUnavailable(Exception):  # noqa: N818 - named for what the user is told: the cache is unavailable
    """The shared cache cannot be reached and the caller needs what a miss cannot stand in for: a lock or a counter
    (``add``, ``incr``). ``lms.middleware.outage_response`` answers it with a 503 and ``Retry-After``."""


#: after a failed call, this process takes the shared cache for down this many seconds without asking it again
OUTAGE_SECONDS = 5.0
#: keys whose writes were skipped during an outage, dropped when the cache answers again (beyond this many, only the
#: generations are dropped: every page is rendered anew, but a session deleted meanwhile may come back from Redis)
_SKIPPED_MAX = 10_000
#: dropped when the cache answers again after an outage: every cached page is rendered anew (``lms/learnercache.py``
#: adds the learners' generation)
OUTAGE_DROPS: list[str] = list(_GEN.values())
_FAILED = object()


class _Outage:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.until = 0.0  # monotonic clock
        self.seen = False  # a call failed since the cache last answered
        self.skipped: set[tuple[str, int | None]] = set()


_outage = _Outage()


def outage_errors() -> tuple[type[BaseException], ...]:
    """What a Redis cache raises when Redis cannot be reached (refused, timed out, reset, still loading)."""
    errors: list[type[BaseException]] = []
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        errors += [RedisConnectionError, RedisTimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        from django_redis.exceptions import ConnectionInterrupted

        errors.append(ConnectionInterrupted)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


_OUTAGE_ERRORS = outage_errors()


def cache_down() -> bool:
    """Whether this process took the shared cache for down in the last ``OUTAGE_SECONDS``."""
    return time.monotonic() < _outage.until


def note_outage(exc: BaseException) -> None:
    """A call to the shared cache failed: do not ask it again for ``OUTAGE_SECONDS``."""
    with _outage.lock:
        first = not _outage.seen
        _outage.seen = True
        _outage.until = time.monotonic() + OUTAGE_SECONDS
    if first:
        logger.error("Shared cache unreachable: serving without it (%s)", exc.__class__.__name__, exc_info=exc)


def _skip(keys: Iterable[str], version: int | None) -> None:
    with _outage.lock:
        for key in keys:
            if len(_outage.skipped) >= _SKIPPED_MAX:
                break
            _outage.skipped.add((key, version))


def _recover(backend: BaseCache) -> None:
    """The first call after an outage: drop what its skipped writes left stale, then let calls through."""
    if not _outage.seen:
        return
    with _outage.lock:
        skipped, _outage.skipped = _outage.skipped, set()
    by_version: dict[int | None, list[str]] = {None: list(OUTAGE_DROPS)}
    for key, version in skipped:
        by_version.setdefault(version, []).append(key)
    try:
        for version, keys in by_version.items():
            backend.delete_many(keys, version=version)
    except BaseException:
        with _outage.lock:
            _outage.skipped |= skipped
        raise
    with _outage.lock:
        _outage.seen = False
    logger.warning("Shared cache reachable again: dropped %s keys written during the outage", len(skipped))


class OutageTolerantCache:
    """A Redis cache as a request sees it: an outage is a miss, and writes are skipped (and their keys dropped when
    Redis answers again); ``add`` and ``incr``/``decr`` raise ``CacheUnavailable``. Everything else is the cache's
    own. Installed by ``AnonymousPageCacheMiddleware`` for each request (``outage_tolerant_cache``)."""

    def __init__(self, backend: BaseCache) -> None:
        self.backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    def __contains__(self, key: str) -> bool:
        # ``key in cache`` (the cached_db session store asks this when it makes a session key): dunder methods are
        # looked up on the type, never through __getattr__.
        return self.has_key(key)

    def _attempt(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if cache_down():
            return _FAILED
        try:
            _recover(self.backend)
            return getattr(self.backend, method)(*args, **kwargs)
        except _OUTAGE_ERRORS as exc:
            note_outage(exc)
            return _FAILED

    def get(self, key: str, default: Any = None, version: int | None = None, **kwargs: Any) -> Any:
        value = self._attempt("get", key, default, version=version, **kwargs)
        return default if value is _FAILED else value

    def get_many(self, keys: Iterable[str], version: int | None = None, **kwargs: Any) -> dict[str, Any]:
        keys = list(keys)
        values = self._attempt("get_many", keys, version=version, **kwargs)
        return {} if values is _FAILED else values

    def has_key(self, key: str, version: int | None = None, **kwargs: Any) -> bool:
        found = self._attempt("has_key", key, version=version, **kwargs)
        return False if found is _FAILED else found

    def get_or_set(self, key: str, default: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> Any:
        found = self.get(key, _MISSING, version=version)
        if found is not _MISSING:
            return found
        value = default() if callable(default) else default
        if self._attempt("add", key, value, timeout=timeout, version=version) is _FAILED:
            return value
        return self.get(key, value, version=version)

    def set(self, key: str, *args: Any, **kwargs: Any) -> Any:
        done = self._attempt("set", key, *args, **kwargs)
        if done is _FAILED:
            _skip([key], kwargs.get("version"))
            return False
        return done

    def set_many(self, data: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        done = self._attempt("set_many", data, *args, **kwargs)
        if done is _FAILED:
            _skip(data, kwargs.get("version"))
            return list(data)
        return done

    def delete(self, key: str, *args: Any, **kwargs: Any) -> Any:
        done = self._attempt("delete", key, *args, **kwargs)
        if done is _FAILED:
            _skip([key], kwargs.get("version"))
            return False
        return done

    def delete_many(self, keys: Iterable[str], *args: Any, **kwargs: Any) -> Any:
        keys = list(keys)
        done = self._attempt("delete_many", keys, *args, **kwargs)
        if done is _FAILED:
            _skip(keys, kwargs.get("version"))
            return None
        return done

    def touch(self, key: str, *args: Any, **kwargs: Any) -> Any:
        done = self._attempt("touch", key, *args, **kwargs)
        return False if done is _FAILED else done

    def add(self, key: str, *args: Any, **kwargs: Any) -> Any:
        done = self._attempt("add", key, *args, **kwargs)
        if done is _FAILED:
            raise CacheUnavailable(key)
        return done

    def incr(self, key: str, *args: Any, **kwargs: Any) -> Any:
        return self._count("incr", key, *args, **kwargs)

    def decr(self, key: str, *args: Any, **kwargs: Any) -> Any:
        return self._count("decr", key, *args, **kwargs)

    def _count(self, method: str, key: str, *args: Any, **kwargs: Any) -> Any:
        done = self._attempt(method, key, *args, **kwargs)
        if done is _FAILED:
            _skip([key], kwargs.get("version"))  # e.g. a generation that should have moved on
            raise CacheUnavailable(key)
        return done

    def close(self, **kwargs: Any) -> None:
        with suppress(*_OUTAGE_ERRORS):
            self.backend.close(**kwargs)


def _is_redis(backend: Any) -> bool:
    module = type(backend).__module__
    return module.startswith("django_redis") or module == "django.core.cache.backends.redis"


def shared_cache_backend() -> Any:
    """The default cache itself, without ``OutageTolerantCache`` (``/healthz`` asks Redis, whatever this process
    believes)."""
    backend = caches["default"]
    return backend.backend if isinstance(backend, OutageTolerantCache) else backend


@contextmanager
def outage_tolerant_cache() -> Iterator[None]:
    """For the rest of this request, the default cache takes a Redis outage for a miss (``OutageTolerantCache``)."""
    backend = caches["default"]
    if isinstance(backend, OutageTolerantCache) or not _is_redis(backend):
        yield
        return
    caches["default"] = OutageTolerantCache(backend)  # type: ignore[assignment]
    try:
        yield
    finally:
        caches["default"] = backend


def _local_get(full: str) -> Any:
    with _local_lock:
        kept = _local.get(full)
    return _MISSING if kept is None else pickle.loads(kept[1])  # noqa: S301 - pickled by this process


def _local_put(full: str, value: Any, timeout: int) -> None:
    blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    if len(blob) <= _LOCAL_BYTES // 8:  # one large value must not push out all the others
        with _local_lock:
            _local[full] = (time.monotonic() + timeout, blob)


@contextmanager
def request_memo() -> Iterator[None]:
    """Remember, for the rest of this request, generations and ``shared_value`` values read from the cache."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


#: groups whose answers each process also keeps for LOCAL_ANSWER_SECONDS (see the module docstring)
LOCAL_ANSWER_GROUPS = frozenset({"certificates"})
#: the most a process keeps an answer (the issue asks for a revocation within a second); the setting
#: RUTA_VERIFY_LOCAL_SECONDS chooses below it (default 0.5 s, 0: off)
LOCAL_ANSWER_SECONDS = 1.0
_LOCAL_ANSWERS_MAX = 2_000
#: cache key → (expiry on the monotonic clock, the stored entry), per process
_local_answers: dict[str, tuple[float, dict[str, Any]]] = {}


def _local_answer(key: str) -> dict[str, Any] | None:
    kept = _local_answers.get(key)
    if kept is None:
        return None
    if kept[0] <= time.monotonic():
        _local_answers.pop(key, None)
        return None
    return kept[1]


def _local_answer_seconds() -> float:
    try:
        seconds = float(getattr(settings, "RUTA_VERIFY_LOCAL_SECONDS", 0.5))
    except (TypeError, ValueError):
        return 0.0
    return min(max(seconds, 0.0), LOCAL_ANSWER_SECONDS)


def _keep_local_answer(key: str, entry: dict[str, Any]) -> None:
    seconds = _local_answer_seconds()
    if entry["group"] not in LOCAL_ANSWER_GROUPS or seconds <= 0:
        return
    now = time.monotonic()
    if len(_local_answers) >= _LOCAL_ANSWERS_MAX:
        for stale in [k for k, (expiry, _) in _local_answers.items() if expiry <= now]:
            _local_answers.pop(stale, None)
        if len(_local_answers) >= _LOCAL_ANSWERS_MAX:
            _local_answers.clear()
    _local_answers[key] = (now + seconds, entry)


def forget_local() -> None:
    """Drop what this process keeps beside the shared cache (the shared cache was cleared, e.g. between tests)."""
    _local_answers.clear()
    with _local_lock:
        _local.clear()


def bump(group: str) -> None:
    """Invalidate every cached response of ``group`` (at once, in every process)."""
    if group in LOCAL_ANSWER_GROUPS:
        _local_answers.clear()
    try:
        cache.incr(_GEN[group])
    except ValueError:  # no counter yet (or evicted): start one from the clock, above any older value
        cache.set(_GEN[group], time.time_ns(), timeout=None)
    except CacheUnavailable:  # Redis is down: the generation is dropped when it answers again (OUTAGE_DROPS)
        pass
    memo = _memo.get()
    if memo is not None:
        memo.pop(_GEN[group], None)


def _known_generation(group: str) -> int | None:
    """``group``'s generation, or None while the shared cache cannot be reached."""
    memo = _memo.get()
    if memo is not None and _GEN[group] in memo:
        return memo[_GEN[group]]
    value = _generations(cache.get_many([_GEN[group]]), (group,)).get(group)
    if memo is not None and value is not None:
        memo[_GEN[group]] = value
    return value


def generation(group: str) -> int:
    """The current generation of ``group``: part of the key of anything cached that a change to the group must
    drop (e.g. a course's outline, cached under the ``pages`` generation). While the shared cache cannot be reached,
    a new value on every call, so nothing kept under one is ever used again."""
    value = _known_generation(group)
    return time.time_ns() if value is None else value


def shared_value(key: str, load: Callable[[], Any], *, group: str = "pages", timeout: int = 3600) -> Any:
    """The value cached at ``key`` under ``group``'s current generation, computed by ``load`` when absent; read
    once per request. ``load`` may return None (kept as such). While the shared cache cannot be reached, ``load``
    answers (once per request) and nothing is kept beyond the request."""
    memo = _memo.get()
    known = _known_generation(group)
    if known is None:
        if memo is None:
            return load()
        if (outage_key := f"{key}:outage") not in memo:
            memo[outage_key] = load()
        return memo[outage_key]
    full = f"{key}:{known}"
    if memo is not None and full in memo:
        return memo[full]
    value = _local_get(full)
    if value is _MISSING:
        value = cache.get(full, _MISSING)
        if value is _MISSING:
            value = load()
            cache.set(full, value, timeout=timeout)
        _local_put(full, value, timeout)
    if memo is not None:
        memo[full] = value
    return value


def _generations(values: dict[str, Any], groups: tuple[str, ...] = GROUPS) -> dict[str, int]:
    """Each group's generation, from ``values`` (what a lookup read) or recreated from the clock; a group whose
    generation cannot be had (the shared cache is down) is left out."""
    found = {}
    for group in groups:
        key = _GEN[group]
        if key in values:
            found[group] = values[key]
            continue
        try:
            cache.add(key, time.time_ns(), timeout=None)
        except CacheUnavailable:
            continue
        if (value := cache.get(key)) is not None:
            found[group] = value
    return found


def mark_anonymous(response: HttpResponseBase, group: str, *, timeout: int = 300) -> HttpResponseBase:
    """Let the middleware keep ``response`` for other anonymous visitors (it checks the conditions above)."""
    setattr(response, _ATTR, (group, timeout))
    return response


def anonymous_cache(
    group: str, *, timeout: int = 300, ratelimit: tuple[str, Callable[[], str]] | None = None
) -> Callable:
    """View decorator: mark what the view answers to anonymous visitors as cacheable in ``group``. ``ratelimit``
    (``lms.ratelimit``'s group and rate, as the view's own ``rate_limit`` has them) is enforced on cached answers
    too."""
    if ratelimit is not None:
        _RATE_LIMITS[group] = ratelimit

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            response = view(request, *args, **kwargs)
            if not getattr(getattr(request, "user", None), "is_authenticated", False):
                mark_anonymous(response, group, timeout=timeout)
            return response

        return wrapped

    return decorate


def _key(request: HttpRequest) -> str | None:
    if request.method != "GET":
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    language = translation.get_language_from_request(request)
    gzip = "gz" if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "") else "id"
    # Pages that negotiate (a credential id answers JSON to machines, a page to people) vary on Accept: the key
    # holds the type such a page would choose, not the header itself (every browser, and anyone, may send another).
    accept = request.get_preferred_type(NEGOTIATED_TYPES) or ""
    varying = "\n".join((request.get_full_path(), accept))
    digest = hashlib.sha256(varying.encode()).hexdigest()[:32]
    return f"ruta:pc:{request.get_host()}:{language}:{gzip}:{digest}"


#: the types Ruta's negotiating views choose among (certification/views.py ``_wants_json``): equal preference, equal
#: answer
NEGOTIATED_TYPES = ["text/html", "application/ld+json", "application/vc+ld+json", "application/json"]
#: at most this many answers to one path with a query string are stored per timeout: a query string a page does not
#: read (``?x=<random>``) would otherwise make a new entry per request, and fill Redis
QUERY_VARIANTS_PER_PATH = 32


def _query_variant_allowed(request: HttpRequest, timeout: int) -> bool:
    """Whether one more answer with a query string may be stored for this path (see ``QUERY_VARIANTS_PER_PATH``)."""
    if not request.META.get("QUERY_STRING"):
        return True
    path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    counter = f"ruta:pc:variants:{request.get_host()}:{path}"
    try:
        if cache.add(counter, 1, timeout=timeout):
            return True
        try:
            return cache.incr(counter) <= QUERY_VARIANTS_PER_PATH
        except ValueError:  # expired between the two calls
            return cache.add(counter, 1, timeout=timeout) or False
    except CacheUnavailable:
        return False


#: request headers the key covers; a response that varies on anything else is not stored
_KEYED_VARY = {"accept", "accept-encoding", "accept-language", "cookie"}


def _storable(request: HttpRequest, response: HttpResponseBase) -> tuple[str, int] | None:
    marked = getattr(response, _ATTR, None)
    vary = {header.strip().lower() for header in response.get("Vary", "").split(",") if header.strip()}
    if (
        marked is None
        or not vary <= _KEYED_VARY
        or response.status_code != 200
        or response.streaming
        or response.cookies
        or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        or getattr(getattr(request, "user", None), "is_authenticated", False)
        or "private" in response.get("Cache-Control", "")
        or "no-store" in response.get("Cache-Control", "")
    ):
        return None
    return marked


def _rate_limited(request: HttpRequest, group: str) -> bool:
    rule = _RATE_LIMITS.get(group)
    if rule is None:
        return False
    from .ratelimit import hit

    limit_group, rate = rule
    return hit(request, limit_group, rate())


def _answer(entry: dict[str, Any]) -> HttpResponse:
    hit = HttpResponse(entry["content"], status=entry["status"])
    for name, value in entry["headers"]:
        hit[name] = value
    hit["X-Ruta-Cache"] = "hit"
    return hit


class AnonymousPageCacheMiddleware:
    """Serve and store the marked public responses (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        # The views' rate limits are registered when their modules load, which the URLconf does: load it now, or
        # a fresh process would serve cached answers unlimited until its first request that reaches a view.
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - imported for its registrations

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from .middleware import outage_response, replace_outage_error

        with request_memo(), outage_tolerant_cache():
            try:
                response = self._serve(request)
            except CacheUnavailable as exc:  # a rate limit that cannot be counted: refused, never unlimited
                return outage_response(request, exc) or HttpResponse(status=503)
            # A database or cache outage that a middleware below turned into a 500: the same 503 as a view's.
            return replace_outage_error(request, response)

    def _serve(self, request: HttpRequest) -> HttpResponseBase:
        key = _key(request)
        generations: dict[str, int] = {}
        if key is not None and (kept := _local_answer(key)) is not None:
            if _rate_limited(request, kept["group"]):
                return self.get_response(request)  # the view answers its own 429 (the request is counted once)
            return _answer(kept)
        if key is not None:
            values = self._lookup(request, key)
            generations = _generations(values)
            memo = _memo.get()
            if memo is not None:
                memo.update({_GEN[group]: value for group, value in generations.items()})
            entry = values.get(key)
            if (
                entry is not None
                and entry["generation"] == generations.get(entry["group"])
                and not _rate_limited(request, entry["group"])
            ):
                _learn_group(key, entry["group"])
                _keep_local_answer(key, entry)
                return _answer(entry)
        response = self.get_response(request)
        if (
            key is not None
            and isinstance(response, HttpResponse)
            and (marked := _storable(request, response))
            and marked[0] in generations  # not when the shared cache was down at the lookup
            and _query_variant_allowed(request, marked[1])
        ):
            group, timeout = marked
            _learn_group(key, group)
            headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_STORED_HEADERS]
            entry = {
                "group": group,
                "generation": generations[group],
                "status": response.status_code,
                "headers": headers,
                "content": response.content,
            }
            cache.set(key, entry, timeout=timeout)
            _keep_local_answer(key, entry)
        return response

    def _lookup(self, request: HttpRequest, key: str) -> dict[str, Any]:
        """The cached answer at ``key`` and every group's generation; when this process has seen ``key`` hold a
        rate-limited group's answer (a certificate's), the request is counted against that limit in the same
        round trip."""
        keys = [key, *_GEN.values()]
        rule = _RATE_LIMITS.get(_KEY_GROUPS.get(key, ""))
        if rule is None:
            return cache.get_many(keys)
        from .ratelimit import get_many_and_hit

        limit_group, rate = rule
        return get_many_and_hit(request, keys, limit_group, rate())


#: the group of the answer last stored or served at a key, per process (bounded): only used to count a request
#: against its rate limit in the lookup's round trip
_KEY_GROUPS: dict[str, str] = {}
_KEY_GROUPS_MAX = 50_000


def _learn_group(key: str, group: str) -> None:
    if group in _RATE_LIMITS and _KEY_GROUPS.get(key) != group:
        if len(_KEY_GROUPS) >= _KEY_GROUPS_MAX:
            _KEY_GROUPS.clear()
        _KEY_GROUPS[key] = group


def bump_pages(**kwargs: Any) -> None:
    """Signal receiver: a page, site or theme changed."""
    bump("pages")


def bump_everything(**kwargs: Any) -> None:
    """Signal receiver: something every public page shows changed (the site's theme)."""
    for group in GROUPS:
        bump(group)
