"""The counter API: set-up, booking, queue actions, dashboard, and the errors' shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.tenancy.roles import SCOPES
from tests import factories

pytestmark = pytest.mark.django_db


def _caller(client, municipality, base: str):
    _, secret = factories.token(municipality, list(SCOPES))
    base = f"/api/v1/municipalities/{municipality.code}{base}"

    def call(method, path, body=None):
        kwargs = {"content_type": "application/json"} if body is not None else {}
        return getattr(client, method)(base + path, body, **kwargs, **factories.bearer(secret))

    return call


@pytest.fixture
def api(client, yokohama):
    return _caller(client, yokohama, "/counter")


@pytest.fixture
def applications(client, yokohama):
    return _caller(client, yokohama, "/applications")


def _counter(api, **changes):
    body = {
        "name": "転入転出",
        "department": "市民課",
        "ticket_prefix": "A",
        "procedure_ids": ["tennyu_yoyaku"],
        "opens_at": "00:00",
        "closes_at": "23:59:59",
    }
    body.update(changes)
    return api("post", "/counters", body)


def test_the_whole_flow_through_the_api(api, applications):
    counter = _counter(api).json()
    start = (timezone.localtime() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    slots = api(
        "post",
        f"/counters/{counter['id']}/slots",
        {
            "procedure_id": "tennyu_yoyaku",
            "starts_at": start.isoformat(),
            "duration_minutes": 30,
            "capacity": 1,
        },
    )
    assert slots.status_code == 201
    slot = slots.json()[0]["id"]
    booked = api("post", "/reservations", {"slot": slot, "name": "山田", "contact": "0451234567"})
    assert booked.status_code == 201
    full = api("post", "/reservations", {"slot": slot, "name": "鈴木", "contact": "0451234568"})
    assert full.status_code == 409 and full.json()["error"]["code"] == "slot.full"
    assert full.json()["error"]["message_ja"]
    ticket = api("post", f"/counters/{counter['id']}/tickets", {"procedure_id": "tennyu_yoyaku"})
    assert ticket.status_code == 201 and ticket.json()["label"] == "A-001"
    called = api("post", f"/counters/{counter['id']}/call-next", {"desk": "1番"}).json()
    not_started = api("post", f"/tickets/{called['id']}/complete", {})
    assert not_started.json()["error"]["code"] == "visit.not_started"
    api("post", f"/tickets/{called['id']}/start", {})
    done = api("post", f"/tickets/{called['id']}/complete", {}).json()
    assert done["status"] == "done" and done["process_seconds"] is not None
    today = timezone.localdate().isoformat()
    online = applications(
        "post",
        "",
        {
            "procedure": "sodai_gomi",
            "applicant": {"kind": "resident", "identity": "none"},
            "channel": "online",
            "answers": {
                "name": "山田 太郎",
                "address": "横浜市中区港町1-1",
                "items": "机",
                "item_count": 1,
                "collection_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
                "phone": "045-123-4567",
            },
        },
    )
    assert online.status_code == 201, online.json()
    board = api("get", f"/dashboard?date_from={today}&date_to={today}").json()
    assert board["waiting"]["all"]["count"] == 1
    volumes = {row["procedure_id"]: row for row in board["volumes"]}
    assert (volumes["tennyu_yoyaku"]["served"], volumes["tennyu_yoyaku"]["online_rate"]) == (1, 0)
    assert (volumes["sodai_gomi"]["online"], volumes["sodai_gomi"]["online_rate"]) == (1, 1)
    csv = api("get", f"/dashboard.csv?date_from={today}&date_to={today}")
    assert csv.status_code == 200 and b"distribution,waiting,all,1" in csv.content
    assert f"volume,{today},sodai_gomi,0,0,1,0,1.0".encode() in csv.content


def test_a_bad_counter_gets_field_errors(api):
    response = _counter(api, ticket_prefix="1")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["ticket_prefix"][0]["code"] == "ticket_prefix.invalid"


def test_another_municipalitys_counter_is_404(api, chiyoda, client):
    _, theirs = factories.token(chiyoda, list(SCOPES))
    other = client.post(
        f"/api/v1/municipalities/{chiyoda.code}/counter/counters",
        {
            "name": "x",
            "department": "y",
            "ticket_prefix": "A",
            "procedure_ids": ["tennyu_yoyaku"],
            "opens_at": "08:30",
            "closes_at": "17:00",
        },
        content_type="application/json",
        **factories.bearer(theirs),
    ).json()
    response = api("post", f"/counters/{other['id']}/call-next", {"desk": "1"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_token_without_the_scope_is_refused(client, yokohama):
    _, secret = factories.token(yokohama, ["counter:operate"])
    response = client.get(
        f"/api/v1/municipalities/{yokohama.code}/counter/dashboard?date_from=2026-01-01"
        "&date_to=2026-01-02",
        **factories.bearer(secret),
    )
    assert response.status_code == 403
