"""A global LSTM/GRU forecaster: one network trained on windows of many series.

A *local* model (ARIMA, ETS, Theta) is fitted to each series on its own. A
*global* model learns one set of weights from windows cut out of every
series, so that hundreds of short series teach it what a day (or a week, or a
year) usually looks like. It needs the seasonal period ``season`` (24 for
hourly data with a daily cycle, 7 for daily data with a weekly one, 12 for
monthly data, 1 when there is no season) and the horizon ``horizon``; nothing
here depends on which series, or how many, it is given.

The design, each part of which the book measures on M4 Hourly:

* **per-window scaling**: a window ``x`` of ``lookback`` positive values
  becomes ``log(x / mean(x))``, and its target ``log(y / mean(x))``, so series
  of any level look alike; forecasts are mapped back with ``mean(x) · exp(·)``;
* **several values per step**: the window is read as ``lookback / step``
  recurrent steps of ``step`` values; by default ``step = season``, one season
  per step (7 steps of 24 hours for a week of hourly data);
* **a direct multi-step head**: a linear layer maps the last hidden state to
  all ``horizon`` values at once;
* **a seasonal-naive skip connection** (optional): the network predicts a
  correction to the seasonal naive forecast (the window's last season
  repeated; the last value when ``season = 1``) in the scaled space;
* **a loss shaped like the score** (``loss="owa"``): each window's mean
  absolute error in log space is weighted so that the total approximates M4's
  OWA, which counts an error half relative to the level (sMAPE) and half
  relative to the series' own seasonal naive error (MASE, at ``season``);
* **early stopping on the last horizon of every series**: the final
  ``horizon`` values of each training series are held out of the training
  windows and used as the validation set; the model keeps its best validation
  epoch and is used as it is.

The defaults follow from the data, not from one frequency: the input window
holds at least twice the horizon and three seasons (:func:`default_lookback`),
and the number of epochs grows as the number of training windows shrinks
(:func:`default_epochs`). Series too short to train on are left out of
training, and those too short to forecast are forecast by M4's Naive2
(``short="naive2"``), each with a warning saying how many.

Shapes are batch first: a batch of windows is ``(batch, lookback)`` before the
network reshapes it to ``(batch, lookback / step, step)``.

:func:`fit_global` and :func:`forecast_global` take ``device=`` as
:func:`seqlib.train.fit` does: the CPU unless told otherwise, by the argument or
by the environment variable ``SEQLIB_DEVICE``
(:func:`seqlib.reproducibility.device`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from . import reproducibility, torch_models
from ._checks import one_of, positive_int
from .data import make_windows
from .train import History, fit, predict

__all__ = [
    "GlobalForecaster",
    "GlobalRNN",
    "default_epochs",
    "default_lookback",
    "fit_global",
    "forecast_global",
    "normalise",
    "windows",
]

CELLS = ("lstm", "gru")
SCALINGS = ("window", "series")
LOSSES = ("owa", "mae", "mse")
SHORT = ("naive2", "raise")


def _check_series(series_list: Sequence) -> list[np.ndarray]:
    """1-D, finite, positive float arrays of at least one value each."""
    if isinstance(series_list, np.ndarray) and series_list.ndim == 1:
        raise ValueError(
            "series_list must be a list of series (or a 2-D array, one series per row); "
            f"got one 1-D array of shape {series_list.shape}: wrap it as [series]"
        )
    out = []
    for k, s in enumerate(series_list):
        s = np.asarray(s, dtype=float)
        if s.ndim != 1 or len(s) == 0:
            raise ValueError(
                f"series {k} must have shape (time,) with time ≥ 1; got {s.shape}"
            )
        if not np.isfinite(s).all():
            raise ValueError(
                f"series {k} holds {int((~np.isfinite(s)).sum())} NaN or infinite "
                "value(s); fill or drop them first"
            )
        if (s <= 0).any():
            raise ValueError(
                f"series {k} must be positive (the windows are scaled with a "
                f"logarithm); got a minimum of {float(s.min())!r}"
            )
        out.append(s)
    if not out:
        raise ValueError("series_list holds no series")
    return out


def _season_and_step(season: int | None, step: int | None) -> tuple[int, int]:
    """Each defaults from the other: ``step = season``, ``season = step``; else 1 and 1."""
    if season is None:
        season = 1 if step is None else step
    season = positive_int("season", season)
    return season, season if step is None else positive_int("step", step)


def default_lookback(
    horizon: int, *, season: int | None = None, step: int | None = None
) -> int:
    """The input window :func:`fit_global` uses unless told: ``max(2·horizon, 3·season)``.

    Rounded up to a whole number of recurrent steps of ``step`` values (``season``
    when ``None``; ``season`` is ``step``, or 1, when ``None``). Twice the horizon
    is a common minimum for direct multi-step forecasts; three seasons let the
    network compare the last season with the ones before it. Hourly data
    (horizon 48, season 24) gets 96 hours, 4 steps of a day; daily (14, 7) 28
    days; weekly (13, 1) 26 weeks of one value each; monthly (18, 12) 36 months.
    """
    horizon = positive_int("horizon", horizon)
    season, step = _season_and_step(season, step)
    return step * math.ceil(max(2 * horizon, 3 * season) / step)


def default_epochs(n_windows: int, batch_size: int) -> int:
    """Epochs :func:`fit_global` runs unless told: about 3,000 gradient steps, 15 to 200.

    ``ceil(3000 / batches per epoch)``, at least 15 and at most 200: a large
    collection (M4 Hourly's 185,000 windows) gets 15 epochs, a few dozen short
    series get more passes over their few windows. With validation, early
    stopping usually ends training sooner.
    """
    n_windows = positive_int("n_windows", n_windows)
    batches = math.ceil(n_windows / positive_int("batch_size", batch_size))
    return min(200, max(15, math.ceil(3000 / batches)))


def windows(
    series_list: Sequence,
    lookback: int,
    horizon: int,
    *,
    stride: int = 1,
    max_windows: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut (input, target) windows out of every series, newest first.

    In each series the last window ends with the series' last value; the
    others end ``stride``, ``2·stride``, ... values earlier. The windows are
    those of :func:`seqlib.data.make_windows`, in reverse order.

    Args:
        series_list: 1-D series, any lengths of at least ``lookback + horizon``.
        lookback: values per input window.
        horizon: values per target.
        stride: distance between the ends of consecutive windows.
        max_windows: keep only the newest ``max_windows`` windows of each
            series; all when ``None``.

    Returns:
        ``(X, Y, level)``: inputs ``(n, lookback)``, targets ``(n, horizon)`` and,
        for ``scaling="series"``, the mean of each series up to the end of its
        input window ``(n,)``.
    """
    lookback = positive_int("lookback", lookback)
    horizon = positive_int("horizon", horizon)
    stride = positive_int("stride", stride)
    if max_windows is not None:
        max_windows = positive_int("max_windows", max_windows)
    X, Y, level = [], [], []
    for k, s in enumerate(series_list):
        s = np.asarray(s, dtype=float)
        if s.ndim != 1 or len(s) < lookback + horizon:
            raise ValueError(
                f"series {k} must have shape (time,) with time >= lookback + horizon = "
                f"{lookback + horizon}; got {s.shape}"
            )
        inputs, targets = make_windows(s, lookback, horizon)
        starts = np.arange(len(inputs) - 1, -1, -stride)[:max_windows]  # newest first
        X.append(np.ascontiguousarray(inputs[starts, :, 0]))
        Y.append(targets[starts])
        level.append(np.cumsum(s)[starts + lookback - 1] / (starts + lookback))
    return np.concatenate(X), np.concatenate(Y), np.concatenate(level)


def _last_season(season: int, horizon: int) -> list[int]:
    """Column indices of the seasonal naive forecast: ``-season, ..., -1, -season, ...``."""
    return np.resize(np.arange(-season, 0), horizon).tolist()


def normalise(
    X, horizon: int, Y=None, *, season: int | None = None, step: int | None = None
):
    """What the network sees: windows as log ratios to their mean, ``step`` values per step.

    The same transformation :class:`GlobalRNN` applies (with ``scaling="window"``
    and the skip connection), written out for use with other frameworks: a model
    reads ``steps`` and predicts ``residual``; its forecast in the original units
    is ``level * exp(snaive + prediction)``.

    Args:
        X: positive windows ``(n, lookback)``.
        horizon: the horizon.
        Y: the windows' targets ``(n, horizon)``, or ``None``.
        season: the seasonal period; ``step``, or 1, when ``None``.
        step: values per recurrent step; ``season`` when ``None``. ``lookback``
            must be a multiple of it and at least ``season``.

    Returns:
        ``(steps, residual, level, snaive)``: ``log(X / level)`` as ``(n, lookback /
        step, step)``; ``log(Y / level) - snaive`` ``(n, horizon)`` (``None`` without
        ``Y``); the window means ``(n, 1)``; and the seasonal naive forecast in log
        space, the last season repeated to ``horizon`` values, ``(n, horizon)``.
    """
    horizon = positive_int("horizon", horizon)
    season, step = _season_and_step(season, step)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] % step or X.shape[1] < season:
        raise ValueError(
            f"X must have shape (n, lookback) with lookback a multiple of step={step} "
            f"and at least season={season}; got {X.shape}"
        )
    if not np.all(X > 0):
        raise ValueError("X must hold positive values (its logarithm is taken)")
    level = X.mean(axis=1, keepdims=True)
    x = np.log(X / level)
    snaive = x[:, _last_season(season, horizon)]
    residual = None
    if Y is not None:
        Y = np.asarray(Y, dtype=float)
        if Y.shape != (len(X), horizon):
            raise ValueError(
                f"Y must have shape (n, horizon) = ({len(X)}, {horizon}); got {Y.shape}"
            )
        residual = np.log(Y / level) - snaive
    return x.reshape(len(x), -1, step), residual, level, snaive


