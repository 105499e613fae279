"""Offline study bundle: what an enrolled learner's phone downloads to study a course without signal, with sizes;
the bundle's size budget; and that learners who never download get no service worker."""

import gzip
import os
import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail_factories import ImageFactory

from courses.models import Enrollment, LessonPage, ModulePage
from courses.selectors import offline_bundle_for_learner
from courses.services import enrollment_create
from lms.accounts.selectors import learner_tag
from tests.courses.factories import build_course, single_choice, text_block, true_false
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db

BUNDLE_BUDGET = 500 * 1024
SW_URL = "/aprender/sin-conexion/sw.js"


def document(name: str, size: int) -> Document:
    doc = Document(title=name)
    doc.file.save(name, ContentFile(b"x" * size), save=False)
    doc.save()
    return doc


def image_block(image) -> dict:
    return {"type": "image", "value": {"image": image.pk, "alt": "Un puesto de comida en Lima", "caption": ""}}


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.live().descendant_of(course).order_by("path"))


def publish(lesson, body):
    lesson.body = body
    lesson.save_revision().publish()


@pytest.fixture
def learner():
    return UserFactory(first_name="Rosa Elena", last_name="Quispe Mamani", phone="+51987654321", email="")


def text_course_with_images(*, lessons: int = 10, modules: int = 2):
    """A text course with one image and one graded activity per lesson (like the seeded IMESUN courses)."""
    course = build_course(modules=modules, lessons_per_module=lessons // modules, title="Genere su Idea de Negocio")
    for n, lesson in enumerate(lessons_of(course)):
        publish(
            lesson,
            [
                text_block("Una buena idea de negocio responde a una necesidad real de tu comunidad. " * 30),
                image_block(ImageFactory(title=f"Ilustración {n}")),
                single_choice(),
            ],
        )
    return course


def test_only_enrolled_learners_get_the_bundle(client, learner):
    course = build_course()
    url = reverse("courses:offline_bundle", args=[course.pk])
    assert client.get(url).status_code == 401
    client.force_login(learner)
    assert client.get(url).status_code == 403
    enrollment = enrollment_create(user=learner, course=course)
    assert client.get(url).status_code == 200
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save()
    assert client.get(url).status_code == 403


def test_bundle_lists_pages_assets_low_data_images_and_opt_in_files_with_sizes(client, learner):
    course = build_course(modules=2, lessons_per_module=2)
    first, second, *_ = lessons_of(course)
    manual = document("manual-del-curso.pdf", 120_000)
    video = document("clientes.mp4", 2_500_000)
    captions = document("clientes.vtt", 300)
    publish(
        first, [text_block("Observa tu barrio."), image_block(ImageFactory(title="Bodega en Quito")), single_choice()]
    )
    publish(
        second,
        [
            {"type": "document", "value": {"document": manual.pk, "title": "", "description": ""}},
            {"type": "video", "value": {"title": "Clientes", "file": video.pk, "captions": captions.pk, "url": ""}},
        ],
    )
    enrollment_create(user=learner, course=course)
    client.force_login(learner)

    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()

    by_kind: dict[str, list[dict]] = {}
    for item in data["items"]:
        by_kind.setdefault(item["kind"], []).append(item)
        assert item["size"] > 0, item
    assert [i["url"] for i in by_kind["page"]] == [course.url] + [lesson.url for lesson in lessons_of(course)]
    assert "/static/courses/offline.js" in [i["url"] for i in by_kind["asset"]]
    assert "/static/content/activities.js" in [i["url"] for i in by_kind["asset"]]
    [image] = by_kind["image"]
    assert re.search(r"\.width-360\.format-webp\.webp$", image["url"]), image
    assert [(i["url"], i["size"]) for i in by_kind["document"]] == [(manual.url, 120_000)]
    assert sorted(i["size"] for i in by_kind["media"]) == [300, 2_500_000]
    assert data["sizes"]["document"] == 120_000 and data["sizes"]["media"] == 2_500_300
    assert data["sizes"]["base"] == sum(i["size"] for k in ("page", "asset", "image") for i in by_kind[k])
    # The cache carries the learner's tag (a shared phone keeps each learner's download apart): not personal data.
    tag = learner_tag(user=learner)
    assert data["scope"] == course.url and data["cache"] == f"ruta-offline-{tag}-{course.pk}"
    assert re.fullmatch(r"[0-9a-f]{16}", tag) and learner.phone not in data["cache"]
    assert tag != learner_tag(user=UserFactory(first_name="Dayana", phone="+593991234567", email=""))


def test_module_bundle_holds_only_that_modules_lessons(client, learner):
    course = build_course(modules=2, lessons_per_module=2)
    module = ModulePage.objects.child_of(course).order_by("path").last()
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk]), {"modulo": module.pk}).json()
    pages = [i["url"] for i in data["items"] if i["kind"] == "page"]
    assert pages == [course.url] + [lesson.url for lesson in LessonPage.objects.child_of(module).order_by("path")]
    assert data["module"] == {"id": module.pk, "title": "Módulo 2"}
    other = build_course()
    foreign = ModulePage.objects.child_of(other).get()
    assert client.get(reverse("courses:offline_bundle", args=[course.pk]), {"modulo": foreign.pk}).status_code == 404


