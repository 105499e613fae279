"""An answer's page is read in one query, as its own type; the kept type never hides a page nor shows another."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from wagtail.models import Page

from content.exceptions import ActivityNotFound
from content.selectors import page_get_specific
from tests.content.pages import ActivityTestPage, HookedActivityTestPage
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


def test_the_page_is_read_as_its_type_in_one_query_once_its_type_is_known(make_page):
    page, _ = make_page({"single_choice": {}}, hooked=True)
    first = page_get_specific(page_id=page.pk)
    assert type(first) is HookedActivityTestPage
    with assert_max_data_queries(1):
        again = page_get_specific(page_id=page.pk)
    assert type(again) is HookedActivityTestPage and again.pk == page.pk


def test_a_wrong_kept_type_falls_back_to_the_page_itself(make_page):
    page, _ = make_page({"single_choice": {}})
    cache.set(f"ruta:page-type:{page.pk}", ContentType.objects.get_for_model(HookedActivityTestPage).pk)
    found = page_get_specific(page_id=page.pk)
    assert type(found) is ActivityTestPage and found.pk == page.pk


def test_an_unpublished_page_is_not_found_even_with_its_type_kept(make_page):
    page, _ = make_page({"single_choice": {}})
    page_get_specific(page_id=page.pk)
    Page.objects.filter(pk=page.pk).update(live=False)
    with pytest.raises(ActivityNotFound):
        page_get_specific(page_id=page.pk)