class GlobalRNN(nn.Module):
    """Scaled windows ``(batch, lookback)`` → scaled forecasts ``(batch, horizon)``.

    The window is read as ``lookback / step`` steps of ``step`` values
    ``(batch, lookback / step, step)`` by a :class:`seqlib.torch_models.SequenceRegressor`,
    whose linear head maps the top layer's last hidden state to the ``horizon``
    forecasts. With ``skip`` they are added to the window's last ``season``
    values, repeated (the seasonal naive forecast).
    """

    def __init__(
        self,
        horizon: int,
        *,
        season: int | None = None,
        step: int | None = None,
        cell: str = "lstm",
        hidden: int = 64,
        layers: int = 1,
        skip: bool = True,
    ) -> None:
        super().__init__()
        season, self.step = _season_and_step(season, step)
        self.skip = skip
        self.regressor = torch_models.regressor(
            self.step, horizon, cell=cell, hidden=hidden, layers=layers
        )
        self.last_season = _last_season(season, horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled forecasts ``(batch, horizon)`` for scaled windows ``x``."""
        out = self.regressor(x.reshape(len(x), -1, self.step))
        return out + x[:, self.last_season] if self.skip else out


@dataclass
class GlobalForecaster:
    """A trained global forecaster and the settings :func:`forecast_global` needs.

    ``module`` is the PyTorch network, mapping scaled windows ``(batch, lookback)``
    to scaled forecasts ``(batch, horizon)``; ``horizon``, ``season``, ``step`` and
    ``lookback`` are the horizon, the seasonal period, the values per recurrent
    step and the values per input window; ``cell``, ``hidden``, ``layers``,
    ``skip``, ``scaling`` and ``short`` are as given to :func:`fit_global`;
    ``history`` is the training :class:`seqlib.train.History`; ``n_trained`` is
    the number of series that were long enough to train on; ``device`` is where
    it was trained (``"cpu"``, ``"cuda"``...), and where ``module`` is.
    """

    module: GlobalRNN
    horizon: int
    season: int
    step: int
    lookback: int
    cell: str
    hidden: int
    layers: int
    skip: bool
    scaling: str
    short: str
    history: History
    n_trained: int
    device: str = "cpu"


def _scale(X: np.ndarray, level: np.ndarray, scaling: str) -> np.ndarray:
    """The divisor of each window: ``(n, 1)``."""
    return (X.mean(axis=1) if scaling == "window" else level)[:, None]


def _owa_coefficients(
    series: list[np.ndarray], season: int, horizon: int
) -> tuple[float, np.ndarray]:
    """``(a, b)`` such that a window of mean ``L`` in series ``k`` weighs ``a + b[k]·L``.

    An error ``e`` in log space is about ``100·|e|`` in sMAPE and
    ``(L / s_k)·|e|`` in MASE, where ``s_k`` is series ``k``'s in-sample
    seasonal naive MAE (:func:`seqlib.metrics.mase_scale`); OWA divides them by
    Naive2's scores, so ``a = 100 / sMAPE_Naive2`` and ``b[k] = 1 / (s_k ·
    MASE_Naive2)``. Naive2's scores come from forecasting the last ``horizon``
    values of every series, and ``s_k`` from the values before them.
    """
    from .baselines import naive2
    from .metrics import m4_scores, mase_scale

    history = [y[:-horizon] for y in series]
    scales = []
    for k, y in enumerate(history):
        try:
            scales.append(mase_scale(y, season))
        except ValueError as error:
            raise ValueError(
                f"loss='owa' needs the MASE scale of series {k} from its first "
                f"{len(y)} values (all but the last horizon={horizon}): {error}; "
                "use loss='mae'"
            ) from None
    future = np.stack([y[-horizon:] for y in series])
    forecasts = np.stack([naive2(y, horizon, season) for y in history])
    reference = m4_scores(forecasts, future, history, season)
    return 100 / reference["smape"], 1 / (np.array(scales) * reference["mase"])


def _settings(horizon, season, step, lookback, skip) -> tuple[int, int, int, int]:
    """Checked ``(horizon, season, step, lookback)``, with their defaults filled in."""
    horizon = positive_int("horizon", horizon)
    season, step = _season_and_step(season, step)
    if lookback is None:
        lookback = default_lookback(horizon, season=season, step=step)
    lookback = positive_int("lookback", lookback)
    if lookback % step:
        raise ValueError(
            f"lookback must be a whole number of steps of step={step} values; "
            f"got {lookback}"
        )
    if skip and lookback < season:
        raise ValueError(
            f"lookback must hold at least one season (season={season}) for the skip "
            f"connection; got {lookback}"
        )
    return horizon, season, step, lookback


def _long_enough(
    series: list[np.ndarray], need: int, why: str, short: str
) -> list[np.ndarray]:
    """The series of at least ``need`` values; shorter ones raise or are left out."""
    lengths = np.array([len(s) for s in series])
    too_short = np.flatnonzero(lengths < need)
    if len(too_short) and (short == "raise" or len(too_short) == len(series)):
        k = too_short[0]
        raise ValueError(
            f"series {k} has {lengths[k]} values; at least {need} are needed ({why})"
            + (
                f"; {len(too_short)} of {len(series)} series are that short"
                if len(too_short) > 1
                else ""
            )
            + (
                "; pass short='naive2' to train on the others"
                if short == "raise" and len(too_short) < len(series)
                else ""
            )
        )
    if len(too_short):
        warnings.warn(
            f"{len(too_short)} of {len(series)} series have fewer than {need} values "
            f"({why}) and are left out of training; those shorter than the lookback "
            "will be forecast with Naive2",
            stacklevel=3,
        )
    return [s for s in series if len(s) >= need]


def _scaled_windows(series, lookback, horizon, scaling, weights_of=None, **kwargs):
    """Scaled ``(inputs, targets, weights)`` of every series, in float32."""
    inputs, targets, weights = [], [], []
    for k, s in enumerate(series):
        X, Y, level = windows([s], lookback, horizon, **kwargs)
        scale = _scale(X, level, scaling)
        inputs.append(np.log(X / scale))
        targets.append(np.log(Y / scale))
        if weights_of is not None:
            weights.append(weights_of(k, X))
    weights = np.concatenate(weights).astype(np.float32) if weights else None
    return (
        np.concatenate(inputs).astype(np.float32),
        np.concatenate(targets).astype(np.float32),
        weights,
    )


def _training_data(series, lookback, horizon, scaling, loss, season, validation, **kwargs):
    """``(train, train_weights, val, val_weights)`` for :func:`seqlib.train.fit`.

    ``train`` and ``val`` are ``(inputs, targets)``; the weights are ``None``
    unless ``loss="owa"``, when they have mean 1 over the training windows.
    ``val`` is ``None`` without validation.
    """
    weights_of = None
    if loss == "owa":
        a, b = _owa_coefficients(series, season, horizon)

        def weights_of(k, X):
            return a + b[k] * X.mean(axis=1)

    train_part = [s[:-horizon] for s in series] if validation else series
    X, Y, w = _scaled_windows(train_part, lookback, horizon, scaling, weights_of, **kwargs)
    val = val_w = None
    if validation:
        X_val, Y_val, val_w = _scaled_windows(
            series, lookback, horizon, scaling, weights_of, max_windows=1
        )
        val = (X_val, Y_val)
    if w is not None:  # weights of mean 1 over the training windows
        mean_weight = w.mean()
        w /= mean_weight
        if val_w is not None:
            val_w /= mean_weight
    return (X, Y), w, val, val_w


def _patience(patience, epochs: int) -> int | None:
    """``"auto"``: a tenth of the epochs, at least 5; else as given."""
    if patience == "auto":
        return max(5, epochs // 10)
    if patience is None:
        return None
    if isinstance(patience, str):
        raise ValueError(
            f"patience must be 'auto', a positive integer or None; got {patience!r}"
        )
    return positive_int("patience", patience)


def fit_global(
    train_series: Sequence,
    horizon: int,
    *,
    season: int | None = None,
    step: int | None = None,
    lookback: int | None = None,
    cell: str = "lstm",
    hidden: int = 128,
    layers: int = 1,
    skip: bool = True,
    scaling: str = "window",
    loss: str = "owa",
    validation: bool = True,
    epochs: int | None = None,
    patience: int | str | None = "auto",
    lr: float = 2e-3,
    batch_size: int = 256,
    stride: int = 1,
    max_windows: int | None = None,
    short: str = "naive2",
    seed: int = 0,
    progress: bool = True,
    device: str | torch.device | None = None,
) -> GlobalForecaster:
    """Train one LSTM or GRU on windows of every series.

    Args:
        train_series: positive 1-D series (a list, or a 2-D array with one
            series per row); lengths may differ.
        horizon: the number of values forecast, all at once.
        season: the seasonal period: the skip connection repeats the window's
            last ``season`` values, and ``loss="owa"`` uses it for MASE's scale
            and for Naive2. 24 for hourly data with a daily cycle, 7 for daily
            data, 12 for monthly, 1 for none (the skip then repeats the last
            value); ``step``, or 1, when ``None``.
        step: values per recurrent step; ``season`` when ``None`` (one season per
            step). ``step=1`` reads one value per step.
        lookback: values per input window, a multiple of ``step`` and at least
            ``season``; :func:`default_lookback` when ``None``:
            ``max(2·horizon, 3·season)`` rounded up to whole steps.
        cell: ``"lstm"`` or ``"gru"``.
        hidden, layers: size and depth of the recurrent network.
        skip: predict a correction to the seasonal naive forecast.
        scaling: ``"window"`` divides each window by its own mean;
            ``"series"`` by the mean of its series up to the window's end.
            Either is followed by a logarithm.
        loss: ``"mae"`` or ``"mse"`` of the scaled (log) forecasts, where an
            absolute error is close to a relative error; ``"owa"`` weighs each
            window's MAE (``sample_weight`` of :func:`seqlib.train.fit`) so that
            the loss approximates M4's OWA (half sMAPE, half MASE, each relative
            to Naive2's): windows of series that are smooth for their level count
            more, as MASE counts them.
        validation: hold out the last ``horizon`` values of every series, stop
            early on them (``patience``) and keep the best epoch's weights. With
            ``False`` every window is used for training, for ``epochs`` epochs.
        epochs: the most epochs; :func:`default_epochs` of the number of training
            windows when ``None`` (about 3,000 gradient steps, 15 to 200 epochs).
        patience: epochs without a better validation loss before stopping;
            ``"auto"`` is a tenth of ``epochs``, at least 5; ``None`` runs every
            epoch.
        lr, batch_size, seed, progress, device: passed to
            :func:`seqlib.train.fit`; ``device=None`` means ``$SEQLIB_DEVICE``,
            else the CPU.
            Adam's rate of 0.002 with batches of 256 is not tied to a frequency;
            the number of epochs adapts to the data instead.
        stride: distance between consecutive training windows of a series.
        max_windows: use only the newest ``max_windows`` training windows of each
            series; all when ``None``.
        short: what to do with series shorter than ``lookback + horizon`` (plus
            ``horizon`` with validation): ``"naive2"`` leaves them out of training
            with a warning (:func:`forecast_global` then forecasts those shorter
            than ``lookback`` with M4's Naive2, and the others with the network);
            ``"raise"`` raises ``ValueError``.

    Returns:
        A :class:`GlobalForecaster`; forecast with :func:`forecast_global`.

    Raises:
        ValueError: on a bad setting, a non-positive or non-finite value, series
            too short (all of them, or any with ``short="raise"``), or a device
            this machine does not have.
    """
    horizon, season, step, lookback = _settings(horizon, season, step, lookback, skip)
    device = reproducibility.device(device)
    for name, value, allowed in (
        ("cell", cell, CELLS),
        ("scaling", scaling, SCALINGS),
        ("loss", loss, LOSSES),
        ("short", short, SHORT),
    ):
        one_of(name, value, allowed)
    hidden, layers = positive_int("hidden", hidden), positive_int("layers", layers)
    stride = positive_int("stride", stride)
    batch_size = positive_int("batch_size", batch_size)
    if max_windows is not None:
        max_windows = positive_int("max_windows", max_windows)
    if epochs is not None:
        epochs = positive_int("epochs", epochs)
    if patience != "auto":
        patience = _patience(patience, 1)
    need = lookback + horizon + (horizon if validation else 0)
    why = f"lookback {lookback} + horizon {horizon}" + (
        f" + {horizon} for validation" if validation else ""
    )
    series = _long_enough(_check_series(train_series), need, why, short)

    train_data, weights, val_data, val_weights = _training_data(
        series,
        lookback,
        horizon,
        scaling,
        loss,
        season,
        validation,
        stride=stride,
        max_windows=max_windows,
    )
    if epochs is None:
        epochs = default_epochs(len(train_data[0]), batch_size)
    torch.manual_seed(seed)
    module = GlobalRNN(
        horizon,
        season=season,
        step=step,
        cell=cell,
        hidden=hidden,
        layers=layers,
        skip=skip,
    )
    history = fit(
        module,
        train_data,
        val_data,
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        loss="mae" if loss == "owa" else loss,
        sample_weight=weights,
        val_sample_weight=val_weights,
        patience=_patience(patience, epochs) if validation else None,
        seed=seed,
        progress=progress,
        device=device,
    )
    return GlobalForecaster(
        module,
        horizon,
        season,
        step,
        lookback,
        cell,
        hidden,
        layers,
        skip,
        scaling,
        short,
        history,
        len(series),
        str(device),
    )


def forecast_global(
    model: GlobalForecaster,
    series_list: Sequence,
    *,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Forecast the next ``horizon`` values of every series.

    Args:
        model: from :func:`fit_global`.
        series_list: positive 1-D series. The network reads the last
            ``model.lookback`` values of each (and, with ``scaling="series"``, the
            mean of the whole series). A shorter series is forecast with M4's
            Naive2 at ``model.season`` when the model was fitted with
            ``short="naive2"`` (with a warning saying how many), and raises
            ``ValueError`` with ``short="raise"``.
        device: where the network runs, as for :func:`seqlib.train.predict`
            (``None``: ``$SEQLIB_DEVICE``, else the CPU); ``model.module`` goes
            back to its own device afterwards.

    Returns:
        ``(n_series, horizon)``, a NumPy array.
    """
    from .baselines import naive2

    device = reproducibility.device(device)

    series = _check_series(series_list)
    short = [k for k, s in enumerate(series) if len(s) < model.lookback]
    if short and model.short == "raise":
        k = short[0]
        raise ValueError(
            f"series {k} has {len(series[k])} values; at least {model.lookback} are "
            "needed (the lookback)"
        )
    if short:
        warnings.warn(
            f"{len(short)} of {len(series)} series have fewer values than the lookback "
            f"({model.lookback}): they are forecast with Naive2 (season {model.season})",
            stacklevel=2,
        )
    forecasts = np.empty((len(series), model.horizon))
    for k in short:
        forecasts[k] = naive2(series[k], model.horizon, model.season)
    long = sorted(set(range(len(series))) - set(short))
    if long:
        X = np.stack([series[k][-model.lookback :] for k in long])
        level = np.array([np.cumsum(series[k])[-1] / len(series[k]) for k in long])
        scale = _scale(X, level, model.scaling)
        forecasts[long] = scale * np.exp(
            predict(model.module, np.log(X / scale), device=device).astype(float)
        )
    return forecasts
