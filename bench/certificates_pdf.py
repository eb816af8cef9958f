"""Signed certificate PDFs per second on one core: render + sign, goal ≥ 20/s.

Measured in one single-threaded process on made-up residents (no database):
``render_signed`` of a one-person 住民票の写し (1 page) and of a household of four
(2 pages), every document with other names (so other glyphs in its font subset), a
new serial and id. References in the same run, in interleaved batches: render alone,
sign alone (a pre-rendered PDF), validate, and plain fpdf2 drawing the same page
with the whole IPAex font added the usual way (``add_font``), which is what the
renderer's per-process font cache and subsetting avoid.

Each document's wall time and the process's CPU time are both recorded. On a machine
shared with other work the wall time includes waiting for the CPU; the CPU time
(documents per CPU-second) is what one core delivers, and is the figure held against
the goal, with the wall-clock median beside it. ``--pin-cpu N`` pins the process to
CPU N.
"""

from __future__ import annotations

import datetime
import os
import time
import uuid
from dataclasses import replace

from bench import harness

NAME = "certificates_pdf"
DESCRIPTION = "signed certificate PDFs per second on one core (render + sign), goal >= 20/s"
GOAL = 20.0
REFERENCE = "reference: plain fpdf2, whole font"
SURNAMES = (
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村"
).split()
GIVEN = (
    "翔太 陽菜 蓮 結衣 大翔 葵 悠真 凛 湊 芽依 樹 咲良 朝陽 美咲 健一 和子 隆 恵子 誠 裕子".split()
)


def add_arguments(group) -> None:
    group.add_argument("--pdfs", type=int, default=300, help="documents per measured series")
    group.add_argument("--pin-cpu", type=int, default=None, help="pin the process to this CPU")


def _contents(n: int, persons: int):
    from jichi.certificates.pdf.testing import sample_content, sample_persons

    base = sample_persons()[:persons]
    out = []
    for i in range(n):
        surname = SURNAMES[i % len(SURNAMES)]
        people = tuple(
            replace(p, name=f"{surname}　{GIVEN[(i * 7 + j * 3) % len(GIVEN)]}")
            if not p.is_foreign
            else p
            for j, p in enumerate(base)
        )
        cid = uuid.UUID(int=i + 1)
        out.append(
            sample_content(
                persons=people,
                whole_household=persons > 1,
                household_head=people[0].name,
                serial=f"141003-2025-{i:06d}",
                certificate_id=cid,
                verify_url=f"https://jichi.example.jp/verify/{cid}",
            )
        )
    return out


def _naive_fpdf2(content) -> bytes:
    """The reference: fpdf2 as documented, adding the whole font for each document and
    writing the same lines with ``cell`` (no table borders, no QR, no seal)."""
    from fpdf import FPDF

    from jichi.certificates.pdf.layout import layout
    from jichi.certificates.pdf.ops import Text
    from jichi.common.fonts import MINCHO, font_path

    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font("ipaexm", fname=str(font_path(MINCHO)))
    for page in layout(content).pages:
        pdf.add_page()
        for op in page:
            if isinstance(op, Text):
                pdf.set_font("ipaexm", size=op.size)
                pdf.text(op.x, op.y, op.text)
    return bytes(pdf.output())


def _series(label: str, call, items, batch: int, samples: dict) -> None:
    wall, cpu = samples.setdefault(label, ([], []))
    for item in items[:batch]:
        start, start_cpu = time.perf_counter_ns(), time.process_time_ns()
        call(item)
        wall.append(time.perf_counter_ns() - start)
        cpu.append(time.process_time_ns() - start_cpu)


def _pin(cpu: int | None) -> set[int] | None:
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return None
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    return before


def _row(label: str, wall: list[int], cpu: list[int]) -> dict:
    summary = harness.summarize(wall)
    cpu_s = sum(cpu) / 1e9
    return {
        "series": label,
        "n": summary["n"],
        "p50_ms": summary["p50_ms"],
        "p95_ms": summary["p95_ms"],
        "per_s_p50": round(1000 / summary["p50_ms"], 1),
        "cpu_ms": round(cpu_s * 1e3 / len(cpu), 2),
        "per_cpu_s": round(len(cpu) / cpu_s, 1),
    }


def _measure(args, pki) -> dict[str, tuple[list[int], list[int]]]:
    from jichi.certificates.pdf import render, render_signed, sign, validate

    n = 30 if args.quick else args.pdfs
    one, household = _contents(n, 1), _contents(n, 4)
    rendered = [render(c) for c in one[:20]]
    signed = [sign(p, pki.signer) for p in rendered]
    series = [
        ("render+sign, 1 person", lambda c: render_signed(c, pki.signer), one),
        ("render+sign, household of 4", lambda c: render_signed(c, pki.signer), household),
        ("render only, 1 person", render, one),
        (
            "sign only (rendered 1-person PDF)",
            lambda p: sign(p, pki.signer),
            rendered * (n // 20 + 1),
        ),
        (
            "validate (signed 1-person PDF)",
            lambda p: validate(p, [pki.root]),
            signed * (n // 20 + 1),
        ),
        (REFERENCE, _naive_fpdf2, one),
    ]
    samples: dict[str, tuple[list[int], list[int]]] = {}
    batch = 10
    for start in range(0, n, batch):
        for label, call, items in series:
            if label.startswith("reference") and start >= max(batch, n // 5):
                continue  # slow: a fifth of the documents is plenty
            _series(label, call, items[start:], batch, samples)
    return samples


def run(args) -> dict:
    from jichi.certificates.pdf import render
    from jichi.certificates.pdf.testing import make_pki, sample_content

    with harness.Stopwatch("first render (reads the fonts once per process)"):
        render(sample_content(persons=1))
    with harness.Stopwatch("test PKI (RSA-2048 root, intermediate, signer)"):
        pki = make_pki("Bench")
    before = _pin(args.pin_cpu)
    try:
        samples = _measure(args, pki)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    rows = [_row(label, wall, cpu) for label, (wall, cpu) in samples.items()]
    harness.print_table(
        rows,
        [
            ("series", "series"),
            ("n", "n"),
            ("p50_ms", "wall p50 ms"),
            ("p95_ms", "wall p95 ms"),
            ("per_s_p50", "per s (1/p50)"),
            ("cpu_ms", "CPU ms"),
            ("per_cpu_s", "per CPU-s"),
        ],
    )
    by = {r["series"]: r for r in rows}
    one, household = by["render+sign, 1 person"], by["render+sign, household of 4"]
    ratio = by["render only, 1 person"]["per_cpu_s"] / by[REFERENCE]["per_cpu_s"]
    for label, row in (("1 person", one), ("household of 4", household)):
        verdict = "met" if row["per_cpu_s"] >= GOAL else "missed"
        print(
            f"render+sign, {label}: {row['per_cpu_s']:.1f} per CPU-second (goal >= {GOAL:.0f}: "
            f"{verdict}), {row['per_s_p50']:.1f}/s by the wall-clock median"
        )
    print(f"render alone: {ratio:.1f}x plain fpdf2 with the whole font (CPU time)")
    return {
        "date": datetime.date.today().isoformat(),
        "series": rows,
        "goal_per_s": GOAL,
        "met_one_person": one["per_cpu_s"] >= GOAL,
        "met_household": household["per_cpu_s"] >= GOAL,
        "render_speedup_vs_plain_fpdf2": round(ratio, 2),
    }
