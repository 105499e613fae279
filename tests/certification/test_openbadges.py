"""The Open Badges 3.0 credential, checked independently of Ruta's code: the spec's required fields, and the
eddsa-rdfc-2022 proof verified with PyLD (RDFC-1.0) + ``cryptography``, with the published JSON-LD contexts
(never fetched). The checker proves itself on a credential it signs with its own key and, with the shared corpus,
on the 1EdTech validator's own fixtures; the contexts Ruta bundles are checked there against the published ones.
"""

import copy
import datetime
import hashlib
import json
import zoneinfo
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.urls import reverse
from pyld import jsonld

from certification.services import certificate_revoke
from tests.certification.factories import ProgrammeFactory, holder, issue
from tests.corpus import CORPUS as SHARED_CORPUS
from tests.corpus import corpus

CORPUS = SHARED_CORPUS / "badges"
#: Ruta's copies of the two published contexts its credentials use (compared with the corpus' copies below).
BUNDLED = Path(__file__).resolve().parents[2] / "certification" / "contexts"
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-3.0.1.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def loader(url, options=None):
    if url not in CONTEXTS:
        raise AssertionError(f"a context would be fetched: {url}")
    path = CORPUS / "contexts" / CONTEXTS[url]
    if not path.is_file():  # without the corpus: the published documents as Ruta bundles them
        path = BUNDLED / CONTEXTS[url]
    document = json.loads(path.read_text(encoding="utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def b58decode(text):
    number = 0
    for char in text:
        number = number * 58 + B58.index(char)
    return b"\0" * (len(text) - len(text.lstrip("1"))) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def canon(document):
    return jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    )


def verify_rdfc_proof(credential, profile=None):
    """Return the raw public key if the eddsa-rdfc-2022 proof verifies; raise otherwise.

    The key is the one the issuer's ``profile`` lists under the proof's verification method, else (the
    validator's fixtures) the multikey in the method's fragment."""
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    proof = proofs[0]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    if profile is not None:
        [method] = [m for m in profile["verificationMethod"] if m["id"] == proof["verificationMethod"]]
        assert method["controller"] == profile["id"] == credential["issuer"]["id"]
        multikey = method["publicKeyMultibase"]
    else:
        multikey = proof["verificationMethod"].split("#")[-1]
    decoded = b58decode(multikey[1:])
    assert multikey.startswith("z") and decoded[:2] == b"\xed\x01"
    public_raw = decoded[2:]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = credential["@context"]
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    data = hashlib.sha256(canon(config).encode()).digest() + hashlib.sha256(canon(unsigned).encode()).digest()
    Ed25519PublicKey.from_public_bytes(public_raw).verify(b58decode(proof["proofValue"][1:]), data)
    return public_raw


def b58encode(data):
    number, text = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        text = B58[rest] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def test_the_checker_accepts_a_credential_signed_here_and_rejects_a_forged_signature():
    """A credential signed by this test's own key (independently of Ruta's signing code) verifies; the same
    credential with another key's signature, or with a changed name, does not."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    multikey = "z" + b58encode(b"\xed\x01" + public)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "https://ruta.example/certificados/v/PRUEBA",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://ruta.example/emisores/oit", "type": ["Profile"], "name": "OIT"},
        "validFrom": "2026-03-01T00:00:00Z",
        "name": "Mejore su negocio",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://ruta.example/logros/mesun", "type": ["Achievement"], "name": "MESUN",
                            "description": "Costos y ventas", "criteria": {"narrative": "Aprobar el curso"}},
        },
    }  # fmt: skip
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T00:00:00Z",
        "verificationMethod": f"https://ruta.example/emisores/oit#{multikey}",
        "proofPurpose": "assertionMethod",
    }
    config = {**proof, "@context": credential["@context"]}
    data = hashlib.sha256(canon(config).encode()).digest() + hashlib.sha256(canon(credential).encode()).digest()
    signed = {**credential, "proof": {**proof, "proofValue": "z" + b58encode(key.sign(data))}}
    assert verify_rdfc_proof(signed) == public
    forged = copy.deepcopy(signed)
    forged["proof"]["proofValue"] = "z" + b58encode(Ed25519PrivateKey.generate().sign(data))
    with pytest.raises(InvalidSignature):
        verify_rdfc_proof(forged)
    changed = copy.deepcopy(signed)
    changed["name"] = "Otro curso"
    with pytest.raises(InvalidSignature):
        verify_rdfc_proof(changed)


@corpus
def test_rutas_bundled_contexts_are_the_published_ones():
    for name in ("credentials-v2.jsonld", "ob-v3p0-3.0.3.json"):
        assert json.loads((BUNDLED / name).read_text()) == json.loads((CORPUS / "contexts" / name).read_text()), name


@corpus
def test_the_checker_accepts_and_rejects_the_validators_own_fixtures():
    verify_rdfc_proof(json.loads((CORPUS / "ob30/valid/simple.json").read_text()))
    with pytest.raises((InvalidSignature, ValueError, AssertionError)):
        verify_rdfc_proof(json.loads((CORPUS / "ob30/invalid/simple-err-proof-value.json").read_text()))


@pytest.fixture
def credential(db, client):
    programme = ProgrammeFactory(description="Curso de gestión de negocios para emprendedoras y emprendedores.")
    certificate = issue(programme=programme, user=holder(first_name="Rosa Elena", last_name="Quispe Mamani"))
    response = client.get(reverse("certification:credential", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return certificate, json.loads(response.content)


def issuer_profile(client, vc):
    path = vc["issuer"]["id"].removeprefix("https://ruta.example.org")
    return json.loads(client.get(path, HTTP_ACCEPT="application/ld+json").content)


def test_credential_has_the_required_open_badges_3_fields(credential):
    certificate, vc = credential
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in vc["@context"]
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(vc["type"])
    assert vc["id"].startswith("https://") and certificate.code in vc["id"]
    assert vc["issuer"]["id"].startswith("https://") and "Profile" in vc["issuer"]["type"]
    assert vc["issuer"]["name"] == "Organización Internacional del Trabajo"
    assert vc["validFrom"] == f"{certificate.issued_on.isoformat()}T00:00:00Z"
    subject = vc["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    # The name is not in the credential: a salted hash that whoever knows the name and salt can check.
    identity = subject["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "name"
    expected = hashlib.sha256(("Rosa Elena Quispe Mamani" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert "Rosa Elena" not in json.dumps(vc, ensure_ascii=False)
    assert vc["image"]["id"].endswith(f"/v/{certificate.code}/imagen.png") and vc["image"]["type"] == "Image"
    assert subject["image"] == vc["image"] and "image" not in subject["achievement"]  # the holder's, not the claim's
    achievement = subject["achievement"]
    assert "Achievement" in achievement["type"] and achievement["id"].startswith("https://")
    assert achievement["name"] and achievement["description"] and achievement["criteria"]["narrative"]
    # The whole document expands under the bundled contexts with no undefined terms dropped.
    expanded = jsonld.expand({k: v for k, v in vc.items() if k != "proof"}, {"documentLoader": loader})
    assert json.dumps(expanded).count(identity["identityHash"]) == 1
    assert json.dumps(expanded).count("BitstringStatusListEntry") == 1


def test_credential_proof_verifies_independently_with_a_published_key(credential, client):
    certificate, vc = credential
    public_raw = verify_rdfc_proof(vc, issuer_profile(client, vc))
    import base64

    published = {
        base64.urlsafe_b64decode(key["x"] + "=") for key in client.get("/.well-known/jwks.json").json()["keys"]
    }
    assert public_raw in published


def test_an_expiring_credential_stays_valid_to_a_wallet_all_of_its_last_day_in_peru_and_ecuador(client):
    certificate = issue(programme=ProgrammeFactory(validity_months=12), issued_on=datetime.date(2026, 12, 7))
    assert certificate.expires_on == datetime.date(2027, 12, 7)
    vc = json.loads(client.get(reverse("certification:credential", args=[certificate.code])).content)
    verify_rdfc_proof(vc, issuer_profile(client, vc))
    until = datetime.datetime.fromisoformat(vc["validUntil"])
    # Ruta's page says «vigente» through 7 December (Lima and Guayaquil share UTC-5): a wallet must agree at
    # noon and at 23:59 that day, and call it expired from midnight.
    lima = zoneinfo.ZoneInfo("America/Lima")
    assert datetime.datetime(2027, 12, 7, 23, 59, tzinfo=lima) < until
    assert until == datetime.datetime(2027, 12, 8, 0, 0, tzinfo=lima)
    assert vc["validUntil"] == "2027-12-08T05:00:00Z"


def test_a_tampered_credential_fails(credential, client):
    _, vc = credential
    profile = issuer_profile(client, vc)
    forged = copy.deepcopy(vc)
    forged["credentialSubject"]["identifier"][0]["identityHash"] = "Otra Persona"
    with pytest.raises(InvalidSignature):
        verify_rdfc_proof(forged, profile)
    forged = copy.deepcopy(vc)
    forged["validFrom"] = "2020-01-01T00:00:00Z"
    with pytest.raises(InvalidSignature):
        verify_rdfc_proof(forged, profile)


def test_credential_file_is_named_by_its_stored_code_whatever_the_address_holds(client):
    certificate = issue()
    # A code typed with lower case, hyphens, a check symbol or a line break still finds it; the file's name is
    # the stored code (a line break there would break the response's headers).
    for typed in (certificate.display_code.lower(), certificate.code[:4] + "\r\n" + certificate.code[4:]):
        response = client.get(f"/certificados/v/{quote(typed)}/credencial.json")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="credencial-{certificate.code}.json"'


def test_no_credential_for_unknown_codes_but_revoked_ones_are_not_offered_as_valid(client, user):
    from certification.codes import code_generate

    assert client.get(reverse("certification:credential", args=[code_generate()])).status_code == 404
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    html = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert reverse("certification:credential", args=[certificate.code]) not in html


def _schema_errors(document, name):
    from jsonschema import Draft201909Validator

    schema = json.loads((CORPUS / "schema" / name).read_text(encoding="utf-8"))
    validator = Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]


@corpus
def test_credential_validates_against_1edtechs_achievement_credential_schema(credential, client):
    _, vc = credential
    assert _schema_errors(vc, "ob30_achievementcredential.schema.json") == []
    # The schema is strict enough to catch what Ruta used to send: a bare proof object.
    assert _schema_errors({**vc, "proof": vc["proof"][0]}, "ob30_achievementcredential.schema.json")
    profile = issuer_profile(client, vc)
    assert _schema_errors(profile, "ob30_profile.schema.json") == []


@corpus
def test_a_trainer_credential_validates_against_the_schema_too(client):
    """Trainer certificates can be suspended as well as revoked; their credential still has the one status entry
    Open Badges 3.0 allows (1EdTech's schema rejects an array of them)."""
    from certification.models import CertificateProgramme

    programme = ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, slug="imesun-isun")
    certificate = issue(programme=programme)
    vc = json.loads(client.get(reverse("certification:credential", args=[certificate.code])).content)
    assert _schema_errors(vc, "ob30_achievementcredential.schema.json") == []
    assert vc["credentialStatus"]["statusPurpose"] == "suspension"
    assert _schema_errors(
        {**vc, "credentialStatus": [vc["credentialStatus"]] * 2}, "ob30_achievementcredential.schema.json"
    )


def test_issuer_achievement_status_list_and_credential_ids_resolve(credential, client):
    """Every id in the credential answers: JSON-LD for a machine that asks for it, a page for a person."""
    certificate, vc = credential
    base = "https://ruta.example.org"
    ld = {"HTTP_ACCEPT": "application/ld+json"}
    html = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
    ids = {
        "issuer": vc["issuer"]["id"],
        "achievement": vc["credentialSubject"]["achievement"]["id"],
        "credential": vc["id"],
    }
    for what, url in ids.items():
        assert url.startswith(base + "/"), url
        machine = client.get(url.removeprefix(base), **ld)
        assert machine.status_code == 200, what
        assert machine["Content-Type"].startswith("application/ld+json") and "Accept" in machine["Vary"]
        assert json.loads(machine.content)["id"] == url, what
        person = client.get(url.removeprefix(base), **html)
        assert person.status_code == 200 and person["Content-Type"].startswith("text/html"), what
    assert (
        "Organización Internacional del Trabajo"
        in client.get(ids["issuer"].removeprefix(base), **html).content.decode()
    )
    assert json.loads(client.get(ids["credential"].removeprefix(base), **ld).content)["proof"]
    status = client.get(vc["credentialStatus"]["statusListCredential"].removeprefix(base))
    assert status.status_code == 200
    assert json.loads(status.content)["credentialSubject"]["statusPurpose"] == "revocation"
    assert vc["credentialSubject"]["image"]["id"].removeprefix(base) == reverse(
        "certification:image", args=[certificate.code]
    )
    assert client.get(reverse("certification:issuer", args=["no-existe"]), **ld).status_code == 404


def test_a_revoked_credentials_id_answers_its_status_to_machines(client, user):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    response = client.get(reverse("certification:verify", args=[certificate.code]), HTTP_ACCEPT="application/json")
    assert response.status_code == 410
    assert json.loads(response.content)["status"] == "revoked"


def test_the_holder_binds_the_credential_to_a_wallet_did(client):
    learner = holder(first_name="Daniela", last_name="Ñañez Cusi")
    certificate = issue(user=learner)
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    client.force_login(learner)
    page = client.get(reverse("certification:my_certificates")).content.decode()
    assert reverse("certification:holder_did", args=[certificate.code]) in page
    response = client.post(
        reverse("certification:holder_did", args=[certificate.code]), {f"{certificate.code}-did": did}
    )
    assert response.status_code == 302
    vc = json.loads(client.get(reverse("certification:credential", args=[certificate.code])).content)
    assert vc["credentialSubject"]["id"] == did
    assert vc["credentialSubject"]["identifier"][0]["hashed"] is True
    # Not a DID: refused with a message, nothing stored; someone else's certificate: not found.
    client.post(reverse("certification:holder_did", args=[certificate.code]), {f"{certificate.code}-did": "Daniela"})
    certificate.refresh_from_db()
    assert certificate.holder_did == did
    other = issue(user=holder(first_name="Óscar", last_name="Villca"))
    response = client.post(reverse("certification:holder_did", args=[other.code]), {f"{other.code}-did": did})
    assert response.status_code == 404


@corpus
def test_a_partial_and_a_complete_competency_claim_are_different_achievements(client):
    """One Achievement id means one claim: a wallet keying achievements by id must never merge «3 de 4 unidades»
    with the whole standard, and each id answers with the same Achievement the credential embeds."""
    from certification.models import CertificateProgramme

    base = "https://ruta.example.org"
    ld = {"HTTP_ACCEPT": "application/ld+json"}
    programme = ProgrammeFactory(
        kind=CertificateProgramme.Kind.COMPETENCY_STANDARD, slug="competencia-ven", title="Ventas: certificado"
    )
    units = ["VEN-01 · Atender a la clientela", "VEN-02 · Cobrar", "VEN-03 · Exhibir", "VEN-04 · Reponer"]
    partial = issue(
        programme=programme,
        user=holder(first_name="Andrés", last_name="Quishpe Tituaña"),
        achievement="Competente en 3 de 4 unidades de la norma «Ventas» (versión 1)",
        competency_units=units[:3],
    )
    other_partial = issue(  # the same count of units, other units: another claim
        programme=programme,
        user=holder(first_name="Ñusta", last_name="Huamán"),
        achievement="Competente en 3 de 4 unidades de la norma «Ventas» (versión 1)",
        competency_units=units[1:],
    )
    complete = issue(
        programme=programme,
        user=holder(first_name="María José", last_name="Muñoz Peña"),
        achievement="Competente en la norma «Ventas» (versión 1)",
        competency_units=units,
    )
    embedded = {}
    for certificate in (partial, other_partial, complete):
        vc = json.loads(client.get(reverse("certification:credential", args=[certificate.code])).content)
        assert _schema_errors(vc, "ob30_achievementcredential.schema.json") == []
        achievement = vc["credentialSubject"]["achievement"]
        assert achievement["name"] == certificate.achievement
        fetched = json.loads(client.get(achievement["id"].removeprefix(base), **ld).content)
        assert {k: v for k, v in fetched.items() if k != "@context"} == achievement
        page = client.get(achievement["id"].removeprefix(base)).content.decode()
        assert certificate.achievement in page
        embedded[certificate.code] = achievement["id"]
    assert len(set(embedded.values())) == 3
    # The same claim for another holder shares the id; an invented one is not found.
    again = issue(
        programme=programme,
        user=holder(first_name="Génesis", last_name="Cañar"),
        achievement="Competente en la norma «Ventas» (versión 1)",
        competency_units=units,
    )
    vc = json.loads(client.get(reverse("certification:credential", args=[again.code])).content)
    assert vc["credentialSubject"]["achievement"]["id"] == embedded[complete.code]
    invented = reverse("certification:achievement_variant", args=[programme.slug, "aaaaaaaaaaaaaaaa"])
    assert client.get(invented, **ld).status_code == 404