def test_bundle_version_changes_when_a_lesson_is_published(learner):
    course = build_course(modules=1, lessons_per_module=2)
    before = offline_bundle_for_learner(course=course, user=learner).version
    assert offline_bundle_for_learner(course=course, user=learner).version == before
    publish(lessons_of(course)[1], [text_block("Texto corregido por la autora.")])
    assert offline_bundle_for_learner(course=course, user=learner).version != before


def test_a_republished_lesson_changes_only_its_own_version_and_the_outlines(client, learner):
    """Each item carries a version (``v``): the phone downloads again only the items whose version changed."""
    course = build_course(modules=2, lessons_per_module=1)
    first, second = lessons_of(course)
    manual = document("plan-de-negocio.pdf", 40_000)
    publish(first, [text_block("Observa tu barrio."), image_block(ImageFactory(title="Bodega en Quito"))])
    publish(second, [{"type": "document", "value": {"document": manual.pk, "title": "", "description": ""}}])
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    url = reverse("courses:offline_bundle", args=[course.pk])

    def versions(**params) -> dict[str, str]:
        return {item["url"]: item["v"] for item in client.get(url, params).json()["items"]}

    before = versions()
    assert all(re.fullmatch(r"[0-9a-f]{12}", v) for v in before.values()), before
    assert versions() == before
    # A module's bundle gives the same versions to the same files (the outline shows the whole course).
    module = ModulePage.objects.get(pk=second.get_parent().pk)
    assert versions(modulo=module.pk).items() <= before.items()

    publish(second, [text_block("La autora corrigió esta lección: ahora pide un presupuesto.")])
    after = versions()
    changed = {u for u in before if before[u] != after.get(u)}
    assert changed == {course.url, second.url, manual.url}  # the document left the lesson: no longer listed
    assert manual.url not in after
    [image] = [u for u in after if u.endswith(".webp")]
    assert after[image] == before[image] and after[first.url] == before[first.url]
    assert all(after[u] == before[u] for u in after if u.startswith("/static/"))
    # A republished lesson whose text is the same is still downloaded again (its page may show other things).
    publish(first, [text_block("Observa tu barrio."), image_block(Image.objects.get())])
    again = versions()
    assert again[first.url] != after[first.url] and again[image] == after[image]


def test_bundle_runs_a_fixed_number_of_queries(client, learner):
    small = text_course_with_images(lessons=2, modules=1)
    large = text_course_with_images(lessons=12, modules=3)
    client.force_login(learner)
    for course in (small, large):
        enrollment_create(user=learner, course=course)
        client.get(reverse("courses:offline_bundle", args=[course.pk]))  # renditions are made once, then kept
        # 9: the request writes when the course was downloaded, and a writing request reads the writer's roles
        # once (lms/learnercache.py: whose cached pages the write may change)
        with assert_max_data_queries(9):
            response = client.get(reverse("courses:offline_bundle", args=[course.pk]))
        assert response.status_code == 200


