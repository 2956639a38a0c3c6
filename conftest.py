"""Report each notebook's execution time when pytest runs them under nbval.

``make test`` and ``make timings`` print a table at the end of the nbval run
and write it to ``_build/timings.json`` (or to ``$SEQLIB_TIMINGS``). A
notebook's budget is 4 minutes on 2 CPU cores unless its metadata says
otherwise (``"seqlib": {"budget_minutes": 8}``). Over-budget notebooks are
flagged, not failed: the budget is a benchmark.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

from seqlib.frameworks import load_triton_first

# The tests import TensorFlow and then train PyTorch models in one process: with
# PyTorch's default (CUDA) build, Triton must be loaded first (seqlib.frameworks).
load_triton_first()

_times: dict[str, float] = defaultdict(float)
DEFAULT_BUDGET_MINUTES = 4


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        _times[path] += report.duration


def _budget_minutes(path: str) -> float:
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return DEFAULT_BUDGET_MINUTES
    return meta.get("seqlib", {}).get("budget_minutes", DEFAULT_BUDGET_MINUTES)


def pytest_terminal_summary(terminalreporter):
    if not _times:
        return
    tr = terminalreporter
    tr.section("notebook execution times")
    rows = []
    for path in sorted(_times):
        seconds, budget = _times[path], _budget_minutes(path)
        flag = "" if seconds <= 60 * budget else f"  OVER the {budget}-minute budget"
        tr.write_line(f"{seconds:8.1f} s  {path}{flag}")
        rows.append(
            {"notebook": path, "seconds": round(seconds, 1), "budget_minutes": budget}
        )
    total = sum(_times.values())
    tr.write_line(
        f"{total:8.1f} s  total ({total / 60:.1f} min, {os.cpu_count()} CPU cores)"
    )
    out = Path(os.environ.get("SEQLIB_TIMINGS", "_build/timings.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1) + "\n")
