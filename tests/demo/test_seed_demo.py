"""``seed_demo`` builds the whole demo, prints the logins and one demo certificate line, and a second run
changes nothing (every row count in Ruta's apps and Wagtail's page tree stays the same)."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db

RUTA_APPS = {"accounts", "content", "packages", "courses", "cohorts", "imports", "certification", "trainers"}
RUTA_APPS |= {"competency", "reports", "wagtailcore", "wagtailimages", "wagtaildocs"}


def snapshot() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in RUTA_APPS}


def test_seed_demo_is_complete_and_idempotent():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = snapshot()
    text = out.getvalue()
    for username in ["participante", "facilitadora", "master", "evaluadora", "monitoreo", "cooperante"]:
        assert username in text
    assert re.search(r"Certificado de demostración: http\S+/certificados/v/\w+ PDF: http\S+/pdf", text)
    assert first["courses.CoursePage"] >= 9
    assert first["courses.LessonPage"] >= 9
    assert first["certification.Certificate"] >= 1
    assert first["cohorts.Cohort"] >= 1
    assert first["competency.CompetencyStandard"] >= 3

    call_command("seed_demo", stdout=io.StringIO())
    second = snapshot()
    changed = {label: (first[label], second[label]) for label in first if first[label] != second[label]}
    assert changed == {}
