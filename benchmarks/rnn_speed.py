"""Time LSTM and GRU layers on this machine and write the rows to one JSON file.

The comparison chapter ("LSTM or GRU? The evidence") measures a small grid on the
CPU it runs on; this script measures the full grid, on the CPU or on a GPU, with
the same functions (:mod:`seqlib.speed`):

* PyTorch and Keras (on TensorFlow);
* LSTM and GRU, each as the framework's fused layer and as a loop of cells;
* one training step (forward, sum, backward) and one inference step;
* hidden sizes 32 to 512, sequence lengths 50 to 400, a batch of 64 sequences of
  8 features;
* 1 and 2 threads (each thread count in its own process, since TensorFlow fixes
  its thread count when it starts);
* the peak memory of each training step, and the operations (on a GPU, the
  kernels) that ``torch.profiler`` records for the fused LSTM and GRU.

Usage, from the repository root::

    python benchmarks/rnn_speed.py                  # full grid, GPU if there is one
    python benchmarks/rnn_speed.py --device cpu     # full grid on the CPU
    python benchmarks/rnn_speed.py --quick          # 2 sizes, 1 thread: a minute or two

The file ``benchmarks/results/rnn_speed_<device>_<date>.json`` holds the device
and its name, the library versions, the date, the settings and one row per
measurement (see :func:`seqlib.speed.benchmark` for the columns). The chapter
shows the rows of any ``benchmarks/results/*cuda*.json`` beside its own CPU rows.

On a GPU the book's environment needs the CUDA build of PyTorch; its
``tensorflow-cpu`` cannot use the GPU, so Keras is then measured only if a
TensorFlow with GPU support is installed (``--frameworks torch`` skips it).
The full grid takes about half an hour on a two-core CPU and a few minutes on a
GPU; run it on a quiet machine, since other programs' load changes the times.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
FULL = {"hidden": [32, 64, 128, 256, 512], "time": [50, 100, 200, 400], "threads": [1, 2]}
QUICK = {"hidden": [32, 128], "time": [100], "threads": [1]}
PROFILED = (128, 100)  # (hidden, time) of the profiled training steps


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time LSTM and GRU layers (PyTorch, Keras) and write a JSON file."
    )
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    parser.add_argument(
        "--frameworks", nargs="+", choices=["torch", "keras"], default=["torch", "keras"]
    )
    parser.add_argument("--hidden", nargs="+", type=int, help="hidden sizes")
    parser.add_argument("--time", nargs="+", type=int, help="sequence lengths")
    parser.add_argument("--threads", nargs="+", type=int, help="thread counts")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--no-memory", action="store_true", help="skip peak memory")
    parser.add_argument("--quick", action="store_true", help="a small grid")
    parser.add_argument("--out", type=Path, default=RESULTS, help="output folder")
    parser.add_argument("--rows", type=Path, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)
    grid = QUICK if args.quick else FULL
    for name in ("hidden", "time", "threads"):
        if getattr(args, name) is None:
            setattr(args, name, grid[name])
    return args


def start_frameworks(args: argparse.Namespace, threads: int) -> None:
    """Set up the process as the chapters do (seqlib.reproducibility.setup)."""
    from seqlib.frameworks import load_triton_first
    from seqlib.reproducibility import setup

    load_triton_first()  # before TensorFlow, where the CUDA build of PyTorch has Triton
    if "keras" in args.frameworks:
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):  # share the GPU with PyTorch
            tf.config.experimental.set_memory_growth(gpu, True)
    setup(seed=0, threads=threads, frameworks=["torch", *args.frameworks])


def usable_frameworks(args: argparse.Namespace, device: str) -> list[str]:
    frameworks = list(args.frameworks)
    if device == "cuda" and "keras" in frameworks:
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            warnings.warn(
                "TensorFlow sees no GPU (tensorflow-cpu?): Keras is not measured",
                stacklevel=2,
            )
            frameworks.remove("keras")
    return frameworks


def measure(args: argparse.Namespace, device: str, threads: list[int]) -> list[dict]:
    from seqlib import speed

    table = speed.benchmark(
        [(h, t) for h in args.hidden for t in args.time],
        frameworks=usable_frameworks(args, device),
        threads=threads,
        batch=args.batch,
        features=args.features,
        device=device,
        repeats=args.repeats,
        warmup=args.warmup,
        memory=not args.no_memory,
    )
    return json.loads(table.to_json(orient="records"))


def profiled(args: argparse.Namespace, device: str) -> dict:
    """The ten slowest operations (and GPU kernels) of one training step, per cell."""
    import torch

    from seqlib import speed

    hidden, steps = PROFILED
    out = {"hidden": hidden, "time": steps, "batch": args.batch}
    for cell in ("lstm", "gru"):
        torch.manual_seed(0)
        layer = speed.torch_layer(cell, hidden, args.features, device=device)
        table = speed.operations(layer, (args.batch, steps, args.features))
        out[cell] = json.loads(table.head(10).to_json(orient="records"))
    return out


def main(argv: list[str] | None = None) -> Path | None:
    args = parse(argv)
    if args.rows is not None:  # a child process: one thread count, rows to a file
        start_frameworks(args, args.threads[0])
        from seqlib.speed import resolve_device

        rows = measure(args, resolve_device(args.device), args.threads)
        args.rows.write_text(json.dumps(rows))
        return None

    start_frameworks(args, args.threads[0])
    from seqlib.speed import environment, resolve_device

    device = resolve_device(args.device)
    if len(args.threads) == 1:
        rows = measure(args, device, args.threads)
    else:  # TensorFlow fixes its threads when it starts: one process per count
        rows = []
        child = list(argv if argv is not None else sys.argv[1:])
        with tempfile.TemporaryDirectory() as tmp:
            for n in args.threads:
                path = Path(tmp) / f"rows_{n}.json"
                options = _without(child, "--threads") + ["--threads", str(n)]
                command = [sys.executable, __file__, *options, "--device", device]
                subprocess.run([*command, "--rows", str(path)], check=True)
                rows += json.loads(path.read_text())
    record = environment(device)
    record["settings"] = {
        "hidden": args.hidden,
        "time": args.time,
        "threads": args.threads,
        "batch": args.batch,
        "features": args.features,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "frameworks": sorted({row["framework"] for row in rows}),
        "command": "python benchmarks/rnn_speed.py " + " ".join(argv or sys.argv[1:]),
    }
    record["operations"] = profiled(args, device)
    record["rows"] = rows
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = re.sub(r"[^0-9]", "", record["date"][:19])
    path = args.out / f"rnn_speed_{device}_{stamp}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{len(rows)} rows written to {path}")
    return path


def _without(options: list[str], flag: str) -> list[str]:
    """``options`` without ``flag`` and the values that follow it."""
    out, skipping = [], False
    for option in options:
        if option.startswith("--"):
            skipping = option == flag
        if not skipping:
            out.append(option)
    return out


if __name__ == "__main__":
    main()
