"""Outages of the production stack (PostgreSQL + Redis for cache and sessions): ``/healthz`` always answers JSON
and names what is down; with Redis unreachable pages keep working from the database, and what cannot work without
it (a rate limit to count: login, verification) answers a Spanish 503 with Retry-After, never a 500 and never
unlimited; with PostgreSQL down a signed-in learner gets the same 503 as anyone, not a 500.

Redis is really unreachable here: the cache points at port 1 on loopback, where nothing listens. The database
cannot be stopped under the test, so only its cursor refuses, as a dropped PostgreSQL does."""

import uuid
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from certification.services import certificate_revoke
from courses.services import enrollment_create
from lms import pagecache
from tests.certification.factories import issue
from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, catalogue, text_block
from tests.lms.accounts.factories import UserFactory
from tests.outages import database_down

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"
DEAD_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1: connection refused at once
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        "KEY_PREFIX": "ruta",
    }
}
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outages"}}


@pytest.fixture(autouse=True)
def _fresh_outage_state():
    """Every test starts with the shared cache taken for up (this process remembers an outage for a few seconds)."""

    def forget():
        if (outage := getattr(pagecache, "_outage", None)) is not None:
            outage.until, outage.seen = 0.0, False
            outage.skipped.clear()

    forget()
    yield
    forget()


