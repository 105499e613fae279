"""Each scored activity, answered as a learner would without JavaScript (post/redirect/get)."""

import uuid

import pytest

from content.models import Submission
from tests.content.conftest import VALUES
from tests.content.helpers import answers, post_answer, section, submit_url
from tests.query_counting import assert_max_data_queries

SCORED = ["single_choice", "multiple_choice", "true_false", "fill_blanks", "matching", "ordering"]

WRONG_FEEDBACK = {
    "single_choice": "Primero valida tu idea.",
    "multiple_choice": "Varía con lo que produces.",
    "true_false": "Si los mezclas no sabrás cuánto ganas.",
    "fill_blanks": "A los ingresos les restas lo que gastas.",
    "matching": "Repasa el glosario de la lección.",
    "ordering": "Primero el régimen, luego el RUC.",
}
RIGHT_FEEDBACK = {
    "single_choice": "Así validas tu idea.",
    "multiple_choice": "No depende de las ventas.",
    "true_false": "Así ves tus ganancias reales.",
    "fill_blanks": "Fórmula completa.",
    "matching": "Dominas los términos.",
    "ordering": "Ese es el orden.",
}


@pytest.mark.parametrize("kind", SCORED)
def test_correct_answer_without_javascript_redirects_back_and_shows_the_pass(kind, client, user, make_page):
    page, ids = make_page({kind: VALUES[kind]})
    client.force_login(user)
    before = section(client.get(page.url).content, ids[kind])
    right, _wrong = answers(kind, before)

    response = post_answer(client, page, ids[kind], right)

    assert response.status_code == 302
    assert response["Location"] == f"{page.url}#actividad-{ids[kind]}-resultado"
    after = section(client.get(page.url).content, ids[kind])
    assert "¡Aprobaste!" in after
    assert "Tu nota: 100 %" in after
    assert RIGHT_FEEDBACK[kind] in after
    submission = Submission.objects.get(user=user, usage_id=ids[kind])
    assert (submission.score, submission.passed, submission.attempt_number) == (1.0, True, 1)


@pytest.mark.parametrize("kind", SCORED)
def test_wrong_answer_shows_feedback_and_keeps_the_answer(kind, client, user, make_page):
    page, ids = make_page({kind: VALUES[kind]})
    client.force_login(user)
    _right, wrong = answers(kind, section(client.get(page.url).content, ids[kind]))

    post_answer(client, page, ids[kind], wrong)

    after = section(client.get(page.url).content, ids[kind])
    assert "Todavía no apruebas." in after
    assert WRONG_FEEDBACK[kind] in after
    assert "Incorrecto" in after  # the wrong part is marked in words, not only colour
    assert Submission.objects.get(user=user, usage_id=ids[kind]).passed is False


def test_partial_credit_on_blanks_and_accent_insensitive_matching(client, user, make_page, submit):
    page, ids = make_page({"fill_blanks": VALUES["fill_blanks"]})
    half = submit(user, page, ids["fill_blanks"], {"blank": ["GASTOS", "semana"]})
    assert half.score == 0.5 and half.passed is False
    full = submit(user, page, ids["fill_blanks"], {"blank": [" costos ", "Periodo"]})
    assert full.score == 1.0 and full.passed is True


def test_multiple_choice_penalises_wrong_picks_and_says_something_is_missing(client, user, make_page):
    page, ids = make_page({"multiple_choice": VALUES["multiple_choice"]})
    client.force_login(user)
    post_answer(client, page, ids["multiple_choice"], {"choices": ["0"]})
    after = section(client.get(page.url).content, ids["multiple_choice"])
    assert "Tu nota: 50 %" in after
    assert "Te faltó marcar alguna opción correcta." in after


def test_attempt_limit_refuses_with_a_spanish_message(client, user, make_page):
    page, ids = make_page({"single_choice": VALUES["single_choice"]})  # two attempts
    usage_id = ids["single_choice"]
    client.force_login(user)
    post_answer(client, page, usage_id, {"choice": "0"})
    post_answer(client, page, usage_id, {"choice": "2"})

    response = post_answer(client, page, usage_id, {"choice": "1"}, as_json=True)

    assert response.status_code == 400
    assert response.json()["message"] == "Ya usaste todos tus intentos en esta actividad."
    assert Submission.objects.filter(user=user, usage_id=usage_id).count() == 2
    page_html = section(client.get(page.url).content, usage_id)
    assert "Ya usaste todos tus intentos en esta actividad." in page_html
    assert 'name="submission_id"' not in page_html  # no form any more
    assert "Intentos usados: 2 de 2." in page_html


def test_attempt_limit_without_javascript_shows_the_message_after_redirect(client, user, make_page):
    page, ids = make_page({"true_false": VALUES["true_false"]})  # one attempt
    usage_id = ids["true_false"]
    client.force_login(user)
    post_answer(client, page, usage_id, {"value": "false"})
    response = post_answer(client, page, usage_id, {"value": "true"})
    assert response.status_code == 302
    html = section(client.get(page.url).content, usage_id)
    assert 'role="alert">Ya usaste todos tus intentos en esta actividad.' in html
    assert Submission.objects.filter(usage_id=usage_id).count() == 1


