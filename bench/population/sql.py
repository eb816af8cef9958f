"""The SQL that writes the register from the pools (see the package docstring)."""

from __future__ import annotations

from contextlib import contextmanager

from bench.harness import Stopwatch
from bench.population.pools import P_BUILDING, P_FOREIGN, P_GONE, P_MOVED, POOL


def _h(expr: str, salt: int, mod: int) -> str:
    """SQL: a well-mixed hash of ``expr`` (a row number) in ``0 … mod-1``."""
    return f"mod(hashint8(({expr})::bigint * 1024 + {salt}) & 2147483647, {mod})"


def _uuid7(ts: str, salt: str) -> str:
    """SQL: a UUIDv7 for the time ``ts`` (ms) with 74 bits from md5 of the unique ``salt``."""
    digest = f"md5({salt})"
    return (
        f"(lpad(to_hex((extract(epoch FROM {ts}) * 1000)::bigint), 12, '0') || '7' || "
        f"substr({digest}, 1, 3) || '8' || substr({digest}, 4, 15))::uuid"
    )


def pool_tables(cursor, p: dict) -> None:
    """The text tables as small temporary tables (element access in a long text[] is
    linear, a join on a small table is not)."""
    tables = {
        "bench_sur (i int, kanji text, kana text, kanji_key text, kana_key text)": zip(
            p["sur_kanji"], p["sur_kana"], p["sur_kanji_key"], p["sur_kana_key"], strict=True
        ),
        "bench_fg (i int, alpha text, kanji text, alpha_key text, kanji_key text)": zip(
            p["fg_alpha"], p["fg_kanji"], p["fg_alpha_key"], p["fg_kanji_key"], strict=True
        ),
        "bench_town (i int, code text, name text, postal text)": zip(
            p["town_codes"], p["town_names"], p["town_postal"], strict=True
        ),
    }
    for definition, rows in tables.items():
        _fill(cursor, definition, [(i, *row) for i, row in enumerate(rows, 1)])
    giv = []
    for sex in ("1", "2"):
        keys = ("kanji", "kana", "kanji_key", "kana_key")
        columns = [p[f"giv{sex}_{k}"] for k in keys]
        giv += [(int(sex), i, *row) for i, row in enumerate(zip(*columns, strict=True), 1)]
    _fill(
        cursor,
        "bench_giv (sex int, i int, kanji text, kana text, kanji_key text, kana_key text)",
        giv,
    )
    text = [
        (kind, i, value)
        for kind in ("domiciles", "elsewhere", "buildings")
        for i, value in enumerate(p[kind], 1)
    ]
    _fill(cursor, "bench_text (kind text, i int, value text)", text)
    p.update(
        n_giv1=len(p["giv1_kanji"]),
        n_giv2=len(p["giv2_kanji"]),
        n_towns=len(p["town_codes"]),
        n_buildings=len(p["buildings"]),
    )


def _fill(cursor, definition: str, rows: list[tuple]) -> None:
    name = definition.split()[0]
    cursor.execute(f"CREATE TEMP TABLE {definition}")
    marks = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
    cursor.execute(f"ANALYZE {name}")


def households(cursor, p: dict) -> None:
    """Households in order, until exactly ``n`` residents; 除票 households besides."""
    cursor.execute(
        f"""CREATE TEMP TABLE bench_c AS SELECT i AS h,
        (%(sizes)s::int[])[1 + {_h("i", 1, POOL)}] AS size,
        {_h("i", 2, 1000)} < {int(P_FOREIGN * 10)} AS is_foreign,
        {_h("i", 3, 100)} < {P_GONE} AS gone
        FROM generate_series(1, %(hmax)s) i""",
        p,
    )
    cursor.execute(
        """CREATE TEMP TABLE bench_hh AS SELECT h, is_foreign, gone,
        CASE WHEN gone THEN size ELSE least(size, %(n)s - start) END AS size
        FROM (SELECT *, coalesce(sum(size) FILTER (WHERE NOT gone) OVER (ORDER BY h), 0)
                        - CASE WHEN gone THEN 0 ELSE size END AS start FROM bench_c) s
        WHERE start < %(n)s""",
        p,
    )
    cursor.execute(
        f"""CREATE TEMP TABLE bench_h2 AS SELECT h.*,
        CASE WHEN size = 1 THEN 1 + {_h("h", 4, 2)} WHEN {_h("h", 4, 100)} < 80 THEN 1
             ELSE 2 END AS head_sex,
        size = 2 AND {_h("h", 5, 100)} < 20 AS second_child,
        %(today)s::date - (CASE
            WHEN is_foreign AND size = 1 THEN %(age_fsingle)s::int[]
            WHEN is_foreign THEN %(age_ffamily)s::int[]
            WHEN size = 1 THEN %(age_single)s::int[]
            WHEN size = 2 THEN %(age_couple)s::int[]
            ELSE %(age_family)s::int[] END)[1 + {_h("h", 6, POOL)}] AS head_birth,
        1 + {_h("h", 7, POOL)} AS fam,
        1 + {_h("h", 8, 256)} AS ff
        FROM bench_hh h""",
        p,
    )
    cursor.execute("ALTER TABLE bench_h2 ADD COLUMN nat int")
    cursor.execute("UPDATE bench_h2 SET nat = (%(ff_nat)s::int[])[ff] WHERE is_foreign", p)


