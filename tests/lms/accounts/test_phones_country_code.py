"""A number typed with its country code but no «+» is read with that code; local forms read as before (audit)."""

import pytest
from django import forms

from lms.accounts.phones import phone_candidates, phone_normalise, phone_readings

PERU = "+51912345678"
ECUADOR = "+593987651234"
VENEZUELA = "+584121234567"

EVERY_FORM = [
    # Peru: local, bare code, +code, 00code, with separators
    ("912 345 678", PERU),
    ("912345678", PERU),
    ("51912345678", PERU),
    ("51 912 345 678", PERU),
    ("+51 912 345 678", PERU),
    ("0051912345678", PERU),
    # Ecuador
    ("098 765 1234", ECUADOR),
    ("0987651234", ECUADOR),
    ("593987651234", ECUADOR),
    ("593 98 765 1234", ECUADOR),
    ("+593 98 765 1234", ECUADOR),
    ("00593987651234", ECUADOR),
    # Venezuela
    ("0412 123 4567", VENEZUELA),
    ("04121234567", VENEZUELA),
    ("584121234567", VENEZUELA),
    ("58 412-123-4567", VENEZUELA),
    ("+58 412 123 4567", VENEZUELA),
]


@pytest.mark.parametrize("region", ["PE", "EC", "VE", ""])
@pytest.mark.parametrize(("typed", "stored"), EVERY_FORM)
def test_every_form_of_the_three_countries_numbers(typed, stored, region):
    if region != "PE" and typed in ("912 345 678", "912345678"):
        pytest.skip("a bare 9-digit mobile is read in the context's country (see test_phones.py)")
    assert phone_normalise(typed, region=region) == stored


@pytest.mark.parametrize("region", ["PE", "EC", "VE", ""])
@pytest.mark.parametrize("typed", ["593987651234", "593 98 765 1234", "5930987651234", "099 876 5432"])
def test_an_ecuadorian_number_never_becomes_peruvian(typed, region):
    try:
        stored = phone_normalise(typed, region=region)
    except forms.ValidationError:
        return
    assert stored.startswith("+593")


def test_a_code_before_a_number_with_its_trunk_zero_is_not_read_with_that_code():
    # «51» before Ecuador's 099 123 4567 must not give the Peruvian +51 991 234 567.
    with pytest.raises(forms.ValidationError):
        phone_normalise("510991234567", region="PE")


def test_local_forms_still_parse_as_before(settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "PE"
    assert phone_normalise("912 345 678") == PERU
    assert phone_normalise("099 876 5432") == "+593998765432"
    assert phone_normalise("099 876 5432", region="EC") == "+593998765432"
    assert phone_normalise("2 234 5678", region="EC") == "+59322345678"  # its 0 dropped by a spreadsheet
    # 98 765 1234 without its 0 is also Peru's 987 651 234 as Peruvians write it: a question, never Peruvian alone.
    assert phone_readings("98 765 1234", region="EC") == [ECUADOR, "+51987651234"]
    assert phone_normalise("01 234 5678") == "+5112345678"


def test_login_finds_the_account_from_the_bare_code_form(settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "PE"
    assert ECUADOR in phone_candidates("593987651234")
    assert PERU in phone_candidates("51912345678")
    assert VENEZUELA in phone_candidates("584121234567")