def _actual_bytes(client, url: str) -> int:
    if url.startswith("/static/"):
        path = finders.find(url.removeprefix("/static/"))
        assert path, url
        with open(path, "rb") as handle:
            return len(handle.read())
    if url.startswith("/media/"):
        with default_storage.open(url.removeprefix("/media/")) as handle:
            return len(handle.read())
    response = client.get(unescape(url))
    assert response.status_code == 200, url
    content = response.content
    return len(gzip.decompress(content)) if response.get("Content-Encoding") == "gzip" else len(content)


def test_ten_lesson_text_course_with_images_downloads_in_at_most_500_kb(client, learner):
    course = text_course_with_images(lessons=10, modules=2)
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    assert sum(1 for i in data["items"] if i["kind"] == "page") == 11
    assert sum(1 for i in data["items"] if i["kind"] == "image") == 10
    # What the phone really stores (uncompressed): every listed file plus what the page links besides (theme CSS).
    page = client.get(course.url).content.decode()
    extra = {u for u in re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', page)} - {
        i["url"] for i in data["items"]
    }
    total = sum(_actual_bytes(client, i["url"]) for i in data["items"]) + sum(_actual_bytes(client, u) for u in extra)
    print(f"offline bundle of a 10-lesson text course with images: {total} bytes (listed {data['sizes']['base']})")
    assert total <= BUNDLE_BUDGET, f"{total} bytes"
    assert data["sizes"]["base"] <= BUNDLE_BUDGET


def test_estimated_page_sizes_are_close_to_the_real_pages(client, learner):
    course = text_course_with_images(lessons=4, modules=2)
    publish(lessons_of(course)[0], [text_block("Cuenta tus costos. " * 200), single_choice(), true_false()])
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    for item in data["items"]:
        if item["kind"] == "page":
            actual = _actual_bytes(client, item["url"])
            assert 0.6 * actual <= item["size"] <= 1.5 * actual, (item["url"], item["size"], actual)


def test_pages_of_a_learner_who_never_downloads_load_no_service_worker(client, learner):
    course = build_course(modules=1, lessons_per_module=2)
    lesson = lessons_of(course)[0]
    publish(lesson, [text_block("Observa tu barrio."), single_choice()])
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    course_html = client.get(course.url).content.decode()
    lesson_html = client.get(lesson.url).content.decode()
    # The course page offers the download; the worker's address is only in a data attribute, registered on request.
    assert "Descargar para estudiar sin conexión" in course_html
    assert not re.search(r"<script[^>]+sw\.js", course_html)
    assert "sw.js" not in lesson_html and "offline.js" not in lesson_html
    for src in re.findall(r'<script[^>]+src="([^"]+)"', course_html + lesson_html):
        assert "sw" not in src.rsplit("/", 1)[-1], src
    # Nobody else is offered a download.
    client.force_login(UserFactory(first_name="Dayana", phone="+593991234567", email=""))
    assert "Descargar para estudiar sin conexión" not in client.get(course.url).content.decode()


def test_service_worker_is_served_for_the_course_scope(client):
    response = client.get(SW_URL, {"curso": 5})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"ruta-offline-" + LEARNER + "-" + COURSE' in body and '"title": "Sin conexi\\u00f3n"' in body
    # In the page's language, whatever the worker's own request says.
    english = client.get(SW_URL, {"curso": 5, "idioma": "en"}, headers={"Accept-Language": "es"}).content.decode()
    assert '"title": "Offline"' in english and '"lang": "en"' in english
    # The worker and the page script that downloads add at most 30 KB, and only for learners who download.
    with open(finders.find("courses/offline.js"), "rb") as handle:
        assert len(body.encode()) + len(handle.read()) <= 30 * 1024


def test_downloaded_lesson_pages_carry_no_correct_answers(client, learner):
    course = build_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    publish(lesson, [single_choice("¿Qué conviene hacer antes de invertir?"), true_false(answer="false")])
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    for item in data["items"]:
        if item["kind"] == "page":
            html = client.get(item["url"]).content.decode()
            assert "Conversar con clientes" in html or "invertir" not in html  # the options are shown...
            assert "is-correct" not in html and "correct_answer" not in html  # ...but nothing says which is right
            assert '"correct"' not in html and "data-correct" not in html


