"""Seeds and thread counts, set the same way in every chapter.

Small recurrent networks on a CPU are limited by latency, not arithmetic: each
time step is a handful of tiny matrix products, and spreading each one over
many threads costs more in synchronisation than it saves. The book's chapters
therefore run PyTorch and TensorFlow with one or two threads (measured in the
set-up chapter), and never more threads than cores.
"""

from __future__ import annotations

import os
import random
import sys
import warnings

import numpy as np

__all__ = ["set_seed", "set_threads"]


def set_seed(seed: int = 0) -> None:
    """Seed Python, NumPy, and PyTorch and Keras when they are imported.

    Frameworks that have not been imported are left alone, so that calling this
    does not pay for importing TensorFlow in a chapter that does not use it.
    """
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    seed = int(seed)
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
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    n = int(n)
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
