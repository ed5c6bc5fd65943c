"""One palette and one set of sizes for every holdtrack figure (colour-blind safe: Okabe-Ito)."""

from __future__ import annotations

from typing import Any

#: Acceleration axes x, y, z (filtered / full tone).
AXES = ("#0072B2", "#D55E00", "#009E73")
#: Period shading.
HOLD = "#009E73"
STILL = "#E69F00"
REST = "#56B4E9"
GAP = "#7F7F7F"
SHADE_ALPHA = {"hold": 0.16, "still": 0.14, "rest": 0.16, "gap": 0.30}
#: Lines.
SIGMA = "#222222"
THRESHOLD = "#CC3311"
NOISE = "#999999"
TILT = "#AA3377"
BANDS = ("#EE7733", "#0077BB", "#33BBEE")
SCORE = "#0072B2"
DURATION = "#009E73"
TEXT_MUTED = "#555555"

#: state -> colour, for the live view.
STATE = {"waiting": GAP, "moving": "#CC3311", "still": STILL, "holding": HOLD}

#: Figure sizes, inches (width, height), and font size, pt.
SIZES: dict[str, dict[str, Any]] = {
    "screen": {"figsize": (16.0, 9.0), "dpi": 100, "font": 9.5},
    "a4": {"figsize": (11.69, 8.27), "dpi": 150, "font": 7.5},
}


def size_spec(size: str) -> dict[str, Any]:
    """The :data:`SIZES` entry for ``size`` (``"screen"`` or ``"a4"``)."""
    try:
        return SIZES[size]
    except KeyError:
        raise ValueError(f"unknown figure size {size!r}: use one of {', '.join(SIZES)}") from None


def rc(size: str) -> dict[str, Any]:
    """matplotlib rc overrides for ``size`` (use with ``matplotlib.rc_context``)."""
    f = size_spec(size)["font"]
    return {
        "font.size": f, "axes.titlesize": f + 1, "axes.labelsize": f, "xtick.labelsize": f - 1,
        "ytick.labelsize": f - 1, "legend.fontsize": f - 1, "figure.titlesize": f + 3,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
        "legend.frameon": False,
    }
