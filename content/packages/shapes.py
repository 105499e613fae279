"""Reading untrusted JSON by shape.

A package's JSON (``h5p.json``, ``content.json``, ``policy.json``, ``ruta-package.json``) is whatever its author
wrote: where a parser expects an object or a list it takes the value through these helpers, which treat anything
else as missing, so a string where an object belongs never reaches ``.get``. ``inspection.package_inspect``
still turns any shape error a parser missed into a refusal.

Pure: no Django. Must not import courses or certification.
"""

from __future__ import annotations

from typing import Any


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """``value`` when it is a JSON list, else an empty one."""
    return value if isinstance(value, list) else []


def objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list (anything else in it, or a value that is not a list, is left out)."""
    return [item for item in items(value) if isinstance(item, dict)]


def string(value: Any, default: str = "") -> str:
    """``value`` when it is a string, else ``default``."""
    return value if isinstance(value, str) else default
