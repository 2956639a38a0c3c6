"""PyTorch and TensorFlow in one process: load Triton before TensorFlow.

The default PyTorch build for Linux (the CUDA one, as in Colab) comes with
Triton, a compiler whose ``libtriton.so`` carries its own copy of LLVM and
MLIR. TensorFlow carries another copy in ``libtensorflow_framework.so.2`` and
loads it with ``RTLD_GLOBAL``, which puts those LLVM symbols first in the
process's global lookup scope. A library loaded afterwards binds its own LLVM
calls to TensorFlow's copy, so when Triton is imported *after* TensorFlow its
static initialisers run TensorFlow's LLVM on Triton's data structures and the
process dies with a segmentation fault. PyTorch imports Triton lazily, the
first time anything imports ``torch._dynamo`` — and creating any optimizer
does — so the crash comes at the first ``torch.optim.Adam(...)`` of a notebook
that imported Keras first.

Imported the other way round, each library keeps its own LLVM and both work.
:func:`load_triton_first` does that, once, before TensorFlow is imported; if
TensorFlow is already in the process it is too late to load Triton safely, so
it marks Triton as unavailable instead (PyTorch then runs without it, which a
CPU run never needs; only ``torch.compile`` for GPUs uses it) and warns.

The CPU-only PyTorch build has no Triton, and this does nothing there.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings

__all__ = ["load_triton_first"]


def load_triton_first() -> str:
    """Make the process safe for PyTorch and TensorFlow together; say what was done.

    Call it before importing TensorFlow or Keras (:func:`seqlib.reproducibility.setup`
    does, and so do :mod:`seqlib.keras_models` and :func:`seqlib.train.fit`).

    Returns:
        ``"no triton"`` when Triton is not installed (the CPU build of PyTorch);
        ``"loaded"`` when it was already imported or is imported now, before
        TensorFlow; ``"disabled"`` when TensorFlow was imported first and Triton
        has been marked unavailable to this process (a ``RuntimeWarning`` says so).
    """
    if "triton" in sys.modules:
        return "disabled" if sys.modules["triton"] is None else "loaded"
    if importlib.util.find_spec("triton") is None:
        return "no triton"
    if "tensorflow" not in sys.modules:
        import triton  # noqa: F401  (its LLVM must be loaded before TensorFlow's)

        return "loaded"
    sys.modules["triton"] = None  # ``import triton`` now raises ImportError
    warnings.warn(
        "TensorFlow was imported before Triton, and importing Triton now would crash "
        "the process; Triton is disabled here (PyTorch runs without it, only "
        "torch.compile on a GPU needs it). Call seqlib.reproducibility.setup() "
        "before importing keras or tensorflow to keep it.",
        RuntimeWarning,
        stacklevel=2,
    )
    return "disabled"
