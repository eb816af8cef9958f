"""The variants of the process mining as horizontal bars (PNG, matplotlib Agg, IPAex Gothic)."""

from __future__ import annotations

import io

from jichi.common.fonts import GOTHIC, font_path
from jichi.procedures.mining import Mining
from jichi.procedures.models import State

TOP = 12  # variants drawn; the CSV has them all


def variant_label(states: list[str]) -> str:
    """受付→審査中→承認 (unknown codes as they are)."""
    labels = dict(State.choices)
    return "→".join(str(labels.get(state, state)) for state in states)


def _duration(seconds: int | None) -> str:
    """3.5日, 5.0時間 or 12分."""
    if seconds is None:
        return "—"
    if seconds >= 86_400:
        return f"{seconds / 86_400:.1f}日"
    if seconds >= 3_600:
        return f"{seconds / 3_600:.1f}時間"
    return f"{seconds // 60}分"


def variants_png(mining: Mining) -> bytes:
    """The most frequent variants, each bar with its count and its median duration."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = font_path(GOTHIC)
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    shown = list(reversed(mining.variants[:TOP]))  # the most frequent at the top
    query = mining.query
    title = f"申請の経路（{query.date_from}〜{query.date_to}"
    title += f"、{query.procedure_id}）" if query.procedure_id else "）"
    with plt.rc_context({"font.family": family}):
        figure, axis = plt.subplots(figsize=(10, 1.2 + 0.45 * max(len(shown), 1)), dpi=100)
        positions = range(len(shown))
        counts = [v["count"] for v in shown]
        axis.barh(positions, counts, color="#1f5fa8")
        axis.set_yticks(list(positions), [variant_label(v["states"]) for v in shown])
        for position, item in zip(positions, shown, strict=True):
            note = f" {item['count']:,}件・中央値{_duration(item['median_seconds'])}"
            axis.text(item["count"], position, note, va="center", fontsize=8)
        axis.set_xlim(0, max([*counts, 1]) * 1.35)
        axis.set_xlabel("件数")
        axis.set_title(title)
        if not shown:
            axis.text(0.5, 0.5, "該当する申請はありません", ha="center", transform=axis.transAxes)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
