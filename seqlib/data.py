"""Preparing sequences for a model: windows, chronological splits, scaling, padding.

Everything here is batch first: a batch of windows is ``(batch, time, features)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import positive_int as _positive_int

__all__ = ["make_windows", "chronological_split", "scale_like_train", "pad_sequences"]


def make_windows(series, lookback: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series into overlapping (input window, target) pairs.

    Window ``k`` takes ``series[k : k + lookback]`` as input and the next
    ``horizon`` values, ``series[k + lookback : k + lookback + horizon]``, as
    target, for every ``k`` from 0 to ``n - 1`` with
    ``n = time - lookback - horizon + 1``.

    Args:
        series: ``(time,)`` or ``(time, features)``; a pandas Series or DataFrame
            is used through its values.
        lookback: number of past steps each input window holds (≥ 1).
        horizon: number of future steps each target holds (≥ 1).

    Returns:
        ``(X, y)`` with ``X`` of shape ``(n, lookback, features)`` (``features`` is
        1 for a 1-D series) and ``y`` of shape ``(n, horizon)`` for a 1-D series or
        ``(n, horizon, features)`` for a 2-D one.

    Raises:
        ValueError: if ``lookback`` or ``horizon`` is not a positive integer, the
            series is not 1-D or 2-D, holds NaN, or is shorter than
            ``lookback + horizon``.
    """
    lookback = _positive_int("lookback", lookback)
    horizon = _positive_int("horizon", horizon)
    values = np.asarray(series, dtype=float)
    if values.ndim not in (1, 2):
        raise ValueError(
            f"series must have shape (time,) or (time, features); got {values.shape}"
        )
    if np.isnan(values).any():
        where = np.flatnonzero(np.isnan(values).reshape(len(values), -1).any(axis=1))
        raise ValueError(
            f"series holds NaN at {len(where)} step(s), the first at index {where[0]}; "
            "fill or drop them before making windows"
        )
    n = len(values) - lookback - horizon + 1
    if n < 1:
        raise ValueError(
            f"series has {len(values)} steps, fewer than lookback + horizon = "
            f"{lookback} + {horizon} = {lookback + horizon}: no window fits"
        )
    one_d = values.ndim == 1
    values2d = values[:, None] if one_d else values
    starts = np.arange(n)[:, None]
    X = values2d[starts + np.arange(lookback)]
    y = values2d[starts + lookback + np.arange(horizon)]
    return X, (y[..., 0] if one_d else y)


def _size(name: str, value, total: int) -> int:
    if isinstance(value, float) and 0 < value < 1:
        return int(round(value * total))
    if isinstance(value, bool) or int(value) != value or value < 0:
        raise ValueError(
            f"{name} must be a count (integer ≥ 0) or a fraction in (0, 1); got {value!r}"
        )
    return int(value)


def chronological_split(series, val_size, test_size):
    """Split a series in time order into train, validation and test parts.

    Nothing is shuffled: the validation part follows the training part and the
    test part comes last, as when a model is used to forecast the future.

    Args:
        series: anything sliceable along its first axis (array, Series, DataFrame).
        val_size, test_size: the number of steps in each part, or a fraction of the
            whole series in (0, 1).

    Returns:
        ``(train, validation, test)``, slices of ``series``.

    Raises:
        ValueError: if a size is negative or not a count or fraction, or if the
            sizes leave no training data.
    """
    total = len(series)
    n_val, n_test = _size("val_size", val_size, total), _size("test_size", test_size, total)
    n_train = total - n_val - n_test
    if n_train < 1:
        raise ValueError(
            f"val_size={n_val} and test_size={n_test} leave no training data in a "
            f"series of {total} steps"
        )
    return series[:n_train], series[n_train : n_train + n_val], series[n_train + n_val :]


def scale_like_train(train, *others, scaler=None):
    """Fit a scikit-learn scaler on the training part only, then apply it to every part.

    Fitting on the whole series would let the mean and spread of the future leak
    into the training inputs; the book measures what that does in the chapter on
    making the first forecaster better.

    Args:
        train: ``(time,)`` or ``(time, features)``.
        *others: more parts with the same number of features.
        scaler: an unfitted scikit-learn transformer; ``StandardScaler()`` when
            ``None``.

    Returns:
        ``(scaler, train_scaled, *others_scaled)``; each scaled part has its input's
        shape. Undo with ``scaler.inverse_transform`` on a ``(n, features)`` array.
    """
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler() if scaler is None else scaler
    parts = [np.asarray(p, dtype=float) for p in (train, *others)]
    for k, part in enumerate(parts):
        if part.ndim not in (1, 2):
            raise ValueError(
                f"part {k} must have shape (time,) or (time, features); got {part.shape}"
            )
    scaler.fit(parts[0].reshape(len(parts[0]), -1))
    scaled = [scaler.transform(p.reshape(len(p), -1)).reshape(p.shape) for p in parts]
    return (scaler, *scaled)


def pad_sequences(
    sequences: Sequence, max_len: int | None = None, value: float = 0.0, dtype=None
) -> tuple[np.ndarray, np.ndarray]:
    """Stack sequences of different lengths into one batch, padding at the end.

    Args:
        sequences: each ``(time_i,)`` (e.g. token ids) or ``(time_i, features)``
            (e.g. MFCC frames); every one must have at least one step.
        max_len: pad or cut every sequence to this length; the longest length
            when ``None``. Cutting keeps the first ``max_len`` steps.
        value: the padding value (0 is the padding id of the book's vocabularies).
        dtype: the output dtype; that of the first sequence when ``None``.

    Returns:
        ``(padded, lengths)``: ``padded`` is ``(batch, max_len)`` or
        ``(batch, max_len, features)``; ``lengths`` is ``(batch,)`` with each
        sequence's number of real (unpadded) steps.
    """
    arrays = [np.asarray(s) for s in sequences]
    if not arrays:
        raise ValueError("sequences must hold at least one sequence; got none")
    tail = arrays[0].shape[1:]
    for k, a in enumerate(arrays):
        if a.ndim == 0 or len(a) == 0:
            raise ValueError(
                f"sequence {k} is empty; every sequence needs at least one step"
            )
        if a.shape[1:] != tail:
            raise ValueError(
                f"sequence {k} has shape {a.shape}, but sequence 0 has {arrays[0].shape}: "
                "all must have the same shape after the time axis"
            )
    lengths = np.array([len(a) for a in arrays])
    if max_len is None:
        max_len = int(lengths.max())
    max_len = _positive_int("max_len", max_len)
    lengths = np.minimum(lengths, max_len)
    out = np.full((len(arrays), max_len, *tail), value, dtype=dtype or arrays[0].dtype)
    for k, (a, n) in enumerate(zip(arrays, lengths, strict=True)):
        out[k, :n] = a[:n]
    return out, lengths
