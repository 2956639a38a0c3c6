"""Argument checks shared by seqlib's modules; each raises ``ValueError`` naming it."""

from __future__ import annotations

import math
import numbers

POOLINGS = ("last", "max", "mean")


def _whole(name: str, value, least: int, kind: str) -> int:
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not number or not math.isfinite(value) or value != int(value) or value < least:
        raise ValueError(f"{name} must be a {kind} integer; got {value!r}")
    return int(value)


def positive_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is a positive whole number, else ``ValueError``."""
    return _whole(name, value, 1, "positive")


def non_negative_int(name: str, value) -> int:
    """``value`` as an ``int`` if it is a whole number ≥ 0, else ``ValueError``."""
    return _whole(name, value, 0, "non-negative")


def recurrent_layers(cells, cell: str, hidden: int, layers: int, dropout: float) -> None:
    """Check the arguments the PyTorch and Keras model builders share."""
    if cell not in cells:
        raise ValueError(f"cell must be one of {tuple(cells)}; got {cell!r}")
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
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {POOLINGS}; got {pooling!r}")
    if isinstance(n_classes, bool) or n_classes != int(n_classes) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer of at least 2; got {n_classes!r}")
