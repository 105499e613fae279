"""Ruta's Open Badges 3.0 credentials checked as an employer's or a wallet's software checks them: Digital
Bazaar's ``@digitalbazaar/vc`` (default checks, including "the issuer must control the key") with the
``eddsa-rdfc-2022`` cryptosuite and the Bitstring Status List checker, run by node from the npm registry's
packages (``tests/certification/node/verify_vc.mjs``). Nothing on the project wrote that verifier.

The documents it needs (issuer profile, status lists) are fetched here from Ruta's own URLs with an
``Accept: application/ld+json`` request, as a verifier resolves them, and handed to node; contexts come from npm.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.urls import reverse

from certification import openbadges, signing, statuslist
from certification.models import CertificateProgramme
from certification.services import certificate_revoke, certificate_suspend
from tests.certification.factories import ProgrammeFactory, holder, issue

REPOSITORY = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "node" / "verify_vc.mjs"
LD = "application/ld+json"

pytestmark = pytest.mark.django_db


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("RUTA_REQUIRE_CORPUS"):
            pytest.fail("node is missing: run `make system-deps`")
        pytest.skip("node is not installed (`make system-deps` installs it)")
    if not (REPOSITORY / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail("the verifier's npm packages are missing: run `npm ci --ignore-scripts`")
    return node


def fetch(client, url: str):
    """GET one of Ruta's absolute URLs as a machine does (asking for JSON-LD)."""
    assert url.startswith(settings.RUTA_BASE_URL), url
    response = client.get(url.removeprefix(settings.RUTA_BASE_URL), HTTP_ACCEPT=LD)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].split(";")[0] in (LD, "application/vc+ld+json")
    return json.loads(response.content)


def documents_for(client, credential) -> dict:
    """What a verifier resolves for this credential: the issuer's profile and the status lists, fetched now."""
    issuer = credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"]
    documents = {issuer: fetch(client, issuer)}
    entries = credential.get("credentialStatus", [])
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = fetch(client, entry["statusListCredential"])
    return documents


