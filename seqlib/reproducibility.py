"""Seeds, thread counts and the set-up every chapter starts with.

Small recurrent networks on a CPU are limited by latency, not arithmetic: each
time step is a handful of tiny matrix products, and spreading each one over
many threads costs more in synchronisation than it saves. The book's chapters
therefore run PyTorch and TensorFlow with one or two threads (measured in the
set-up chapter), and never more threads than cores.

:func:`setup` is a chapter's first call, before it imports Keras or TensorFlow:
it sets their environment defaults, imports the frameworks the chapter names,
then sets the threads and seeds and quiets the warnings that carry no
information for the book's small models.

:func:`device` chooses where PyTorch trains and predicts: the CPU unless told
otherwise, by a ``device=`` argument or by the environment variable
``SEQLIB_DEVICE`` (``SEQLIB_DEVICE=auto`` picks a GPU when there is one).
Likewise ``SEQLIB_THREADS`` sets the threads of a :func:`setup` given none.
"""

from __future__ import annotations

import importlib
import os
import random
import sys
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ._checks import non_negative_int, one_of, positive_int
from .frameworks import load_triton_first

if TYPE_CHECKING:
    import torch

__all__ = [
    "DEVICE_TYPES",
    "DEVICE_VARIABLE",
    "ENVIRONMENT",
    "THREADS_VARIABLE",
    "FRAMEWORKS",
    "device",
    "set_seed",
    "set_threads",
    "setup",
]

#: Environment defaults :func:`setup` sets (values already set are kept).
ENVIRONMENT: dict[str, str] = {
    "KERAS_BACKEND": "tensorflow",  # Keras 3 runs on TensorFlow in this book
    "TF_ENABLE_ONEDNN_OPTS": "0",  # plain float maths, the same on every CPU
    "TF_CPP_MIN_LOG_LEVEL": "2",  # hide TensorFlow's start-up messages
}

#: The frameworks :func:`setup` can import for a chapter.
FRAMEWORKS = ("torch", "tensorflow", "keras")

#: The environment variable that sets the device of every call not given one.
DEVICE_VARIABLE = "SEQLIB_DEVICE"

#: The environment variable that sets the threads of a :func:`setup` given none.
THREADS_VARIABLE = "SEQLIB_THREADS"

#: The kinds of device :func:`device` accepts; ``"meta"`` holds shapes but no
#: values (PyTorch's device for checking where tensors go without computing).
DEVICE_TYPES = ("cpu", "cuda", "mps", "meta")

_EXPECTED_DEVICE = (
    "'auto', 'cpu', 'cuda', 'cuda:<index>', 'mps' or a torch.device of those kinds"
)


