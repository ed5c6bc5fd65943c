"""Do two versions of holdtrack give exactly the same results? (``analyze(...).to_dict()``, JSON, compared byte for byte)

For performance work that must not change a single bit. Make a copy of the other version's package, e.g.

    git archive main holdtrack | tar -x -C /tmp/old
    python scripts/same_results.py --old /tmp/old            # this checkout against /tmp/old
    python scripts/same_results.py --old /tmp/old --files a.htrec b.csv

Inputs: 20 seeded simulator sessions (25/50/100/200 Hz; loss, gyro + clock drift, an outage, sample blocks),
each analysed as a file would be (batched; with a SHA-256 of every array of the detector's trace, so even a
last-bit change of a window sigma shows) and fed live, one notification per push (the small-block paths);
the real recordings of ``shared/data`` when present (``scripts/eval_real.py`` loaders, a few per dataset);
and any ``--files``. Each version runs in its own interpreter. Exit status 1 if anything differs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def dump(files: list[str], real: bool) -> dict[str, Any]:
    """Every input's result (run inside the interpreter of the version under test)."""
    from holdtrack.analysis import analyze
    from holdtrack.sim import random_scenario, simulate_session
    from holdtrack.stream import StreamProcessor

    out: dict[str, Any] = {}
    variants: list[dict[str, Any]] = [{}, {"loss": 0.05, "loss_burst": 3.0}, {"gyro": True, "drift_ppm": 80.0},
                                      {"outages": [(20.0, 23.0)]}, {"packets": False}]
    for r, rate in enumerate((25.0, 50.0, 100.0, 200.0)):
        for v, kw in enumerate(variants):
            seed = 1000 + 5 * r + v
            sim = simulate_session(random_scenario(seed), seed=seed, rate_hz=rate, **kw)
            res = analyze(sim, trace=True)
            out[f"sim-{rate:g}Hz-{v}"] = {**res.to_dict(), "trace_sha256": _digest(res.trace)}
            proc = StreamProcessor(sim.info)  # live: one push per notification
            for item in sim:
                proc.push(item)
            out[f"sim-{rate:g}Hz-{v}-live"] = proc.finish().to_dict()
    for f in files:
        out[f] = analyze(f).to_dict()
    if real:
        sys.path.insert(0, str(ROOT / "scripts"))
        import eval_real as er

        if er.find_data() is not None:
            got: list[dict[str, Any]] = []
            inner = er.analyze

            def keep(*a: Any, **k: Any) -> Any:
                res = inner(*a, **k)
                got.append(res.to_dict())
                return res

            er.analyze = keep  # type: ignore[assignment]
            er.eval_hapt(limit=4)
            er.eval_spsw(limit=2)
            er.eval_gaitmap()
            out.update({f"real-{i}": d for i, d in enumerate(got)})
    for d in out.values():
        d.pop("holdtrack_version", None)
    return out


def _digest(trace: Any) -> dict[str, str]:
    """SHA-256 of every array of a pipeline trace (window sigma, thresholds, gravity, noise floor, grid signal)."""
    return {k: hashlib.sha256(v.tobytes()).hexdigest() for k, v in vars(trace).items() if hasattr(v, "tobytes")}


def run_version(src: Path, files: list[str], real: bool, workdir: Path) -> dict[str, Any]:
    path = workdir / f"{abs(hash(str(src)))}.json"
    code = (f"import sys; sys.path.insert(0, {str(src)!r}); sys.path.insert(1, {str(ROOT / 'scripts')!r})\n"
            f"import holdtrack, json, same_results as s\n"
            f"assert holdtrack.__file__.startswith({str(src)!r}), holdtrack.__file__\n"
            f"json.dump(s.dump({files!r}, {real!r}), open({str(path)!r}, 'w'), sort_keys=True)\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    return json.loads(path.read_text())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, type=Path, help="directory holding the other version's holdtrack/")
    ap.add_argument("--new", default=ROOT, type=Path, help="directory holding this version's holdtrack/ (default: here)")
    ap.add_argument("--files", nargs="*", default=[], help="more inputs (session files, CSV, phone exports)")
    ap.add_argument("--no-real", action="store_true", help="skip the shared/data recordings")
    a = ap.parse_args()
    files = [str(Path(f).resolve()) for f in a.files]
    with tempfile.TemporaryDirectory() as tmp:
        old = run_version(a.old.resolve(), files, not a.no_real, Path(tmp))
        new = run_version(a.new.resolve(), files, not a.no_real, Path(tmp))
    differ = sorted(k for k in old.keys() | new.keys() if json.dumps(old.get(k), sort_keys=True) != json.dumps(new.get(k), sort_keys=True))
    holds = sum(len(d.get("holds", [])) for d in new.values())
    print(f"{len(new)} inputs, {holds} holds: " + (f"{len(differ)} DIFFER: {', '.join(differ)}" if differ else "identical"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
