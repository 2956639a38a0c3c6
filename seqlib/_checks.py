"""Argument checks shared by seqlib's modules; each raises ``ValueError`` naming it."""

from __future__ import annotations

import math
import numbers

POOLINGS = ("last", "max", "mean")


def _is_whole(value, least: int) -> bool:
    """Whether ``value`` is a real number (not a bool) equal to an integer ≥ ``least``."""
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return number and math.isfinite(value) and value == int(value) and value >= least


def _whole(name: str, value, least: int, kind: str) -> int:
    if not _is_whole(value, least):
        raise ValueError(f"{name} must be a {kind} integer; got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is a positive whole number, else ``ValueError``."""
    return _whole(name, value, 1, "positive")


def non_negative_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is a whole number ≥ 0, else ``ValueError``."""
    return _whole(name, value, 0, "non-negative")


def int_at_least(name: str, value, least: int) -> int:
    """``value`` as an ``int`` if it is a whole number ≥ ``least``, else ``ValueError``."""
    if not _is_whole(value, least):
        raise ValueError(f"{name} must be an integer of at least {least}; got {value!r}")
    return int(value)


def one_of(name: str, value, choices):
    """``value`` if it is one of ``choices`` (strings, say), else ``ValueError``.

    The message lists the choices: ``update must be 'previous' or 'candidate'``
    for two, ``cell must be one of ('lstm', 'gru', 'rnn')`` for more.
    """
    choices = tuple(choices)
    if value not in choices:
        if len(choices) == 2:
            expected = f"{choices[0]!r} or {choices[1]!r}"
        else:
            expected = f"one of {choices}"
        raise ValueError(f"{name} must be {expected}; got {value!r}")
    return value


def recurrent_layers(cells, cell: str, hidden: int, layers: int, dropout: float) -> None:
    """Check the arguments the PyTorch and Keras model builders share."""
    one_of("cell", cell, cells)
    positive_int("hidden", hidden)
    positive_int("layers", layers)
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1); got {dropout!r}")


def classifier_inputs(n_classes: int, vocab_size, n_features, pooling: str) -> None:
    """Check a classifier's input choice (token ids or dense features) and pooling."""
    if (vocab_size is None) == (n_features is None):
        raise ValueError(
            "give exactly one of vocab_size (token ids) and n_features (dense "
            f"inputs); got vocab_size={vocab_size!r}, n_features={n_features!r}"
        )
    one_of("pooling", pooling, POOLINGS)
    int_at_least("n_classes", n_classes, 2)
