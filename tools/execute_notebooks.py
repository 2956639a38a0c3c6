"""Execute notebooks in place, so that the committed outputs are what the code prints.

Usage: ``python tools/execute_notebooks.py notebooks/*.ipynb`` (``make execute``).
Each notebook runs in a fresh kernel with ``notebooks/`` as its working folder;
the script prints each one's time and exits non-zero if any cell fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        coalesce_streams=True,  # one output per stream; progress bars keep their last line
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds


def main(paths: list[str]) -> int:
    failed = []
    total = 0.0
    for name in paths:
        path = Path(name)
        try:
            seconds = execute(path)
        except CellExecutionError as error:
            print(f"FAILED    {path}\n{error}", file=sys.stderr)
            failed.append(path)
            continue
        total += seconds
        print(f"{seconds:8.1f} s  {path}", flush=True)
    print(f"{total:8.1f} s  total")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