def _mps_available(torch) -> bool:
    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def device(name: str | torch.device | None = None) -> torch.device:
    """The ``torch.device`` seqlib trains and predicts on, from a name or the environment.

    Every function of seqlib that runs a PyTorch model takes ``device=`` and
    passes it here. ``None``, the default, means the environment variable
    ``SEQLIB_DEVICE`` when it is set (and not empty), else ``"cpu"``: the
    book's stored results come from the CPU, and ``SEQLIB_DEVICE=auto`` moves
    every chapter to a GPU without editing it. ``"auto"`` means a CUDA GPU
    when PyTorch sees one, else Apple's GPU (MPS), else the CPU.

    Args:
        name: ``None``, ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``
            (also ``"meta"``, which holds no values), or a ``torch.device``.

    Returns:
        A ``torch.device``, e.g. ``device(type='cpu')``.

    Raises:
        ValueError: if the name (or ``$SEQLIB_DEVICE``) is not one of those, or
            names a device this machine does not have (``"cuda"`` where PyTorch
            sees no CUDA GPU, ``"cuda:1"`` with one GPU, ``"mps"`` off a Mac).
    """
    import torch

    argument = "device"
    if name is None:
        name = os.environ.get(DEVICE_VARIABLE, "").strip() or "cpu"
        argument = f"${DEVICE_VARIABLE} (the device of calls given none)"
    given = name
    if isinstance(name, str):
        name = name.strip().lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available(torch):
            return torch.device("mps")
        return torch.device("cpu")
    if not isinstance(name, str | torch.device):
        raise ValueError(
            f"{argument} must be {_EXPECTED_DEVICE}; got {type(given).__name__} {given!r}"
        )
    try:
        chosen = torch.device(name)
    except RuntimeError:
        chosen = None
    if chosen is None or chosen.type not in DEVICE_TYPES:
        raise ValueError(f"{argument} must be {_EXPECTED_DEVICE}; got {given!r}")
    if chosen.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(
                f"{argument} must be a device this machine has; got {given!r}, but "
                "PyTorch sees no CUDA GPU here (torch.cuda.is_available() is False"
                + ("" if torch.backends.cuda.is_built() else ": a CPU-only build")
                + "); use 'cpu', or 'auto' to take a GPU only when there is one"
            )
        if chosen.index is not None and chosen.index >= count:
            raise ValueError(
                f"{argument} must be a device this machine has; got {given!r}, but "
                f"PyTorch sees {count} CUDA GPU(s), numbered from 0"
            )
    if chosen.type == "mps" and not _mps_available(torch):
        raise ValueError(
            f"{argument} must be a device this machine has; got {given!r}, but "
            "Apple's GPU (MPS) is not available here; use 'cpu' or 'auto'"
        )
    return chosen


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy, and PyTorch and Keras when they are imported.

    Frameworks that have not been imported are left alone, so that calling this
    does not pay for importing TensorFlow in a chapter that does not use it.
    """
    seed = non_negative_int("seed", seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (libraries still draw from the global generator)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)


def set_threads(n: int = 1) -> None:
    """Use ``n`` threads in NumPy's BLAS, and in PyTorch and TensorFlow when imported.

    TensorFlow accepts this only before it runs its first operation; call it
    right after the imports.
    """
    n = positive_int("n", n)
    os.environ["OMP_NUM_THREADS"] = str(n)
    from threadpoolctl import threadpool_limits  # NumPy's and SciPy's BLAS (scikit-learn)

    threadpool_limits(limits=n)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.set_num_threads(n)
        try:
            torch.set_num_interop_threads(n)
        except RuntimeError:  # already set, or parallel work has started
            pass
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        except RuntimeError:  # TensorFlow has already started
            current = tf.config.threading.get_intra_op_parallelism_threads()
            if current != n:
                warnings.warn(
                    f"TensorFlow has started and keeps {current or 'all'} threads; "
                    "call set_threads before running any TensorFlow operation",
                    stacklevel=2,
                )


def _quiet_known_warnings() -> None:
    """Hide warnings that say nothing about the book's models or data."""
    # statsmodels' convergence chatter while ETS, ARIMA and Theta fit many series
    warnings.filterwarnings("ignore", module="statsmodels")
    # tqdm in a notebook without ipywidgets falls back to a text bar, and says so
    warnings.filterwarnings("ignore", message="IProgress not found")


def _threads_from_environment() -> int:
    """``$SEQLIB_THREADS`` as a positive integer, or 1 when it is unset or empty."""
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return 1
    try:
        return positive_int(f"${THREADS_VARIABLE}", int(value))
    except ValueError:
        raise ValueError(
            f"${THREADS_VARIABLE} (the threads of a setup given none) must be a "
            f"positive integer; got {value!r}"
        ) from None


def setup(
    seed: int = 0, threads: int | None = None, frameworks: Iterable[str] = ()
) -> None:
    """A chapter's set-up: environment, frameworks, threads, seeds and warnings.

    In order: set the defaults of :data:`ENVIRONMENT` (Keras on TensorFlow,
    TensorFlow's plain float maths and quiet start-up; a variable already set is
    kept), load Triton before TensorFlow where PyTorch's CUDA build has it
    (:func:`seqlib.frameworks.load_triton_first`), import each of
    ``frameworks``, call :func:`set_threads` and :func:`set_seed`, and hide
    the known uninformative warnings (statsmodels' convergence messages, tqdm's
    note that it draws a text progress bar).

    Call it first, before importing Keras or TensorFlow: they read the
    environment when imported. A framework imported after this call is not
    seeded or limited; name it in ``frameworks``, or call :func:`set_threads`
    and :func:`set_seed` after importing it.

    Args:
        seed: the seed for Python, NumPy and the frameworks (≥ 0).
        threads: threads for NumPy's BLAS and the frameworks (≥ 1); ``None``,
            the default, means the environment variable ``SEQLIB_THREADS``
            when it is set, else 1 (the book's chapters run on one thread;
            ``make test-other-cpu`` sets 2 to check that no result depends on it).
        frameworks: any of ``"torch"``, ``"tensorflow"`` and ``"keras"``.

    Raises:
        ValueError: if ``seed`` or ``threads`` is not such an integer, or a
            framework is not one of the three names, or ``$SEQLIB_THREADS``
            is set to anything but a positive integer.
    """
    seed = non_negative_int("seed", seed)
    threads = _threads_from_environment() if threads is None else threads
    threads = positive_int("threads", threads)
    if isinstance(frameworks, str):
        frameworks = (frameworks,)
    names = [one_of("frameworks", name, FRAMEWORKS) for name in frameworks]
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    load_triton_first()  # PyTorch's CUDA build and TensorFlow in one process
    for name in names:
        importlib.import_module(name)
    set_threads(threads)
    set_seed(seed)
    _quiet_known_warnings()
