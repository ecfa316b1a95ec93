"""``screen pairs`` beside OpenSanctions' logic-v2 on the same labelled pairs (issue 12, part 2).

``LOGIC_V2_PYTHON=/path/to/python python -m benchmarks bench_logic_v2``. logic-v2 is nomenklatura's
matcher; it is not a dependency of vaspguard, so it runs in a Python of its own, set up once:

    python3 -m venv /tmp/nk && /tmp/nk/bin/pip install nomenklatura==4.17.4

The pairs are ``bench_screen_pairs``' (built from the genuine lists' own names, 30% held out by entity key).
Both sides score every pair in this one run. Printed per split, for each matcher: precision, recall and F1
of its match decision (vaspguard's ``match`` column at its threshold, logic-v2 at its default 0.70), and
the recall of vaspguard's ``score`` column at logic-v2's false-positive rate on the same negatives. Then the
cost per pair of each, cold (the first pass of a fresh process) and warm.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Sequence

from benchmarks.bench_screen_pairs import Pair, build_pairs
from benchmarks.eval_screening import load_entities
from vaspguard.screening import ALERT_THRESHOLD, pair_score

LOGIC_V2_THRESHOLD = 0.70

# Runs in the logic-v2 Python: pairs as JSON lines on stdin, one score a line on stdout, timings last.
_LOGIC_V2 = r"""
import json, sys, time
from followthemoney import model
from nomenklatura.matching import LogicV2, ScoringConfig

def entity(i, name, kind):
    e = model.make_entity("Person" if kind == "person" else "Organization")
    e.id = f"e{i}"
    e.add("name", name)
    return e

pairs = [json.loads(line) for line in sys.stdin]
config = ScoringConfig.defaults()
times = []
for run in range(2):
    start = time.perf_counter()
    scores = [
        LogicV2.compare(entity(2 * i, a, k), entity(2 * i + 1, b, k), config).score
        for i, (a, b, k) in enumerate(pairs)
    ]
    times.append(time.perf_counter() - start)
for s in scores:
    print(s)
print(json.dumps(times))
"""


def _logic_v2(python: str, pairs: Sequence[Pair]) -> tuple[list[float], list[float]]:
    lines = "".join(json.dumps([p.name1, p.name2, p.kind]) + "\n" for p in pairs)
    done = subprocess.run(
        [python, "-c", _LOGIC_V2], input=lines, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [float(x) for x in done[:-1]], json.loads(done[-1])


def _decisions(labels: Sequence[bool], matched: Sequence[bool]) -> tuple[float, float, float, float]:
    """(precision, recall, F1, false-positive rate)."""
    tp = sum(1 for y, m in zip(labels, matched, strict=True) if y and m)
    fp = sum(1 for y, m in zip(labels, matched, strict=True) if not y and m)
    pos, neg = sum(labels), len(labels) - sum(labels)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / pos if pos else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, fp / neg if neg else 0.0


def _recall_at(labels: Sequence[bool], scores: Sequence[float], fpr: float) -> float:
    """Recall of ``scores`` with the cut that lets through the share ``fpr`` of the negatives."""
    neg = sorted((s for y, s in zip(labels, scores, strict=True) if not y), reverse=True)
    cut = neg[min(len(neg) - 1, int(fpr * len(neg)))] if neg else 0.0
    pos = [s for y, s in zip(labels, scores, strict=True) if y]
    return sum(1 for s in pos if s > cut) / len(pos) if pos else 0.0


def main() -> None:
    python = os.environ.get("LOGIC_V2_PYTHON")
    if not python:
        print("bench_logic_v2: set LOGIC_V2_PYTHON to a Python with nomenklatura 4.17.4 (see the module doc)")
        return
    pairs = build_pairs(load_entities())
    ours: list[tuple[float, float]] = []
    times = []
    for _ in range(2):
        start = time.perf_counter()
        ours = [pair_score(p.name1, p.name2, p.kind) for p in pairs]
        times.append(time.perf_counter() - start)
    theirs, their_times = _logic_v2(python, pairs)
    print(f"{len(pairs)} labelled pairs ({sum(p.label for p in pairs)} positive); logic-v2 from {python}")
    for split in ("tune", "held"):
        idx = [i for i, p in enumerate(pairs) if p.split == split]
        labels = [pairs[i].label for i in idx]
        lp, lr, lf, lfpr = _decisions(labels, [theirs[i] >= LOGIC_V2_THRESHOLD for i in idx])
        vp, vr, vf, vfpr = _decisions(labels, [ours[i][1] >= ALERT_THRESHOLD for i in idx])
        at = _recall_at(labels, [ours[i][0] for i in idx], lfpr)
        print(
            f"{split}: vaspguard match at {ALERT_THRESHOLD:.2f}: precision {vp:.3f} recall {vr:.3f} "
            f"F1 {vf:.3f} (FPR {vfpr:.3f}); score recall at logic-v2's FPR {lfpr:.3f}: {at:.3f}"
        )
        print(
            f"{split}: logic-v2 at {LOGIC_V2_THRESHOLD:.2f}:        precision {lp:.3f} recall {lr:.3f} "
            f"F1 {lf:.3f} (FPR {lfpr:.3f}); its own recall at that FPR: {lr:.3f}"
        )
    n = len(pairs)
    print(
        f"per pair: vaspguard pair_score cold {times[0] / n * 1e6:.0f} us, "
        f"warm {times[1] / n * 1e6:.0f} us | logic-v2 cold {their_times[0] / n * 1e6:.0f} us, "
        f"warm {their_times[1] / n * 1e6:.0f} us "
        f"(cold ratio {their_times[0] / times[0]:.1f}x)"
    )


if __name__ == "__main__":
    main()
