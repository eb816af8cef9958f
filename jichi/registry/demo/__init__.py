"""Synthetic residents for the demo: ``jichi demo --residents N --seed S``.

A generator of demo data, **not a business action**. It writes households, persons,
their bitemporal versions, movements and movement subjects with ``bulk_create``,
bypassing :mod:`jichi.registry.services`: running millions of notices through the
services (one transaction, one audit entry and several outbox events each) would take
hours and flood the audit chain and the event feed with fiction. What it writes has the
shape the services would have produced (see "History" below), so every selector, page
and export reads it like real data. In exchange:

- **one** audit entry for the whole run (``registry.demo.generated``, counts and seed,
  no personal data), written when the run ends; no entry per movement;
- **no outbox events**: subscribers learn nothing of the demo population;
- the movements' actor is ``system/demo``.

Determinism and idempotence
    Household ``h`` of seed ``S`` is drawn from ``Faker("ja_JP")`` reseeded with
    ``"jichi-demo:S:h"`` (its ``random`` drives every draw), so the same seed gives the
    same names, sexes, birth dates, shapes and history dates; addresses come from a
    second stream of their own, so another municipality with the same seed gets the same
    people at its own 町字. Numbers (宛名番号, 世帯番号, 個人番号, 住民票コード) follow
    the municipality's ``NumberSequence``: equal in two fresh municipalities, and later
    services number on after the demo. Dates are relative to a *reference day* (today
    on the first run, kept for top-ups): the same seed on another day shifts them.
    Faker's own name lists may change between Faker releases.

    Progress is kept in ``NumberSequence`` rows ``demo:residents``,
    ``demo:next-household``, ``demo:seed`` and ``demo:reference-day``, updated in the
    transaction of each batch (about ``batch_size`` residents, whole households only).
    Running again with the same N does nothing; a larger N tops up (households
    ``next-household`` onwards); an interrupted run resumes where its last batch
    committed. Another seed on a populated municipality is refused. N counts the
    *residents* (住民, status 1) on the reference day; the 除票 (転出 and 死亡, about
    3 %) come on top. The last household is cut to reach N exactly (head first): a
    top-up continues after it, so N₁ then N₂ equals a fresh N₂ except that one household.

Content (the tables in :mod:`jichi.registry.demo.tables` say where the numbers come from)
    Household shapes and head ages after the 2020 census (単独 38 %, 夫婦のみ 20 %,
    夫婦と子 25 %, ひとり親と子 9 %, その他 8 %); 続柄 of the standard (世帯主, 妻, 夫, 子,
    父, 母, 子の妻, 子の子, 兄/姉/弟/妹, 同居人); mothers 20–45 years older than their
    children; Japanese names with readings from Faker ja_JP (its 50 surnames, weighted
    by frequency, plus 50 more, and given names of each sex from Faker and by era);
    the municipality's real 町字 with a 番地 or 住居表示; 本籍 and 筆頭者 after the 戸籍;
    about 2.5 % foreign residents (中国, ベトナム, 韓国, フィリピン, ブラジル, ネパール,
    米国) with 在留資格, 在留期間, a future 満了日 and a card number, some 特別永住者 with a
    通称; valid 個人番号 (sealed with :func:`~jichi.common.secrets.seal_my_number`) and
    住民票コード, unique in the municipality (an affine permutation of the 宛名番号 serial).

History
    Every person starts with a 転入 (国外転入 for newcomers from abroad; a foreign
    spouse here before 2012-07-09, when foreign residents entered the register, with a
    職権記載 on that day) or, when born after the household moved in, a 出生; later
    転居 of the household, 氏名変更 (a divorced mother and her children), 在留期間更新
    and the 在留資格 of a child born here (在留資格等変更), 転出 of a grown child or of
    a whole household, 死亡 with the surviving spouse becoming 世帯主 in the same
    movement. One :class:`Movement` per household event. A change at M of a version
    [F, ∞) recorded at T1 is written as :func:`jichi.registry.timeline.rewrite` leaves
    it: the old row superseded at T2, a restated [F, M) and the new [M, ∞), both
    recorded at T2. Simplifications: the 個人番号 and 住民票コード are on every version
    (their 2015 and 2002 職権記載 are not modelled; persons removed before those dates
    have none); of a foreign resident's renewals only the last one is. Nothing happens
    in the 30 days before the reference day, so every notice is recorded by then.

Speed and memory
    Households are drawn and written one batch at a time; nothing is kept between
    batches (with DEBUG on, Django's query log is emptied after each), so memory does not
    grow with N: about 0.5 GB, most of it the postal data behind the 町字 lists, plus a
    128 MiB SQLite page cache that keeps the indexes' pages in memory. On SQLite about
    1,000 persons a second (2 shared cores), two thirds of it in ``bulk_create``; sealing
    the 個人番号 (``with_my_number``, on by default) is a few per cent. 3,800,000
    residents: about an hour and 12 GB of SQLite. With so few names (Faker's 50 surnames
    plus 50, a few dozen given names a sex) people sharing name, birthday and sex are
    common in a big population.
"""

from jichi.registry.demo.errors import DemoError
from jichi.registry.demo.rows import ACTOR
from jichi.registry.demo.writer import DemoResult, DemoState, demo_state, generate_population

__all__ = ["ACTOR", "DemoError", "DemoResult", "DemoState", "demo_state", "generate_population"]
