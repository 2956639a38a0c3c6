"""Preparing sequences for a model: windows, splits, scaling, padding.

NumPy and scikit-learn only: no deep-learning framework is imported here.

Everything here is batch first: a batch of windows is ``(batch, time, features)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ._checks import non_negative_int as _non_negative_int
from ._checks import positive_int as _positive_int

__all__ = [
    "make_windows",
    "chronological_split",
    "stratified_split",
    "split_windows_by_target",
    "scale_like_train",
    "standardise_and_pad",
    "pad_sequences",
]


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


def stratified_split(
    labels, val_size: float = 0.1, test_size: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split labelled examples into train, validation and test indices, by class.

    The counterpart of :func:`chronological_split` for examples with no time order
    (sentences, recordings): each part keeps the class proportions of the whole.
    The test part is drawn first, then the validation part from the rest, with
    scikit-learn's ``train_test_split`` (so a part of ``n * size`` examples is
    rounded up).

    Args:
        labels: ``(examples,)`` class labels.
        val_size, test_size: fractions of all the examples, each in (0, 1), together
            below 1.
        seed: the random state of both draws.

    Returns:
        ``(train_ix, val_ix, test_ix)``, integer index arrays into ``labels``.

    Raises:
        ValueError: if ``labels`` is not one-dimensional, or a size is not a fraction
            in (0, 1), or the two leave no training data.
    """
    from sklearn.model_selection import train_test_split

    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional; got shape {labels.shape}")
    for name, size in [("val_size", val_size), ("test_size", test_size)]:
        if isinstance(size, bool) or not isinstance(size, float) or not 0 < size < 1:
            raise ValueError(f"{name} must be a fraction in (0, 1); got {size!r}")
    if val_size + test_size >= 1:
        raise ValueError(
            f"val_size={val_size} and test_size={test_size} leave no training data"
        )
    rest, test_ix = train_test_split(
        np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=seed
    )
    train_ix, val_ix = train_test_split(
        rest,
        test_size=val_size / (1 - test_size),
        stratify=labels[rest],
        random_state=seed,
    )
    return train_ix, val_ix, test_ix


