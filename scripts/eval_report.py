"""Markdown rendering of ``scripts/evaluate.py`` results (docs/accuracy.md)."""

from __future__ import annotations

from typing import Any


def _f(v: Any, pct: bool = False, nd: int = 2) -> str:
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if pct:
        return f"{100 * v:.1f} %"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


SIM_ROWS = (
    ("recall", "hold recall", True, "≥ 98 %"),
    ("false_holds", "false holds (outside any true hold)", False, "0"),
    ("split_holds", "extra pieces of a split true hold", False, "–"),
    ("rest_as_hold", "rest time reported as hold", True, "≤ 2 %"),
    ("walk_as_hold", "walking time reported as hold", True, "–"),
    ("boundary_error_median_s", "boundary error median (s)", False, "≤ 0.3 s"),
    ("boundary_error_p95_s", "boundary error p95 (s)", False, "≤ 1.0 s"),
    ("start_bias_s", "start error, signed median (s)", False, "–"),
    ("end_bias_s", "end error, signed median (s)", False, "–"),
    ("duration_error_median", "duration error median (relative)", True, "≤ 2 %"),
)


def _sim(res: dict[str, Any]) -> list[str]:
    s, ok = res["simulated"], res["targets"]
    lines = [f"## (a) Simulated sessions with ground truth\n",
             f"{res['sessions']} sessions, {s['holds']} true holds, fed as HTP packets through `analyze()`.\n",
             "| figure | measured | target | met |", "|---|---|---|---|"]
    for key, label, pct, target in SIM_ROWS:
        met = _f(ok[key]) if key in ok else ""
        lines.append(f"| {label} | {_f(s[key], pct)} | {target} | {met} |")
    lines.append("")
    for name, groups in res["breakdown"].items():
        lines += [f"### By {name}\n", "| " + name + " | holds | recall | boundary median / p95 (s) | duration error median |",
                  "|---|---|---|---|---|"]
        for g, v in groups.items():
            lines.append(f"| {g} | {v['holds']} | {_f(v['recall'], True)} | {_f(v['boundary_error_median_s'])} / "
                         f"{_f(v['boundary_error_p95_s'])} | {_f(v['duration_error_median'], True)} |")
        lines.append("")
    for name, groups in res.get("rest_breakdown", {}).items():
        lines += [f"### Rest reported as hold, by {name}\n", f"| {name} | rests | rest time (s) | reported as hold |",
                  "|---|---|---|---|"]
        lines += [f"| {g} | {v['rests']} | {v['rest_s']} | {_f(v['rest_as_hold'], True)} |" for g, v in groups.items()]
        lines.append("")
    fails = res["failures"]
    lines.append("### Failing cases\n")
    for key, title in (("missed", "Missed holds"), ("false_holds", "False holds"), ("split_holds", "Split holds"),
                       ("worst_boundaries", "Largest boundary errors (true vs detected, s)")):
        rows = fails[key]
        lines.append(f"**{title}** ({len(rows)}):\n")
        if not rows:
            lines.append("none\n")
            continue
        for r in rows[:12]:
            lines.append("- " + ", ".join(f"{k} {v}" for k, v in r.items() if k not in ("group",) and v is not None))
        lines.append("")
    return lines


def _real(real: dict[str, Any]) -> list[str]:
    if "skipped" in real:
        return ["## (b) Real recordings\n", f"Skipped: {real['skipped']}\n"]
    h, st, sp, gm = real["hapt"], real["st"], real["spsw"], real["gaitmap"]
    lines = ["## (b) Real labelled recordings (`shared/data`)\n",
             "| data | figure | measured | target |", "|---|---|---|---|",
             f"| HAPT waist phone, {h['experiments']} experiments | static segments (sit/stand/lie, {h['static_segments']}) ≥ 80 % covered by still periods | {_f(h['static_covered_80'], True)} | ≥ 97 % |",
             f"| | walking segments ({h['walking_segments']}) > 10 % still | {_f(h['walking_still_10'], True)} | ≤ 1 % |",
             f"| | static time reported as **hold** (rest should be rest) | {_f(h['static_time_as_hold'], True)} | – |",
             f"| | holds reported in total | {h['holds']} | – |"]
    for label in ("stationary", "walking", "running"):
        v = st[label]
        fig = "files ≥ 80 % still" if label == "stationary" else "files > 10 % still"
        val = v["still_80"] if label == "stationary" else v["still_10"]
        lines.append(f"| ST 26 Hz board, {label} ({v['files']} files) | {fig} | {_f(val, True)} | – |")
        lines.append(f"| | holds reported | {v['holds']} | {'–' if label == 'stationary' else '0'} |")
    for dev, name in (("sp", "phone in pocket"), ("sw", "smartwatch")):
        v = sp[dev]
        lines.append(f"| SP-SW {name}, {v['files']} files | SEATED bouts (trimmed 0.5 s, {v['seated_bouts']}) ≥ 80 % still | "
                     f"{_f(v['seated_covered_80'], True)} | – |")
        lines.append(f"| | walking/turning time still | {_f(v['walking_time_still'], True)} | – |")
    for side in ("left", "right"):
        v = gm[side]
        lines.append(f"| gaitmap walk, {side} foot ({v['duration_s']:.1f} s) | holds | {v['holds']} | 0 |")
    return lines + [""]


def markdown(res: dict[str, Any], command: str) -> str:
    head = [
        "# Accuracy of hold detection\n",
        f"Produced by `{command}` (holdtrack {res['holdtrack_version']}, {res['cpu_s']} s CPU). Seeded: rerunning the "
        "command on the same code gives the same numbers. Simulator physics and parameter ranges: "
        "[simulator.md](simulator.md). Matching rule: a detected hold matches a true hold when it overlaps at least "
        "half of it; boundary errors pool starts and ends (absolute); duration error is relative to the true "
        "duration.\n",
    ]
    body = _sim(res) + (_real(res["real"]) if "real" in res else [])
    return "\n".join(head + body) + "\n"