def persons(cursor, p: dict) -> None:
    """Members: the head, a spouse (or, in 20 % of pairs, a child), children."""
    key = "h * 8 + k"
    cursor.execute(
        f"""CREATE TEMP TABLE bench_pp AS SELECT p, h, k, role,
        CASE role WHEN 'head' THEN head_sex WHEN 'spouse' THEN 3 - head_sex
             ELSE 1 + {_h(key, 9, 2)} END AS sex,
        CASE role WHEN 'head' THEN head_birth
             WHEN 'spouse' THEN least(head_birth + {_h("h", 10, 3000)} - 1200,
                                      %(today)s::date - 6575)
             ELSE least(head_birth + 9131 + {_h(key, 11, 4750)},
                        %(today)s::date - 1 - {_h(key, 12, 200)},
                        CASE WHEN gone THEN %(today)s::date - 400 END) END AS birth,
        is_foreign, nat
        FROM (SELECT row_number() OVER (ORDER BY h.h, k) AS p, h.h, k, h.head_sex,
                     h.head_birth, h.gone, h.is_foreign, h.nat,
                     CASE WHEN k = 0 THEN 'head' WHEN k = 1 AND NOT second_child
                          THEN 'spouse' ELSE 'child' END AS role
              FROM bench_h2 h CROSS JOIN LATERAL generate_series(0, h.size - 1) k) x""",
        p,
    )
    cursor.execute("ALTER TABLE bench_pp ADD COLUMN giv int")
    cursor.execute(
        f"""UPDATE bench_pp SET giv = CASE
            WHEN is_foreign THEN (%(fg_start)s::int[])[nat * 2 + sex]
                 + mod(hashint8(({key})::bigint * 1024 + 13) & 2147483647,
                       (%(fg_count)s::int[])[nat * 2 + sex])
            WHEN sex = 1 THEN 1 + {_h(key, 13, p["n_giv1"])}
            ELSE 1 + {_h(key, 13, p["n_giv2"])} END""",
        p,
    )
    cursor.execute("ANALYZE bench_pp")


