"""The calibration chart, drawn with matplotlib (the optional `plot` extra)."""

from __future__ import annotations

from pathlib import Path

from tracker.reporting.summary import Summary


def draw_calibration(summary: Summary, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only; never a window
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 6), dpi=100)
    axes.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    used = [b for b in summary.calibration if b.count]
    if used:
        xs = [b.mean_forecast or 0.0 for b in used]
        ys = [b.observed or 0.0 for b in used]
        # max(0, ...): at 0% or 100% the interval's edge equals the point, give or take a bit
        low = [max(0.0, y - (b.wilson_low or 0.0)) for y, b in zip(ys, used, strict=True)]
        high = [max(0.0, (b.wilson_high or 0.0) - y) for y, b in zip(ys, used, strict=True)]
        axes.errorbar(xs, ys, yerr=[low, high], fmt="o", capsize=4, label="observed (90% CI)")
        for x, y, b in zip(xs, ys, used, strict=True):
            axes.annotate(f"n={b.count}", (x, y), textcoords="offset points", xytext=(6, -12))
    axes.set_xlim(-0.02, 1.02)  # room for points at 0% and 100%
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("mean forecast in bin")
    axes.set_ylabel("how often it came true")
    n = summary.scores.n if summary.scores else 0
    axes.set_title(f"Calibration of {n} forecasts")
    axes.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