def node_run(script: Path, payload: dict) -> dict:
    """Run one of our node scripts with ``payload`` as JSON on stdin; its JSON answer."""
    completed = subprocess.run(  # noqa: S603 - our own script, run by node
        [_node(), str(script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def node_verify(credential, documents) -> dict:
    return node_run(SCRIPT, {"credential": credential, "documents": documents})


def credential_of(client, certificate):
    response = client.get(reverse("certification:credential", args=[certificate.code]))
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture
def certificate():
    programme = ProgrammeFactory(description="Curso de gestión de negocios para emprendedoras y emprendedores.")
    return issue(programme=programme, user=holder(first_name="Rosa Elena", last_name="Quispe Mamani"))


def test_a_fresh_certificate_verifies_with_default_checks(client, certificate):
    credential = credential_of(client, certificate)
    result = node_verify(credential, documents_for(client, credential))
    assert result["verified"] is True, result["errors"]
    assert result["status"] == {"revocation": False}
    # The key was found where the issuer lists it, not in the credential itself.
    assert credential["issuer"]["id"] in result["loaded"]


def test_a_tampered_credential_is_rejected(client, certificate):
    credential = credential_of(client, certificate)
    documents = documents_for(client, credential)
    credential["credentialSubject"]["achievement"]["name"] = "Diplomado en finanzas"
    result = node_verify(credential, documents)
    assert result["verified"] is False and result["proofVerified"] is False


def _signed_by_stranger(credential, verification_method):
    stranger = Ed25519PrivateKey.generate()
    pair = signing.SigningKeyPair(
        kid=signing.key_id(stranger.public_key()), public_key=stranger.public_key(), private_key=stranger
    )
    unsigned = {key: value for key, value in credential.items() if key != "proof"}
    return pair, openbadges.document_sign(
        unsigned, pair=pair, verification_method=verification_method(pair), created=credential["validFrom"]
    )


def test_a_credential_signed_by_a_key_the_issuer_does_not_list_is_rejected(client, certificate):
    credential = credential_of(client, certificate)
    documents = documents_for(client, credential)
    issuer = credential["issuer"]["id"]
    # A well-formed signature by a key named under the issuer that the issuer's profile does not list ...
    _, unlisted = _signed_by_stranger(credential, lambda pair: f"{issuer}#{pair.kid}")
    result = node_verify(unlisted, documents)
    assert result["verified"] is False
    assert any("not listed" in error for error in result["errors"]), result["errors"]
    # ... or by another key claiming to be the issuer's listed one.
    listed_kid = credential["proof"][0]["verificationMethod"]
    _, impostor = _signed_by_stranger(credential, lambda pair: listed_kid)
    assert node_verify(impostor, documents)["verified"] is False

    # A self-certifying did:key (as Ruta's credentials used before): genuine signature, but nothing ties the key
    # to the issuer, which a standard verifier refuses.
    def did_key(pair):
        key = openbadges.multikey(signing.raw_public_bytes(pair.public_key))
        return f"did:key:{key}#{key}"

    _, selfmade = _signed_by_stranger(credential, did_key)
    result = node_verify(selfmade, documents)
    assert result["verified"] is False
    assert "Credential issuer must match the verification method controller." in result["errors"], result["errors"]


def test_a_revoked_credential_is_still_genuine_but_shows_revoked_everywhere(client, certificate, user):
    credential = credential_of(client, certificate)  # the copy the holder put in a wallet before
    certificate_revoke(certificate=certificate, actor=user, reason="Error en la nota")
    result = node_verify(credential, documents_for(client, credential))  # the status list fetched right after
    assert result["proofVerified"] is True
    assert result["status"] == {"revocation": True}
    assert client.get(reverse("api_certificate", args=[certificate.code])).json()["status"] == "revoked"
    page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert 'data-status="revoked"' in page


def test_a_suspended_trainer_certificate_shows_suspended_and_a_revoked_one_stays_refused(client, user):
    programme = ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, slug="imesun-gin")
    certificate = issue(programme=programme, user=holder(first_name="Yuliana", last_name="Briceño Rojas"))
    credential = credential_of(client, certificate)
    # One entry (Open Badges 3.0 allows one), on the suspension list: a trainer under review is "suspended".
    assert credential["credentialStatus"]["statusPurpose"] == "suspension"
    assert node_verify(credential, documents_for(client, credential))["status"] == {"suspension": False}
    certificate_suspend(certificate=certificate, actor=user, reason="Queja en revisión")
    result = node_verify(credential, documents_for(client, credential))
    assert result["proofVerified"] is True
    assert result["status"] == {"suspension": True}
    assert client.get(reverse("api_certificate", args=[certificate.code])).json()["status"] == "suspended"
    page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert 'data-status="suspended"' in page
    # Revoked after the review: every verifier still refuses it; Ruta's own page and API say "revoked".
    certificate_revoke(certificate=certificate, actor=user, reason="Queja confirmada")
    result = node_verify(credential, documents_for(client, credential))
    assert result["proofVerified"] is True
    assert result["status"] == {"suspension": True}
    assert client.get(reverse("api_certificate", args=[certificate.code])).json()["status"] == "revoked"


def test_a_participant_suspension_list_never_lists_a_revoked_participant_certificate(client, user):
    certificate = issue(user=holder(first_name="Ángel", last_name="Quispe Mamani"))
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    number, bit = statuslist.list_position(certificate.status_index)
    url = openbadges.status_list_url(institution=certificate.issuer, purpose="suspension", number=number)
    suspension = fetch(client, url)["credentialSubject"]["encodedList"]
    assert not statuslist.bit_is_set(statuslist.decode(suspension), bit)
    url = openbadges.status_list_url(institution=certificate.issuer, purpose="revocation", number=number)
    assert statuslist.bit_is_set(statuslist.decode(fetch(client, url)["credentialSubject"]["encodedList"]), bit)


def test_after_a_key_rotation_old_and_new_credentials_verify(client, _signing_keys):
    old_certificate = issue(user=holder(first_name="Andrés", last_name="Guzmán Loor"))
    old_credential = credential_of(client, old_certificate)  # kept in a wallet since before the rotation
    new_pair = signing.key_file_create(Path(settings.RUTA_SIGNING_KEYS_DIR))
    new_certificate = issue(user=holder(first_name="Génesis", last_name="Cedeño Vera"))
    assert new_certificate.kid == new_pair.kid != old_certificate.kid
    new_credential = credential_of(client, new_certificate)
    assert new_credential["proof"][0]["verificationMethod"].endswith("#" + new_pair.kid)
    for credential in (old_credential, new_credential, credential_of(client, old_certificate)):
        result = node_verify(credential, documents_for(client, credential))
        assert result["verified"] is True, result["errors"]
    # The issuer's profile and the JWKS list the same keys, active first.
    profile = fetch(client, old_credential["issuer"]["id"])
    jwks = client.get("/.well-known/jwks.json").json()["keys"]
    assert [m["id"].rsplit("#", 1)[1] for m in profile["verificationMethod"]] == [k["kid"] for k in jwks]
    assert profile["verificationMethod"][0]["id"].endswith(new_pair.kid)


def test_the_status_list_shows_a_revocation_at_once(client, certificate, user):
    credential = credential_of(client, certificate)
    entry = credential["credentialStatus"]
    first = client.get(entry["statusListCredential"].removeprefix(settings.RUTA_BASE_URL), HTTP_ACCEPT=LD)
    assert "no-cache" in first["Cache-Control"]
    again = client.get(
        entry["statusListCredential"].removeprefix(settings.RUTA_BASE_URL), HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    after = client.get(
        entry["statusListCredential"].removeprefix(settings.RUTA_BASE_URL), HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert after.status_code == 200
    bits = statuslist.decode(json.loads(after.content)["credentialSubject"]["encodedList"])
    assert len(bits) * 8 == statuslist.LIST_SIZE
    assert statuslist.bit_is_set(bits, int(entry["statusListIndex"]))
    assert sum(bin(byte).count("1") for byte in bits) == 1
