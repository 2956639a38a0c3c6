"""Benchmark forecasts: the naive family of the M4 competition and statsmodels wrappers.

Every function takes one series ``y`` ``(time,)`` (its training part) and the
horizon ``h``, and returns the forecast of the next ``h`` values as a float
array ``(h,)``.

:func:`naive2` and :func:`theta` are M4's ``Naive2`` and ``Theta``
benchmarks: a series that passes M4's seasonality test is divided by
classical multiplicative seasonal indices (:func:`seasonal_indices`), forecast,
and multiplied back. M4 scores every method relative to Naive2 (see
:func:`seqlib.metrics.owa`).
"""

from __future__ import annotations

import numpy as np

from ._checks import positive_int

__all__ = [
    "naive",
    "seasonal_naive",
    "naive2",
    "theta",
    "ets",
    "arima",
    "seasonality_test",
    "seasonal_indices",
]


def _series(y, min_len: int = 1) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"y must be one series of shape (time,); got shape {y.shape}")
    if np.isnan(y).any():
        raise ValueError(
            f"y holds {int(np.isnan(y).sum())} NaN value(s); fill or drop them first"
        )
    if len(y) < min_len:
        raise ValueError(f"y needs at least {min_len} value(s); got {len(y)}")
    return y


def naive(y, h: int) -> np.ndarray:
    """Repeat the last value ``h`` times (M4's Naive1)."""
    h = positive_int("h", h)
    return np.full(h, _series(y)[-1])


def seasonal_naive(y, h: int, m: int) -> np.ndarray:
    """Repeat the last season: step ``j`` (1-based) forecasts ``y[n - m + (j - 1) % m]``."""
    h, m = positive_int("h", h), positive_int("m", m)
    y = _series(y, m)
    return np.resize(y[-m:], h)


def _acf(y: np.ndarray, k: int) -> float:
    """Lag-``k`` sample autocorrelation (mean removed, divided by the lag-0 sum)."""
    d = y - y.mean()
    return float(np.dot(d[k:], d[: len(d) - k]) / np.dot(d, d))


