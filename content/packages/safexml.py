"""XML and HTML from packages, made harmless.

- XML is parsed with ``defusedxml``: DTDs, entities and external references are refused, so XXE and
  "billion laughs" documents never expand.
- HTML is cleaned with ``nh3`` (Ammonia): an allow-list of tags and attributes, no scripts, no event handlers,
  no ``javascript:`` URLs. ``html_to_text`` gives plain text for prompts and feedback.
- ``svg_is_active`` tells whether an SVG carries scripts or event handlers (it is then never shown inline).

Pure: no Django models. Must not import courses or certification.
"""

from __future__ import annotations

import html as html_lib
import re
from xml.etree.ElementTree import Element, ParseError  # noqa: S405 - only types; parsing goes through defusedxml

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext_lazy as _

from .errors import PackageRefused

MAX_XML_BYTES = 16 * 1024 * 1024


def parse_xml(data: bytes | str, *, name: str = "") -> Element:
    """Parse untrusted XML; refuse DTDs, entities and malformed documents with a readable reason."""
    if len(data) > MAX_XML_BYTES:
        raise PackageRefused(_("El archivo «%(name)s» es demasiado grande.") % {"name": name}, code="xml_too_large")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PackageRefused(
            _(
                "El archivo «%(name)s» usa declaraciones XML (DTD o entidades) que Ruta no acepta por seguridad. "
                "Vuelva a exportar el paquete con la herramienta de autor."
            )
            % {"name": name},
            code="xml_forbidden",
            detail=str(exc),
        ) from exc
    except (ParseError, ValueError, UnicodeError) as exc:
        raise PackageRefused(
            _("El archivo «%(name)s» no es un XML bien formado (está dañado o incompleto).") % {"name": name},
            code="xml_malformed",
            detail=str(exc),
        ) from exc


def local(tag: object) -> str:
    """The tag name without its namespace: ``{http://...}item`` → ``item``."""
    text = str(tag)
    return text.rsplit("}", 1)[-1] if "}" in text else text


def namespace(tag: object) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: Element, name: str) -> Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def child_text(el: Element, name: str) -> str:
    c = child(el, name)
    return (c.text or "").strip() if c is not None else ""


def attr(el: Element, name: str, default: str = "") -> str:
    """An attribute by local name, whatever its namespace (``adlcp:scormType`` / ``scormtype``)."""
    lname = name.lower()
    for key, value in el.attrib.items():
        if local(key).lower() == lname:
            return value
    return default


# --- HTML -----------------------------------------------------------------------------------------------------

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}
_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}


def sanitize_html(markup: str) -> str:
    """Allow-listed HTML: no scripts, styles, event handlers, frames or ``javascript:`` URLs."""
    if not markup:
        return ""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_RICH_TEXT_TAGS = ALLOWED_TAGS | {"embed"}
_RICH_TEXT_ATTRIBUTES = {
    **ALLOWED_ATTRIBUTES,
    "a": {"href", "title", "linktype", "id"},
    "embed": {"id", "format", "alt"},
}


def sanitize_rich_text(markup: str) -> str:
    """Allow-listed HTML in Wagtail's stored rich-text format (``<a linktype="page" id="…">``, image
    ``<embed embedtype="image" …>``, Draftail's ``data-block-key``), for rich text that arrives in a package.

    Idempotent (cleaning clean text changes nothing), so a package written from cleaned text and imported again
    gives the same bytes. Never adds attributes."""
    if not markup:
        return ""
    return nh3.clean(
        markup,
        tags=_RICH_TEXT_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT - {"embed"},
        attributes=_RICH_TEXT_ATTRIBUTES,
        tag_attribute_values={"embed": {"embedtype": {"image"}}},
        generic_attribute_prefixes={"data-"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|tr|br)\s*>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_text(markup: str) -> str:
    """Plain text from (untrusted) HTML: tags and scripts removed, entities decoded, spaces collapsed."""
    if not markup:
        return ""
    cleaned = nh3.clean(markup, tags={"p", "br", "div", "li"}, clean_content_tags=_DROP_WITH_CONTENT, attributes={})
    cleaned = _BLOCK_END.sub("\n", cleaned)
    cleaned = re.sub(r"<[^>]*>", "", cleaned)
    text = html_lib.unescape(cleaned)
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


_ACTIVE_SVG = re.compile(
    rb"<\s*script|\son[a-z]+\s*=|javascript:|<\s*foreignObject|<!ENTITY|xlink:href\s*=\s*[\"']?\s*data:", re.I
)
_ACTIVE_HTML = re.compile(rb"<\s*script|\son[a-z]+\s*=|javascript:", re.I)


def svg_is_active(data: bytes) -> bool:
    """True when an SVG could run code if shown inline (scripts, event handlers, foreign HTML, entities)."""
    return bool(_ACTIVE_SVG.search(data))


def html_is_active(data: bytes) -> bool:
    return bool(_ACTIVE_HTML.search(data))
