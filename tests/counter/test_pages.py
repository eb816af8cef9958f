"""Staff and public pages: flows, permissions, labels for every input, the board's refresh."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jichi.counter import services
from jichi.counter.models import Reservation, Visit, VisitStatus
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.roles import Role
from tests import factories
from tests.counter.conftest import SYSTEM, make_counter, make_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_counter(yokohama):
    """A counter open all day, so the kiosk works whenever the test runs."""
    from datetime import time

    with tenant_scope(yokohama.code):
        counter = make_counter(yokohama)
        counter.opens_at, counter.closes_at = time(0, 0), time(23, 59, 59)
        counter.save()
    return counter


def _labelled(html: str) -> None:
    """Every visible input, select and textarea has a <label for> naming its id."""
    ids = set(re.findall(r'<label for="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        found = re.search(r'id="([^"]+)"', tag)
        assert found and found.group(1) in ids, f"no label for {tag}"


def test_kiosk_issues_a_ticket_and_shows_its_number(client, yokohama, open_counter):
    page = client.get(f"/queue/{yokohama.code}/kiosk/")
    assert page.status_code == 200
    _labelled(page.content.decode())
    response = client.post(f"/queue/{yokohama.code}/kiosk/", {"counter": str(open_counter.id)})
    assert response.status_code == 302
    assert "A-001" in client.get(response["Location"]).content.decode()


def test_kiosk_check_in_with_a_wrong_reference_says_so(client, yokohama, open_counter):
    response = client.post(f"/queue/{yokohama.code}/kiosk/", {"reference": "NOPE"})
    assert response.status_code == 409
    assert "この予約番号の予約はありません" in response.content.decode()


def test_unknown_municipality_pages_are_404(client, yokohama):
    assert client.get("/queue/999999/kiosk/").status_code == 404
    assert client.get("/reserve/12/").status_code == 404


def test_the_board_refreshes_itself_and_announces_calls(client, yokohama, open_counter):
    with tenant_scope(yokohama.code):
        services.issue_ticket(municipality=yokohama, actor=SYSTEM, counter=open_counter)
        services.call_next(municipality=yokohama, actor=SYSTEM, counter=open_counter, desk="3番")
    html = client.get(f"/queue/{yokohama.code}/board/main/").content.decode()
    assert 'hx-trigger="every 5s"' in html and '<meta http-equiv="refresh" content="5">' in html
    assert 'aria-live="polite"' in html and "A-001" in html and "3番" in html
    live = client.get(f"/queue/{yokohama.code}/board/main/live/").content.decode()
    assert "A-001" in live and "<html" not in live


def test_a_resident_reserves_and_cancels_on_the_public_pages(client, yokohama):
    with tenant_scope(yokohama.code):
        counter = make_counter(yokohama)
        tomorrow = timezone.localtime() + timedelta(days=1)
        slot = make_slot(
            yokohama, counter, start=tomorrow.replace(hour=10, minute=0, second=0, microsecond=0)
        )
    assert "tennyu_yoyaku" in client.get(f"/reserve/{yokohama.code}/").content.decode()
    page = client.get(f"/reserve/{yokohama.code}/tennyu_yoyaku/")
    _labelled(page.content.decode())
    bad = client.post(
        f"/reserve/{yokohama.code}/tennyu_yoyaku/",
        {"slot": str(slot.id), "name": "山田", "contact": "123"},
    )
    assert bad.status_code == 400 and "contact.invalid" in bad.content.decode()
    done = client.post(
        f"/reserve/{yokohama.code}/tennyu_yoyaku/",
        {"slot": str(slot.id), "name": "山田", "contact": "090-1234-5678"},
    )
    with tenant_scope(yokohama.code):
        reservation = Reservation.objects.get()
    assert reservation.reference in done.content.decode()
    cancel = client.post(f"/reserve/{yokohama.code}/cancel/", {"reference": reservation.reference})
    assert cancel.status_code == 200
    again = client.post(f"/reserve/{yokohama.code}/cancel/", {"reference": reservation.reference})
    assert again.status_code == 409 and "reservation.cancelled" in again.content.decode()


def test_a_clerk_calls_starts_and_completes_from_the_desk_page(client, yokohama, open_counter):
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))
    with tenant_scope(yokohama.code):
        services.issue_ticket(municipality=yokohama, actor=SYSTEM, counter=open_counter)
    _labelled(client.get("/counter/").content.decode())
    client.post(f"/counter/counters/{open_counter.id}/call/", {"desk": "2番"})
    with tenant_scope(yokohama.code):
        visit = Visit.objects.get()
    assert visit.status == VisitStatus.CALLED
    client.post(f"/counter/tickets/{visit.id}/start/")
    client.post(f"/counter/tickets/{visit.id}/complete/")
    with tenant_scope(yokohama.code):
        visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE and visit.process_seconds is not None
    empty = client.post(f"/counter/counters/{open_counter.id}/call/", {"desk": "2番"}, follow=True)
    assert "お待ちの方はいません" in empty.content.decode()


def test_another_municipalitys_counter_page_action_is_404(client, yokohama, chiyoda):
    with tenant_scope(chiyoda.code):
        theirs = make_counter(chiyoda)
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))
    assert client.post(f"/counter/counters/{theirs.id}/call/", {"desk": "1"}).status_code == 404


def test_a_clerk_may_not_see_setup_or_the_dashboard(client, yokohama):
    client.force_login(factories.staff(yokohama, Role.COUNTER_CLERK))
    assert client.get("/counter/setup/").status_code == 403
    assert client.get("/counter/dashboard/").status_code == 403


def test_an_admin_sets_up_a_counter_and_reads_the_dashboard(client, yokohama):
    client.force_login(factories.staff(yokohama, Role.MUNICIPAL_ADMIN))
    page = client.get("/counter/setup/")
    _labelled(page.content.decode())
    bad = client.post(
        "/counter/setup/",
        {
            "what": "counter",
            "name": "",
            "department": "市民課",
            "ticket_prefix": "A",
            "procedure_ids": "tennyu_yoyaku",
            "opens_at": "08:30",
            "closes_at": "17:15",
        },
    )
    assert bad.status_code == 400 and "name.required" in bad.content.decode()
    ok = client.post(
        "/counter/setup/",
        {
            "what": "counter",
            "name": "転入",
            "department": "市民課",
            "ticket_prefix": "A",
            "procedure_ids": "tennyu_yoyaku",
            "opens_at": "08:30",
            "closes_at": "17:15",
        },
    )
    assert ok.status_code == 302
    board = client.get("/counter/dashboard/")
    assert board.status_code == 200
    _labelled(board.content.decode())
    assert client.get("/counter/dashboard.csv")["Content-Type"].startswith("text/csv")
    assert client.get("/counter/dashboard/waiting.png").content.startswith(b"\x89PNG")
    refused = client.get("/counter/dashboard/?date_from=2026-02-01&date_to=2026-01-01")
    assert refused.status_code == 400