@pytest.fixture
def redis_down(settings):
    """Sessions in the cache with a database copy, as in production (``cached_db``), and Redis unreachable."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    def cut():
        settings.CACHES = DEAD_REDIS

    return cut


@pytest.fixture
def lesson():
    catalogue()
    course = CoursePageFactory(title="Genere su Idea de Negocio")
    module = ModulePageFactory(parent=course, title="Tu idea")
    return LessonPageFactory(parent=module, title="Costos y precios", body=[text_block("Calcula tu costo unitario.")])


def _learner(lesson):
    user = UserFactory(first_name="María José", last_name="Peña Núñez", phone="+51987001122", password=PASSWORD)
    enrollment_create(user=user, course=lesson.get_parent().get_parent().specific)
    client = Client()
    client.force_login(user)
    return user, client


def _spanish_503(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "no-store" in response["Cache-Control"]


# --- Redis down ----------------------------------------------------------------------------------------------------


def test_healthz_answers_json_503_naming_the_cache_when_redis_is_down(client, redis_down):
    redis_down()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "error"
    assert body["down"] == ["cache"]
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError", "backend": "RedisCache"}
    assert body["checks"]["database"]["ok"] is True


def test_healthz_shows_redis_down_even_while_pages_take_it_for_a_miss(client, redis_down, lesson):
    redis_down()
    assert client.get("/").status_code == 200  # this process now takes Redis for down a few seconds
    assert client.get("/healthz").json()["down"] == ["cache"]  # health asks Redis itself


def test_home_catalogue_and_a_course_page_work_without_redis(client, redis_down, lesson):
    course_url = lesson.get_parent().get_parent().url
    redis_down()
    home = client.get("/")
    assert home.status_code == 200
    assert client.get("/cursos/").status_code == 200
    course = client.get(course_url)
    assert course.status_code == 200
    assert "Genere su Idea de Negocio" in course.content.decode()


def test_signed_in_learner_reads_lessons_and_mis_cursos_without_redis(redis_down, lesson):
    _user, learner = _learner(lesson)  # signed in while Redis was up; the session is also in the database
    lesson_url = lesson.url
    learner.get("/aprender/mis-cursos/")  # the learners' cache learns the path
    learner.get(lesson_url)
    redis_down()

    mine = learner.get("/aprender/mis-cursos/")
    assert mine.status_code == 200
    assert "Genere su Idea de Negocio" in mine.content.decode()
    page = learner.get(lesson_url)
    assert page.status_code == 200
    assert "Calcula tu costo unitario." in page.content.decode()


def test_verification_page_fails_closed_with_a_spanish_503_when_its_rate_limit_cannot_be_counted(client, redis_down):
    certificate = issue()
    redis_down()
    for url in (reverse("certification:verify_form"), reverse("certification:verify", args=[certificate.code])):
        response = client.get(url)
        _spanish_503(response)
        assert "Vuelve en un minuto" in response.content.decode()
        assert "uno de sus servicios no responde" in response.content.decode()


def test_login_is_refused_with_a_spanish_503_not_let_through_unlimited_when_redis_is_down(redis_down, lesson):
    UserFactory(username="aprendiz-quito", phone="+593991234567", password=PASSWORD)
    redis_down()
    client = Client()
    assert client.get(reverse("account_login")).status_code == 200  # the form still shows

    response = client.post(reverse("account_login"), {"login": "+593991234567", "password": PASSWORD})

    _spanish_503(response)
    assert "Inténtalo de nuevo en un minuto" in response.content.decode()
    assert not any(session.get_decoded().get("_auth_user_id") for session in Session.objects.all())


def test_a_revocation_during_a_redis_outage_shows_when_redis_answers_again(client, settings):
    """The invalidation skipped while Redis was down (the certificates' generation) is made when it answers again:
    the «valid» answer cached before the outage is never served after it. (Redis is stood in for by local memory
    whose calls fail like a dropped Redis, so the same cache can come back with its old entries.)"""
    settings.CACHES = LOCAL_CACHE
    certificate = issue()
    url = reverse("certification:verify", args=[certificate.code])
    client.get(url)
    assert client.get(url)["X-Ruta-Cache"] == "hit"

    failing = mock.patch.multiple(
        LocMemCache, **{name: mock.DEFAULT for name in ("get", "get_many", "set", "add", "incr", "delete", "has_key")}
    )
    with mock.patch.object(pagecache, "_is_redis", return_value=True):
        with failing as methods:
            for method in methods.values():
                method.side_effect = RedisConnectionError("Connection refused")
            with pagecache.outage_tolerant_cache():  # as within the trainer's request that revokes
                certificate_revoke(certificate=certificate, actor=None, reason="Datos del titular equivocados")
        pagecache._outage.until = 0.0  # OUTAGE_SECONDS later, Redis answers again with what it held

        answer = client.get(url)

    assert answer.status_code == 200
    assert answer.get("X-Ruta-Cache") != "hit"
    assert 'data-status="revoked"' in answer.content.decode()


# --- PostgreSQL down -----------------------------------------------------------------------------------------------


@pytest.fixture
def redis_up(settings):
    """Redis stands for itself here (the embedded default's cache is the database, which is the thing down)."""
    settings.CACHES = LOCAL_CACHE
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_signed_in_learner_gets_a_503_with_retry_after_not_a_500_while_the_database_is_down(redis_up, lesson):
    _user, learner = _learner(lesson)
    for url in ("/aprender/mis-cursos/", lesson.url):
        assert learner.get(url).status_code == 200  # the learners' cache learns the path

        with database_down():
            response = learner.get(url)

        _spanish_503(response)
        text = response.content.decode()
        assert "Vuelve en un minuto" in text and "no puede guardar ni mostrar datos" in text


def test_healthz_answers_json_503_naming_the_database_for_a_signed_in_visitor(redis_up, lesson):
    _user, learner = _learner(lesson)
    with database_down():
        response = learner.get("/healthz")
    assert response.status_code == 503
    assert response.json()["down"] == ["database"]


def test_an_outage_inside_a_middleware_below_the_page_cache_becomes_the_503(redis_up, lesson, settings):
    """Any middleware (allauth's, Wagtail's) that meets the outage: Django makes a 500 of it, the page cache's
    layer answers the 503 instead."""
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.lms.test_outages.QueryingMiddleware"]
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get("/cursos/", HTTP_ACCEPT="application/json")
    _spanish_503(response)
    assert response.json()["retry"] is True


class QueryingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from lms.accounts.models import User

        User.objects.filter(username=f"nadie-{uuid.uuid4()}").exists()
        return self.get_response(request)


def test_the_outage_tolerant_cache_answers_key_in_cache_as_the_cache_does():
    """The cached_db session store asks ``key in cache`` when it makes a session key (every login): the wrapper must
    answer it (CI on PostgreSQL + Redis: 49 logins failed with «argument of type 'OutageTolerantCache' is not
    iterable»)."""
    from django.core.cache.backends.locmem import LocMemCache

    from lms.pagecache import OutageTolerantCache

    backend = LocMemCache("outage-contains", {})
    wrapped = OutageTolerantCache(backend)
    backend.set("sesión-de-Ñusta", 1)
    assert "sesión-de-Ñusta" in wrapped
    assert "otra" not in wrapped
