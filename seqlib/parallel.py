"""Training several models side by side: one process per model, one thread each.

A small recurrent network on a CPU is limited by the latency of its many
small matrix products as much as by arithmetic, so a second thread speeds one
training run up by less than a factor of two (the set-up chapter measures
it). Independent runs, such as the settings of an ablation or the seeds of an
ensemble, use the cores better side by side: :func:`fit_in_parallel` starts ``processes``
worker processes (joblib's), each limited to ``threads`` threads by
:func:`seqlib.reproducibility.set_threads`, with ``processes × threads`` at
most the number of cores.

Importing this module imports no framework; the workers import what the
training function needs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._checks import positive_int

__all__ = ["fit_in_parallel"]


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows
        return os.cpu_count() or 1


def _fit_with_threads(fit: Callable[..., Any], threads: int, settings: Mapping) -> Any:
    """In a worker: limit the threads, then call ``fit(**settings)``."""
    from .reproducibility import set_threads

    set_threads(threads)
    return fit(**settings)


def fit_in_parallel(
    fit: Callable[..., Any],
    jobs: Sequence[Mapping[str, Any]],
    *,
    processes: int | None = None,
    threads: int = 1,
    desc: str = "models",
    progress: bool = True,
) -> list:
    """Call ``fit(**settings)`` for every ``settings`` in ``jobs``, in parallel processes.

    Args:
        fit: the training function, e.g. ``functools.partial(fit_global, series,
            48, season=24)``; it must be picklable (a module-level function or a
            ``functools.partial`` of one), and it returns the fitted model.
        jobs: one mapping of keyword arguments per model; they override the
            keywords of a ``functools.partial``. Put the longest runs first: the
            jobs are started in this order.
        processes: worker processes; by default as many as the cores allow
            (``cores // threads``), and never more than there are jobs. With one
            process the jobs run one after another in this process, whose
            threads are then limited to ``threads`` too.
        threads: threads per worker (PyTorch's, TensorFlow's and NumPy's BLAS).
        desc: the progress bar's label.
        progress: show a tqdm bar counting finished models.

    Returns:
        The fitted models, in the order of ``jobs``.

    Raises:
        ValueError: if ``jobs`` is empty or not a sequence of mappings, if
            ``processes`` or ``threads`` is not a positive integer, or if
            ``processes × threads`` exceeds the number of cores.
    """
    if not callable(fit):
        raise ValueError(f"fit must be callable; got {fit!r}")
    if isinstance(jobs, Mapping) or not isinstance(jobs, Sequence) or not jobs:
        raise ValueError(
            "jobs must be a non-empty list of keyword-argument mappings, one per "
            f"model; got {jobs!r}"
        )
    for k, settings in enumerate(jobs):
        if not isinstance(settings, Mapping):
            raise ValueError(
                f"jobs[{k}] must be a mapping of keyword arguments; got {settings!r}"
            )
    threads = positive_int("threads", threads)
    cores = _cores()
    if processes is None:
        processes = max(1, cores // threads)
    processes = positive_int("processes", processes)
    if processes * threads > cores:
        raise ValueError(
            f"processes × threads must be at most the {cores} cores; got processes="
            f"{processes} × threads={threads} = {processes * threads}"
        )
    processes = min(processes, len(jobs))

    from joblib import Parallel, delayed
    from tqdm import tqdm

    run = Parallel(n_jobs=processes, return_as="generator")
    calls = [delayed(_fit_with_threads)(fit, threads, dict(s)) for s in jobs]
    return list(
        tqdm(run(calls), total=len(calls), desc=desc, unit="model", disable=not progress)
    )
