"""Write each chapter's text form, ``notebooks/text/NAME.py``, for reviewable diffs.

A notebook's JSON mixes code, prose and stored outputs; its ``py:percent`` text
form (made by jupytext) holds only the cells' sources, so a change to prose or
code reads as a plain diff. ``make pair`` rewrites the text forms;
``python tools/pair_notebooks.py --check`` (run by the unit tests) fails when one
is missing, stale or left over from a notebook that no longer exists. The
notebooks stay the source: edit them, then run ``make pair``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TEXT = NOTEBOOKS / "text"
FORMAT = "py:percent"


def text_form(path: Path) -> str:
    """The ``py:percent`` text of the notebook at ``path``, without metadata."""
    nb = jupytext.read(path)
    # no header: kernel and version details add nothing to a review
    nb.metadata = {"jupytext": {"notebook_metadata_filter": "-all"}}
    return jupytext.writes(nb, fmt=FORMAT)


def expected() -> dict[Path, str]:
    """Each text form's path and the text it must hold."""
    return {
        TEXT / (p.stem + ".py"): text_form(p) for p in sorted(NOTEBOOKS.glob("*.ipynb"))
    }


def stale() -> list[str]:
    """What is missing, different or left over, one line each; empty when in sync."""
    want = expected()
    problems = [
        f"{path.relative_to(ROOT)} is missing or out of date"
        for path, text in want.items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    problems += [
        f"{path.relative_to(ROOT)} has no notebook"
        for path in sorted(TEXT.glob("*.py"))
        if path not in want
    ]
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print("run `make pair` to rewrite the text forms", file=sys.stderr)
        return 1 if problems else 0
    TEXT.mkdir(exist_ok=True)
    want = expected()
    for path in TEXT.glob("*.py"):
        if path not in want:
            path.unlink()
    for path, text in want.items():
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(want)} text forms in {TEXT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