def test_incomplete_answer_is_refused_without_consuming_an_attempt(client, user, make_page):
    page, ids = make_page({"matching": VALUES["matching"]})
    client.force_login(user)
    response = post_answer(client, page, ids["matching"], {"match_0": "x"}, as_json=True)
    assert response.status_code == 400
    assert response.json()["message"] == "Relaciona todos los elementos."
    assert not Submission.objects.exists()


def test_json_submission_returns_the_updated_activity(client, user, choice_page):
    page, usage_id = choice_page
    client.force_login(user)
    with assert_max_data_queries(20):
        response = post_answer(client, page, usage_id, {"choice": "1"}, as_json=True)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert "¡Aprobaste!" in data["html"]
    assert f'id="actividad-{usage_id}-resultado"' in data["html"]
    assert f'name="next" value="{page.url}"' in data["html"]  # the new form still returns to the lesson


@pytest.mark.parametrize(
    "kind,secret",
    [
        ("single_choice", "Así validas tu idea."),
        ("multiple_choice", "No depende de las ventas."),
        ("true_false", "Así ves tus ganancias reales."),
        ("fill_blanks", "gastos"),
        ("fill_blanks", "[["),
        ("matching", "Dominas los términos."),
        ("ordering", "Ese es el orden."),
    ],
)
def test_correct_answers_and_feedback_are_not_in_the_page_before_answering(kind, secret, client, user, make_page):
    page, ids = make_page({kind: VALUES[kind]})
    client.force_login(user)
    html = client.get(page.url).content.decode()
    assert secret not in html
    assert "correct" not in section(html, ids[kind]).replace("activity-", "")


def test_ordering_shows_steps_shuffled_and_matching_options_sorted(client, user, make_page):
    page, ids = make_page({"ordering": VALUES["ordering"], "matching": VALUES["matching"]})
    client.force_login(user)
    html = client.get(page.url).content.decode()
    ordering = section(html, ids["ordering"])
    positions = [ordering.index(step) for step in VALUES["ordering"]["items"]]
    assert positions != sorted(positions)
    matching = section(html, ids["matching"])
    shown = [matching.index(f">{text}</option>") for text in ("Dinero que entra", "Dinero que sale", "Lo que queda")]
    assert shown == sorted(shown)  # alphabetical, not the authored pairing


def test_json_answer_on_a_lesson_returns_its_progress_marks_recomputed(client):
    """A lesson page's badge, course % and outline come back with the answer, so the page needs no reload."""
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, true_false
    from tests.lms.accounts.factories import UserFactory

    course = CoursePageFactory(title="Finanzas para tu bodega", pass_mark=70)
    module = ModulePageFactory(parent=course)
    lesson = LessonPageFactory(
        parent=module,
        title="Separa tu dinero",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[true_false("Separar el dinero del negocio ayuda a saber si ganas.", answer="true")],
    )
    LessonPageFactory(parent=module, title="Ahorra")
    learner = UserFactory()
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    page_html = client.get(lesson.url).content.decode()
    assert "promedio de 70 %" in page_html  # the course pass mark is explained beside the activity's own
    usage_id = lesson.activities[0]["id"]
    data = post_answer(client, lesson, usage_id, {"value": "true"}, as_json=True).json()
    assert "Completada" in data["progress"]["status"]
    assert "50 % completado" in data["progress"]["course"]
    assert "Completaste esta lección" in data["progress"]["rule"]
    assert "Separa tu dinero" in data["progress"]["outline"]


