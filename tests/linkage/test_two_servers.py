"""A hand-over between two deployments on this machine, each its own server, database and key.

横浜市 is served by server A, 千代田区 by server B; each trusts the other with
``jichi peers add``. A family moves out of 横浜市 to 千代田区: A's worker posts
the hand-over to B, B's counter accepts it through B's API, B's worker posts the
arrival notice back to A. Tampered, replayed and foreign-signed hand-overs are
refused by B's server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.cli import cli_env, jichi, jichi_process, needs_script, scratch_database

SETUP_A = """
from jichi.registry import services
from jichi.registry.schemas import AddressIn, ArrivalIn, DepartureIn, PersonIn
from jichi.registry.selectors import persons_of
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.principals import Actor
from jichi.tenancy.services import activate_municipality, add_local_government
from django.utils import timezone
from datetime import timedelta

actor = Actor.system("test")
m = add_local_government("141003")
activate_municipality(municipality=m, actor=actor)
today = timezone.localdate()
person = dict(family_name="山田", family_name_kana="ヤマダ", sex="1", domicile="横浜市中区元町1番",
              domicile_head="山田太郎")
with tenant_scope("141003"):
    movement = services.record_move_in(municipality=m, actor=actor, notice=ArrivalIn(
        effective_on=today - timedelta(days=400), notified_on=today - timedelta(days=399),
        address=AddressIn(town="中区元町", block="1丁目2番3号"),
        persons=[
            PersonIn(**person, given_name="太郎", given_name_kana="タロウ",
                     birth_date="1980-04-01", relationship="世帯主", my_number="123456789018"),
            PersonIn(**person, given_name="一郎", given_name_kana="イチロウ",
                     birth_date="2015-09-09", relationship="子"),
        ]))
    numbers = [p.number for p in persons_of(movement)]
with tenant_scope("141003"):
    services.record_move_out(municipality=m, actor=actor, notice=DepartureIn(
        persons=numbers, effective_on=today - timedelta(days=2),
        destination_address="東京都千代田区千代田1番1号"))
print(json.dumps(numbers))
"""

SETUP_B = """
from jichi.tenancy.principals import Actor
from jichi.tenancy.services import activate_municipality, add_local_government
m = add_local_government("131016")
activate_municipality(municipality=m, actor=Actor.system("test"))
"""

STATUS = """
from jichi.linkage.models import Transfer
from jichi.tenancy.context import tenant_scope
with tenant_scope("{code}"):
    print(json.dumps([[t.direction, t.status, t.links, t.last_error]
                      for t in Transfer.objects.all()]))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shell(code: str, env) -> str:
    done = jichi("shell", "-c", "import json\n" + code, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


class Server:
    def __init__(self, tmp: Path, database: str) -> None:
        tmp.mkdir()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = cli_env(tmp, JICHI_DATABASE_URL=database)
        self.log = (tmp / "server.log").open("wb")
        assert jichi("migrate", "--noinput", env=self.env).returncode == 0
        self.process = None

    def key(self, tmp: Path) -> Path:
        done = jichi("peers", "self", env=self.env)
        assert done.returncode == 0, done.stderr
        pem = done.stdout[done.stdout.index("-----BEGIN") :]
        path = tmp / f"{self.port}.pem"
        path.write_text(pem, encoding="ascii")
        return path

    def start(self) -> None:
        self.process = jichi_process(
            "serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("the server did not start")

    def work(self) -> None:
        done = jichi("worker", "--batch", env=self.env)
        assert done.returncode == 0, done.stderr[-3000:]

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def servers(tmp_path):
    with scratch_database(tmp_path, "a") as url_a, scratch_database(tmp_path, "b") as url_b:
        a, b = Server(tmp_path / "a", url_a), Server(tmp_path / "b", url_b)
        try:
            yield a, b
        finally:
            a.stop()
            b.stop()


@needs_script
def test_a_family_moves_between_two_deployments_without_retyping(servers, tmp_path):
    a, b = servers
    key_a, key_b = a.key(tmp_path), b.key(tmp_path)
    _shell(SETUP_B, b.env)
    for server, name, url, key, code in ((a, "B", b.url, key_b, "131016"),
                                         (b, "A", a.url, key_a, "141003")):  # fmt: skip
        added = jichi("peers", "add", name, "--url", url, "--key-file", str(key),
                      "--municipalities", code, env=server.env)  # fmt: skip
        assert added.returncode == 0, added.stderr
    numbers = json.loads(_shell(SETUP_A, a.env))
    a.start()
    b.start()

    a.work()  # A's worker posts the hand-over to B's server

    token = jichi("create-token", "--municipality", "131016", "--name", "counter",
                  "--scope", "registry:read", "--scope", "registry:write", env=b.env)  # fmt: skip
    headers = {"authorization": f"Bearer {token.stdout.strip().splitlines()[-1]}"}
    base = b.url + "/api/v1/municipalities/131016/transfers"
    listed = httpx.get(base, headers=headers).json()
    assert [(t["direction"], t["counterpart"], t["persons"]) for t in listed] == [
        ("in", "141003", 2)
    ]
    transfer = listed[0]["id"]
    detail = httpx.get(f"{base}/{transfer}", params={"purpose": "転入届"}, headers=headers).json()
    assert [p["given_name"] for p in detail["persons_items"]] == ["太郎", "一郎"]
    body = {"effective_on": time.strftime("%Y-%m-%d"), "address": {"town": "千代田", "block": "1"}}
    accepted = httpx.post(f"{base}/{transfer}/accept", json=body, headers=headers)
    assert accepted.status_code == 201, accepted.text
    links = accepted.json()["links"]
    assert set(links) == set(numbers)

    b.work()  # B's worker posts the arrival notice to A's server

    direction, status, links_at_a, error = json.loads(_shell(STATUS.format(code="141003"), a.env))[
        0
    ]
    assert (direction, status, error) == ("out", "arrived", "")
    assert links_at_a == links

    # B's server refuses what it must refuse.
    envelope = json.loads(
        _shell(
            "from jichi.linkage.handover import envelope_of\n"
            "from jichi.linkage.models import Transfer\n"
            "from jichi.tenancy.context import tenant_scope\n"
            "with tenant_scope('141003'):\n"
            "    print(json.dumps(envelope_of(Transfer.objects.get()), ensure_ascii=False))",
            a.env,
        )
    )
    replayed = httpx.post(b.url + "/api/v1/transfers", json=envelope)
    assert replayed.status_code == 409
    assert replayed.json()["error"]["code"] == "transfer.duplicate"
    tampered = json.loads(json.dumps(envelope))
    tampered["document"]["persons"][0]["items"]["birth_date"] = "1999-01-01"
    refused = httpx.post(b.url + "/api/v1/transfers", json=tampered)
    assert refused.json()["error"]["code"] == "transfer.signature"
    foreign = Ed25519PrivateKey.generate()
    raw = foreign.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    import base64
    import hashlib

    forged = {
        "document": envelope["document"] | {"id": "01939f0e-0000-7000-8000-000000000001"},
        "key_id": hashlib.sha256(raw).hexdigest()[:16],
        "signature": base64.b64encode(foreign.sign(b"x")).decode(),
    }
    unknown = httpx.post(b.url + "/api/v1/transfers", json=forged)
    assert unknown.status_code == 403
    assert unknown.json()["error"]["code"] == "transfer.issuer_unknown"
