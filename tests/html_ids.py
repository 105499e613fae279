"""What a screen reader needs from a page's ids: no id twice, every ``aria-describedby`` and ``<label for>`` pointing
to an element that is on the page (an id that points nowhere gives a box no description, or no name)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag not in {"input", "br", "img", "meta", "link", "hr"}:
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.text_by_id.setdefault(attributes["id"], [])

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, _id = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id:
                self.text_by_id[element_id].append(data)


def parse(html: str) -> _Ids:
    parser = _Ids()
    parser.feed(html)
    return parser


def duplicate_ids(html: str) -> list[str]:
    counts = Counter(attrs["id"] for _tag, attrs in parse(html).elements if attrs.get("id"))
    return sorted(element_id for element_id, n in counts.items() if n > 1)


def dangling_references(html: str) -> list[str]:
    """``aria-describedby``, ``aria-labelledby`` and ``label for`` values that name no element on the page."""
    page = parse(html)
    ids = {attrs["id"] for _tag, attrs in page.elements if attrs.get("id")}
    missing = []
    for tag, attrs in page.elements:
        targets = attrs.get("aria-describedby", "").split() + attrs.get("aria-labelledby", "").split()
        if tag == "label" and attrs.get("for"):
            targets.append(attrs["for"])
        missing += [target for target in targets if target not in ids]
    return missing


def text_of(html: str, element_id: str) -> str:
    return " ".join("".join(parse(html).text_by_id.get(element_id, [])).split())


def element(html: str, element_id: str) -> tuple[str, dict[str, str]]:
    matches = [(tag, attrs) for tag, attrs in parse(html).elements if attrs.get("id") == element_id]
    assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
    return matches[0]


def description(html: str, element_id: str) -> str:
    """The text a screen reader reads as the description of the element ``element_id``."""
    _tag, attrs = element(html, element_id)
    return " ".join(text_of(html, target) for target in attrs.get("aria-describedby", "").split())


def labelled_control(html: str, label_text: str) -> tuple[str, dict[str, str]]:
    """The control the ``<label>`` whose text is ``label_text`` names (and focuses when tapped)."""
    page = parse(html)
    # Labels have no id of their own here: find them by walking again and collecting their text.
    found: list[str] = []

    class _Labels(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.current: str | None = None
            self.text = ""

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "label":
                self.current, self.text = dict(attrs).get("for") or "", ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "label" and self.current is not None:
                if " ".join(self.text.split()).rstrip(":") == label_text:
                    found.append(self.current)
                self.current = None

        def handle_data(self, data: str) -> None:
            if self.current is not None:
                self.text += data

    _Labels().feed(html)
    assert len(found) == 1, f"{len(found)} labels «{label_text}»"
    matches = [(tag, attrs) for tag, attrs in page.elements if attrs.get("id") == found[0]]
    assert len(matches) == 1, f"label «{label_text}» points to {len(matches)} elements (id {found[0]!r})"
    return matches[0]