def test_an_answer_sends_the_progress_marks_only_when_they_change_from_what_the_page_shows(client):
    """The page carries a fingerprint of its marks; activities.js sends it back. An answer that changes nothing the
    marks show comes back without them (less to download on a slow phone); one that does, or a page showing older
    marks (another tab answered meanwhile), gets them all."""
    import re

    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, true_false
    from tests.lms.accounts.factories import UserFactory

    course = CoursePageFactory(title="Ventas en tu bodega", pass_mark=70)
    module = ModulePageFactory(parent=course)
    body = [
        true_false("Un cliente contento vuelve.", answer="true"),
        true_false("El precio es lo único.", answer="false"),
    ]
    lesson = LessonPageFactory(
        parent=module, title="Atiende bien", completion_rule=LessonPage.CompletionRule.ACTIVITIES, body=body
    )
    LessonPageFactory(parent=module, title="Cobra bien")
    learner = UserFactory(first_name="José", last_name="Añazco Ruíz", phone="+593991234567")
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    shown = re.search(r'data-lesson-marks="([0-9a-f]+)"', client.get(lesson.url).content.decode()).group(1)
    first, second = (activity["id"] for activity in lesson.activities)

    # Wrong: the lesson was already "en curso" after the visit, nothing the marks show changes.
    data = post_answer(client, lesson, first, {"value": "false"}, as_json=True, marks=shown).json()
    assert data["ok"] and data["progress"] == {} and data["marks"] == shown and "activity-true_false" in data["html"]
    # Right, and the other one right too: the lesson is completed, the marks come back changed.
    post_answer(client, lesson, first, {"value": "true"}, as_json=True, marks=shown)
    data = post_answer(client, lesson, second, {"value": "false"}, as_json=True, marks=shown).json()
    assert "Completada" in data["progress"]["status"] and "50 % completado" in data["progress"]["course"]
    assert data["marks"] != shown
    # A tab still showing the old marks gets them again; the page, reloaded, carries the new fingerprint.
    again = post_answer(client, lesson, second, {"value": "false"}, as_json=True, marks=shown).json()
    assert set(again["progress"]) == {"status", "rule", "course", "outline"} and again["marks"] == data["marks"]
    assert f'data-lesson-marks="{data["marks"]}"' in client.get(lesson.url).content.decode()
    unchanged = post_answer(client, lesson, second, {"value": "false"}, as_json=True, marks=data["marks"]).json()
    assert unchanged["progress"] == {}


def test_a_replay_of_the_answer_that_used_the_last_attempt_answers_as_the_first_time(client, user, make_page):
    """The phone's queue resends an answer whose reply was lost; it was the last attempt: the replay must get the
    same 200 and result as the first time (never "Ya usaste todos tus intentos"), so the page drops its copy."""
    import uuid

    page, ids = make_page({"true_false": {**VALUES["true_false"], "max_attempts": 1}})
    client.force_login(user)
    submission_id = str(uuid.uuid4())
    first = post_answer(client, page, ids["true_false"], {"value": "false"}, submission_id=submission_id, as_json=True)
    replay = post_answer(client, page, ids["true_false"], {"value": "false"}, submission_id=submission_id, as_json=True)
    assert first.status_code == replay.status_code == 200
    assert replay.json()["ok"] is True and replay.json()["message"] == ""
    assert replay.json() == first.json()  # the same result, feedback, progress and outline as the first reply
    assert Submission.objects.filter(user=user, usage_id=ids["true_false"]).count() == 1
    # a new answer (another submission id) is refused: the limit still holds
    other = post_answer(client, page, ids["true_false"], {"value": "true"}, as_json=True)
    assert other.status_code == 400 and "intentos" in other.json()["message"]


def test_the_form_s_own_csrf_token_is_accepted_when_the_check_is_enforced(user, make_page):
    """The activity form is rendered apart from the page's context: the token it carries must still be the one
    the browser's cookie matches (without it a learner without JavaScript gets 403 and loses the answer)."""
    import re

    from django.test import Client

    page, ids = make_page({"true_false": VALUES["true_false"]})
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    html = section(browser.get(page.url).content, ids["true_false"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    answer = {"value": "true", "csrfmiddlewaretoken": token}
    assert post_answer(browser, page, ids["true_false"], answer).status_code == 302
    assert Submission.objects.filter(user=user, usage_id=ids["true_false"]).count() == 1
    forged = {"value": "true", "csrfmiddlewaretoken": "x" * 64}
    assert post_answer(browser, page, ids["true_false"], forged).status_code == 403


def test_an_answer_kept_on_a_shared_phone_for_another_learner_is_refused_and_not_recorded(client, choice_page):
    """activities.js sends the tag of the learner who answered; a different learner signed in on the same phone
    does not get that answer recorded as theirs (409), and the right learner does."""
    from lms.accounts.selectors import learner_tag
    from tests.lms.accounts.factories import UserFactory

    page, usage_id = choice_page
    ana = UserFactory(first_name="Ana Lucía", last_name="Ñahui", phone="+51987650001", email="")
    jose = UserFactory(first_name="José Andrés", last_name="Guamán", phone="+593987650002", email="")
    sid = str(uuid.uuid4())
    client.force_login(jose)
    refused = client.post(
        submit_url(page, usage_id),
        {"submission_id": sid, "next": page.url, "choice": "1"},
        HTTP_ACCEPT="application/json",
        HTTP_X_RUTA_LEARNER=learner_tag(user=ana),
    )
    assert refused.status_code == 409
    assert "otra persona que usa este teléfono" in refused.json()["message"]
    assert not Submission.objects.exists()

    client.force_login(ana)
    sent = client.post(
        submit_url(page, usage_id),
        {"submission_id": sid, "next": page.url, "choice": "1"},
        HTTP_ACCEPT="application/json",
        HTTP_X_RUTA_LEARNER=learner_tag(user=ana),
    )
    assert sent.status_code == 200 and sent.json()["ok"] is True
    assert list(Submission.objects.values_list("user", flat=True)) == [ana.pk]
