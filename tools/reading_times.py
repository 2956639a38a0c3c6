"""The table of read and run times in book/start.md, made from the notebooks themselves.

*Read* counts the words of each chapter's prose and visible code at 200 words a
minute, rounded up to 5 minutes. *Run* is each notebook's time under nbval from
``book/timings.json``, a copy of ``_build/timings.json`` written by ``make timings``
on a quiet machine (the Makefile's ``timings`` target says how to refresh it).
Below the table, a sentence says how much longer a slower machine took, from
``book/timings-slower.json``: the same chapters' times under nbval on a slower
two-core laptop, against ``book/timings.json``.

``python tools/reading_times.py`` rewrites the table between its two markers;
``--check`` (run by the unit tests) fails when the table is out of date.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "book" / "start.md"
TIMINGS = ROOT / "book" / "timings.json"
SLOWER = ROOT / "book" / "timings-slower.json"
START, END = "<!-- reading-times: start -->", "<!-- reading-times: end -->"
WORDS_PER_MINUTE = 200


def words(path: Path) -> int:
    """Words of prose and visible code in the notebook at ``path``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    prose, code = [], []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            prose.append(source)
        elif "remove-cell" not in cell["metadata"].get("tags", []):
            code.append(source)
    text = "\n".join(prose)
    text = re.sub(r"^:\w[\w-]*:.*$", "", text, flags=re.M)  # directive options
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)  # roles: their text
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text)) + len(
        re.findall(r"[A-Za-z0-9_]+", "\n".join(code))
    )


def table() -> str:
    runs = {}
    if TIMINGS.exists():
        for row in json.loads(TIMINGS.read_text(encoding="utf-8")):
            runs[Path(row["notebook"]).stem] = row["seconds"]
    rows = [
        "| | Chapter | Words | Read (min) | Run (s) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    total_read = total_run = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb_words = words(path)
        read = 5 * math.ceil(nb_words / WORDS_PER_MINUTE / 5)
        label = re.search(r"\((ch-[a-z0-9-]+)\)=", path.read_text(encoding="utf-8"))
        run = runs.get(path.stem)
        total_read += read
        total_run += run or 0
        shown = f"{run:.0f}" if run is not None else "–"
        rows.append(
            f"| {int(path.stem[:2])} | {{ref}}`{label.group(1)}` | {nb_words:,} | {read} "
            f"| {shown} |"
        )
    rows.append(
        f"| | **All chapters** | | **{total_read}** (about {total_read / 60:.0f} hours) "
        f"| **{total_run:.0f}** (about {total_run / 60:.0f} minutes) |"
    )
    return "\n".join(rows) + slower(runs, total_run)


def slower(runs: dict[str, float], total_run: float) -> str:
    """A sentence on how much longer the chapters took on a slower machine."""
    if not SLOWER.exists():
        return ""
    measured = json.loads(SLOWER.read_text(encoding="utf-8"))
    factors = {
        Path(row["notebook"]).stem: row["seconds"] / runs[Path(row["notebook"]).stem]
        for row in measured["rows"]
        if runs.get(Path(row["notebook"]).stem)
    }
    if not factors:
        return ""
    low, high = min(factors.values()), max(factors.values())
    chapters = ", ".join(str(int(stem[:2])) for stem in sorted(factors))
    return (
        f"\n\nOn a slower laptop ({measured['machine']}, about "
        f"{measured['step_slowdown']:g} times this machine's time), chapters {chapters} "
        f"took {low:.1f} to {high:.1f} times as long as in the table; at that pace the "
        f"whole book takes about {low * total_run / 60:.0f} to "
        f"{high * total_run / 60:.0f} minutes, and longer while the machine does other "
        "work."
    )


def rewritten() -> str:
    page = PAGE.read_text(encoding="utf-8")
    before, rest = page.split(START)
    _, after = rest.split(END)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args(argv)
    text = rewritten()
    if args.check:
        if text != PAGE.read_text(encoding="utf-8"):
            print("book/start.md: the reading-times table is out of date", file=sys.stderr)
            print("run `python tools/reading_times.py`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