def dates(cursor, p: dict) -> None:
    """Per household: the day it moved in (after every member's birth), the later 転居
    or 転出, notices and recording times, addresses, 本籍, ids of rows and movements."""
    cursor.execute(
        f"""CREATE TEMP TABLE bench_h3 AS
        WITH y AS (SELECT h, max(birth) AS youngest FROM bench_pp GROUP BY h),
        lo AS (SELECT h.*, least(greatest(h.head_birth + 6575, y.youngest),
                                 %(today)s::date - 1) AS lo
               FROM bench_h2 h JOIN y USING (h)),
        f AS (SELECT lo.*, CASE WHEN gone THEN least(f0, %(today)s::date - 100) ELSE f0 END AS f
              FROM (SELECT lo.*, CASE WHEN lo >= %(today)s::date - 40 THEN lo
                    ELSE lo + mod(hashint8(h::bigint * 1024 + 15) & 2147483647,
                                  %(today)s::date - 40 - lo + 1) END AS f0 FROM lo) lo),
        e AS (SELECT f.*, gone OR (f < %(today)s::date - 32 AND {_h("h", 16, 100)} < {P_MOVED})
                 AS has_event FROM f),
        d AS (SELECT e.*, CASE WHEN has_event THEN f + 1 + mod(
                    hashint8(h::bigint * 1024 + 17) & 2147483647, %(today)s::date - 31 - f)
                 END AS e,
                 least(f + {_h("h", 18, 15)}, %(today)s::date) AS n_in FROM e),
        n AS (SELECT d.*, CASE WHEN has_event THEN least(greatest(
                    e + CASE WHEN gone THEN -{_h("h", 19, 14)} ELSE {_h("h", 19, 15)} END,
                    n_in + 1), %(today)s::date) END AS n_ev FROM d),
        t AS (SELECT n.*,
                 (n_in + time '09:00' + {_h("h", 20, 28800)} * interval '1 second')
                     AT TIME ZONE 'Asia/Tokyo' AS t_in,
                 (n_ev + time '09:00' + {_h("h", 21, 28800)} * interval '1 second')
                     AT TIME ZONE 'Asia/Tokyo' AS t_ev FROM n)
        SELECT t.*, {_uuid7("t_in", "'h' || h")} AS hid, {_uuid7("t_in", "'mi' || h")} AS m_in,
            CASE WHEN has_event THEN {_uuid7("t_ev", "'me' || h")} END AS m_ev,
            CASE WHEN is_foreign THEN '12' ELSE '11' END AS r_in,
            CASE WHEN gone THEN '21' ELSE '31' END AS r_ev,
            1 + {_h("h", 22, p["n_towns"])} AS town1, 1 + {_h("h", 23, p["n_towns"])} AS town2,
            {_block("h", 24)} AS block1, {_block("h", 27)} AS block2,
            {_building("h", 30)} AS building1, {_building("h", 34)} AS building2,
            1 + {_h("h", 38, 512)} AS dom, 1 + {_h("h", 39, 512)} AS prev,
            1 + {_h("h", 40, 512)} AS dest
        FROM t""",
        p,
    )
    cursor.execute("ANALYZE bench_h3")


def _block(h: str, salt: int) -> str:
    """番地・号 parts: (丁目, 番, 号); the 丁目 is dropped where the town has it in its name."""
    return f"ARRAY[1 + {_h(h, salt, 5)}, 1 + {_h(h, salt + 1, 30)}, 1 + {_h(h, salt + 2, 25)}]"


def _building(h: str, salt: int) -> str:
    """方書 for 40 %: (building, floor, room); the building's name is joined later."""
    return (
        f"CASE WHEN {_h(h, salt, 100)} < {P_BUILDING} THEN ARRAY[{_h(h, salt + 1, 10**6)}, "
        f"1 + {_h(h, salt + 2, 12)}, 1 + {_h(h, salt + 3, 12)}] END"
    )


def counts_of(cursor) -> dict:
    cursor.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT gone), count(*) FILTER (WHERE has_event "
        "AND NOT gone), sum(size), sum(size) FILTER (WHERE NOT gone), "
        "sum(size) FILTER (WHERE is_foreign AND NOT gone) FROM bench_h3"
    )
    households, resident_households, moved, persons, residents, foreign = cursor.fetchone()
    return {
        "households": households,
        "resident_households": resident_households,
        "moved_households": moved,
        "persons": int(persons),
        "residents": int(residents),
        "foreign_residents": int(foreign or 0),
    }


SPARE_SERIAL = 200_000_000  # serials above any generated person's, for persons added later


def my_number_of(serial: int) -> str:
    """The 個人番号 of the person with this serial: a bijection, so never two alike."""
    from jichi.common.checkdigits import my_number_check_digit

    eleven = f"{(serial * 7907 + 98_765) % 10**11:011d}"
    return eleven + my_number_check_digit(eleven)


def resident_code_of(serial: int) -> str:
    """The 住民票コード of the person with this serial (a bijection too)."""
    from jichi.common.checkdigits import resident_record_code_check_digit

    ten = f"{(serial * 7919 + 1_234_567) % 10**10:010d}"
    return ten + resident_record_code_check_digit(ten)


