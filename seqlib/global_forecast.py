"""A global LSTM/GRU forecaster: one network trained on windows of many series.

A *local* model (ARIMA, ETS, Theta) is fitted to each series on its own. A
*global* model learns one set of weights from windows cut out of every
series, so that hundreds of short series teach it what a day (or a week)
usually looks like. It needs only the seasonal period ``m`` and the horizon
``h``; nothing here depends on which series, or how many, it is given.

The design, each part of which the book measures on M4 Hourly:

* **per-window normalisation**: a window ``x`` of ``seasons · m`` positive
  values becomes ``log(x / mean(x))``, and its target ``log(y / mean(x))``,
  so series of any level look alike; forecasts are mapped back with
  ``mean(x) · exp(·)``;
* **one season per step**: the window is read as ``seasons`` steps of ``m``
  values (7 steps of 24 hours for a week) rather than ``seasons · m`` steps
  of one value;
* **a direct multi-step head**: a linear layer maps the last hidden state to
  all ``h`` values at once;
* **a seasonal-naive skip connection** (optional): the network predicts a
  correction to the seasonal naive forecast (the last season repeated) in the
  normalised space;
* **a loss shaped like the score** (``loss="owa"``): each window's mean
  absolute error in log space is weighted so that the total approximates M4's
  OWA, which counts an error half relative to the level (sMAPE) and half
  relative to the series' own seasonal naive error (MASE);
* **early stopping on the last horizon of every series**: the final ``h``
  values of each training series are held out of the training windows and
  used as the validation set; the model keeps its best validation epoch and
  is used as it is (on M4 Hourly, refitting on every window for the best
  number of epochs did not forecast better and took twice as long).

The defaults are the configuration chosen on M4 Hourly's validation split
(``m=24``, ``h=48``): a week of input, 128 hidden units, every second window,
15 epochs at a learning rate of 0.002.

Shapes are batch first: a batch of windows is ``(batch, seasons · m)`` before
the network reshapes it to ``(batch, time, features)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._checks import positive_int
from .train import History, fit, predict

__all__ = [
    "GlobalForecaster",
    "GlobalRNN",
    "fit_global",
    "forecast_global",
    "normalise",
    "windows",
]

CELLS = ("lstm", "gru")
STEPS = ("season", "value")
NORMALISATIONS = ("window", "series")
LOSSES = ("owa", "mae", "mse")


def _check_series(series_list: Sequence, min_len: int, why: str) -> list[np.ndarray]:
    """1-D, finite, positive float arrays of at least ``min_len`` values."""
    if isinstance(series_list, np.ndarray) and series_list.ndim == 1:
        raise ValueError(
            "series_list must be a list of series (or a 2-D array, one series per row); "
            f"got one 1-D array of shape {series_list.shape}: wrap it as [series]"
        )
    out = []
    for k, s in enumerate(series_list):
        s = np.asarray(s, dtype=float)
        if s.ndim != 1:
            raise ValueError(f"series {k} must have shape (time,); got {s.shape}")
        if not np.isfinite(s).all():
            raise ValueError(
                f"series {k} holds {int((~np.isfinite(s)).sum())} NaN or infinite "
                "value(s); fill or drop them first"
            )
        if len(s) < min_len:
            raise ValueError(
                f"series {k} has {len(s)} values; at least {min_len} are needed ({why})"
            )
        if (s <= 0).any():
            raise ValueError(
                f"series {k} must be positive (the windows are normalised with a "
                f"logarithm); got a minimum of {float(s.min())!r}"
            )
        out.append(s)
    if not out:
        raise ValueError("series_list holds no series")
    return out


def windows(
    series_list: Sequence,
    lookback: int,
    h: int,
    *,
    stride: int = 1,
    max_windows: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut (input, target) windows out of every series, newest first.

    In each series the last window ends with the series' last value; the
    others end ``stride``, ``2·stride``, ... values earlier.

    Args:
        series_list: 1-D series, any lengths of at least ``lookback + h``.
        lookback: values per input window.
        h: values per target.
        stride: distance between the ends of consecutive windows.
        max_windows: keep only the newest ``max_windows`` windows of each
            series; all when ``None``.

    Returns:
        ``(X, Y, level)``: inputs ``(n, lookback)``, targets ``(n, h)`` and, for
        the series-level normalisation, the mean of each series up to the end of
        its input window ``(n,)``.
    """
    lookback, h = positive_int("lookback", lookback), positive_int("h", h)
    stride = positive_int("stride", stride)
    if max_windows is not None:
        max_windows = positive_int("max_windows", max_windows)
    X, Y, level = [], [], []
    for k, s in enumerate(series_list):
        s = np.asarray(s, dtype=float)
        if s.ndim != 1 or len(s) < lookback + h:
            raise ValueError(
                f"series {k} must have shape (time,) with time >= lookback + h = "
                f"{lookback + h}; got {s.shape}"
            )
        ends = np.arange(len(s), lookback + h - 1, -stride)[:max_windows]  # target ends
        starts = ends - h - lookback
        idx = starts[:, None] + np.arange(lookback + h)
        X.append(s[idx[:, :lookback]])
        Y.append(s[idx[:, lookback:]])
        level.append(np.cumsum(s)[ends - h - 1] / (ends - h))
    return np.concatenate(X), np.concatenate(Y), np.concatenate(level)


