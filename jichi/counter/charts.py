"""Waiting and processing time histograms as PNG (matplotlib Agg, IPAex Gothic)."""

from __future__ import annotations

import io

from jichi.common.errors import not_found
from jichi.common.fonts import GOTHIC, font_path
from jichi.counter.dashboard import BUCKET_SECONDS, LAST_BUCKET, Query, histogram

KINDS = {
    "waiting": ("wait_seconds", "待ち時間の分布", "#1f5fa8"),
    "processing": ("process_seconds", "処理時間の分布", "#2e7d32"),
}


def bin_labels() -> list[str]:
    step = BUCKET_SECONDS // 60
    labels = [f"{i * step}〜{(i + 1) * step}" for i in range(LAST_BUCKET)]
    return [*labels, f"{LAST_BUCKET * step}〜"]


def histogram_png(query: Query, kind: str) -> bytes:
    """The histogram of ``kind`` (``waiting`` or ``processing``) over ``query``."""
    if kind not in KINDS:
        raise not_found("chart", "グラフ")
    name, title, colour = KINDS[kind]
    counts = histogram(query, name)
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = font_path(GOTHIC)
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    with plt.rc_context({"font.family": family}):
        figure, axis = plt.subplots(figsize=(8, 4), dpi=100)
        axis.bar(range(len(counts)), counts, color=colour)
        axis.set_xticks(range(len(counts)), bin_labels(), rotation=45, ha="right")
        axis.set_xlabel("分")
        axis.set_ylabel("件数")
        axis.set_title(f"{title}（{query.date_from}〜{query.date_to}）")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        plt.close(figure)
    return buffer.getvalue()