def numbers(cursor, code: str, counts: dict) -> None:
    """宛名番号, 住民票コード and sealed 個人番号 per person, 世帯番号 per household: made by
    the project's functions (check digits, encryption) and copied in."""
    from jichi.common.checkdigits import make_household_number, make_resident_number
    from jichi.common.secrets import seal_my_number

    cursor.execute(
        "CREATE TEMP TABLE bench_ids (p bigint, number text, resident_code text, "
        "cipher bytea, my_index text)"
    )
    with cursor.copy("COPY bench_ids FROM STDIN") as copy:
        copy.set_types(["int8", "text", "text", "bytea", "text"])
        for serial in range(1, counts["persons"] + 1):
            cipher, index = seal_my_number(my_number_of(serial), code)
            row = (serial, make_resident_number(serial), resident_code_of(serial), cipher, index)
            copy.write_row(row)
    cursor.execute("CREATE TEMP TABLE bench_hnum (h bigint, number text)")
    with cursor.copy("COPY bench_hnum FROM STDIN") as copy:
        copy.set_types(["int8", "text"])
        for serial in range(1, counts["households"] + 1):
            copy.write_row((serial, make_household_number(serial)))
    cursor.execute("ALTER TABLE bench_ids ADD PRIMARY KEY (p)")
    cursor.execute("ALTER TABLE bench_hnum ADD PRIMARY KEY (h)")


@contextmanager
def bare_tables(cursor, tables: list[str]):
    """Drop the foreign keys and secondary indexes of ``tables``, then restore them from
    their own definitions: a bulk load is faster that way, and the result identical."""
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
        "WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint "
        "c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))",
        [tables],
    )
    indexes = cursor.fetchall()
    for table, name, _ in keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    with Stopwatch("    indexes and foreign keys restored"):
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _addresses(cursor, p: dict) -> None:
    """Per household, as text: both addresses, 本籍 and 筆頭者, 前住所, 転出先, foreign items."""
    block = (
        "CASE WHEN right({t}.name, 2) = '丁目' THEN {b}[2] || '番' || {b}[3] || '号' "
        "ELSE {b}[1] || '丁目' || {b}[2] || '番' || {b}[3] || '号' END"
    )
    building = (
        "CASE WHEN {g} IS NULL THEN '' ELSE {n}.value || ' ' || {g}[2] "
        "|| lpad({g}[3]::text, 2, '0') || '号室' END"
    )
    cursor.execute(
        f"""CREATE TEMP TABLE bench_ad AS SELECT h.h,
        t1.code AS code1, t1.name AS name1, t1.postal AS postal1,
        {block.format(t="t1", b="h.block1")} AS block1,
        {building.format(g="h.building1", n="b1")} AS building1,
        t2.code AS code2, t2.name AS name2, t2.postal AS postal2,
        {block.format(t="t2", b="h.block2")} AS block2,
        {building.format(g="h.building2", n="b2")} AS building2,
        CASE WHEN h.is_foreign THEN '' ELSE dom.value END AS domicile,
        CASE WHEN h.is_foreign THEN '' ELSE s.kanji || hg.kanji END AS domicile_head,
        CASE WHEN h.is_foreign THEN (%(nationalities)s::text[])[h.nat + 1] ELSE '' END
            AS nationality,
        CASE WHEN h.is_foreign THEN (%(nationalities)s::text[])[h.nat + 1] ELSE prev.value END
            AS previous_address,
        dest.value AS destination,
        (%(ff_alpha)s::text[])[h.ff] AS ff_alpha, (%(ff_kanji)s::text[])[h.ff] AS ff_kanji,
        (%(ff_alpha_key)s::text[])[h.ff] AS ff_alpha_key,
        (%(ff_kanji_key)s::text[])[h.ff] AS ff_kanji_key,
        (%(ff_status)s::text[])[h.ff] AS ff_status, (%(ff_period)s::text[])[h.ff] AS ff_period,
        (%(ff_days)s::int[])[h.ff] AS ff_days
        FROM bench_h3 h
        JOIN bench_town t1 ON t1.i = h.town1 JOIN bench_town t2 ON t2.i = h.town2
        LEFT JOIN bench_text b1 ON b1.kind = 'buildings'
            AND b1.i = 1 + mod(h.building1[1], %(n_buildings)s)
        LEFT JOIN bench_text b2 ON b2.kind = 'buildings'
            AND b2.i = 1 + mod(h.building2[1], %(n_buildings)s)
        JOIN bench_text dom ON dom.kind = 'domiciles' AND dom.i = h.dom
        JOIN bench_text prev ON prev.kind = 'elsewhere' AND prev.i = h.prev
        JOIN bench_text dest ON dest.kind = 'elsewhere' AND dest.i = h.dest
        JOIN bench_sur s ON s.i = h.fam
        JOIN bench_pp hd ON hd.h = h.h AND hd.k = 0
        LEFT JOIN bench_giv hg ON hg.sex = hd.sex AND hg.i = hd.giv""",
        p,
    )
    cursor.execute("ALTER TABLE bench_ad ADD PRIMARY KEY (h)")


