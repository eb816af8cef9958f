"""Linkage in the demo: a paused webhook subscription to ``jichi webhook-receiver``, and a
family of a neighbouring municipality of the same deployment moving in with a hand-over
waiting at the counter. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from jichi.linkage import services
from jichi.linkage.models import Subscription, SubscriptionState, Transfer
from jichi.linkage.tasks import send_transfer
from jichi.registry import services as registry
from jichi.registry.schemas import AddressIn, ArrivalIn, DepartureIn, PersonIn
from jichi.registry.selectors import persons_of
from jichi.tenancy.context import tenant_scope
from jichi.tenancy.models import Municipality
from jichi.tenancy.principals import Actor
from jichi.tenancy.services import activate_municipality, add_local_government

NEIGHBOUR = "141305"  # 川崎市
RECEIVER_URL = "http://127.0.0.1:8001/hooks"


@dataclass
class Linkage:
    secret: str | None = None  # of the subscription made now (None: it existed)
    handover: bool = False


def demo_linkage(municipality: Municipality, *, actor: Actor) -> Linkage:
    made = Linkage()
    with tenant_scope(municipality.code, "demo"):
        if not Subscription.objects.filter(name="デモ受信システム").exists():
            subscription, made.secret = services.create_subscription(
                municipality=municipality,
                actor=actor,
                name="デモ受信システム",
                url=RECEIVER_URL,
                types=["registry.*"],
                batch_size=100,
                start="now",
                may=lambda permission: True,
            )
            Subscription.objects.filter(id=subscription.id).update(state=SubscriptionState.PAUSED)
        if Transfer.objects.filter(counterpart=NEIGHBOUR).exists():
            return made
    made.handover = _moving_in_from_the_neighbour(municipality, actor)
    return made


def _moving_in_from_the_neighbour(municipality: Municipality, actor: Actor) -> bool:
    neighbour = add_local_government(NEIGHBOUR)
    activate_municipality(municipality=neighbour, actor=actor)
    today = timezone.localdate()
    common = dict(
        family_name="川崎",
        family_name_kana="カワサキ",
        domicile="神奈川県川崎市川崎区駅前本町1番",
        domicile_head="川崎一郎",
    )
    with tenant_scope(NEIGHBOUR, "demo"):
        movement = registry.record_move_in(
            municipality=neighbour,
            actor=actor,
            notice=ArrivalIn(
                effective_on=today - timedelta(days=900),
                notified_on=today - timedelta(days=899),
                address=AddressIn(town="川崎区駅前本町", block="11番地2"),
                persons=[
                    PersonIn(
                        **common,
                        given_name="一郎",
                        given_name_kana="イチロウ",
                        birth_date="1985-07-07",
                        sex="1",
                        relationship="世帯主",
                    ),
                    PersonIn(
                        **common,
                        given_name="さくら",
                        given_name_kana="サクラ",
                        birth_date="2020-04-01",
                        sex="2",
                        relationship="子",
                    ),
                ],
            ),
        )
        numbers = [p.number for p in persons_of(movement)]
        registry.record_move_out(
            municipality=neighbour,
            actor=actor,
            notice=DepartureIn(
                persons=numbers,
                effective_on=today - timedelta(days=1),
                notified_on=today - timedelta(days=3),
                destination_address=f"神奈川県{municipality.display_name}中区山下町1番地",
            ),
        )
        outgoing = Transfer.objects.get(counterpart=municipality.code)
    send_transfer.call(NEIGHBOUR, str(outgoing.id))  # here at once (the worker would too)
    return True
