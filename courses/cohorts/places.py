"""Reference places for cohorts and roster imports (DOMAIN.md §6.1): country → region/province.

Pure data and lookups; no database. Places are data, not code: extend the tuples, never branch on a name.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Country names are shown to people (translated lazily); codes are what is stored and compared.
COUNTRIES: dict[str, Any] = {
    "PE": _("Perú"),
    "EC": _("Ecuador"),
    "CO": _("Colombia"),
    "AR": _("Argentina"),
    "DO": _("República Dominicana"),
}

REGIONS: dict[str, tuple[str, ...]] = {
    "PE": (
        "Amazonas",
        "Áncash",
        "Apurímac",
        "Arequipa",
        "Ayacucho",
        "Cajamarca",
        "Callao",
        "Cusco",
        "Huancavelica",
        "Huánuco",
        "Ica",
        "Junín",
        "La Libertad",
        "Lambayeque",
        "Lima",
        "Lima Metropolitana",
        "Loreto",
        "Madre de Dios",
        "Moquegua",
        "Pasco",
        "Piura",
        "Puno",
        "San Martín",
        "Tacna",
        "Tumbes",
        "Ucayali",
    ),
    "EC": (
        "Azuay",
        "Bolívar",
        "Cañar",
        "Carchi",
        "Chimborazo",
        "Cotopaxi",
        "El Oro",
        "Esmeraldas",
        "Galápagos",
        "Guayas",
        "Imbabura",
        "Loja",
        "Los Ríos",
        "Manabí",
        "Morona Santiago",
        "Napo",
        "Orellana",
        "Pastaza",
        "Pichincha",
        "Santa Elena",
        "Santo Domingo de los Tsáchilas",
        "Sucumbíos",
        "Tungurahua",
        "Zamora Chinchipe",
    ),
}


def fold(value: str) -> str:
    """Lower-case, accent-free, single-spaced form used to compare names typed by people."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())


_REGION_INDEX: dict[str, dict[str, str]] = {
    country: {fold(name): name for name in names} for country, names in REGIONS.items()
}


def region_canonical(country: str, value: str) -> str | None:
    """The official spelling of a region typed as ``value`` ("cusco" → "Cusco"), or None if unknown.

    Countries without a region list accept any non-empty value as typed.
    """
    value = (value or "").strip()
    if not value:
        return None
    index = _REGION_INDEX.get((country or "").upper())
    if index is None:
        return value
    return index.get(fold(value))


def region_choices(country: str | None = None) -> list[tuple[str, str]]:
    """(value, label) pairs for a select, grouped by nothing: the regions of one country or of all."""
    countries = [country] if country else list(REGIONS)
    return [(name, name) for code in countries for name in REGIONS.get(code, ())]
