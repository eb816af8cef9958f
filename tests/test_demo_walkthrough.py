"""The demo as people meet it: staff issue every kind of certificate, the resident logs in
with the demo card written to disk and issues their own, anyone checks a PDF."""

import base64
import io
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.core.management import call_command

from jichi.certificates import pdf
from jichi.certificates.models import Certificate
from jichi.registry.codes import Reason, ResidentStatus
from jichi.registry.models import PersonVersion
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import StaffUser

DEMO_PASSWORD = "jichi-demo-2026!"


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.DEBUG = True
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", municipality="141003", residents=150, seed=5, stdout=out)
    return tmp_path, out.getvalue()


def _person(**where):
    with tenant_scope("141003"):
        version = (
            PersonVersion.objects.filter(superseded_at=None, valid_to=None, **where)
            .select_related("person")
            .order_by("person__number")
            .first()
        )
    assert version is not None, where
    return version.person.number


def test_demo_staff_issue_every_kind_of_certificate(client, demo):
    counter = StaffUser.objects.get(username="demo-counter-141003")
    assert client.login(username=counter.username, password=DEMO_PASSWORD)
    requests = {
        "resident_copy": _person(status=ResidentStatus.RESIDENT, is_head=True),
        "entry_certificate": _person(status=ResidentStatus.RESIDENT, is_head=False),
        "removed_copy": _person(status=ResidentStatus.DECEASED),
        "move_out": _person(status=ResidentStatus.MOVED_OUT, reason=Reason.MOVE_OUT),
    }
    for kind, number in requests.items():
        response = client.post(
            "/certificates/new/",
            {
                "kind": kind,
                "person": number,
                "category": "agent",
                "requester_name": "見本 代理人",
                "power_of_attorney": "令和8年12月1日付け委任状",
                "purpose": "各種手続への添付",
            },
        )
        assert response.status_code == 302, (kind, response.content.decode()[:2000])
    with tenant_scope("141003"):
        issued = {c.kind: c for c in Certificate.objects.all()}
    assert set(issued) == set(requests) and all(c.sha256 for c in issued.values())
    anchors = x509.load_pem_x509_certificates(client.get("/pki/ca.pem").content)
    for certificate in issued.values():
        assert pdf.validate(bytes(certificate.pdf), anchors).ok, certificate.kind
        public = client.get(f"/verify/{certificate.id}.json").json()
        assert public["sha256"] == certificate.sha256


def test_the_demo_card_logs_its_resident_in_and_they_issue_their_own_copy(client, demo):
    directory, printed = demo
    card = directory / "demo-card"
    assert "Demo card of resident" in printed and str(card) in printed
    number = re.search(r"Demo card of resident (\d{10})", printed).group(1)
    key = serialization.load_pem_private_key((card / "auth-key.pem").read_bytes(), None)
    page = client.get("/resident/login/").content.decode()
    challenge = re.search(r'name="challenge" value="([^"]+)"', page).group(1)
    signature = key.sign(challenge.encode(), padding.PKCS1v15(), hashes.SHA256())
    login = client.post(
        "/resident/login/",
        {
            "challenge": challenge,
            "certificate": (card / "auth-cert.pem").read_text(),
            "signature": base64.b64encode(signature).decode(),
        },
    )
    assert login.status_code == 302
    issued = client.post("/resident/certificates/", {"kind": "resident_copy", "person": number})
    assert issued.status_code == 302
    with tenant_scope("141003"):
        mine = Certificate.objects.select_related("person").get()
    assert mine.person.number == number and mine.channel == "self_service"
    download = client.get(f"/resident/certificates/{mine.id}.pdf")
    assert download.content.startswith(b"%PDF")
