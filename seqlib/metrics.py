"""Error measures for forecasts and classifiers, including the M4 competition's.

The forecasting measures take ``y_true`` and ``y_pred`` of the same shape, one
series ``(horizon,)`` or a batch ``(series, horizon)``, and return the mean
over every value. The M4 measures follow the competition's definitions
(Makridakis, Spiliotis & Assimakopoulos 2020):

* sMAPE, in percent: the mean of ``200 · |y - ŷ| / (|y| + |ŷ|)``;
* MASE: the forecast's mean absolute error divided by the in-sample mean
  absolute error of the seasonal naive forecast, ``mean(|y_t - y_{t-m}|)``;
* OWA: ``0.5 · (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)``, computed on the
  dataset-level means of sMAPE and MASE, so 1 is Naive2's score and lower is
  better.

:func:`m4_scores` computes a dataset's mean sMAPE and mean MASE at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._checks import positive_int

__all__ = [
    "mae",
    "rmse",
    "smape",
    "mase",
    "mase_scale",
    "owa",
    "m4_scores",
    "accuracy",
    "confusion_matrix",
]


def _pair(y_true, y_pred, names=("y_true", "y_pred")) -> tuple[np.ndarray, np.ndarray]:
    """Float arrays of the same shape, without NaN, with at least one value."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    first, second = names
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{first} and {second} must have the same shape; got {first} "
            f"{y_true.shape} and {second} {y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError(f"{first} and {second} hold no values")
    for name, values in ((first, y_true), (second, y_pred)):
        if np.isnan(values).any():
            raise ValueError(
                f"{name} holds {int(np.isnan(values).sum())} NaN value(s); "
                "every value must be a number"
            )
    return y_true, y_pred


