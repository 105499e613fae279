"""Public pages kept for anonymous visitors (lms/pagecache.py): fast, but never one person's page for another,
never stale after a publish or a revocation, and still rate-limited."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from certification.services import certificate_revoke
from courses.services import enrollment_create
from tests.certification.factories import issue
from tests.courses.factories import build_course, catalogue
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def get(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


def test_the_second_anonymous_visit_is_served_from_the_shared_cache():
    course = build_course(title="Genere su Idea de Negocio")
    first, _ = get(Client(), course.url)
    again, queries = get(Client(), course.url)
    assert first.status_code == again.status_code == 200
    assert again["X-Ruta-Cache"] == "hit" and "X-Ruta-Cache" not in first
    assert again.content == first.content
    assert queries <= 2  # the cache lookups (the test cache lives in the database); no page query
    assert "Content-Security-Policy" in again and "nonce" not in again["Content-Security-Policy"]


def test_a_learner_never_gets_the_anonymous_page_nor_leaves_theirs_for_others():
    course = build_course(title="Educación financiera")
    maria = UserFactory(first_name="María José", last_name="Briceño Peña", phone="+51987654321")
    jhonny = UserFactory(first_name="Jhonny", last_name="Cedeño Zambrano", phone="+593987654321")
    enrollment_create(user=maria, course=course)
    anonymous = Client()
    assert "Crear una cuenta para inscribirme" in anonymous.get(course.url).text
    assert anonymous.get(course.url)["X-Ruta-Cache"] == "hit"

    for person in (maria, jhonny):
        client = Client()
        client.force_login(person)
        page = client.get(course.url)
        assert "X-Ruta-Cache" not in page
        assert "Crear una cuenta para inscribirme" not in page.text
        assert "Salir" in page.text
        # Maria is enrolled (continue), Jhonny is not (enrol): each sees their own state.
        assert ("Empezar el curso" in page.text) == (person == maria)
        assert ("Inscribirme en este curso" in page.text) == (person == jhonny)

    page = anonymous.get(course.url)
    assert "Salir" not in page.text and "Empezar el curso" not in page.text
    assert "Inscribirme en este curso" not in page.text and "Crear una cuenta para inscribirme" in page.text


def test_a_published_edit_shows_at_once():
    course = build_course(title="Seguridad y salud en el trabajo")
    anonymous = Client()
    anonymous.get(course.url)
    assert anonymous.get(course.url)["X-Ruta-Cache"] == "hit"
    course.title = "Seguridad y salud en el trabajo (SST) — edición 2027"
    course.save_revision().publish()
    page = anonymous.get(course.url)
    assert "X-Ruta-Cache" not in page and "edición 2027" in page.text
    assert "edición 2027" in anonymous.get(catalogue().url).text


def test_a_revocation_shows_on_the_next_verification_and_api_request():
    certificate = issue(user=UserFactory(first_name="Rosa Elena", last_name="Quispe Mamani"))
    employer = Client()
    page_url, api_url = f"/certificados/v/{certificate.code}", f"/api/v1/certificates/{certificate.code}"
    for url in (page_url, api_url):
        employer.get(url)
        assert employer.get(url)["X-Ruta-Cache"] == "hit"
    assert employer.get(api_url).json()["status"] == "valid"

    certificate_revoke(certificate=certificate, actor=None, reason="Emitido por error")

    api = employer.get(api_url)
    assert "X-Ruta-Cache" not in api and api.json()["status"] == "revoked"
    assert "Revocado" in employer.get(page_url).text


def test_a_revocation_made_by_another_process_shows_within_half_a_second():
    """Each process keeps the verification answers it served for half a second: a revocation made elsewhere (only
    the shared generation moves here) shows once that has passed; a course page is never kept this way."""
    import time

    from django.core.cache import cache
    from django.utils import timezone

    from certification.models import Certificate

    certificate = issue(user=UserFactory(first_name="Dayana", last_name="Chávez Ñaupari"))
    employer = Client()
    api_url = f"/api/v1/certificates/{certificate.code}"
    employer.get(api_url)
    assert employer.get(api_url).json()["status"] == "valid"
    # Another process revokes it: the row changes and the shared generation moves, this process is not told.
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    cache.incr("ruta:pc:gen:certificates")
    started = time.monotonic()
    while employer.get(api_url).json()["status"] == "valid":
        assert time.monotonic() - started <= 0.5 + 0.25  # the default RUTA_VERIFY_LOCAL_SECONDS
        time.sleep(0.05)

    course = build_course(title="Contratación equitativa")
    Client().get(course.url)
    assert Client().get(course.url)["X-Ruta-Cache"] == "hit"
    from courses.models import CoursePage

    CoursePage.objects.filter(pk=course.pk).update(title="Contratación equitativa (2027)")
    cache.incr("ruta:pc:gen:pages")  # another process published
    assert "(2027)" in Client().get(course.url).text  # at once


@pytest.mark.parametrize(("configured", "kept"), [("0", False), ("30", True)])
def test_how_long_a_process_keeps_answers_is_a_setting_bounded_by_a_second(settings, configured, kept):
    """0 turns it off: a revocation elsewhere shows on the next request; a larger value is cut to one second."""
    import time

    from django.core.cache import cache
    from django.utils import timezone

    from certification.models import Certificate

    settings.RUTA_VERIFY_LOCAL_SECONDS = float(configured)
    certificate = issue(user=UserFactory(first_name="Nayeli", last_name="Cañar Guamán"))
    api_url = f"/api/v1/certificates/{certificate.code}"
    Client().get(api_url)
    Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
    cache.incr("ruta:pc:gen:certificates")  # revoked by another process
    started = time.monotonic()
    assert (Client().get(api_url).json()["status"] == "valid") is kept
    while Client().get(api_url).json()["status"] == "valid":
        assert time.monotonic() - started <= 1.0 + 0.25
        time.sleep(0.05)


def test_the_rate_limit_holds_for_answers_a_process_keeps(settings):
    settings.RUTA_VERIFY_RATE = "3/m"
    certificate = issue()
    Client(REMOTE_ADDR="203.0.113.9").get(f"/api/v1/certificates/{certificate.code}")  # kept by this process now
    employer = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [employer.get(f"/api/v1/certificates/{certificate.code}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_the_rate_limit_holds_for_cached_answers(settings):
    settings.RUTA_VERIFY_RATE = "3/m"
    certificate = issue()
    employer = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [employer.get(f"/api/v1/certificates/{certificate.code}").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert Client(REMOTE_ADDR="203.0.113.8").get(f"/api/v1/certificates/{certificate.code}").status_code == 200


def test_languages_are_kept_apart():
    course = build_course(title="Get Ahead")
    spanish, english = Client(), Client()
    english.cookies["django_language"] = "en"
    for _ in range(2):
        assert 'lang="es"' in spanish.get(course.url).text
        assert 'lang="en"' in english.get(course.url).text


def test_visitors_with_a_session_or_a_message_bypass_the_cache():
    course = build_course()
    Client().get(course.url)
    assert Client().get(course.url)["X-Ruta-Cache"] == "hit"
    with_message = Client()
    with_message.cookies["messages"] = "x"
    assert "X-Ruta-Cache" not in with_message.get(course.url)
    with_session = Client()
    with_session.cookies["sessionid"] = "not-a-session"
    assert "X-Ruta-Cache" not in with_session.get(course.url)


def test_a_credential_id_answers_machines_and_people_apart():
    """The same URL answers JSON to a verifier asking for it and the page to a browser: never one for the other."""
    certificate = issue(user=UserFactory(first_name="Begoña", last_name="Ibáñez Ríos"))
    url = f"/certificados/v/{certificate.code}"
    browser = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    machine = {"HTTP_ACCEPT": "application/ld+json"}
    for _ in range(2):
        assert Client().get(url, **machine)["Content-Type"].startswith("application/")
        page = Client().get(url, **browser)
        assert page["Content-Type"].startswith("text/html") and "Begoña" in page.text
    assert Client().get(url, **browser)["X-Ruta-Cache"] == "hit"


def test_within_a_request_shared_values_are_read_once_and_a_publish_is_seen_at_once():
    from lms.pagecache import bump, request_memo, shared_value

    loads = []

    def load():
        loads.append(1)
        return {"modules": len(loads)}

    with request_memo():
        first = shared_value("ruta:test-structure", load)
        with CaptureQueriesContext(connection) as queries:  # the test cache lives in the database
            again = shared_value("ruta:test-structure", load)
        assert again is first and len(queries) == 0 and len(loads) == 1
        bump("pages")  # an author publishes during this request: what it reads next is the new generation's
        assert shared_value("ruta:test-structure", load) == {"modules": 2}
    # another request reads the shared cache, not the loader
    assert shared_value("ruta:test-structure", load) == {"modules": 2} and len(loads) == 2


def test_each_process_keeps_what_it_read_until_the_generation_changes_and_hands_out_copies():
    """A value read once is kept in the process: the next request asks the shared cache only for the generation
    (the entry may even be gone from it), gets its own copy, and a publish anywhere makes it read afresh."""
    from django.core.cache import cache

    from lms.pagecache import bump, generation, request_memo, shared_value

    loads = []

    def load():
        loads.append(1)
        return {"modules": [len(loads)]}

    with request_memo():
        first = shared_value("ruta:test-outline", load)
        first["modules"].append("changed by this request only")
    cache.delete(f"ruta:test-outline:{generation('pages')}")  # evicted from the shared cache
    with request_memo():
        again = shared_value("ruta:test-outline", load)
    assert again == {"modules": [1]} and again is not first and len(loads) == 1
    cache.incr("ruta:pc:gen:pages")  # another process publishes: only the shared generation moves
    with request_memo():
        assert shared_value("ruta:test-outline", load) == {"modules": [2]} and len(loads) == 2
    bump("pages")
    with request_memo():
        assert shared_value("ruta:test-outline", load) == {"modules": [3]}
    # Kept no longer than in the shared cache.
    assert shared_value("ruta:test-brief", load, timeout=0) == {"modules": [4]}
    assert shared_value("ruta:test-brief", load, timeout=0) == {"modules": [5]}


def test_a_lesson_seen_after_its_course_is_moved_shows_the_new_course():
    """The lesson's course is kept in the shared cache: moving the lesson to another course must not leave the
    old course's outline on it."""
    from courses.models import CoursePage, LessonPage, ModulePage

    first = build_course(title="Genere su Idea de Negocio", code="GIN-M")
    second = build_course(title="Inicie su Negocio", code="ISUN-M")
    learner = UserFactory(first_name="Ñusta", last_name="Quispe Huamán", phone="+51987000111")
    for course in (first, second):
        enrollment_create(user=learner, course=course)
    lesson = LessonPage.objects.descendant_of(first).order_by("path").first()
    client = Client()
    client.force_login(learner)
    assert "Genere su Idea de Negocio" in client.get(lesson.url).content.decode()
    target = ModulePage.objects.descendant_of(second).first()
    lesson.slug = "leccion-trasladada"
    lesson.save_revision().publish()
    lesson.move(target, pos="last-child")
    lesson = LessonPage.objects.get(pk=lesson.pk)
    page = client.get(lesson.url).content.decode()
    assert CoursePage.objects.get(pk=second.pk).title in page and "Genere su Idea de Negocio" not in page


