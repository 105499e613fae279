"""A new participant on a phone: sign up → enrol → a lesson with activities → course completed.
Plus an axe scan of the catalogue, course and lesson pages. Screenshots go to test-artifacts/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ensure_site():
    """Transactional tests flush Wagtail's initial root page, site and locale: put them back when missing."""
    from wagtail.models import Locale, Page, Site

    Locale.objects.get_or_create(language_code="es")
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="Inicio", slug="inicio"))
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


@pytest.fixture
def gin_course():
    ensure_site()
    from courses.models import LessonPage
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        ProgrammePageFactory,
        fill_blanks,
        single_choice,
        text_block,
        true_false,
    )

    programme = ProgrammePageFactory(title="IMESUN")
    course = CoursePageFactory(
        parent=programme,
        title="Genere su Idea de Negocio",
        code="IMESUN-GIN",
        estimated_hours=12,
        summary="Descubre una idea de negocio que responda a lo que tu comunidad necesita.",
        objectives="<ul><li>Reconocer de dónde salen las buenas ideas.</li></ul>",
    )
    module = ModulePageFactory(parent=course, title="Tu idea de negocio")
    LessonPageFactory(
        parent=module,
        title="¿De dónde salen las ideas?",
        body=[text_block("Una buena idea de negocio responde a una necesidad real de tu comunidad.")],
    )
    LessonPageFactory(
        parent=module,
        title="Pon a prueba tu idea",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[
            text_block("Responde estas preguntas."),
            single_choice("¿Qué conviene hacer antes de invertir?"),
            true_false("Separar el dinero del negocio ayuda a saber si ganas.", answer="true"),
            fill_blanks("Ganancia = ingresos menos [[costos|gastos]]."),
        ],
    )
    return course


def answer(page, index, fill):
    section = page.locator("section.activity").nth(index)
    fill(section)
    section.get_by_role("button", name="Enviar respuesta").click()
    expect(page.locator("section.activity").nth(index)).to_contain_text("¡Aprobaste!")


def test_new_participant_signs_up_enrols_answers_and_completes(phone_page, screenshot, axe_check, gin_course):
    page = phone_page
    page.goto("/accounts/signup/")
    page.fill("input[name=first_name]", "Nueva")
    page.fill("input[name=last_name]", "Emprendedora")
    page.fill("input[name=phone]", "0991234567")
    page.fill("input[name=password1]", "Ruta-prueba-2026!")
    page.fill("input[name=password2]", "Ruta-prueba-2026!")
    page.check("input[name=accept_terms]")
    screenshot(page, "courses-01-signup")
    page.locator("form:has(input[name=first_name]) [type=submit]").click()
    page.wait_for_load_state()
    # the same answer whether or not the number had an account; then the person logs in with it
    page.get_by_role("link", name="Entrar", exact=True).last.click()
    page.fill("input[name=login]", "099 123 4567")
    page.fill("input[name=password]", "Ruta-prueba-2026!")
    page.locator("form:has(input[name=login]) [type=submit]").click()
    expect(page.locator("h1")).to_have_text("Mis cursos")

    page.goto("/cursos/")
    page.get_by_role("link", name="Genere su Idea de Negocio").click()
    expect(page.locator("h1")).to_have_text("Genere su Idea de Negocio")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "courses-02-course")
    page.get_by_role("button", name="Inscribirme en este curso").click()

    expect(page.locator("h1")).to_have_text("¿De dónde salen las ideas?")
    expect(page.get_by_text("Te inscribiste en «Genere su Idea de Negocio»")).to_be_visible()
    screenshot(page, "courses-03-first-lesson")
    page.get_by_role("link", name=re.compile("^Siguiente")).click()

    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    answer(page, 0, lambda s: s.get_by_label("Conversar con clientes").check())
    answer(page, 1, lambda s: s.get_by_label("Verdadero").check())
    answer(page, 2, lambda s: s.locator("input[name=blank]").first.fill("costos"))
    screenshot(page, "courses-04-activities-answered")
    # the pass shows at once, without reloading: badge, course progress and the outline
    expect(page.locator("[data-lesson-progress=status]")).to_contain_text("Completada")
    expect(page.locator("[data-lesson-progress=course]")).to_contain_text("100 % completado")
    expect(page.locator("[data-lesson-progress=rule]")).to_contain_text("Completaste esta lección")
    expect(page.locator("[data-lesson-progress=outline] li.current")).to_contain_text("Completada")
    # The page now holds the fingerprint of the marks it shows, the one a reload carries (so the next answer that
    # changes nothing gets no marks back, and one that does gets them).
    live_marks = page.locator("[data-lesson-marks]").get_attribute("data-lesson-marks")
    page.reload()
    expect(page.locator("p.small.muted", has_text="Lección 2 de 2")).to_contain_text("Completada")
    assert page.locator("[data-lesson-marks]").get_attribute("data-lesson-marks") == live_marks
    axe_check(page)

    page.goto("/aprender/mis-cursos/")
    card = page.locator("article.card", has_text="Genere su Idea de Negocio")
    expect(card).to_contain_text("Completado")
    axe_check(page)
    screenshot(page, "courses-05-dashboard-completed")

    from courses.models import Enrollment

    enrollment = Enrollment.objects.get(user__phone="+593991234567")
    assert enrollment.completed_at is not None and enrollment.progress == 100


def test_catalogue_course_and_lesson_pages_pass_axe(phone_page, axe_check, screenshot, gin_course):
    from courses.models import LessonPage

    page = phone_page
    page.goto("/cursos/")
    axe_check(page)
    screenshot(page, "courses-catalogue")
    page.goto(gin_course.url)
    axe_check(page)
    lesson = LessonPage.objects.descendant_of(gin_course).order_by("path").last()
    page.goto(lesson.url)
    axe_check(page)
    screenshot(page, "courses-lesson-anonymous")
