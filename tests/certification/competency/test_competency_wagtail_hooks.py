"""Competency standards in the Wagtail admin (certification/competency/wagtail_hooks.py): staff create a new version
of a published standard, edit a draft's units and criteria and publish it, through the admin's own pages; published
and retired versions stay read-only (and publicly verifiable); each step needs its permission."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from certification.competency.models import CompetencyStandard, CompetencyUnit, PerformanceCriterion
from tests.certification.competency.factories import make_standard
from tests.lms.accounts.factories import staff_with

pytestmark = pytest.mark.django_db

PUBLISHED = CompetencyStandard.Status.PUBLISHED
RETIRED = CompetencyStandard.Status.RETIRED
DRAFT = CompetencyStandard.Status.DRAFT
ADMIN = ("wagtailadmin", "access_admin")
VIEW = ("competency", "view_competencystandard")
ADD = ("competency", "add_competencystandard")
CHANGE = ("competency", "change_competencystandard")
PUBLISH = ("competency", "publish_competencystandard")
NEW_CRITERION = "Saluda a la clienta en español o en quechua y le ofrece ayuda"


@pytest.fixture
def editor(client):
    user = staff_with(ADMIN, VIEW, ADD, CHANGE, PUBLISH, first_name="Begoña", last_name="Cárdenas")
    client.force_login(user)
    return user


@pytest.fixture
def bodeguero():
    return make_standard(units=1, criteria=2, code="VEN-PE-01", title="Atención en bodegas", status=PUBLISHED)


def unit_form_data(client, unit: CompetencyUnit):
    html = client.get(reverse("unidades:edit", args=[unit.pk])).content.decode()
    for index in range(5):
        data = querydict_from_html(html, form_index=index)
        if "criteria-TOTAL_FORMS" in data:
            return data
    raise AssertionError("no unit form on the page")


def test_standards_are_in_the_spanish_menu(client, editor):
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert json.dumps("Normas de competencia")[1:-1] in html  # the sidebar menu is JSON data in the page


def test_staff_version_a_standard_edit_a_criterion_and_publish_it(client, editor, bodeguero):
    v1 = bodeguero
    old_criterion = v1.units.get().criteria.first().text
    page = client.get(reverse("normas:inspect", args=[v1.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Crear versión nueva" in page and reverse("normas:publish", args=[v1.pk]) not in page
    assert reverse("unidades:edit", args=[v1.units.get().pk]) not in page  # published: nothing to edit

    confirm = client.get(reverse("normas:new_version", args=[v1.pk])).content.decode()
    assert "Sí, crear el borrador" in confirm
    response = client.post(reverse("normas:new_version", args=[v1.pk]))
    v2 = CompetencyStandard.objects.get(code="VEN-PE-01", version=2)
    assert response["Location"] == reverse("normas:inspect", args=[v2.pk])
    assert v2.status == DRAFT and v2.previous_version == v1

    page = client.get(reverse("normas:inspect", args=[v2.pk])).content.decode()
    unit = v2.units.get()
    assert reverse("unidades:edit", args=[unit.pk]) in page and reverse("normas:publish", args=[v2.pk]) in page
    assert old_criterion in page  # the copy of the criteria

    data = unit_form_data(client, unit)
    assert data["criteria-TOTAL_FORMS"] == "2"
    data["criteria-0-text"] = NEW_CRITERION
    response = client.post(reverse("unidades:edit", args=[unit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert NEW_CRITERION in [c.text for c in unit.criteria.all()]
    assert old_criterion in [c.text for c in v1.units.get().criteria.all()]  # the published version is untouched

    stale = unit_form_data(client, unit)  # a form left open in another tab while the draft is published
    assert "Sí, publicar" in client.get(reverse("normas:publish", args=[v2.pk])).content.decode()
    client.post(reverse("normas:publish", args=[v2.pk]))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (RETIRED, PUBLISHED)

    # The old version stays as it was, read-only in the admin and still verifiable on the public site.
    v1_unit = v1.units.get()
    assert client.get(reverse("normas:edit", args=[v1.pk]))["Location"] == reverse("normas:inspect", args=[v1.pk])
    stale["criteria-0-text"] = "Cambiado después de publicar"
    for target in (v1_unit, unit):
        response = client.post(reverse("unidades:edit", args=[target.pk]), stale)
        assert response["Location"] == reverse("normas:inspect", args=[target.standard_id])
    assert not PerformanceCriterion.objects.filter(text="Cambiado después de publicar").exists()
    public = client.get(reverse("competency:standard_detail", args=[v1.pk]))
    assert public.status_code == 200 and old_criterion in public.content.decode()


def test_a_drafts_question_bank_is_checked_against_its_activity_type(client, editor, bodeguero):
    import json

    draft = make_standard(units=1, questions=1, code="VEN-PE-01", version=2, status=DRAFT, previous_version=bodeguero)
    question = draft.units.get().questions.get()
    data = unit_form_data(client, question.unit)
    assert data["questions-TOTAL_FORMS"] == "1"
    value = json.loads(data["questions-0-value"])
    value["options"] = [{"text": "Saludar a la clienta", "correct": False, "feedback": ""}]  # no right answer
    data["questions-0-value"] = json.dumps(value)
    response = client.post(reverse("unidades:edit", args=[question.unit_id]), data)
    assert response.status_code == 200  # the form again, with the activity's own error
    assert "options: El mínimo número de elementos es 2" in response.content.decode()
    assert "Ir al primer error" in response.content.decode()  # Spanish, also when there are errors
    question.refresh_from_db()
    assert question.value["options"][0]["text"] == "Saludar"
    value["options"] += [{"text": "Ofrecerle ayuda en quechua", "correct": True, "feedback": ""}]
    data["questions-0-value"] = json.dumps(value)
    response = client.post(reverse("unidades:edit", args=[question.unit_id]), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert [o["text"] for o in question.value["options"]] == ["Saludar a la clienta", "Ofrecerle ayuda en quechua"]


def test_units_are_added_only_to_drafts(client, editor, bodeguero):
    draft = make_standard(units=0, code="VEN-EC-01", status=DRAFT, title="Ventas en mercados de Guayaquil")
    form = client.get(reverse("unidades:add") + f"?standard={draft.pk}").content.decode()
    assert f'<option value="{draft.pk}" selected>' in form
    assert f'<option value="{bodeguero.pk}"' not in form  # a published version is not offered
    base = {
        "order": "1", "code": "U1", "title": "Atender a la clientela", "question_count": "5", "pass_threshold": "70",
        "knowledge_max_attempts": "2", "rubric_threshold": "60", "training_url": "",
        "criteria-TOTAL_FORMS": "1", "criteria-INITIAL_FORMS": "0", "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000", "criteria-0-order": "1", "criteria-0-text": NEW_CRITERION,
        "criteria-0-is_critical": "on", "questions-TOTAL_FORMS": "0", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000", "rubric-TOTAL_FORMS": "0",
        "rubric-INITIAL_FORMS": "0", "rubric-MIN_NUM_FORMS": "0", "rubric-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    client.post(reverse("unidades:add"), base | {"standard": bodeguero.pk})
    assert bodeguero.units.count() == 1
    response = client.post(reverse("unidades:add"), base | {"standard": draft.pk})
    assert response["Location"] == reverse("normas:inspect", args=[draft.pk])
    assert [c.text for c in draft.units.get().criteria.all()] == [NEW_CRITERION]


def test_each_step_needs_its_permission(client, bodeguero):
    draft = make_standard(units=1, code="VEN-PE-01", version=2, status=DRAFT, previous_version=bodeguero)
    unit = draft.units.get()
    reader = staff_with(ADMIN, VIEW, CHANGE)  # may edit drafts, but neither version nor publish
    client.force_login(reader)
    page = client.get(reverse("normas:inspect", args=[draft.pk])).content.decode()
    assert reverse("normas:publish", args=[draft.pk]) not in page
    assert client.post(reverse("normas:publish", args=[draft.pk])).status_code != 200
    assert client.post(reverse("normas:new_version", args=[bodeguero.pk])).status_code != 200
    draft.refresh_from_db()
    assert draft.status == DRAFT and CompetencyStandard.objects.filter(code="VEN-PE-01").count() == 2

    client.force_login(staff_with(ADMIN, VIEW))  # reads only
    assert client.get(reverse("normas:inspect", args=[draft.pk])).status_code == 200
    assert client.get(reverse("unidades:edit", args=[unit.pk])).status_code == 302
    response = client.post(reverse("unidades:edit", args=[unit.pk]), {"title": "Sin permiso"})
    assert response["Location"] != reverse("normas:inspect", args=[draft.pk])  # refused, not redirected as done
    unit.refresh_from_db()
    assert unit.title != "Sin permiso"


def test_published_standards_are_read_only_and_drafts_editable(client, editor):
    published = make_standard(units=1, status=PUBLISHED)
    response = client.get(reverse("normas:edit", args=[published.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("normas:inspect", args=[published.pk])
    client.force_login(staff_with(ADMIN, VIEW, ("competency", "delete_competencystandard")))
    response = client.post(reverse("normas:delete", args=[published.pk]))
    assert response["Location"] == reverse("normas:inspect", args=[published.pk])
    assert CompetencyStandard.objects.filter(pk=published.pk).exists()  # a published version is never deleted
    client.force_login(editor)
    draft = make_standard(units=1, status=DRAFT, code="EMP-02")
    assert 'name="title"' in client.get(reverse("normas:edit", args=[draft.pk])).content.decode()
    client.post(
        reverse("normas:edit", args=[draft.pk]),
        {
            "certifying_body": draft.certifying_body.pk,
            "code": "EMP-02",
            "title": "Atención al cliente en bodegas",
            "occupation": "Vendedor·a",
            "description": "",
            "training_url": "",
        },
    )
    draft.refresh_from_db()
    assert draft.title == "Atención al cliente en bodegas" and draft.status == DRAFT


def test_the_standards_admin_pages_show_no_english(client, editor, bodeguero):
    from django.utils import translation

    from tests.test_locale_overrides import untranslated_on, wagtail_msgids

    draft = make_standard(units=1, code="VEN-PE-01", version=2, status=DRAFT, previous_version=bodeguero)
    with translation.override("es"):
        english = {m for m in wagtail_msgids() if translation.gettext(m) == m}
    urls = [
        reverse("normas:index"),
        reverse("normas:inspect", args=[bodeguero.pk]),
        reverse("normas:inspect", args=[draft.pk]),
        reverse("normas:new_version", args=[bodeguero.pk]),
        reverse("normas:publish", args=[draft.pk]),
        reverse("unidades:edit", args=[draft.units.get().pk]),
        reverse("unidades:add") + f"?standard={draft.pk}",
    ]
    found = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        if left := untranslated_on(response.content.decode(), english):
            found[url] = sorted(left)
    assert found == {}
