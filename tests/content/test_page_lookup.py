"""An answer's page comes from the shared cache as its own type; a change to the page shows at once."""

import pytest
from django.core.cache import cache

from content.exceptions import ActivityNotFound
from content.selectors import page_activities, page_get_specific
from lms.pagecache import generation, request_memo
from tests.content.pages import HookedActivityTestPage
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


def test_the_page_is_read_once_as_its_type_then_kept(make_page):
    page, _ = make_page({"single_choice": {}}, hooked=True)
    first = page_get_specific(page_id=page.pk)
    assert type(first) is HookedActivityTestPage
    with assert_max_data_queries(0):
        again = page_get_specific(page_id=page.pk)
    assert type(again) is HookedActivityTestPage and again.pk == page.pk
    assert list(page_activities(page=again)) == list(page_activities(page=first))


def test_each_request_gets_its_own_copy(make_page):
    page, _ = make_page({"single_choice": {}})
    page_get_specific(page_id=page.pk)
    with request_memo():
        mine = page_get_specific(page_id=page.pk)
        mine.title = "Cambiado solo en esta petición"
        assert page_get_specific(page_id=page.pk) is mine  # one copy for the whole request
    with request_memo():
        assert page_get_specific(page_id=page.pk).title == page.title


def test_a_published_edit_shows_at_once(make_page):
    page, usage_ids = make_page({"single_choice": {}})
    page_get_specific(page_id=page.pk)
    page.title = "Pon a prueba tu idea (edición 2026)"
    page.body = []
    page.save_revision().publish()
    found = page_get_specific(page_id=page.pk)
    assert found.title == "Pon a prueba tu idea (edición 2026)"
    assert usage_ids["single_choice"] not in page_activities(page=found)


def test_an_unpublished_or_deleted_page_is_not_found(make_page):
    page, _ = make_page({"single_choice": {}})
    other, _ = make_page({"single_choice": {}})
    page_get_specific(page_id=page.pk)
    page_get_specific(page_id=other.pk)
    page.unpublish()
    with pytest.raises(ActivityNotFound):
        page_get_specific(page_id=page.pk)
    other_id = other.pk
    other.delete()
    with pytest.raises(ActivityNotFound):
        page_get_specific(page_id=other_id)
    with pytest.raises(ActivityNotFound):
        page_get_specific(page_id=999_999)
    assert cache.get(f"ruta:live-page:999999:{generation('pages')}", "absent") == "absent"  # nothing kept
