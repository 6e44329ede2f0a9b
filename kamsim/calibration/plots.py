"""The tracking plot of a holdout check: weekly cumulative repeat purchases, actual vs twin vs BG/NBD."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kamsim.calibration.holdout import HoldoutCheck

#: Default texts of the plot; pass ``labels`` to translate them.
LABELS: dict[str, str] = {
    "title": "Tracking cumulative repeat purchases",
    "x": "week",
    "y": "cumulative repeat purchases",
    "actual": "actual",
    "twin": "kamsim twin (mean of {n} runs)",
    "band": "twin {pct:.0f}% interval",
    "bgnbd": "BG/NBD conditional forecast",
    "as_of": "as_of",
}


def plot_tracking(check: HoldoutCheck, ax: Any = None, labels: Mapping[str, str] | None = None) -> Any:
    """Draw the tracking plot on ``ax`` (a new figure if None) and return the axes."""
    import matplotlib.pyplot as plt

    text = {**LABELS, **dict(labels or {})}
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    t = check.tracking
    holdout = t["end"] > check.as_of
    ax.plot(t["week"], t["actual"], color="black", lw=2, label=text["actual"])
    ax.plot(t["week"][holdout], t["twin"][holdout], color="tab:blue", lw=1.8, label=text["twin"].format(n=check.replications))
    ax.fill_between(t["week"][holdout], t["twin_low"][holdout], t["twin_high"][holdout], color="tab:blue", alpha=0.2,
                    label=text["band"].format(pct=100 * check.level))
    ax.plot(t["week"][holdout], t["bgnbd"][holdout], color="tab:orange", lw=1.5, ls="--", label=text["bgnbd"])
    first = int(t["week"][holdout].iloc[0]) if holdout.any() else int(t["week"].iloc[-1])
    ax.axvline(first - 0.5, color="grey", lw=1, ls=":")
    ax.text(first - 0.5, 0.02, " " + text["as_of"], transform=ax.get_xaxis_transform(), ha="left", va="bottom", fontsize=9, color="grey")
    ax.set_xlabel(text["x"])
    ax.set_ylabel(text["y"])
    ax.set_title(text["title"])
    ax.legend(loc="upper left", frameon=False)
    return ax
