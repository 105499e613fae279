"""A lesson with text, an image and three activities stays under 120 KB compressed and runs no third-party script."""

import gzip
import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders
from wagtail_factories import ImageFactory

from courses.models import LessonPage
from courses.services import enrollment_create
from tests.courses.factories import build_course, fill_blanks, single_choice, text_block, true_false

pytestmark = pytest.mark.django_db

BUDGET = 120 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def read_asset(url: str, client) -> bytes:
    if url.startswith("/tema/"):  # the theme's colours: a same-origin stylesheet Ruta renders
        response = client.get(unescape(url))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
        return response.content
    assert url.startswith("/static/"), f"third-party or unexpected asset: {url}"
    path = finders.find(url.removeprefix("/static/").split("?")[0])
    assert path, f"missing static file {url}"
    with open(path, "rb") as handle:
        return handle.read()


@pytest.fixture
def lesson_with_activities(user):
    course = build_course(lessons_per_module=2)
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    image = ImageFactory(title="Puesto de comida")
    lesson.body = [
        text_block("Una idea de negocio nace de una necesidad. " * 40),
        {"type": "image", "value": {"image": image.pk, "alt": "Un puesto de comida", "caption": "Mercado"}},
        single_choice(),
        true_false(),
        fill_blanks(),
    ]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    enrollment_create(user=user, course=course)
    return LessonPage.objects.get(pk=lesson.pk)


def test_lesson_first_load_is_under_120_kb_compressed(client, user, lesson_with_activities):
    client.force_login(user)
    page = client.get(lesson_with_activities.url).content
    assert page.count(b'class="activity ') == 3
    assert b'loading="lazy"' in page and b"srcset=" in page and b".webp" in page
    assets = sorted(set(ASSET.findall(page.decode())))
    assert assets, "the page references its CSS"
    total = gz(page) + sum(gz(read_asset(url, client)) for url in assets)
    print(f"lesson first load: {total} bytes gzip (HTML + {assets})")
    assert total <= BUDGET, f"{total} bytes compressed (HTML + {assets})"


def test_lesson_runs_no_third_party_script(client, user, lesson_with_activities):
    client.force_login(user)
    html = client.get(lesson_with_activities.url).content.decode()
    for src in re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html):
        assert src.startswith("/static/"), src
    assert "//" not in "".join(re.findall(r"<script[^>]*\ssrc=\"([^\"]+)\"", html))
    assert not re.search(r"<iframe", html)
