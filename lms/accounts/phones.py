"""Reading phone numbers typed by people in Peru, Ecuador and Venezuela (DOMAIN.md: "Two countries, every format").

An international number (``+593 99 123 4567``, ``00593 99 123 4567``) always means what it says. A local number
is read the way people in each country write their own numbers:

- Peru: mobiles are 9 digits starting with 9 (``987 654 321``), landlines carry a 0 area code (``01 234 5678``);
- Ecuador: mobiles are 10 digits starting with 09 (``099 123 4567``), landlines ``02 234 5678``;
- Venezuela: 11 digits starting with 0 (``0412 123 4567``).

``phonenumbers`` alone cannot be trusted with a local number: with Peru as the default region it strips the
leading 0 of ``099 123 4567`` and returns a valid *Peruvian* mobile (+51 991 234 567). So a local number is
read in the country of the context (the cohort's, the institution's or else the site's,
``RUTA_DEFAULT_PHONE_REGION``) only when it is valid there **and** written the way people there write it;
otherwise in the one other country whose own format it has. The bare national number a spreadsheet keeps after
dropping the leading 0 (``99 123 4567`` for ``099 123 4567``) is read in the context's country too, unless another
country writes its own numbers exactly so: ``987 654 321`` is Peru's usual mobile, so in an Ecuadorian context it
may be Peruvian or Ecuadorian-without-its-0. When several fit, the person is asked for the country code instead
of being given a wrong number (``phone_readings`` lists them; a roster import settles them by the one that has an
account, login tries each).

A number typed with its country code but without the ``+`` (``51 912 345 678``, ``593 98 765 1234``,
``58 412 123 4567``, as phones and spreadsheets often show them) is read with that code only when no local
reading fits and what follows the code is exactly a national number of that country (no trunk 0: ``51`` before
``099 123 4567`` is not a Peruvian number).

Imports nothing from Ruta; used by ``lms.accounts`` and the apps above it.
"""

from __future__ import annotations

import contextlib
import re

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: Countries whose local formats Ruta recognises without a country code, in the order they are tried.
LOCAL_REGIONS = ("PE", "EC", "VE")

_SEPARATORS = re.compile(r"[\s().\-/]")