LOADED = [
    "registry_household",
    "registry_person",
    "registry_movement",
    "registry_movementsubject",
    "registry_personversion",
]
PERSON_ID = _uuid7("h.t_in", "'p' || pp.p")
VERSION_COLUMNS = """id, municipality_code, person_id, history_no, valid_from, valid_to,
    recorded_at, superseded_at, movement_id, reason, status, kind, family_name, given_name,
    family_name_kana, given_name_kana, name_alphabet, former_surname, former_surname_kana,
    alias, alias_kana, name_key, kanji_key, birth_date, birth_precision, birth_note, sex,
    town_code, town_name, block, building, postal_code, household_id, relationship, is_head,
    became_resident_on, address_since, previous_address, domicile, domicile_head,
    resident_code, my_number_cipher, my_number_index, nationality, article_30_45,
    residence_status, residence_period, residence_expiry, residence_card_no,
    became_foreign_resident_on, destination_address, planned_move_out_on"""


def rows(cursor, p: dict) -> None:
    """Households, persons, movements and their subjects."""
    _addresses(cursor, p)
    statements = [
        """INSERT INTO registry_household (id, municipality_code, number, created_at)
        SELECT h.hid, %(code)s, n.number, h.t_in FROM bench_h3 h JOIN bench_hnum n USING (h)""",
        f"""INSERT INTO registry_person (id, municipality_code, number, created_at)
        SELECT {PERSON_ID}, %(code)s, i.number, h.t_in
        FROM bench_pp pp JOIN bench_h3 h USING (h) JOIN bench_ids i USING (p)""",
        """INSERT INTO registry_movement (id, municipality_code, reason, category, effective_on,
            notified_on, recorded_at, actor_kind, actor_id, actor_label, late, note, details)
        SELECT m_in, %(code)s, r_in, 'record', f, n_in, t_in, 'system', 'bench', 'bench',
            false, '', '{}'::jsonb FROM bench_h3
        UNION ALL
        SELECT m_ev, %(code)s, r_ev, CASE WHEN gone THEN 'remove' ELSE 'amend' END, e, n_ev,
            t_ev, 'system', 'bench', 'bench', false, '', '{}'::jsonb
        FROM bench_h3 WHERE has_event""",
        f"""INSERT INTO registry_movementsubject (id, municipality_code, movement_id, person_id,
            household_before_id, household_after_id)
        SELECT {_uuid7("h.t_in", "'si' || pp.p")}, %(code)s, h.m_in, {PERSON_ID}, NULL, h.hid
        FROM bench_pp pp JOIN bench_h3 h USING (h)
        UNION ALL
        SELECT {_uuid7("h.t_ev", "'se' || pp.p")}, %(code)s, h.m_ev, {PERSON_ID},
            CASE WHEN h.gone THEN h.hid END, NULL::uuid
        FROM bench_pp pp JOIN bench_h3 h USING (h) WHERE h.has_event""",
    ]
    for sql in statements:
        cursor.execute(sql, p)


