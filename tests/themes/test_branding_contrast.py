"""An institution's colours must stay readable: the primary colour (links, and the background of the white text of
buttons, header and menu) needs 4.5:1 against white, the accent colour (the keyboard focus outline) 3:1."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import Site

from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db


def theme(**fields) -> ThemeSettings:
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(settings, name, value)
    return settings


def test_the_contrast_is_measured_as_wcag_does():
    from themes.models import contrast_with_white

    assert contrast_with_white("#FFFFFF") == pytest.approx(1)
    assert contrast_with_white("#000000") == pytest.approx(21)
    assert contrast_with_white("#0B5394") == pytest.approx(7.84, abs=0.01)
    assert contrast_with_white("#F5C518") == pytest.approx(1.63, abs=0.01)


def test_rutas_own_colours_pass():
    theme().full_clean()  # #0B5394 and #B45309


def test_a_yellow_primary_colour_is_refused_with_the_ratio_and_the_minimum():
    with pytest.raises(ValidationError) as refused:
        theme(primary_colour="#F5C518").full_clean()
    (message,) = refused.value.message_dict["primary_colour"]
    assert "1,63:1" in message and "4,5:1" in message
    assert "accent_colour" not in refused.value.message_dict


def test_a_primary_colour_just_short_of_4_5_is_refused():
    # #777777 is 4.48:1: it must not read as "4,50" and must not pass.
    with pytest.raises(ValidationError) as refused:
        theme(primary_colour="#777777").full_clean()
    assert "4,47:1" in refused.value.message_dict["primary_colour"][0]
    theme(primary_colour="#767676").full_clean()  # 4.54:1


def test_a_pale_accent_colour_is_refused_but_a_mid_one_passes():
    with pytest.raises(ValidationError) as refused:
        theme(accent_colour="#FFD966").full_clean()
    (message,) = refused.value.message_dict["accent_colour"]
    assert "3,0:1" in message
    theme(accent_colour="#D9730D").full_clean()  # 3.3:1: enough for an outline, not for text


def test_a_malformed_colour_gets_only_the_format_message():
    with pytest.raises(ValidationError) as refused:
        theme(primary_colour="#amarlo").full_clean()
    assert refused.value.message_dict["primary_colour"] == ["Usa un color hexadecimal como #0B5394."]


def test_the_wagtail_settings_form_shows_the_message_on_the_field(admin_client):
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["themes", "themesettings", site.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(
        url,
        {
            "site_name": "Ruta Cusco",
            "tagline": "Aprende y emprende",
            "tagline_en": "",
            "logo": "",
            "primary_colour": "#F5C518",
            "accent_colour": "#B45309",
        },
    )
    assert response.status_code == 200  # shown again, not saved
    form = response.context["form"]
    assert "1,63:1" in form.errors["primary_colour"][0]
    assert "1,63:1" in response.content.decode()
    assert ThemeSettings.for_site(site).primary_colour == "#0B5394"