def normalise(X, m: int, h: int, Y=None):
    """What the network sees: windows as log ratios to their mean, one season per step.

    The same transformation :class:`GlobalRNN` applies (with ``normalise="window"``,
    ``step="season"`` and the skip connection), written out for use with other
    frameworks: a model reads ``steps`` and predicts ``residual``; its forecast in the
    original units is ``level * exp(snaive + prediction)``.

    Args:
        X: positive windows ``(n, seasons · m)``.
        m: the seasonal period.
        h: the horizon.
        Y: the windows' targets ``(n, h)``, or ``None``.

    Returns:
        ``(steps, residual, level, snaive)``: ``log(X / level)`` as ``(n, seasons, m)``;
        ``log(Y / level) - snaive`` ``(n, h)`` (``None`` without ``Y``); the window means
        ``(n, 1)``; and the seasonal naive forecast in log space, the last season
        repeated to ``h`` values, ``(n, h)``.
    """
    m, h = positive_int("m", m), positive_int("h", h)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] % m or X.shape[1] < m:
        raise ValueError(f"X must have shape (n, seasons · m) with m={m}; got {X.shape}")
    if not np.all(X > 0):
        raise ValueError("X must hold positive values (its logarithm is taken)")
    level = X.mean(axis=1, keepdims=True)
    x = np.log(X / level)
    snaive = x[:, np.resize(np.arange(-m, 0), h)]
    residual = None
    if Y is not None:
        Y = np.asarray(Y, dtype=float)
        if Y.shape != (len(X), h):
            raise ValueError(f"Y must have shape (n, h) = ({len(X)}, {h}); got {Y.shape}")
        residual = np.log(Y / level) - snaive
    return x.reshape(len(x), -1, m), residual, level, snaive


def _scale(x: np.ndarray, level: np.ndarray, normalise: str) -> np.ndarray:
    """The divisor of each window: ``(n, 1)``."""
    return (x.mean(axis=1) if normalise == "window" else level)[:, None]


def _owa_coefficients(series: list[np.ndarray], m: int, h: int) -> tuple[float, np.ndarray]:
    """``(a, b)`` such that a window of mean ``L`` in series ``k`` weighs ``a + b[k]·L``.

    An error ``e`` in log space is about ``100·|e|`` in sMAPE and
    ``(L / s_k)·|e|`` in MASE, where ``s_k`` is series ``k``'s in-sample
    seasonal naive MAE; OWA divides them by Naive2's scores, so
    ``a = 100 / sMAPE_Naive2`` and ``b[k] = 1 / (s_k · MASE_Naive2)``. Naive2's
    scores come from forecasting the last ``h`` values of every series, and
    ``s_k`` from the values before them.
    """
    from .baselines import naive2
    from .metrics import m4_scores

    history = [y[:-h] for y in series]
    for k, y in enumerate(history):
        if len(y) <= m or not np.any(y[m:] != y[:-m]):
            raise ValueError(
                f"loss='owa' needs the MASE scale of series {k}, but its first "
                f"{len(y)} values (all but the last h={h}) are too few or repeat "
                f"exactly every m={m} steps; use loss='mae'"
            )
    future = np.stack([y[-h:] for y in series])
    reference = m4_scores(np.stack([naive2(y, h, m) for y in history]), future, history, m)
    scales = np.array([np.mean(np.abs(y[m:] - y[:-m])) for y in history])
    return 100 / reference["smape"], 1 / (scales * reference["mase"])


