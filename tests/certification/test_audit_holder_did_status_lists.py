"""Audit fixes: a DID typed by hand in «Mis certificados» is only ever an Ed25519 did:key (never a website or
someone else's identifier in the signed credential), and status lists are served only for lists that exist."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.contrib.messages import get_messages
from django.urls import reverse

from certification import openbadges, signing, statuslist
from certification.models import Certificate
from certification.services import certificate_revoke
from tests.certification.factories import holder, issue

pytestmark = pytest.mark.django_db


def _did_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "did:key:" + openbadges.multikey(raw)


def _secp256k1_did_key() -> str:
    # multicodec 0xe7 (secp256k1-pub, varint e7 01) + a 33-byte compressed point
    return "did:key:z" + openbadges.base58btc_encode(bytes([0xE7, 0x01, 0x02]) + bytes(range(1, 33)))


REFUSED = [
    "did:web:evil.example",
    "did:example:123",
    _secp256k1_did_key(),
    "did:key:z" + openbadges.base58btc_encode(b"\xed\x01" + bytes(31)),  # Ed25519 codec, 31-byte key
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
]


def _bind(client, certificate, did):
    return client.post(reverse("certification:holder_did", args=[certificate.code]), {f"{certificate.code}-did": did})


def _credential(client, certificate):
    response = client.get(reverse("certification:credential", args=[certificate.code]))
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("did", REFUSED)
def test_a_did_typed_by_hand_that_is_not_an_ed25519_did_key_is_refused(client, did):
    learner = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+51987654321")
    certificate = issue(user=learner)
    client.force_login(learner)
    response = _bind(client, certificate, did)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("did:key de clave Ed25519" in m for m in shown), shown
    assert Certificate.objects.get(pk=certificate.pk).holder_did == ""
    assert "id" not in _credential(client, certificate)["credentialSubject"]
    assert did not in json.dumps(_credential(client, certificate))


def test_an_ed25519_did_key_is_bound_and_a_refused_one_does_not_replace_it(client):
    learner = holder(first_name="Génesis", last_name="Cedeño Vera", phone="+593991234567")
    certificate = issue(user=learner)
    client.force_login(learner)
    page = client.get(reverse("certification:my_certificates")).content.decode()
    assert "no comprueba que esa billetera sea tuya" in page
    did = _did_key()
    _bind(client, certificate, f"  {did}#{did.removeprefix('did:key:')} ")  # the key URL a wallet may show
    assert _credential(client, certificate)["credentialSubject"]["id"] == did
    _bind(client, certificate, "did:web:evil.example")
    vc = _credential(client, certificate)
    assert vc["credentialSubject"]["id"] == did
    assert "evil.example" not in json.dumps(vc)
    _bind(client, certificate, "")  # blank unbinds
    assert "id" not in _credential(client, certificate)["credentialSubject"]


@pytest.mark.parametrize("did", REFUSED[:3])
def test_a_did_of_another_kind_bound_before_the_rule_is_never_signed(client, did):
    """Certificates whose holder bound a did:web or another key type before the form refused them: the public
    credential leaves the DID out (still signed and verifiable) instead of signing what nobody checked."""
    learner = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593987654321")
    certificate = issue(user=learner)
    Certificate.objects.filter(pk=certificate.pk).update(holder_did=did)  # as stored by the old form
    vc = _credential(client, certificate)
    assert "id" not in vc["credentialSubject"] and did not in json.dumps(vc)
    assert vc["proof"][0]["proofValue"] if isinstance(vc["proof"], list) else vc["proof"]["proofValue"]


def test_a_status_list_nobody_points_at_is_not_found_and_a_real_one_still_answers(client):
    certificate = issue(user=holder(first_name="Andrés", last_name="Guzmán Loor", phone="+51912345678"))
    slug = certificate.issuer.slug
    number, bit = statuslist.list_position(certificate.status_index)
    for missing in (99999999999999999999, number + 1, 2**31 // statuslist.LIST_SIZE + 1):
        url = reverse("certification:status_list", args=[slug, "revocation", missing])
        assert client.get(url).status_code == 404, missing
    certificate_revoke(certificate=certificate, actor=None, reason="Prueba")
    response = client.get(reverse("certification:status_list", args=[slug, "revocation", number]))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert statuslist.bit_is_set(statuslist.decode(document["credentialSubject"]["encodedList"]), bit)
    proof = document["proof"][0]
    pair = signing.keyring().keys[proof["verificationMethod"].rsplit("#", 1)[1]]
    signature = openbadges.base58btc_decode(proof["proofValue"][1:])
    pair.public_key.verify(signature, openbadges.proof_hash(document, proof))  # raises if the signature is bad