def mae(y_true, y_pred) -> float:
    """Mean absolute error ``mean(|y - ŷ|)`` over every value."""
    from sklearn.metrics import mean_absolute_error

    y_true, y_pred = _pair(y_true, y_pred)
    return float(mean_absolute_error(y_true.ravel(), y_pred.ravel()))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error ``sqrt(mean((y - ŷ)²))`` over every value."""
    from sklearn.metrics import mean_squared_error

    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(mean_squared_error(y_true.ravel(), y_pred.ravel())))


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error in percent, as in M4.

    ``mean(200 · |y - ŷ| / (|y| + |ŷ|))``; it lies between 0 and 200. A value
    where both ``y`` and ``ŷ`` are 0 counts as a perfect forecast (0).

    Args:
        y_true, y_pred: ``(horizon,)`` or ``(series, horizon)``.

    Returns:
        The mean over every value, so for a batch of series of the same horizon
        the mean of the per-series sMAPEs.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    denominator = np.abs(y_true) + np.abs(y_pred)
    ratio = np.divide(
        np.abs(y_true - y_pred),
        denominator,
        out=np.zeros_like(denominator),
        where=denominator > 0,
    )
    return float(200 * ratio.mean())


def _insample_scale(y_insample, m: int, name: str = "y_insample") -> float:
    """``mean(|y_t - y_{t-m}|)`` over one training series."""
    y = np.asarray(y_insample, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one series of shape (time,); got {y.shape}")
    if np.isnan(y).any():
        raise ValueError(f"{name} holds {int(np.isnan(y).sum())} NaN value(s)")
    if len(y) <= m:
        raise ValueError(
            f"{name} needs more than m={m} values for the seasonal naive scale; "
            f"got {len(y)}"
        )
    scale = float(np.mean(np.abs(y[m:] - y[:-m])))
    if scale == 0:
        raise ValueError(
            f"{name} repeats itself exactly every m={m} steps, so the MASE scale "
            "mean(|y_t - y_(t-m)|) is 0 and MASE is undefined"
        )
    return scale


def mase_scale(y_insample, m: int) -> float:
    """MASE's denominator for one series: ``mean(|y_t - y_{t-m}|)`` over its training part.

    The in-sample mean absolute error of the seasonal naive forecast one season
    ahead; :func:`mase` divides a forecast's MAE by it.

    Raises:
        ValueError: if ``m`` is not a positive integer, the series is not 1-D,
            holds NaN, has ``m`` values or fewer, or repeats itself exactly every
            ``m`` steps (a zero scale).
    """
    return _insample_scale(y_insample, positive_int("m", m))


def mase(y_true, y_pred, y_insample, m: int) -> float:
    """Mean absolute scaled error of one series, as in M4.

    The forecast's MAE divided by the in-sample MAE of the seasonal naive
    forecast, ``mean(|y_t - y_{t-m}|)`` over the training series. Below 1, the
    forecast beats what seasonal naive achieved one season ahead in sample.

    Args:
        y_true, y_pred: ``(horizon,)``.
        y_insample: the training series ``(time,)``, longer than ``m``.
        m: the seasonal period (24 for M4's hourly series, 1 for yearly).

    Raises:
        ValueError: on shapes that differ, NaN, ``m`` not a positive integer, a
            training series of ``m`` values or fewer, or a zero scale.
    """
    m = positive_int("m", m)
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.ndim != 1:
        raise ValueError(
            f"mase scores one series: y_true must have shape (horizon,); got "
            f"{y_true.shape} (use m4_scores for a batch of series)"
        )
    return float(np.mean(np.abs(y_true - y_pred)) / _insample_scale(y_insample, m))


def owa(smape: float, mase: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average, M4's ranking measure: 1 is Naive2, lower is better.

    ``0.5 · (smape / smape_naive2 + mase / mase_naive2)``, applied to the
    dataset-level means (e.g. those of :func:`m4_scores`), not series by series.
    """
    for name, value in (("smape_naive2", smape_naive2), ("mase_naive2", mase_naive2)):
        if not value > 0:
            raise ValueError(f"{name} must be positive; got {value!r}")
    for name, value in (("smape", smape), ("mase", mase)):
        if not value >= 0:
            raise ValueError(f"{name} must be a non-negative number; got {value!r}")
    return float(0.5 * (smape / smape_naive2 + mase / mase_naive2))


def m4_scores(forecasts, test, train: Sequence, m: int) -> dict[str, float]:
    """Mean sMAPE and mean MASE of a set of forecasts, as M4 reports them.

    Args:
        forecasts, test: ``(series, horizon)``.
        train: the training series, one 1-D array each (they may differ in
            length), in the same order; each is the in-sample part for MASE.
        m: the seasonal period used in MASE's scale.

    Returns:
        ``{"smape": ..., "mase": ...}``, each the mean over series. Pass them with
        Naive2's to :func:`owa`.
    """
    m = positive_int("m", m)
    test, forecasts = (np.asarray(a, dtype=float) for a in (test, forecasts))
    if test.ndim != 2:
        raise ValueError(f"test must have shape (series, horizon); got {test.shape}")
    if forecasts.shape != test.shape:
        raise ValueError(
            f"forecasts must have the shape of test (series, horizon) = {test.shape}; "
            f"got {forecasts.shape}"
        )
    if len(train) != len(test):
        raise ValueError(
            f"train must hold one series per row of test ({len(test)}); got {len(train)}"
        )
    test, forecasts = _pair(test, forecasts, ("test", "forecasts"))
    scales = np.array([_insample_scale(y, m, f"train[{k}]") for k, y in enumerate(train)])
    per_series_mase = np.abs(test - forecasts).mean(axis=1) / scales
    return {"smape": smape(test, forecasts), "mase": float(per_series_mase.mean())}


def _labels(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            "y_true and y_pred must be label arrays of the same shape (n,); got "
            f"y_true {y_true.shape} and y_pred {y_pred.shape}"
        )
    if y_true.size == 0:
        raise ValueError("y_true and y_pred hold no labels")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Share of predicted labels equal to the true ones, in [0, 1]."""
    from sklearn.metrics import accuracy_score

    return float(accuracy_score(*_labels(y_true, y_pred)))


def confusion_matrix(y_true, y_pred, labels: Sequence | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class ``i`` predicted as class ``j``.

    Args:
        y_true, y_pred: labels ``(n,)``.
        labels: the classes, in the order of the rows and columns; the sorted
            labels present in either array when ``None``.

    Returns:
        ``(classes, classes)`` integer array; rows are true classes.
    """
    from sklearn.metrics import confusion_matrix as sk_confusion_matrix

    return sk_confusion_matrix(*_labels(y_true, y_pred), labels=labels)