INVALID_MESSAGE = _(
    "Escribe un número de celular válido, por ejemplo 987 654 321 (Perú), 099 123 4567 (Ecuador) "
    "o con el código de país: +58 412 123 4567."
)
AMBIGUOUS_MESSAGE = _("No sabemos de qué país es el número «%(phone)s». Escríbelo con el código de país: %(readings)s.")
_COUNTRY_NAMES = {"PE": _("Perú"), "EC": _("Ecuador"), "VE": _("Venezuela")}


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_valid(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _international(value: str) -> str | None:
    """``+…`` or ``00…``: the number carries its own country code."""
    compact = _SEPARATORS.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact if compact.startswith("+") else None


def _with_bare_country_code(digits: str) -> str | None:
    """``51…``, ``593…`` or ``58…`` followed by exactly a valid national number of that country, as E.164."""
    for region in LOCAL_REGIONS:
        code = str(phonenumbers.country_code_for_region(region))
        if not digits.startswith(code):
            continue
        number = _parse_valid("+" + digits, None)
        if (
            number is not None
            and phonenumbers.region_code_for_number(number) == region
            and str(number.national_number) == digits[len(code) :]
        ):
            return _e164(number)
    return None


def _local_readings(digits: str, region: str) -> tuple[str | None, str | None]:
    """(as written by people in ``region``, as a bare national number without trunk 0) for ``digits``."""
    number = _parse_valid(digits, region)
    if number is None or phonenumbers.region_code_for_number(number) != region:
        return None, None
    national = _digits(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    as_written = _e164(number) if national == digits else None
    # ``99 123 4567`` in an Ecuadorian context: the 0 was dropped (Excel drops it too).
    bare = _e164(number) if str(number.national_number) == digits else None
    return as_written, bare


def phone_readings(value: str, *, region: str | None = None) -> list[str]:
    """Every E.164 number ``value`` may mean in ``region`` (else the site's country): one when it is clear, several
    (the context's reading first) when only the country code can tell.

    ``987 654 321`` in an Ecuadorian context is a Peruvian mobile as Peruvians write it, or an Ecuadorian one whose 0
    was dropped: both are returned. In a Peruvian context it is Peruvian only (the way people there write it).
    Raises ``forms.ValidationError`` (code ``invalid_phone``) when it is no number at all.
    """
    value = (value or "").strip()
    international = _international(value)
    if international is not None:
        number = _parse_valid(international, None)
        if number is None:
            raise forms.ValidationError(INVALID_MESSAGE, code="invalid_phone")
        return [_e164(number)]
    digits = _digits(value)
    if not digits or len(digits) != len(_SEPARATORS.sub("", value)):
        raise forms.ValidationError(INVALID_MESSAGE, code="invalid_phone")
    context = (region if region is not None else settings.RUTA_DEFAULT_PHONE_REGION or "").upper() or None
    readings: list[str] = []
    if context:
        as_written, bare = _local_readings(digits, context)
        if as_written:
            return [as_written]
        if bare:
            # Only a reading if nobody else writes their own number this way: a bare 9xx xxx xxx is also Peru's usual
            # mobile, so it stays a question in Ecuador (and a Peruvian's number never silently becomes +593).
            readings.append(bare)
    for other in LOCAL_REGIONS:
        if other != context:
            as_written, _bare = _local_readings(digits, other)
            if as_written:
                readings.append(as_written)
    if readings:
        return list(dict.fromkeys(readings))
    with_code = _with_bare_country_code(digits)
    if with_code is not None:
        return [with_code]
    raise forms.ValidationError(INVALID_MESSAGE, code="invalid_phone")


def phone_readings_anywhere(value: str) -> list[str]:
    """The readings of ``value`` in any of the three countries' contexts, the site's first (for login: the person
    types their own number the way they always do, whatever the site's country). Empty when it is no number."""
    default = (settings.RUTA_DEFAULT_PHONE_REGION or "").upper()
    readings: list[str] = []
    for context in dict.fromkeys((default, *LOCAL_REGIONS)):
        with contextlib.suppress(forms.ValidationError):
            readings += phone_readings(value, region=context)
    return list(dict.fromkeys(readings))


def phone_international(number: str) -> str:
    """An E.164 number as people read it: ``+51 987 654 321``."""
    return phonenumbers.format_number(phonenumbers.parse(number, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_country_name(number: str) -> str:
    """«Perú», «Ecuador» or «Venezuela» for an E.164 number of those countries ('' for any other)."""
    region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None)) or ""
    return str(_COUNTRY_NAMES.get(region, ""))


def phone_countries(numbers: list[str]) -> str:
    """«Perú o Ecuador» for those numbers."""
    return _or(list(dict.fromkeys(phone_country_name(number) for number in numbers)))


def ambiguous_error(value: str, readings: list[str]) -> forms.ValidationError:
    """The question asked when ``value`` fits several countries: each reading in full, and which country it means."""
    options = [
        gettext("%(number)s si es de %(country)s")
        % {"number": phone_international(reading), "country": phone_country_name(reading)}
        for reading in readings
    ]
    return forms.ValidationError(
        AMBIGUOUS_MESSAGE, code="ambiguous_phone", params={"phone": value, "readings": _or(options)}
    )


def _or(items: list[str]) -> str:
    if len(items) < 2:
        return "".join(items)
    return gettext("%(items)s o %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def phone_normalise(value: str, *, region: str | None = None) -> str:
    """Return ``value`` as an E.164 number; a local number is read in ``region`` (else the site's country) when it
    is written the way people there write it, otherwise in the one country whose format it has.

    Raises ``forms.ValidationError`` (code ``invalid_phone``, or ``ambiguous_phone`` when it fits two countries, see
    ``phone_readings``) with a Spanish message.
    """
    readings = phone_readings(value, region=region)
    if len(readings) > 1:
        raise ambiguous_error((value or "").strip(), readings)
    return readings[0]


def phone_candidates(value: str, *, region: str | None = None) -> list[str]:
    """Every E.164 number ``value`` could mean, the most likely first (for finding an account at login).

    A person types their own number the way they always do; whatever the site's country, the account is found.
    """
    value = (value or "").strip()
    candidates: list[str] = []
    with contextlib.suppress(forms.ValidationError):
        candidates.append(phone_normalise(value, region=region))
    if _international(value) is None:
        digits = _digits(value)
        if digits and len(digits) == len(_SEPARATORS.sub("", value)):
            for other in LOCAL_REGIONS:
                number = _parse_valid(digits, other)
                if number is not None:
                    candidates.append(_e164(number))
    return list(dict.fromkeys(candidates))