def test_downloading_a_lesson_is_not_a_visit(client, learner):
    from courses.models import LessonProgress

    course = build_course(modules=1, lessons_per_module=2)
    enrollment = enrollment_create(user=learner, course=course)
    client.force_login(learner)
    first, second = lessons_of(course)
    assert client.get(second.url, headers={"X-Ruta-Download": "1"}).status_code == 200
    assert not LessonProgress.objects.filter(enrollment=enrollment).exists()
    client.get(first.url)  # opened by the learner: viewed
    assert list(LessonProgress.objects.filter(enrollment=enrollment).values_list("lesson_id", flat=True)) == [first.pk]


def test_trainers_see_who_studies_offline_and_when_they_last_synced(client):
    """Downloading is recorded (the bundle request), a sync only when the course's worker reports lessons read
    offline; a plain visit or the download's own page fetches are neither. The trainer sees both on the group."""
    from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of

    cohort = CohortFactory(name="GIN Guayaquil (noche)", country="EC", region="Guayas", city="Guayaquil")
    course = cohort.course
    learner = member_of(cohort, UserFactory(first_name="Jhonny", last_name="Cedeño Zambrano", phone="+593991234567"))
    trainer = trainer_of(cohort, UserFactory(first_name="Patricia", last_name="Gómez Vargas"))
    enrollment_create(user=learner, course=course)
    lesson = lessons_of(course)[0]

    def group_page() -> str:
        client.force_login(trainer)
        return client.get(reverse("cohorts:dashboard", args=[cohort.pk])).content.decode()

    assert "Estudia sin conexión" not in group_page()

    client.force_login(learner)
    assert client.get(reverse("courses:offline_bundle", args=[course.pk])).status_code == 200
    client.get(lesson.url, HTTP_X_RUTA_DOWNLOAD="1")  # the download fetching the page: not a sync
    client.get(lesson.url)  # an online visit: not a sync either
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.offline_downloaded_at is not None and enrollment.offline_synced_at is None
    page = group_page()
    assert "Estudia sin conexión: descargó el curso hace" in page
    assert "todavía no sincroniza lo que estudió sin conexión" in page

    client.force_login(learner)
    client.get(lesson.url, HTTP_X_RUTA_OFFLINE="1")  # the worker reporting a lesson read offline
    assert Enrollment.objects.get(pk=enrollment.pk).offline_synced_at is not None
    page = group_page()
    assert "sincronizó hace" in page and "todavía no sincroniza" not in page


def test_a_lesson_with_a_package_keeps_its_player_script_but_not_the_package_files(client, learner, private_root):
    """A downloaded lesson that embeds a SCORM package needs the lesson side of the player offline (it says the
    package waits for the signal and keeps progress given without signal), sized like every static file; the
    package's own files are not downloaded: a sandboxed frame is never served by the worker, so they would be
    megabytes the learner pays for and cannot play. A course without packages does not get the player at all."""
    from content.packages.models import ContentPackage
    from tests.courses.test_package_progress import package_block

    course = build_course(modules=1, lessons_per_module=2)
    first, second = lessons_of(course)
    package = ContentPackage.objects.create(
        engine="scorm12", title="Golf", storage_prefix="paquetes/golf/", file_count=57, total_size=1_800_000
    )
    publish(first, [text_block("Practica antes de la prueba."), package_block(package)])
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()

    assets = {i["url"]: i for i in data["items"] if i["kind"] == "asset"}
    player = assets["/static/packages/player.js"]
    assert player["size"] == os.path.getsize(finders.find("packages/player.js")) and player["v"]
    assert not [i for i in data["items"] if "/paquetes/" in i["url"] or "/vendor/" in i["url"]]
    assert data["sizes"]["base"] == sum(i["size"] for i in data["items"] if i["kind"] in ("page", "asset", "image"))
    # Without a package in any lesson, the player is not downloaded.
    publish(first, [text_block("Practica antes de la prueba.")])
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    assert "/static/packages/player.js" not in [i["url"] for i in data["items"]]
