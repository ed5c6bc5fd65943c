"""The hold graph: real content, every degenerate case, and the sizes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from holdtrack.analysis import analyze
from holdtrack.errors import ConfigError
from holdtrack.plot.holds import MAX_HOLD_PANELS, plot_session
from tests.plot.conftest import all_text, ink_fraction, rendered

TIME_PANELS = 4


def hold_patches(ax) -> list:
    """The shaded hold rectangles of a time panel: paths of its ``holds`` collection, one per hold."""
    return [p for c in ax.collections if c.get_gid() == "holds" for p in c.get_paths()]


def test_plank_overview_content(plank) -> None:
    n = len(plank.holds)
    assert n >= 2, "the plank demo has two holds (a plank and a side plank)"
    shown = min(n, MAX_HOLD_PANELS)
    fig = plot_session(plank)
    axes = fig.get_axes()
    assert len(axes) == TIME_PANELS + 2 * shown  # 4 time panels + (sway, summary) per hold shown
    time_axes = axes[:TIME_PANELS]
    for ax in time_axes:
        assert len(hold_patches(ax)) == n
        # each rectangle spans its hold's time, full height
        spans = [x for p in hold_patches(ax) for x in (p.vertices[:, 0].min(), p.vertices[:, 0].max())]
        assert spans == pytest.approx([x for h in plank.holds for x in (h.start_s, h.end_s)])
        assert ax.get_title(loc="left")
        assert "(" in ax.get_ylabel() and ")" in ax.get_ylabel(), ax.get_ylabel()
    assert time_axes[-1].get_xlabel().endswith("(s)")
    lo, hi = time_axes[-1].get_xlim()
    assert lo == 0.0 and hi == pytest.approx(plank.duration_s)
    # one 95 % ellipse per hold, sway axes labelled with units
    sways = [ax for ax in axes[TIME_PANELS:] if ax.axison]
    assert len(sways) == shown
    assert sum(1 for ax in sways for p in ax.patches if p.get_gid() == "ellipse95") == shown
    assert all("(m/s²)" in ax.get_xlabel() and "(m/s²)" in ax.get_ylabel() for ax in sways)
    text = all_text(fig)
    for i, h in enumerate(plank.holds[:shown], 1):
        assert f"Hold {i}" in text
        assert f"{h.score:.0f} / 100" in text
        assert f"{h.duration_s:.1f} s" in text
    assert "stillness threshold" in text and "8-12 Hz" in text
    px = rendered(fig)
    assert px[..., :3].std() > 20 and ink_fraction(px) > 0.05


def test_hold_zoom(plank) -> None:
    h = plank.holds[1]
    fig = plot_session(plank, hold=2)
    axes = fig.get_axes()
    assert len(axes) == TIME_PANELS + 2
    lo, hi = axes[TIME_PANELS - 1].get_xlim()
    assert lo < h.start_s < h.end_s < hi and hi - lo < 0.8 * plank.duration_s
    assert "Hold 2" in all_text(fig) and "Hold 1:" not in all_text(fig)
    assert ink_fraction(rendered(fig)) > 0.05


@pytest.mark.parametrize("bad", [0, 9, -1])
def test_missing_hold_number_is_a_clear_error(plank, bad: int) -> None:
    with pytest.raises(ConfigError, match=f"this recording has {len(plank.holds)} holds"):
        plot_session(plank, hold=bad)


def test_no_holds_says_so(walk) -> None:
    assert not walk.holds
    fig = plot_session(walk)
    assert "No holds detected" in all_text(fig)
    assert all(not hold_patches(ax) for ax in fig.get_axes())
    assert ink_fraction(rendered(fig)) > 0.03


def test_empty_session_says_so() -> None:
    empty = analyze(np.zeros((0, 3)), rate=50.0, trace=True)
    assert empty.samples == 0
    fig = plot_session(empty)
    assert "No samples" in all_text(fig)
    assert ink_fraction(rendered(fig)) > 0.0005


def test_short_hold_without_metrics(plank) -> None:
    """A hold too short for the frequency metrics (None values with notes, no score) still gets a summary."""
    h = plank.holds[0]
    short = dataclasses.replace(
        h, end_s=h.start_s + 0.8, score=None, score_components={},
        metrics={k: None for k in h.metrics},
        metric_notes={k: "hold shorter than 3 s" for k in h.metrics})
    r = dataclasses.replace(plank, holds=[short])
    fig = plot_session(r)
    text = all_text(fig)
    assert "score     —" in text and "n/a: hold shorter than 3 s" in text
    assert "too short" in text  # 0.8 s: no sway path
    assert ink_fraction(rendered(fig)) > 0.03


def test_without_trace_the_periods_still_show(plank) -> None:
    r = dataclasses.replace(plank, trace=None)
    fig = plot_session(r)
    assert "trace=True" in all_text(fig)
    assert len(hold_patches(fig.get_axes()[0])) == len(plank.holds)


def test_sizes(plank) -> None:
    a4 = plot_session(plank, size="a4")
    assert tuple(a4.get_size_inches()) == pytest.approx((11.69, 8.27))
    assert tuple(plot_session(plank, hold=1).get_size_inches()) == pytest.approx((16, 9))
    with pytest.raises(ValueError, match="unknown figure size"):
        plot_session(plank, size="poster")


def test_no_text_overlaps_in_the_summaries(plank) -> None:
    """Sway titles, legends and summaries do not run into each other (bounding boxes after drawing)."""
    for size in ("screen", "a4"):
        fig = plot_session(plank, size=size)
        rendered(fig)
        r = fig.canvas.get_renderer()
        boxes = []
        bottom = fig.get_axes()[TIME_PANELS:]
        for ax in bottom:
            for t in [ax.title, ax._left_title, *ax.texts]:
                if t.get_text():
                    boxes.append(t.get_window_extent(r))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), (size, a, b)
        sways = [ax for ax in bottom if ax.axison]
        summaries = [t.get_window_extent(r) for ax in bottom if not ax.axison for t in ax.texts]
        assert summaries
        page = fig.bbox
        assert all(b.y0 >= page.y0 and b.x1 <= page.x1 for b in summaries), (size, "summary cut off")
        for box in summaries:
            for ax in sways:
                assert not box.overlaps(ax.get_tightbbox(r)), (size, "summary runs into a sway panel")


def test_many_holds_labels_do_not_collide(plank) -> None:
    """100 holds in view: only every k-th is numbered, and the numbers do not overlap."""
    h = plank.holds[0]
    many = [dataclasses.replace(h, start_s=1.2 * k, end_s=1.2 * k + 1.0) for k in range(100)]
    fig = plot_session(dataclasses.replace(plank, holds=many))
    ax = fig.get_axes()[0]
    rendered(fig)
    labels = [t for t in ax.texts if t.get_text().isdigit()]
    assert 10 <= len(labels) <= 40 and len(hold_patches(ax)) == 100
    r = fig.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(r) for t in labels), key=lambda b: b.x0)
    assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:]))