def split_windows_by_target(
    series, lookback: int, horizon: int = 1, *, n_train: int, n_val: int
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Windows of a series, split into train, validation and test by their targets' steps.

    The series is split in time order: steps ``[0, n_train)`` are training,
    ``[n_train, n_train + n_val)`` validation, the rest test. A window (from
    :func:`make_windows`) belongs to the part that holds **all** of its
    ``horizon`` target steps; its input steps may lie in earlier parts, which
    is what a forecaster sees in use. A window whose targets straddle two parts
    is dropped (there are ``horizon - 1`` at each boundary), so no target of
    a later part is ever trained on.

    Each part's windows are consecutive: window ``k`` of the validation part
    has its first target at step ``n_train + k``, window ``k`` of the test part
    at ``n_train + n_val + k`` (the forecast origins).

    Args:
        series: ``(time,)`` or ``(time, features)``, as for :func:`make_windows`.
        lookback, horizon: as for :func:`make_windows`.
        n_train: the number of training steps; at least ``lookback + horizon``,
            so that one training window fits.
        n_val: the number of validation steps (≥ 0); the test part is what is
            left.

    Returns:
        ``{"train": (X, y), "val": (X, y), "test": (X, y)}`` with the shapes of
        :func:`make_windows`; a part too short for one window holds zero
        windows.

    Raises:
        ValueError: if ``n_train`` or ``n_val`` is not such an integer, if
            ``n_train + n_val`` exceeds the series' length, or as
            :func:`make_windows` does.
    """
    n_train = _positive_int("n_train", n_train)
    n_val = _non_negative_int("n_val", n_val)
    X, y = make_windows(series, lookback, horizon)
    total = len(X) + lookback + horizon - 1
    if n_train + n_val > total:
        raise ValueError(
            f"n_train + n_val = {n_train} + {n_val} = {n_train + n_val} exceeds the "
            f"series' {total} steps"
        )
    if n_train < lookback + horizon:
        raise ValueError(
            f"n_train must be at least lookback + horizon = {lookback + horizon}, so "
            f"that one training window fits; got {n_train}"
        )
    first = np.arange(len(X)) + lookback  # each window's first target step
    last = first + horizon - 1
    masks = {
        "train": last < n_train,
        "val": (first >= n_train) & (last < n_train + n_val),
        "test": first >= n_train + n_val,
    }
    return {name: (X[mask], y[mask]) for name, mask in masks.items()}


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


def standardise_and_pad(
    train: Sequence,
    *others: Sequence,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    max_len: int | None = None,
    dtype=np.float32,
):
    """Standardise variable-length sequences with training statistics, then pad them.

    The steps of every training sequence together give each feature's mean and
    standard deviation; every sequence of every part is standardised with
    them, passed through ``transform`` if given (e.g. stacking neighbouring
    frames), and each part is padded with :func:`pad_sequences`, all to the
    same length. This is the preparation of MFCC frames before a recurrent
    classifier: statistics from the training part only, padding that the
    classifier masks through the lengths.

    Args:
        train: the training sequences, each ``(time_i, features)`` with the same
            ``features``; at least one step in all.
        *others: more parts (validation, test, a held-out speaker), each a list
            of sequences with the same ``features``.
        transform: a function from a standardised ``(time_i, features)`` array to
            a ``(time_j, features_out)`` array, applied to every sequence.
        max_len: pad or cut every part to this length; the longest sequence of
            all parts (after ``transform``) when ``None``.
        dtype: the dtype of the padded arrays.

    Returns:
        ``((mean, std), (X_train, lengths_train), *((X, lengths) for each other
        part))``: ``mean`` and ``std`` are ``(features,)`` (a feature constant
        in training gets ``std`` 1, so it is only centred); each ``X`` is
        ``(batch, max_len, features_out)`` and each ``lengths`` ``(batch,)``.

    Raises:
        ValueError: if a part is empty, a sequence is not 2-D, or the sequences
            do not all have the training sequences' number of features.
    """
    parts = [train, *others]
    arrays = []
    for p, part in enumerate(parts):
        name = "train" if p == 0 else f"part {p} of others"
        seqs = [np.asarray(s) for s in part]
        if not seqs:
            raise ValueError(f"{name} must hold at least one sequence; got none")
        for k, a in enumerate(seqs):
            if a.ndim != 2:
                raise ValueError(
                    f"sequence {k} of {name} must have shape (time, features); "
                    f"got {a.shape}"
                )
        arrays.append(seqs)
    features = arrays[0][0].shape[1]
    for p, seqs in enumerate(arrays):
        for k, a in enumerate(seqs):
            if a.shape[1] != features:
                name = "train" if p == 0 else f"part {p} of others"
                raise ValueError(
                    f"sequence {k} of {name} has {a.shape[1]} features; the first "
                    f"training sequence has {features}"
                )
    frames = np.concatenate(arrays[0])
    if len(frames) == 0:
        raise ValueError("train must hold at least one step in all; got none")
    mean, std = frames.mean(axis=0), frames.std(axis=0)
    std = np.where(std > 0, std, 1.0).astype(std.dtype)
    prepared = [[(a - mean) / std for a in seqs] for seqs in arrays]
    if transform is not None:
        prepared = [[np.asarray(transform(a)) for a in seqs] for seqs in prepared]
    if max_len is None:
        max_len = max(max(len(a) for a in seqs) for seqs in prepared)
        max_len = max(max_len, 1)
    padded = [pad_sequences(seqs, max_len=max_len, dtype=dtype) for seqs in prepared]
    return ((mean, std), *padded)


def pad_sequences(
    sequences: Sequence, max_len: int | None = None, value: float = 0.0, dtype=None
) -> tuple[np.ndarray, np.ndarray]:
    """Stack sequences of different lengths into one batch, padding at the end.

    Args:
        sequences: each ``(time_i,)`` (e.g. token ids) or ``(time_i, features)``
            (e.g. MFCC frames). A sequence may be empty (``time_i = 0``): its
            row is all padding and its length 0. An empty sequence without the
            features axis (``[]``) takes the shape of the others.
        max_len: pad or cut every sequence to this length (≥ 1); the longest
            length when ``None``, and 1 when every sequence is empty, so that the
            batch always has a time step. Cutting keeps the first ``max_len``
            steps.
        value: the padding value (0 is the padding id of the book's vocabularies).
        dtype: the output dtype; when ``None``, that of the first sequence that
            is not an empty list.

    Returns:
        ``(padded, lengths)``: ``padded`` is ``(batch, max_len)`` or
        ``(batch, max_len, features)``; ``lengths`` is ``(batch,)`` with each
        sequence's number of real (unpadded) steps, 0 for an empty one.

    Raises:
        ValueError: if ``sequences`` is empty, a sequence is a scalar, the
            sequences differ in shape after the time axis, or ``max_len`` is not
            a positive integer.

    A model reading a padded batch must be told the lengths: a PyTorch
    classifier from :func:`seqlib.torch_models.classifier` reads at least one
    step of every row, so an empty sequence is classified from one padding step.
    """
    arrays = [np.asarray(s) for s in sequences]
    if not arrays:
        raise ValueError("sequences must hold at least one sequence; got none")
    for k, a in enumerate(arrays):
        if a.ndim == 0:
            raise ValueError(
                f"sequence {k} is a scalar ({a!r}); each must be (time,) or "
                "(time, features)"
            )
    # An empty list has no features axis: it takes the shape of the others.
    bare = [a.ndim == 1 and a.size == 0 for a in arrays]
    ref = next((k for k, b in enumerate(bare) if not b), 0)
    tail = arrays[ref].shape[1:]
    dtype = arrays[ref].dtype if dtype is None else dtype
    arrays = [np.empty((0, *tail)) if b else a for a, b in zip(arrays, bare, strict=True)]
    for k, a in enumerate(arrays):
        if a.shape[1:] != tail:
            raise ValueError(
                f"sequence {k} has shape {a.shape}, but sequence {ref} has "
                f"{arrays[ref].shape}: all must have the same shape after the time axis"
            )
    lengths = np.array([len(a) for a in arrays])
    if max_len is None:
        max_len = max(int(lengths.max()), 1)
    max_len = _positive_int("max_len", max_len)
    lengths = np.minimum(lengths, max_len)
    out = np.full((len(arrays), max_len, *tail), value, dtype=dtype)
    for k, (a, n) in enumerate(zip(arrays, lengths, strict=True)):
        out[k, :n] = a[:n]
    return out, lengths
