"""The population pyramid (人口ピラミッド) as PNG or SVG, labelled in Japanese."""

from __future__ import annotations

import io

from jichi.common.fonts import GOTHIC, font_path
from jichi.registry.selectors import BANDS

MALE, FEMALE = "1", "2"


def pyramid_counts(cells: dict) -> tuple[list[int], list[int]]:
    """Men and women per 5-year band (youngest first) from ``population()`` cells."""
    men = dict.fromkeys(BANDS, 0)
    women = dict.fromkeys(BANDS, 0)
    for (_town, _name, band, sex), count in cells.items():
        if band in men:
            (men if sex == MALE else women)[band] += count
    return [men[b] for b in BANDS], [women[b] for b in BANDS]


def population_pyramid(cells: dict, *, title: str, fmt: str = "png") -> bytes:
    """Render the pyramid; ``fmt`` is ``png`` or ``svg``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    path = font_path(GOTHIC)
    font_manager.fontManager.addfont(str(path))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    men, women = pyramid_counts(cells)
    labels = [b.replace("-", "〜").replace("+", "歳以上") for b in BANDS]
    with plt.rc_context({"font.family": family, "svg.fonttype": "none"}):
        figure, axis = plt.subplots(figsize=(7, 6), dpi=100)
        positions = range(len(BANDS))
        axis.barh(positions, [-m for m in men], color="#1f5fa8", label="男")
        axis.barh(positions, women, color="#b8404a", label="女")
        axis.set_yticks(list(positions), labels)
        limit = max(men + women + [1])
        axis.set_xlim(-limit * 1.1, limit * 1.1)
        ticks = axis.get_xticks()
        axis.set_xticks(ticks, [f"{abs(int(t)):,}" for t in ticks])
        axis.set_xlabel("人数")
        axis.set_ylabel("年齢（5歳階級）")
        axis.set_title(title)
        axis.legend(loc="upper right")
        axis.axvline(0, color="#333", linewidth=0.8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt)
        plt.close(figure)
    return buffer.getvalue()