def test_random_query_strings_and_accept_headers_cannot_fill_the_shared_cache():
    """Anyone can add ``?x=<random>`` (or send any Accept) to a public page: each used to be stored as a new entry
    for five minutes, which at a few thousand requests a second fills Redis. Now the Accept header is keyed by the
    type a negotiating page would pick, and only QUERY_VARIANTS_PER_PATH answers with a query string are stored per
    path — the rest are still answered, rendered."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from lms.pagecache import QUERY_VARIANTS_PER_PATH, _key

    def stored(url, **extra) -> bool:
        return cache.get(_key(RequestFactory().get(url, **extra))) is not None

    course = build_course(title="Educación financiera (Quito)")
    urls = [f"{course.url}?x={n}" for n in range(QUERY_VARIANTS_PER_PATH + 20)]
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 200 and "Educación financiera" in response.text
    assert sum(stored(url) for url in urls) == QUERY_VARIANTS_PER_PATH
    # Browsers' (and anyone's) Accept headers: every HTML-preferring one shares the entry of the first.
    headers = [f"text/html,application/xhtml+xml;q=0.9,image/x-{n};q=0.8,*/*;q=0.7" for n in range(10)]
    Client().get(course.url, HTTP_ACCEPT=headers[0])
    for accept in headers[1:]:
        assert Client().get(course.url, HTTP_ACCEPT=accept)["X-Ruta-Cache"] == "hit"
    assert stored(course.url, HTTP_ACCEPT="text/html")