def versions(cursor, p: dict) -> None:
    """Version 1 for everyone (superseded when a later movement came); for those with a
    転居 or 転出, the restated version 2 up to that day and version 3 from it."""
    card = (
        "substr(%(letters)s, 1 + {a}, 1) || substr(%(letters)s, 1 + {b}, 1) || "
        "lpad({n}::text, 8, '0') || substr(%(letters)s, 1 + {c}, 1) || "
        "substr(%(letters)s, 1 + {d}, 1)"
    ).format(
        a=_h("pp.p", 41, 23),
        b=_h("pp.p", 42, 23),
        n=_h("pp.p", 43, 10**8),
        c=_h("pp.p", 44, 23),
        d=_h("pp.p", 45, 23),
    )
    p["letters"] = "ABCDEFGHJKLMNPRSTUVWXYZ"
    cursor.execute(
        f"""INSERT INTO registry_personversion ({VERSION_COLUMNS})
        SELECT {_uuid7("v.rec", "'v' || pp.p || '.' || v.n")}, %(code)s, {PERSON_ID}, v.n,
            v.vf, v.vt, v.rec, v.sup, v.mov, v.reason, v.status,
            CASE WHEN pp.is_foreign THEN '2' ELSE '1' END,
            CASE WHEN pp.is_foreign THEN a.ff_kanji ELSE s.kanji END,
            CASE WHEN NOT pp.is_foreign THEN g.kanji WHEN a.ff_kanji <> '' THEN fg.kanji
                 ELSE '' END,
            CASE WHEN pp.is_foreign THEN '' ELSE s.kana END,
            CASE WHEN pp.is_foreign THEN '' ELSE g.kana END,
            CASE WHEN pp.is_foreign THEN a.ff_alpha || ' ' || fg.alpha ELSE '' END,
            '', '', '', '',
            CASE WHEN pp.is_foreign THEN '' ELSE s.kana_key || g.kana_key END,
            CASE WHEN NOT pp.is_foreign THEN s.kanji_key || g.kanji_key
                 WHEN a.ff_kanji <> '' THEN a.ff_kanji_key || fg.kanji_key
                 ELSE a.ff_alpha_key || fg.alpha_key END,
            pp.birth, 'day', '', pp.sex::text,
            CASE WHEN v.moved THEN a.code2 ELSE a.code1 END,
            CASE WHEN v.moved THEN a.name2 ELSE a.name1 END,
            CASE WHEN v.moved THEN a.block2 ELSE a.block1 END,
            CASE WHEN v.moved THEN a.building2 ELSE a.building1 END,
            CASE WHEN v.moved THEN a.postal2 ELSE a.postal1 END,
            h.hid,
            CASE pp.role WHEN 'head' THEN '世帯主' WHEN 'child' THEN '子'
                 WHEN 'spouse' THEN CASE WHEN pp.sex = 2 THEN '妻' ELSE '夫' END END,
            pp.k = 0, h.f, CASE WHEN v.moved THEN h.e ELSE h.f END,
            a.previous_address, a.domicile, a.domicile_head,
            i.resident_code, i.cipher, i.my_index, a.nationality,
            CASE WHEN pp.is_foreign THEN '1' ELSE '' END,
            CASE WHEN pp.is_foreign THEN a.ff_status ELSE '' END,
            CASE WHEN pp.is_foreign THEN a.ff_period ELSE '' END,
            CASE WHEN pp.is_foreign AND a.ff_days > 0
                 THEN %(today)s::date + 30 + mod(hashint8(pp.p * 1024 + 46) & 2147483647,
                                                  a.ff_days) END,
            CASE WHEN pp.is_foreign THEN {card} ELSE '' END,
            CASE WHEN pp.is_foreign THEN h.f END,
            CASE WHEN v.status = '2' THEN a.destination ELSE '' END,
            CASE WHEN v.status = '2' THEN h.e END
        FROM bench_pp pp JOIN bench_h3 h USING (h) JOIN bench_ad a USING (h)
        JOIN bench_ids i USING (p)
        LEFT JOIN bench_sur s ON s.i = h.fam AND NOT pp.is_foreign
        LEFT JOIN bench_giv g ON g.sex = pp.sex AND g.i = pp.giv AND NOT pp.is_foreign
        LEFT JOIN bench_fg fg ON fg.i = pp.giv AND pp.is_foreign
        CROSS JOIN LATERAL (VALUES
            (1, h.f, NULL::date, h.t_in, CASE WHEN h.has_event THEN h.t_ev END, h.m_in,
             h.r_in, '1', false),
            (2, h.f, h.e, h.t_ev, NULL::timestamptz, h.m_in, h.r_in, '1', false),
            (3, h.e, NULL::date, h.t_ev, NULL::timestamptz, h.m_ev, h.r_ev,
             CASE WHEN h.gone THEN '2' ELSE '1' END, NOT h.gone)
        ) v (n, vf, vt, rec, sup, mov, reason, status, moved)
        WHERE v.n = 1 OR h.has_event""",
        p,
    )


def finish(cursor, code: str, counts: dict) -> None:
    """The number sequences after the last serial used; the working tables dropped; the
    planner's statistics of the loaded tables."""
    cursor.execute(
        "INSERT INTO registry_numbersequence (id, municipality_code, name, last) VALUES "
        "(gen_random_uuid(), %s, 'resident', %s), (gen_random_uuid(), %s, 'household', %s)",
        [code, counts["persons"], code, counts["households"]],
    )
    cursor.execute(
        "DROP TABLE bench_c, bench_hh, bench_h2, bench_pp, bench_h3, bench_ids, bench_hnum, "
        "bench_ad, bench_sur, bench_giv, bench_fg, bench_town, bench_text"
    )
    for table in LOADED:
        cursor.execute(f"ANALYZE {table}")
