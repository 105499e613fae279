"""The catalogue page tree: which page types may live where."""

import pytest

from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, ProgrammePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("child", "allowed_parents"),
    [
        (CataloguePage, {"Page"}),
        (ProgrammePage, {"CataloguePage"}),
        (CoursePage, {"ProgrammePage"}),
        (ModulePage, {"CoursePage"}),
        (LessonPage, {"ModulePage"}),
    ],
)
def test_each_page_type_lives_only_under_its_parent(child, allowed_parents):
    assert {model.__name__ for model in child.allowed_parent_page_models()} == allowed_parents


def test_lessons_have_no_children_and_courses_hold_only_modules():
    assert LessonPage.allowed_subpage_models() == []
    assert CoursePage.allowed_subpage_models() == [ModulePage]
    assert CataloguePage.allowed_subpage_models() == [ProgrammePage]


def test_a_course_cannot_be_created_directly_under_the_catalogue():
    from tests.courses.factories import CataloguePageFactory

    catalogue = CataloguePageFactory()
    assert not CoursePage.can_create_at(catalogue)
    assert not LessonPage.can_create_at(catalogue)
    assert ProgrammePage.can_create_at(catalogue)


def test_catalogue_is_served_at_cursos_and_lists_programmes_with_courses_in_path_order(client):
    from tests.courses.factories import CoursePageFactory, ProgrammePageFactory

    programme = ProgrammePageFactory(title="IMESUN")
    CoursePageFactory(parent=programme, title="Genere su Idea de Negocio", code="IMESUN-GIN")
    CoursePageFactory(parent=programme, title="Inicie su Negocio", code="IMESUN-ISUN")
    response = client.get("/cursos/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "IMESUN" in html
    assert html.index("Genere su Idea de Negocio") < html.index("Inicie su Negocio")


def test_catalogue_url_redirects_to_the_catalogue_page(client):
    from tests.courses.factories import CataloguePageFactory

    CataloguePageFactory()
    response = client.get("/aprender/")
    assert response.status_code == 302
    assert response["Location"] == "/cursos/"


def test_lesson_records_its_activities_from_its_body():
    from tests.courses.factories import LessonPageFactory, reflection, single_choice, text_block

    choice = single_choice()
    thinking = reflection()
    lesson = LessonPageFactory(body=[text_block("Hola"), choice, thinking])
    lesson.refresh_from_db()
    assert lesson.activities == [
        {"id": choice["id"], "type": "single_choice", "graded": True, "weight": 1.0},
        {"id": thinking["id"], "type": "self_reflection", "graded": False, "weight": 0.0},
    ]


def test_programme_page_explains_the_learning_path(client, user):
    from tests.courses.factories import CoursePageFactory, ProgrammePageFactory

    programme = ProgrammePageFactory(title="IMESUN")
    gin = CoursePageFactory(parent=programme, title="Genere su Idea de Negocio", code="GIN")
    isun = CoursePageFactory(parent=programme, title="Inicie su Negocio", code="ISUN", to_be_confirmed=True)
    isun.prerequisites.add(gin)
    isun.save()
    client.force_login(user)
    html = client.get(programme.url).content.decode()
    assert f'Completa primero: <a href="{gin.url}">Genere su Idea de Negocio</a>' in html
    assert "Por confirmar" in html
