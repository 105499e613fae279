"""Authors' side: the Wagtail page editor shows the activity blocks and their previews."""

from django.urls import reverse

from content.blocks import ACTIVITY_BLOCKS
from tests.lms.accounts.factories import UserFactory


def test_block_previews_render_in_the_editor(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for _name, block in ACTIVITY_BLOCKS:
        response = client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Vista previa: así verá la actividad la persona participante." in html
        assert 'name="submission_id"' not in html


def test_page_editor_opens_with_every_activity(client, all_page):
    page, ids = all_page
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for name, _block in ACTIVITY_BLOCKS:
        assert name in html
    assert ids["free_text"] in html
