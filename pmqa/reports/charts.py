"""The report's radar chart of self-assessed and verified category scores, as SVG.

Text stays text (svg.fonttype "none") set in Sarabun, the report's font, so the browser draws
it with the same face and it can be copied. The output is deterministic: no date, fixed ids.
"""

from __future__ import annotations

import io
import math
import threading
from decimal import Decimal

_LOCK = threading.Lock()  # pyplot's state is global
_READY = False


def _setup() -> None:
    global _READY
    if _READY:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    from pmqa.lib.fonts import fontpkg_sarabun_files

    for name in ("Sarabun-Regular.ttf", "Sarabun-Bold.ttf"):
        font_manager.fontManager.addfont(str(fontpkg_sarabun_files() / name))
    matplotlib.rcParams.update(
        {
            "font.family": "Sarabun",
            "svg.fonttype": "none",
            "svg.hashsalt": "pmqa-report",
            "font.size": 10,
        }
    )
    _READY = True


def radar_svg(rows: list[tuple[str, Decimal | None, Decimal | None]]) -> str:
    """rows: (axis label, self score, verified score) per category, scores 0–500."""
    with _LOCK:
        _setup()
        import matplotlib.pyplot as plt

        labels = [label for label, _s, _v in rows]
        count = len(labels)
        angles = [2 * math.pi * i / count for i in range(count)] + [0.0]
        fig = plt.figure(figsize=(4.6, 4.2))
        try:
            ax = fig.add_subplot(projection="polar")
            ax.set_theta_offset(math.pi / 2)
            ax.set_theta_direction(-1)
            ax.set_ylim(0, 500)
            ax.set_yticks([100, 200, 300, 400, 500])
            ax.set_yticklabels(["100", "200", "300", "400", "500"], fontsize=7, color="#555555")
            ax.set_xticks(angles[:-1])
            ax.set_xticklabels(labels)
            for index, (name, colour, style) in enumerate(
                (("ประเมินตนเอง", "#0b4f8a", "-"), ("ผู้ตรวจประเมิน", "#a4161a", "--"))
            ):
                values = [float(row[1 + index] or 0) for row in rows]
                values.append(values[0])
                ax.plot(angles, values, style, color=colour, linewidth=1.6, label=name)
                ax.fill(angles, values, color=colour, alpha=0.08)
            ax.legend(loc="upper right", bbox_to_anchor=(1.25, 1.12), frameon=False, fontsize=9)
            out = io.StringIO()
            fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
        finally:
            plt.close(fig)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]
