"""Data-parallel training with PyTorch's own engine: ``torch.distributed`` and ``torchrun``.

In data-parallel training every process holds a full copy of the model and
trains on its own share of each batch. After the backward pass,
:class:`torch.nn.parallel.DistributedDataParallel` (DDP) averages the
gradients of all processes (an *all-reduce*), so every copy takes the same
optimiser step and the copies stay equal. With ``P`` processes and a local
batch of ``B / P`` examples each, one step uses the same ``B`` examples, and
the same averaged gradient, as one process with a batch of ``B``.

``torchrun`` (``python -m torch.distributed.run``) starts the processes and
tells each its place through the environment (``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``); :func:`init_process` joins
the group it describes, with the ``gloo`` backend on CPUs and ``nccl`` on
GPUs. :func:`train_epochs` is the training loop: a
:class:`torch.utils.data.DistributedSampler` gives each process its share of a
shuffle that all of them agree on, the loss is logged by rank 0 only, and rank
0 writes the checkpoints (:func:`save_checkpoint`, :func:`load_checkpoint`).

:func:`torchrun` launches a script from Python with a time limit, and
:func:`gradient_check` starts processes itself
(:func:`torch.multiprocessing.start_processes`) to compare DDP's averaged
gradient with the gradient of one process on the whole batch.

Shapes are batch first: windows ``(batch, lookback)``, targets ``(batch, horizon)``.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler

from ._checks import non_negative_int, positive_int
from .reproducibility import set_threads

__all__ = [
    "free_port",
    "gradient_check",
    "init_process",
    "load_checkpoint",
    "local_batch_size",
    "run_workers",
    "save_checkpoint",
    "torchrun",
    "train_epochs",
]

BACKENDS = ("gloo", "nccl")


def _positive_seconds(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds; got {value!r}")
    return float(value)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that no process is listening on now.

    The operating system picks it (binding to port 0); another process could
    take it before it is used, which on a machine of one user is unlikely.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def local_batch_size(batch_size: int, world_size: int) -> int:
    """Each process's share of a global batch: ``batch_size / world_size``.

    Raises:
        ValueError: unless ``batch_size`` is a multiple of ``world_size``, so
            that every process's batch, and so its weight in the average, is
            the same.
    """
    batch_size = positive_int("batch_size", batch_size)
    world_size = positive_int("world_size", world_size)
    if batch_size % world_size:
        raise ValueError(
            f"batch_size must be a multiple of world_size={world_size}; got {batch_size}"
        )
    return batch_size // world_size


def init_process(
    backend: str | None = None, *, threads: int = 1, timeout_s: float = 120.0
) -> tuple[int, int]:
    """Join the process group that ``torchrun`` describes in the environment.

    Args:
        backend: ``"gloo"`` (CPUs) or ``"nccl"`` (NVIDIA GPUs, one per
            process); ``None`` picks ``"nccl"`` when CUDA is available, else
            ``"gloo"``.
        threads: PyTorch threads in this process (see
            :func:`seqlib.reproducibility.set_threads`); processes × threads
            should not exceed the cores.
        timeout_s: how long a collective operation waits for the other
            processes before failing.

    Returns:
        ``(rank, world_size)``.

    Raises:
        ValueError: if ``RANK`` or ``WORLD_SIZE`` is not set (the script was not
            started by ``torchrun``), or on a bad argument.
    """
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() else "gloo"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be 'gloo', 'nccl' or None; got {backend!r}")
    timeout_s = _positive_seconds("timeout_s", timeout_s)
    missing = [
        k
        for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
        if k not in os.environ
    ]
    if missing:
        raise ValueError(
            f"the environment lacks {', '.join(missing)}: start this script with "
            "torchrun (python -m torch.distributed.run)"
        )
    set_threads(threads)
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend, timeout=timedelta(seconds=timeout_s))
    return dist.get_rank(), dist.get_world_size()


def _place() -> tuple[int, int]:
    """``(rank, world_size)``: of the process group, or ``(0, 1)`` without one."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _unwrapped(model: nn.Module) -> nn.Module:
    """The module inside a :class:`DistributedDataParallel` wrapper (or ``model``)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def save_checkpoint(
    path: str | os.PathLike, model: nn.Module, optimizer: torch.optim.Optimizer, epoch: int
) -> None:
    """Write the weights, the optimiser's state and the epochs done to ``path``.

    Only tensors, numbers and strings are stored (``state_dict``), so
    :func:`load_checkpoint` can read them back with ``weights_only=True``. The
    file is written beside ``path`` first and then renamed, so an interrupted
    write leaves the previous checkpoint whole. Call it from one process (rank
    0): every process holds the same weights.

    Args:
        path: the checkpoint file.
        model: the model, or its :class:`DistributedDataParallel` wrapper (its
            inner module's weights are stored, so the file loads into a plain
            model).
        optimizer: its optimiser.
        epoch: the number of epochs completed.
    """
    epoch = non_negative_int("epoch", epoch)
    path = Path(path)
    state = {
        "model": _unwrapped(model).state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": epoch,
    }
    partial = path.with_name(path.name + ".partial")
    torch.save(state, partial)
    os.replace(partial, path)


def load_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    optimizer: torch.optim.Optimizer | None = None,
) -> int:
    """Load a checkpoint of :func:`save_checkpoint` into ``model`` (and ``optimizer``).

    The file is read with ``torch.load(..., weights_only=True)``, which refuses
    anything but tensors and plain containers, and mapped to the model's device.

    Returns:
        How many epochs the checkpoint had completed, which is the epoch to
        resume at.

    Raises:
        ValueError: if the file is not such a checkpoint.
    """
    device = next(_unwrapped(model).parameters()).device
    state = torch.load(path, map_location=device, weights_only=True)
    if not isinstance(state, dict) or not {"model", "optimizer", "epoch"} <= set(state):
        raise ValueError(
            f"path must be a checkpoint of save_checkpoint (keys 'model', 'optimizer', "
            f"'epoch'); {str(path)!r} holds {type(state).__name__}"
            + (f" with keys {sorted(state)}" if isinstance(state, dict) else "")
        )
    _unwrapped(model).load_state_dict(state["model"])
    if optimizer is not None:
        optimizer.load_state_dict(state["optimizer"])
    return int(state["epoch"])


def _check_xy(X, Y, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    X, Y = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(Y, dtype=torch.float32)
    if X.ndim != 2 or Y.ndim != 2 or len(X) != len(Y) or len(X) == 0:
        raise ValueError(
            f"{name} must be windows (n, lookback) and targets (n, horizon) with the same "
            f"n ≥ 1; got {tuple(X.shape)} and {tuple(Y.shape)}"
        )
    return X, Y


def train_epochs(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    X,
    Y,
    *,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    start_epoch: int = 0,
    stop_after: int | None = None,
    checkpoint: str | os.PathLike | None = None,
    val: Sequence | None = None,
    log: Callable[[str], None] | None = print,
) -> dict:
    """Train with the mean absolute error, each process on its share of every batch.

    The same loop runs in every process. Each epoch, a
    :class:`~torch.utils.data.DistributedSampler` seeded with ``seed`` and the
    epoch shuffles the ``n`` examples identically in all processes and hands
    process ``r`` every ``world_size``-th of them, from the ``r``-th on; the
    examples are indexed directly in memory, ``batch_size / world_size`` per
    step. Wrapped in :class:`DistributedDataParallel`, ``model`` averages its
    gradients over the processes in ``backward()``. The global batch ``k``
    therefore holds the same examples whatever the number of processes.
    Without a process group (a plain script), it trains alone.

    Args:
        model: the network, wrapped in ``DistributedDataParallel`` when a
            process group is running; it maps ``X`` to predictions shaped like ``Y``.
        optimizer: its optimiser (resumed: with the checkpoint's state loaded).
        X: inputs ``(n, lookback)``, the same in every process.
        Y: targets ``(n, horizon)``.
        epochs: the epoch to end at (counting those before ``start_epoch``).
        batch_size: the global batch, over all processes; a multiple of the
            number of processes.
        seed: the shuffle's seed; it must be the same in every process.
        start_epoch: epochs already done (from :func:`load_checkpoint`).
        stop_after: stop once this many epochs are done (a checkpoint is
            written first), as if the job had been interrupted; ``None`` runs to
            ``epochs``.
        checkpoint: rank 0 writes a checkpoint here after every epoch.
        val: ``(X_val, Y_val)``, scored by rank 0 after every epoch.
        log: rank 0 calls it with one line per epoch; ``None`` for silence.

    Returns:
        A dictionary with ``loss`` (the mean training loss of each epoch run, over all
        processes), ``val_loss`` (empty without ``val``), ``epochs_run``,
        ``seconds`` (wall-clock), ``steps``, ``windows`` (examples processed by
        all processes, padding included) and ``windows_per_second``.
    """
    X, Y = _check_xy(X, Y, "X and Y")
    val_t = _check_xy(*val, "val") if val is not None else None
    rank, world_size = _place()
    local = local_batch_size(batch_size, world_size)
    epochs = positive_int("epochs", epochs)
    start_epoch = non_negative_int("start_epoch", start_epoch)
    seed = non_negative_int("seed", seed)
    end = (
        epochs
        if stop_after is None
        else min(epochs, positive_int("stop_after", stop_after))
    )
    if start_epoch > end:
        raise ValueError(f"start_epoch must be at most {end}; got {start_epoch}")
    device = next(_unwrapped(model).parameters()).device
    sampler = DistributedSampler(
        range(len(X)), num_replicas=world_size, rank=rank, shuffle=True, seed=seed
    )
    out = {"loss": [], "val_loss": [], "epochs_run": 0, "steps": 0, "windows": 0}
    if world_size > 1:
        dist.barrier()  # start the clock together
    start = time.perf_counter()
    for epoch in range(start_epoch, end):
        model.train()
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same in every process
        order = torch.tensor(list(sampler))
        total = torch.zeros(2, dtype=torch.float64)  # sum of losses, examples
        for first in range(0, len(order), local):
            idx = order[first : first + local]
            optimizer.zero_grad()
            loss = F.l1_loss(model(X[idx].to(device)), Y[idx].to(device))
            loss.backward()  # DDP averages the gradients of all processes here
            optimizer.step()
            total += torch.tensor([loss.item() * len(idx), len(idx)], dtype=torch.float64)
            out["steps"] += 1
        if world_size > 1:
            dist.all_reduce(total)  # the epoch's loss over all processes
        out["loss"].append(float(total[0] / total[1]))
        out["windows"] += int(total[1])
        out["epochs_run"] += 1
        line = f"epoch {epoch + 1}/{epochs}: loss {out['loss'][-1]:.4f}"
        if val_t is not None and rank == 0:
            module = _unwrapped(model).eval()
            with torch.no_grad():
                prediction = module(val_t[0].to(device))
                out["val_loss"].append(float(F.l1_loss(prediction, val_t[1].to(device))))
            line += f", validation loss {out['val_loss'][-1]:.4f}"
        if checkpoint is not None:
            if rank == 0:
                save_checkpoint(checkpoint, model, optimizer, epoch + 1)
                line += " (checkpoint written)"
            if world_size > 1:
                dist.barrier()  # nobody runs ahead of a checkpoint being written
        if log is not None and rank == 0:
            log(line)
    out["seconds"] = time.perf_counter() - start
    out["windows_per_second"] = out["windows"] / out["seconds"] if out["windows"] else 0.0
    _unwrapped(model).eval()
    return out


def run_workers(
    fn: Callable, world_size: int, args: tuple = (), *, timeout_s: float = 120.0
) -> None:
    """Run ``fn(rank, world_size, port, *args)`` in ``world_size`` new processes.

    The processes are started with the ``spawn`` method (a fresh interpreter
    each), so ``fn`` must be importable: a module-level function. ``port`` is a
    free port on 127.0.0.1 for their rendezvous (``init_method=
    f"tcp://127.0.0.1:{port}"``). When any process fails, or all have not
    finished after ``timeout_s`` seconds, those still running are killed.

    Raises:
        TimeoutError: if the processes run past ``timeout_s``.
        torch.multiprocessing.ProcessRaisedException: if ``fn`` raised in one of
            them (its traceback is in the message).
    """
    import torch.multiprocessing as mp

    world_size = positive_int("world_size", world_size)
    timeout_s = _positive_seconds("timeout_s", timeout_s)
    context = mp.start_processes(
        fn,
        args=(world_size, free_port(), *args),
        nprocs=world_size,
        join=False,
        start_method="spawn",
    )
    deadline = time.monotonic() + timeout_s
    try:
        while not context.join(timeout=max(0.05, deadline - time.monotonic())):
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"{world_size} worker processes did not finish in {timeout_s:g} s"
                )
    finally:
        for process in context.processes:
            if process.is_alive():
                process.kill()
            process.join()


def _gradient_model(horizon: int, season: int, hidden: int, seed: int) -> nn.Module:
    from .global_forecast import GlobalRNN

    torch.manual_seed(seed)
    return GlobalRNN(horizon, season=season, hidden=hidden)


def _flat_gradient(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


def _gradient_worker(rank, world_size, port, X, Y, season, hidden, seed, folder) -> None:
    """One process of :func:`gradient_check`: DDP's gradient on its part of the batch."""
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(seconds=60),
    )
    try:
        model = DistributedDataParallel(_gradient_model(Y.shape[1], season, hidden, seed))
        part = slice(rank * len(X) // world_size, (rank + 1) * len(X) // world_size)
        F.l1_loss(model(X[part]), Y[part]).backward()  # all-reduce: the mean gradient
        torch.save(_flat_gradient(model.module), Path(folder) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def gradient_check(
    X,
    Y,
    *,
    season: int,
    hidden: int = 16,
    world_size: int = 2,
    seed: int = 0,
    timeout_s: float = 120.0,
) -> tuple[np.ndarray, np.ndarray]:
    """DDP's averaged gradient of ``world_size`` processes, and one process's on the union.

    Each of ``world_size`` processes (gloo, 127.0.0.1) builds the same
    :class:`seqlib.global_forecast.GlobalRNN` (``seed``), takes its slice of
    the batch (rank 0 the first ``n / world_size`` rows, and so on), computes
    the mean absolute error and calls ``backward()``, in which DDP averages the
    gradients. This process then computes the gradient of the same network on
    the whole batch. They agree to float rounding.

    Args:
        X: scaled windows ``(n, lookback)`` (see
            :func:`seqlib.global_forecast.normalise`), ``n`` a multiple of
            ``world_size``.
        Y: scaled targets ``(n, horizon)``.
        season: the network's season (and values per step).
        hidden: its hidden units.
        world_size: the number of processes.
        seed: the seed of the initial weights.
        timeout_s: the processes are killed after this many seconds.

    Returns:
        ``(distributed, single)``: each process's gradient after the
        all-reduce, ``(world_size, n_weights)``, and the single-process gradient
        on all ``n`` windows, ``(n_weights,)``.
    """
    X, Y = _check_xy(X, Y, "X and Y")
    world_size = positive_int("world_size", world_size)
    if len(X) % world_size:
        raise ValueError(
            f"X must split evenly over world_size={world_size} processes; got {len(X)} rows"
        )
    season, hidden = positive_int("season", season), positive_int("hidden", hidden)
    seed = non_negative_int("seed", seed)
    with tempfile.TemporaryDirectory() as folder:
        run_workers(
            _gradient_worker,
            world_size,
            (X, Y, season, hidden, seed, folder),
            timeout_s=timeout_s,
        )
        distributed = torch.stack(
            [
                torch.load(Path(folder) / f"rank{r}.pt", weights_only=True)
                for r in range(world_size)
            ]
        )
    model = _gradient_model(Y.shape[1], season, hidden, seed)
    F.l1_loss(model(X), Y).backward()
    return distributed.numpy(), _flat_gradient(model).detach().numpy()


def _descendants(pid: int) -> list[int]:
    """The processes started by ``pid``, their children and so on (Linux's ``/proc``)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def torchrun(
    program: str | os.PathLike,
    args: Sequence = (),
    *,
    nproc: int = 2,
    threads: int = 1,
    timeout_s: float = 600.0,
) -> str:
    """Run ``program`` under ``torchrun`` on this machine and return what it printed.

    The command is ``python -m torch.distributed.run --nnodes 1
    --nproc-per-node NPROC --master-addr 127.0.0.1 --master-port PORT program
    args...`` (with ``-m`` before a module's name), run with this interpreter
    (so it works where the ``torchrun`` command is not on the ``PATH``),
    ``OMP_NUM_THREADS=threads`` and a free port. On a timeout the launch and
    every process it started are killed (found through ``/proc`` on Linux;
    elsewhere only ``torchrun`` itself).

    Args:
        program: what every process runs: a Python file, or an importable
            module's name as ``python -m`` takes it (``"seqlib.distributed_forecast"``).
        args: its command-line arguments (converted with ``str``).
        nproc: processes to start.
        threads: threads per process.
        timeout_s: the limit for the whole run.

    Returns:
        The launch's standard output and error, interleaved.

    Raises:
        TimeoutError: if it ran past ``timeout_s``.
        RuntimeError: if it failed (with the end of its output).
    """
    nproc, threads = positive_int("nproc", nproc), positive_int("threads", threads)
    timeout_s = _positive_seconds("timeout_s", timeout_s)
    if Path(program).is_file():
        target, name = [str(program)], Path(program).name
    elif isinstance(program, str) and importlib.util.find_spec(program) is not None:
        target, name = ["-m", program], program
    else:
        raise ValueError(
            f"program must be a Python file or an importable module; got {str(program)!r}"
        )
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes=1",
        f"--nproc-per-node={nproc}",
        "--master-addr=127.0.0.1",
        f"--master-port={free_port()}",
        *target,
        *map(str, args),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MASTER_ADDR": "127.0.0.1"}
    launch = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _ = launch.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        # torchrun starts each worker in a session of its own: kill them one by one
        for pid in [*_descendants(launch.pid), launch.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        launch.communicate()
        raise TimeoutError(f"torchrun {name} ran past {timeout_s:g} s") from None
    if launch.returncode != 0:
        raise RuntimeError(
            f"torchrun {name} failed (exit status {launch.returncode}):\n" + output[-3000:]
        )
    return output
