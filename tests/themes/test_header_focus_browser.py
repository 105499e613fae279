"""The keyboard focus outline in the header is visible on the header's colour (WCAG 1.4.11: 3:1), whatever primary
colour the institution chose: Ruta's amber outline measured 1.56:1 on its own blue header."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Site

from themes.models import ThemeSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rgb(css: str) -> tuple[int, int, int]:
    red, green, blue = (int(n) for n in re.findall(r"\d+", css)[:3])
    return red, green, blue


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(one: tuple[int, int, int], other: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {inHeader: !!el.closest('.site-header'), text: el.textContent.trim(), outlineStyle: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth), outlineColor: style.outlineColor, boxShadow: style.boxShadow,
          header: getComputedStyle(document.querySelector('.site-header')).backgroundColor};
}"""


@pytest.mark.parametrize("primary", ["#0B5394", "#146C2E", "#767676"])
def test_header_controls_show_a_focus_outline_that_stands_out_from_the_header(phone_page, screenshot, primary):
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.primary_colour = primary
    settings.full_clean()
    settings.save()
    page = phone_page
    page.goto("/")
    checked = []
    for _ in range(12):  # the skip link, then the brand, the language switch and the menu
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["inHeader"]:
            continue
        header = _rgb(focused["header"])
        assert header == _rgb(f"rgb({int(primary[1:3], 16)}, {int(primary[3:5], 16)}, {int(primary[5:7], 16)})")
        assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2, focused
        ratio = _contrast(_rgb(focused["outlineColor"]), header)
        assert ratio >= 3, (
            f"«{focused['text']}»: outline {focused['outlineColor']} on {focused['header']} is {ratio:.2f}:1"
        )
        # A dark ring as well, so the outline also shows where it crosses a light logo or the page below the header.
        assert "rgb(0, 0, 0)" in focused["boxShadow"], focused
        checked.append(focused["text"])
        if len(checked) == 1:
            screenshot(page, f"header-focus-{primary[1:].lower()}-360")
    assert "Inicio" in checked and "Entrar" in checked, checked