def _weighted_mae(prediction, target):
    """Mean of ``weight · |error|``; the weight is the target's last column."""
    return (target[:, -1:] * (prediction - target[:, :-1]).abs()).mean()


class GlobalRNN(nn.Module):
    """Normalised windows ``(batch, seasons · m)`` → normalised forecasts ``(batch, h)``.

    With ``step="season"`` a window is read as ``seasons`` steps of ``m`` values
    ``(batch, seasons, m)``, with ``step="value"`` as ``seasons · m`` steps of
    one value ``(batch, seasons · m, 1)``. A linear head maps the top layer's
    last hidden state to the ``h`` forecasts; with ``skip`` it adds them to the
    window's last season, repeated (the seasonal naive forecast).
    """

    def __init__(
        self,
        m: int,
        h: int,
        seasons: int,
        *,
        cell: str = "lstm",
        hidden: int = 64,
        layers: int = 1,
        skip: bool = True,
        step: str = "season",
    ) -> None:
        super().__init__()
        self.m, self.seasons, self.skip, self.step = m, seasons, skip, step
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        features = m if step == "season" else 1
        self.rnn = rnn(features, hidden, num_layers=layers, batch_first=True)
        self.head = nn.Linear(hidden, h)
        self.last_season = np.resize(np.arange(-m, 0), h).tolist()  # -m, ..., -1, -m, ...

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalised forecasts ``(batch, h)`` for normalised windows ``x``."""
        if self.step == "season":
            steps = x.reshape(len(x), self.seasons, self.m)
        else:
            steps = x[..., None]
        _, state = self.rnn(steps)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
        out = self.head(h_n[-1])
        return out + x[:, self.last_season] if self.skip else out


@dataclass
class GlobalForecaster:
    """A trained global forecaster and the settings :func:`forecast_global` needs.

    ``module`` is the PyTorch network, mapping normalised windows
    ``(batch, seasons · m)`` to normalised forecasts ``(batch, h)``; ``m``, ``h`` and
    ``seasons`` are the seasonal period, the horizon and the seasons per input window;
    ``cell``, ``hidden``, ``layers``, ``skip``, ``step`` and ``normalise`` are as given
    to :func:`fit_global`; ``history`` is the training :class:`seqlib.train.History`.
    """

    module: GlobalRNN
    m: int
    h: int
    seasons: int
    cell: str
    hidden: int
    layers: int
    skip: bool
    step: str
    normalise: str
    history: History

    @property
    def lookback(self) -> int:
        """Values per input window, ``seasons · m``."""
        return self.seasons * self.m


def fit_global(
    train_series: Sequence,
    m: int,
    h: int,
    *,
    cell: str = "lstm",
    seasons: int = 7,
    hidden: int = 128,
    layers: int = 1,
    skip: bool = True,
    step: str = "season",
    normalise: str = "window",
    validation: bool = True,
    epochs: int = 15,
    patience: int | None = 5,
    lr: float = 2e-3,
    batch_size: int = 256,
    loss: str = "owa",
    stride: int = 2,
    max_windows: int | None = None,
    seed: int = 0,
    progress: bool = True,
) -> GlobalForecaster:
    """Train one LSTM or GRU on windows of every series.

    Args:
        train_series: positive 1-D series (a list, or a 2-D array with one
            series per row); lengths may differ.
        m: the seasonal period (24 for hourly data with a daily cycle).
        h: the horizon, predicted all at once.
        cell: ``"lstm"`` or ``"gru"``.
        seasons: seasons per input window; the lookback is ``seasons · m``.
        hidden, layers: size and depth of the recurrent network.
        skip: predict a correction to the seasonal naive forecast.
        step: ``"season"`` feeds ``seasons`` steps of ``m`` values;
            ``"value"`` feeds ``seasons · m`` steps of one value.
        normalise: ``"window"`` divides each window by its own mean;
            ``"series"`` by the mean of its series up to the window's end.
            Either is followed by a logarithm.
        validation: hold out the last ``h`` values of every series, stop early
            on them (``patience``) and keep the best epoch's weights. With
            ``False`` every window is used for training, for ``epochs`` epochs.
        loss: ``"mae"`` or ``"mse"`` of the normalised (log) forecasts, where an
            absolute error is close to a relative error; ``"owa"`` weighs each
            window's MAE so that the loss approximates M4's OWA (half
            sMAPE, half MASE, each relative to Naive2's): windows of series
            that are smooth for their level count more, as MASE counts them.
        epochs, patience, lr, batch_size, seed, progress: passed to
            :func:`seqlib.train.fit`.
        stride: distance between consecutive training windows of a series.
        max_windows: use only the newest ``max_windows`` training windows of each
            series; all when ``None``.

    Returns:
        A :class:`GlobalForecaster`; forecast with :func:`forecast_global`.

    Raises:
        ValueError: on a bad setting, a non-positive or non-finite value, or a
            series shorter than ``seasons · m + h`` (plus ``h`` with validation).
    """
    m, h, seasons = (
        positive_int("m", m),
        positive_int("h", h),
        positive_int("seasons", seasons),
    )
    hidden, layers = positive_int("hidden", hidden), positive_int("layers", layers)
    stride = positive_int("stride", stride)
    if max_windows is not None:
        max_windows = positive_int("max_windows", max_windows)
    for name, value, allowed in (
        ("cell", cell, CELLS),
        ("step", step, STEPS),
        ("normalise", normalise, NORMALISATIONS),
        ("loss", loss, LOSSES),
    ):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    if not validation:
        patience = None
    lookback = seasons * m
    need = lookback + h + (h if validation else 0)
    why = f"lookback seasons·m = {lookback} + horizon h = {h}"
    series = _check_series(
        train_series, need, why + (" + h for validation" if validation else "")
    )

    coefficients = _owa_coefficients(series, m, h) if loss == "owa" else None

    def prepare(parts, **kwargs):
        """Normalised ``(inputs, targets)``; targets end with a weight column for "owa"."""
        inputs, targets = [], []
        for k, part in enumerate(parts):
            X, Y, level = windows([part], lookback, h, **kwargs)
            scale = _scale(X, level, normalise)
            inputs.append(np.log(X / scale))
            targets.append(np.log(Y / scale))
            if coefficients is not None:
                a, b = coefficients
                targets[-1] = np.c_[targets[-1], a + b[k] * X.mean(axis=1)]
        return (
            np.concatenate(inputs).astype(np.float32),
            np.concatenate(targets).astype(np.float32),
        )

    train_part = [s[:-h] for s in series] if validation else series
    train_data = prepare(train_part, stride=stride, max_windows=max_windows)
    val_data = prepare(series, max_windows=1) if validation else None
    if coefficients is not None:  # weights of mean 1 over the training windows
        mean_weight = train_data[1][:, -1].mean()
        for _, Y in (train_data, val_data) if validation else (train_data,):
            Y[:, -1] /= mean_weight

    torch.manual_seed(seed)
    module = GlobalRNN(
        m, h, seasons, cell=cell, hidden=hidden, layers=layers, skip=skip, step=step
    )
    history = fit(
        module,
        train_data,
        val_data,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        loss=_weighted_mae if loss == "owa" else loss,
        patience=patience,
        seed=seed,
        progress=progress,
    )
    return GlobalForecaster(
        module, m, h, seasons, cell, hidden, layers, skip, step, normalise, history
    )


def forecast_global(model: GlobalForecaster, series_list: Sequence) -> np.ndarray:
    """Forecast the next ``h`` values of every series.

    Args:
        model: from :func:`fit_global`.
        series_list: positive 1-D series, each at least ``model.lookback`` long
            (only the last ``model.lookback`` values are read, and the mean of
            the whole series with ``normalise="series"``).

    Returns:
        ``(n_series, h)``.
    """
    series = _check_series(series_list, model.lookback, "the lookback seasons·m")
    X, _, level = windows(
        [np.r_[s, np.ones(model.h)] for s in series], model.lookback, model.h, max_windows=1
    )
    scale = _scale(X, level, model.normalise)
    return scale * np.exp(predict(model.module, np.log(X / scale)).astype(float))
