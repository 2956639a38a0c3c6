"""Synthetic sequence tasks whose difficulty is known, for testing long memory.

Each task hides the information the answer needs at a known place in the
sequence, so that how far back a network can reach is measured, not guessed:

* :func:`adding`, the adding problem of Hochreiter and Schmidhuber: add the two
  values that a marker channel points at, one in each half of the sequence;
* :func:`delayed_recall`, a one-symbol copy task: name the symbol that was marked
  near the start of the sequence, after many blank (or distracting) steps;
* :func:`latch`, a stream task for training on chunks: report, at every step,
  the value at the most recent marker, however long ago that was.

NumPy only: no deep-learning framework is imported here. Everything is batch
first: a batch of sequences is ``(batch, time, features)``, ``float32``.
"""

from __future__ import annotations

import numpy as np

from ._checks import int_at_least, positive_int

__all__ = ["adding", "delayed_recall", "latch", "ADDING_TRIVIAL_MSE"]

#: The adding problem's mean squared error when always predicting the mean sum
#: (1): the variance of a sum of two uniform values, 2 / 12.
ADDING_TRIVIAL_MSE = 1 / 6


def _generator(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {type(rng).__name__}"
        )
    return rng


def adding(n: int, steps: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: the sum of the two marked values of a sequence.

    Each step holds two features: a value drawn uniformly from ``[0, 1)`` and a
    marker, 1 at exactly two steps and 0 elsewhere. One marker falls in the first
    half of the sequence and one in the second, each uniformly; the target is the
    sum of the two marked values. Always predicting the mean sum, 1, scores a
    mean squared error of :data:`ADDING_TRIVIAL_MSE` (1/6). Doing better needs the
    first marked value, which lies ``steps - steps // 2`` to ``steps - 1`` steps
    before the last step (three quarters of the length on average).

    Args:
        n: the number of sequences (≥ 1).
        steps: the sequence length (≥ 2).
        rng: a NumPy generator, so that the data are repeatable.

    Returns:
        ``(X, y)``: inputs ``(n, steps, 2)`` (value, marker) and targets ``(n, 1)``,
        both ``float32``.

    Raises:
        ValueError: if ``n`` or ``steps`` is out of range or ``rng`` is not a
            NumPy generator.
    """
    n = positive_int("n", n)
    steps = int_at_least("steps", steps, 2)
    rng = _generator(rng)
    half = steps // 2
    X = np.zeros((n, steps, 2), dtype=np.float32)
    X[:, :, 0] = rng.random((n, steps), dtype=np.float32)
    rows = np.arange(n)
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, steps, size=n)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = (X[rows, first, 0] + X[rows, second, 0])[:, None]
    return X, y


def delayed_recall(
    n: int,
    steps: int,
    rng: np.random.Generator,
    *,
    symbols: int = 4,
    span: int = 10,
    distractors: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """A delayed-recall (one-symbol copy) task: which symbol was marked?

    One step among the first ``span`` shows a symbol, one of ``symbols``, one-hot
    coded, with a marker (the last feature) beside it; every other step is blank
    (zeros), or, with ``distractors``, shows a random symbol without the marker.
    The target is the marked symbol. Answering needs a memory of at least
    ``steps - span`` steps; guessing is right one time in ``symbols``.

    Args:
        n: the number of sequences (≥ 1).
        steps: the sequence length (≥ ``span``).
        rng: a NumPy generator, so that the data are repeatable.
        symbols: the size of the alphabet (≥ 2).
        span: the marker falls uniformly among the first ``span`` steps (≥ 1).
        distractors: show a random symbol at every unmarked step, so that the
            network must use the marker to know what to keep.

    Returns:
        ``(X, y)``: inputs ``(n, steps, symbols + 1)`` (``float32``: the one-hot
        symbol, then the marker) and class labels ``(n,)`` (``int64``, in
        ``0 .. symbols - 1``).

    Raises:
        ValueError: if a size is out of range or ``rng`` is not a NumPy generator.
    """
    n = positive_int("n", n)
    symbols = int_at_least("symbols", symbols, 2)
    span = positive_int("span", span)
    steps = int_at_least("steps", steps, span)
    rng = _generator(rng)
    X = np.zeros((n, steps, symbols + 1), dtype=np.float32)
    if distractors:
        shown = rng.integers(0, symbols, size=(n, steps))
        np.put_along_axis(X, shown[:, :, None], 1.0, axis=2)
    rows = np.arange(n)
    marked = rng.integers(0, span, size=n)
    label = rng.integers(0, symbols, size=n)
    X[rows, marked, :symbols] = 0.0
    X[rows, marked, label] = 1.0
    X[rows, marked, symbols] = 1.0
    return X, label.astype(np.int64)


def latch(
    n: int, steps: int, rng: np.random.Generator, *, rate: float = 0.02
) -> tuple[np.ndarray, np.ndarray]:
    """A latch: at every step, the value seen at the most recent marker.

    Each step holds a value drawn uniformly from ``[-1, 1)`` and a marker that is
    1 with probability ``rate``. The target at step ``t`` is the value at the
    latest marked step up to and including ``t`` (0 before the first marker), so
    the answer can depend on a step any distance back: on average ``1 / rate``
    steps. Cut into chunks, it tells training that carries the state from chunk
    to chunk apart from training on windows that start afresh.

    Args:
        n: the number of independent streams (≥ 1).
        steps: the length of each stream (≥ 1).
        rng: a NumPy generator, so that the data are repeatable.
        rate: the probability of a marker at each step, in ``(0, 1]``.

    Returns:
        ``(X, y)``: inputs ``(n, steps, 2)`` (value, marker) and targets
        ``(n, steps, 1)``, both ``float32``.

    Raises:
        ValueError: if a size or ``rate`` is out of range or ``rng`` is not a NumPy
            generator.
    """
    n = positive_int("n", n)
    steps = positive_int("steps", steps)
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be a probability in (0, 1]; got {rate!r}")
    rng = _generator(rng)
    X = np.zeros((n, steps, 2), dtype=np.float32)
    X[:, :, 0] = rng.uniform(-1, 1, size=(n, steps))
    X[:, :, 1] = rng.random((n, steps)) < rate
    # index of the latest marked step so far (-1 before the first marker)
    last = np.where(X[:, :, 1] > 0, np.arange(steps), -1)
    last = np.maximum.accumulate(last, axis=1)
    held = np.take_along_axis(X[:, :, 0], np.maximum(last, 0), axis=1)
    y = np.where(last >= 0, held, 0.0).astype(np.float32)
    return X, y[:, :, None]
