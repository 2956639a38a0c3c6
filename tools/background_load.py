"""Keep CPU cores busy in irregular bursts, as a reader's other programs would.

``make test-other-cpu`` runs the chapters while this runs beside them, so that
an assertion on a timing, a speed-up or a ratio of two timings fails in CI
rather than on a reader's loaded laptop. Each worker process alternates busy
spells and pauses of random length (seeded, so two runs load alike); the whole
thing stops by itself after ``--seconds`` or when the process that started it
has gone.

    python tools/background_load.py --workers 1 --seconds 3600 --parent PID
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import time


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _work(seed: int, until: float, parent: int, busy: float) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until and (parent <= 0 or _alive(parent)):
        spell = rng.uniform(0.02, 0.4)
        if rng.random() < busy:
            end = time.monotonic() + spell
            x = 0
            while time.monotonic() < end:
                x = (x * 1103515245 + 12345) % 2147483648
        else:
            time.sleep(spell)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="busy processes (1)")
    parser.add_argument("--seconds", type=float, default=3600, help="stop after (3600)")
    parser.add_argument("--busy", type=float, default=0.6, help="share of spells busy")
    parser.add_argument("--parent", type=int, default=0, help="stop when this PID ends")
    args = parser.parse_args()
    if args.workers < 1:
        parser.error(f"--workers must be at least 1; got {args.workers}")
    if not 0 < args.busy <= 1:
        parser.error(f"--busy must be in (0, 1]; got {args.busy}")
    until = time.monotonic() + args.seconds
    workers = [
        mp.Process(target=_work, args=(seed, until, args.parent, args.busy), daemon=True)
        for seed in range(args.workers)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


if __name__ == "__main__":
    main()