def seasonality_test(y, m: int) -> bool:
    """M4's 90 % test for seasonality at period ``m``.

    The series is seasonal when ``|acf_m| > 1.645 · sqrt((1 + 2 Σ_{k<m} acf_k²) / n)``,
    the lag-``m`` autocorrelation against its 90 % limit under a moving-average
    null (Bartlett's formula). As in M4's benchmark code, a series shorter than
    three seasons, a constant one, or ``m = 1``, is not seasonal.
    """
    m = positive_int("m", m)
    y = _series(y)
    if m == 1 or len(y) < 3 * m or np.ptp(y) == 0:
        return False
    acf = np.array([_acf(y, k) for k in range(1, m + 1)])
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[:-1] ** 2)) / len(y))
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(y, m: int) -> np.ndarray:
    """Classical multiplicative seasonal indices, as R's ``decompose``.

    The trend is the centred moving average over one season (a ``2×m`` average
    when ``m`` is even); each value divided by the trend is averaged by its
    position in the season, and the ``m`` averages are scaled to mean 1.

    Args:
        y: ``(time,)``, positive, at least two seasons long.
        m: the seasonal period.

    Returns:
        ``(m,)``: index ``i`` belongs to positions ``t`` with ``t % m == i``.
    """
    m = positive_int("m", m)
    y = _series(y, 2 * m)
    if m % 2 == 0:
        weights = np.r_[0.5, np.ones(m - 1), 0.5] / m
    else:
        weights = np.ones(m) / m
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratio = y / trend
    padded = np.full(-(-len(y) // m) * m, np.nan)
    padded[: len(y)] = ratio
    figure = np.nanmean(padded.reshape(-1, m), axis=0)
    return figure / figure.mean()


def _deseasonalise(y: np.ndarray, h: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``(y / in-sample indices, out-of-sample indices (h,))``, M4's way."""
    if not seasonality_test(y, m):
        return y, np.ones(h)
    if (y <= 0).any():
        raise ValueError(
            "y must be positive for a multiplicative seasonal adjustment; got "
            f"a minimum of {float(y.min())!r}"
        )
    figure = seasonal_indices(y, m)
    n = len(y)
    return y / figure[np.arange(n) % m], figure[np.arange(n, n + h) % m]


def naive2(y, h: int, m: int) -> np.ndarray:
    """M4's Naive2: the naive forecast of the seasonally adjusted series.

    When :func:`seasonality_test` finds the series seasonal, it is divided by
    its :func:`seasonal_indices`, the last adjusted value is repeated, and the
    forecast is multiplied by the indices of the forecast positions. Otherwise
    this is :func:`naive`.

    Args:
        y: ``(time,)``; positive when seasonal.
        h: the horizon.
        m: the seasonal period (1 for no seasonality).

    Returns:
        ``(h,)``.
    """
    h, m = positive_int("h", h), positive_int("m", m)
    adjusted, future_indices = _deseasonalise(_series(y), h, m)
    return adjusted[-1] * future_indices


def theta(y, h: int, m: int) -> np.ndarray:
    """M4's Theta benchmark: the classic Theta method on the seasonally adjusted series.

    The adjusted series (as in :func:`naive2`) is forecast by the average of
    two "theta lines": its least-squares linear trend, extrapolated, and simple
    exponential smoothing (statsmodels, smoothing level and initial level fitted
    by least squares) of ``2·y - trend``. Negative forecasts become 0, and the
    forecast is re-seasonalised.

    Args:
        y: ``(time,)``, at least 3 values; positive when seasonal.
        h: the horizon.
        m: the seasonal period (1 for no seasonality).

    Returns:
        ``(h,)``.
    """
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    h, m = positive_int("h", h), positive_int("m", m)
    adjusted, future_indices = _deseasonalise(_series(y, 3), h, m)
    n = len(adjusted)
    t = np.arange(1, n + 1)
    slope, intercept = np.polyfit(t, adjusted, 1)
    line0_future = intercept + slope * np.arange(n + 1, n + h + 1)
    line2 = 2 * adjusted - (intercept + slope * t)
    ses = SimpleExpSmoothing(line2, initialization_method="estimated").fit()
    forecast = 0.5 * ses.forecast(h) + 0.5 * line0_future
    return np.maximum(forecast, 0) * future_indices


def ets(
    y,
    h: int,
    m: int | None = None,
    *,
    trend: str | None = "add",
    damped: bool = True,
    seasonal: str = "add",
) -> np.ndarray:
    """Exponential smoothing state-space model (statsmodels ``ETSModel``), fitted by ML.

    The default is additive errors, a damped additive trend and, when ``m`` is
    given, an additive season: ETS(A, Ad, A).

    Args:
        y: ``(time,)``, at least two seasons long when ``m`` is given.
        h: the horizon.
        m: the seasonal period, or ``None`` for no seasonal component.
        trend: ``"add"``, ``"mul"`` or ``None``.
        damped: damp the trend.
        seasonal: ``"add"`` or ``"mul"`` (used only with ``m``).

    Returns:
        ``(h,)``.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    h = positive_int("h", h)
    if m is not None:
        m = positive_int("m", m)
    y = _series(y, 2 * m if m else 3)
    model = ETSModel(
        y,
        error="add",
        trend=trend,
        damped_trend=damped and trend is not None,
        seasonal=seasonal if m and m > 1 else None,
        seasonal_periods=m if m and m > 1 else None,
    )
    return np.asarray(model.fit(disp=False).forecast(h), dtype=float)


def arima(
    y,
    h: int,
    order: tuple[int, int, int] = (1, 0, 0),
    seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> np.ndarray:
    """Seasonal ARIMA (statsmodels ``SARIMAX``), fitted by ML.

    Args:
        y: ``(time,)``.
        h: the horizon.
        order: ``(p, d, q)``.
        seasonal_order: ``(P, D, Q, m)``; all zeros for no seasonal part.

    Returns:
        ``(h,)``.
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    h = positive_int("h", h)
    if len(order) != 3 or len(seasonal_order) != 4:
        raise ValueError(
            "order must be (p, d, q) and seasonal_order (P, D, Q, m); got "
            f"order={order!r}, seasonal_order={seasonal_order!r}"
        )
    model = SARIMAX(_series(y, 2), order=order, seasonal_order=seasonal_order)
    return np.asarray(model.fit(disp=False).forecast(h), dtype=float)
