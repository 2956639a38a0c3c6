# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-forecasting)=
# # Forecasting time series
#
# The article's first application (§6) is time-series prediction, illustrated by a
# "stock price" that its own code generates at random. This chapter forecasts three real
# series instead, each with a different character, and then returns to the random walk to
# show what can and cannot be forecast:
#
# * **airline passengers**, monthly, 1949–1960: trend and a growing seasonal swing;
#   forecast the last 24 months at once;
# * **daily minimum temperatures** in Melbourne, 1981–1990: strong yearly cycle, a lot of
#   day-to-day noise; forecast 1 and 7 days ahead, with the three ways of producing a
#   multi-step forecast (recursive, direct, encoder–decoder);
# * **sunspots**, yearly, 1700–2008: a quasi-periodic cycle of about 11 years; forecast
#   11 years ahead.
#
# For each we put the **baselines first**: the naive forecast, the seasonal naive
# forecast, and the classical statistical model for that kind of series (exponential
# smoothing, the "airline" ARIMA, an autoregression). Then LSTMs and GRUs, in PyTorch and
# Keras, on the same splits, scored with the mean absolute error (MAE) and, where series
# are compared, the mean absolute scaled error (MASE). Every choice is made on a
# validation period; the test period is scored once.

# %%
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # Keras 3 runs on TensorFlow here
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float maths, fewer log lines
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up messages

import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from seqlib import (
    baselines,
    data,
    datasets,
    global_forecast,
    keras_models,
    metrics,
    plots,
    torch_models,
    train,
)
from seqlib.report import glue, results
from seqlib.reproducibility import set_seed, set_threads

set_threads(1)
set_seed(0)
warnings.filterwarnings("ignore", module="statsmodels")  # convergence chatter

# %% [markdown]
# ## Airline passengers: 24 months at once
#
# The classic Box–Jenkins series {cite}`box1976time`. We hold out the last 24 months
# (1959–1960) as the test set; the 24 months before them are the validation period.

# %% tags=["nbval-check-output"]
air = datasets.load("airline-passengers")
air_train, air_test = air.iloc[:-24], air.iloc[-24:]
y_train, y_test = air_train.to_numpy(), air_test.to_numpy()
for name, part in [("train", air_train), ("test", air_test)]:
    print(f"{name:5s} {part.index[0]:%Y-%m} to {part.index[-1]:%Y-%m} ({len(part)} months)")

# %% [markdown]
# **Baselines.** The naive forecast repeats the last month; the seasonal naive forecast
# repeats the last year ($m = 12$); exponential smoothing with a damped trend and a
# multiplicative season, ETS(A, Ad, M), suits a seasonal swing that grows with the level;
# and the "airline model" of Box and Jenkins is ARIMA(0,1,1)(0,1,1)$_{12}$ on the
# logarithm of the series. All come from {mod}`seqlib.baselines`, thin wrappers over
# statsmodels.

# %%
H, M = 24, 12
air_forecasts = {
    "naive": baselines.naive(y_train, H),
    "seasonal_naive": baselines.seasonal_naive(y_train, H, M),
    "ets": baselines.ets(y_train, H, M, seasonal="mul"),
    "arima": np.exp(baselines.arima(np.log(y_train), H, (0, 1, 1), (0, 1, 1, M))),
}


# %% [markdown]
# **A recurrent network for one short series.** 120 training months give very few
# training windows, and the series keeps rising, which {ref}`ch-first-forecaster` showed
# an LSTM cannot extrapolate from raw values. The remedy is the design the M4 chapter
# develops ({ref}`ch-m4`) and {mod}`seqlib.global_forecast` implements: divide each input
# window by its own mean and take logarithms, so that the network sees *shapes* and
# predicts *ratios to the recent level*; feed one whole year per time step (12 values,
# so a 3-year window is 3 steps); predict all 24 months at once; and predict a
# correction to the seasonal naive forecast rather than the forecast itself. The last 24
# training months are held out for early stopping and for choosing the window length.

# %%
def fit_air(cell, seasons, seed=0):
    return global_forecast.fit_global(
        [y_train],
        m=M,
        h=H,
        cell=cell,
        seasons=seasons,
        hidden=32,
        epochs=200,
        stride=1,
        patience=30,
        lr=3e-3,
        batch_size=16,
        loss="mae",
        seed=seed,
        progress=False,
    )


choice = []
for cell in ("lstm", "gru"):
    for seasons in (2, 3, 4):
        model = fit_air(cell, seasons)
        choice.append(
            {
                "cell": cell,
                "years per window": seasons,
                "validation loss": min(model.history.val_loss),
                "model": model,
            }
        )
choice = pd.DataFrame(choice)
best = choice.loc[choice.groupby("cell")["validation loss"].idxmin()].set_index("cell")
for cell in ("lstm", "gru"):
    air_forecasts[f"{cell}_torch"] = global_forecast.forecast_global(
        best.loc[cell, "model"], [y_train]
    )[0]
choice.drop(columns="model").round(4)

# %% [markdown]
# The same network in Keras. {func}`seqlib.global_forecast.normalise` turns raw windows
# into what the PyTorch network sees internally: each window divided by its mean and
# logged, cut into one-year steps, and the target written as a correction to the seasonal
# naive forecast (the last year repeated); the Keras LSTM learns that correction.

# %%
seasons = int(best.loc["lstm", "years per window"])
X_all, Y_all, _ = global_forecast.windows([y_train], lookback=seasons * M, h=H)
# Windows are newest first: the first one's target is the validation period.
steps, target, _, _ = global_forecast.normalise(X_all[1:], M, H, Y_all[1:])
val_steps, val_target, _, _ = global_forecast.normalise(X_all[:1], M, H, Y_all[:1])
set_seed(0)
keras_air = keras_models.regressor(n_features=M, horizon=H, hidden=32)
keras_air.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")
keras_air.fit(
    steps,
    target,
    validation_data=(val_steps, val_target),
    epochs=200,
    batch_size=16,
    verbose=0,
    callbacks=[keras.callbacks.EarlyStopping(patience=30, restore_best_weights=True)],
)
last_steps, _, level, snaive = global_forecast.normalise(
    y_train[None, -seasons * M :], M, H
)
correction = keras_air.predict(last_steps, verbose=0)
air_forecasts["lstm_keras"] = (level * np.exp(snaive + correction))[0]

# %%
air_scores = pd.DataFrame(
    {
        name: {"MAE": metrics.mae(y_test, f), "MASE": metrics.mase(y_test, f, y_train, M)}
        for name, f in air_forecasts.items()
    }
).T
rnn_names = ["lstm_torch", "gru_torch", "lstm_keras"]
glue("air_best_rnn", f"{air_scores.loc[rnn_names, 'MAE'].min():.1f}")
glue("air_arima", f"{air_scores.loc['arima', 'MAE']:.1f}")
glue("air_snaive", f"{air_scores.loc['seasonal_naive', 'MAE']:.1f}")
air_scores.round(3)

# %% tags=["hide-input"]
shown = ["seasonal_naive", "arima", "lstm_torch", "gru_torch", "lstm_keras"]
plots.forecast(
    y_test,
    {name: air_forecasts[name] for name in shown},
    history=air.values[-72:-24],
    index=air.index[-72:],
    xlabel="month",
    ylabel="passengers (thousands)",
    title="Airline passengers: the last 24 months forecast at once",
);

# %% tags=["remove-cell"]
rnn_best = air_scores.loc[["lstm_torch", "gru_torch", "lstm_keras"], "MAE"].min()
assert rnn_best < air_scores.loc["seasonal_naive", "MAE"]
assert air_scores.loc["arima", "MAE"] < air_scores.loc["naive", "MAE"]

# %% tags=["results"]
results(
    "airline", "mae", "test", air_scores["MAE"].to_dict(), mase=air_scores["MASE"].to_dict()
)

# %% [markdown]
# The best recurrent model's MAE is {glue:text}`air_best_rnn` thousand passengers, against
# {glue:text}`air_arima` for the airline ARIMA and {glue:text}`air_snaive` for the seasonal
# naive forecast. Treat the ranking with care: this is **one** series and **one** 24-month
# test period, so a different year could reorder the models, and a recurrent network's
# result also moves with its random seed (exercise {ref}`ex-forecast-seeds`). What the
# table does show is that the design matters more than the cell: the normalised, season-
# per-step network predicts the growing swing, where an LSTM on raw values could not even
# continue a straight line. {ref}`ch-m4` tests the same design on 414 series, where the
# comparison is statistically meaningful.
#
# ## Daily temperatures: one day and one week ahead
#
# Melbourne's daily minimum temperature. The file lacks 31 December in 1984 and 1988;
# {func}`seqlib.datasets.load` fills those two days by interpolation. We train on
# 1981–1988, validate on 1989 and test on 1990, with windows of the last 30 days.

# %%
temps = datasets.load("daily-min-temperatures")
values = temps.to_numpy()
n_train = int((temps.index.year < 1989).sum())
n_val = int((temps.index.year == 1989).sum())
mean, std = values[:n_train].mean(), values[:n_train].std()  # training years only
LOOKBACK, STEPS = 30, 7
X, Y = data.make_windows((values - mean) / std, lookback=LOOKBACK, horizon=STEPS)
first_target = np.arange(len(X)) + LOOKBACK  # index of each window's first target day
part = np.where(
    first_target + STEPS - 1 < n_train,
    "train",
    np.where(
        first_target >= n_train + n_val,
        "test",
        np.where(first_target >= n_train, "val", "-"),
    ),
)
windows_by = {p: (X[part == p], Y[part == p]) for p in ("train", "val", "test")}
truth = Y[part == "test"] * std + mean  # (days, 7) in °C
print({p: len(w[0]) for p, w in windows_by.items()})

# %% [markdown]
# Three baselines: **naive** (tomorrow, and every day of the next week, as cold as
# today), **seasonal naive** (the same day last year), and **climatology**, the mean
# of the same calendar day over the training years, which is what "knowing the season but
# not the weather" gives.

# %%
days = first_target[part == "test"][:, None] + np.arange(STEPS)  # (windows, 7) day index
day_of_year = temps.index.day_of_year.to_numpy()
climate = pd.Series(values[:n_train]).groupby(day_of_year[:n_train]).mean()
temp_forecasts = {
    "naive": np.repeat(values[days[:, :1] - 1], STEPS, axis=1),
    "seasonal_naive": values[days - 365],
    "climatology": climate.reindex(day_of_year[days].ravel())
    .to_numpy()
    .reshape(days.shape),
}


# %% [markdown]
# Now the networks. A **one-step** model predicts tomorrow. For a week ahead there are
# three strategies:
#
# * **recursive**: apply the one-step model seven times, feeding each prediction back in
#   as if it were an observation (errors compound);
# * **direct**: one model with seven outputs, one per day ahead (what
#   {func}`seqlib.torch_models.regressor` does with `horizon=7`);
# * **encoder–decoder**: an LSTM reads the 30 days into a state, and a second LSTM
#   unrolls that state for seven steps, one output per step {cite}`cho2014learning`.

# %%
def fit_temps(model, horizon, seed=0):
    (Xt, Yt), (Xv, Yv) = windows_by["train"], windows_by["val"]
    return train.fit(
        model,
        (Xt, Yt[:, :horizon]),
        (Xv, Yv[:, :horizon]),
        epochs=40,
        lr=3e-3,
        batch_size=64,
        loss="mae",
        patience=5,
        seed=seed,
        progress=False,
    )


def in_celsius(model, X):
    return train.predict(model, X) * std + mean


X_test = windows_by["test"][0]
one_step = {}
for cell in ("lstm", "gru"):
    set_seed(0)
    one_step[cell] = torch_models.regressor(1, 1, cell=cell, hidden=32)
    fit_temps(one_step[cell], 1)

# Recursive: feed each forecast back into the window.
window, recursive = X_test.copy(), []
for _ in range(STEPS):
    tomorrow = train.predict(one_step["lstm"], window)  # (windows, 1), scaled
    recursive.append(tomorrow[:, 0])
    window = np.concatenate([window[:, 1:], tomorrow[:, :, None]], axis=1)
temp_forecasts["lstm_recursive_torch"] = np.stack(recursive, axis=1) * std + mean

# Direct: seven outputs.
set_seed(0)
direct = torch_models.regressor(1, STEPS, cell="lstm", hidden=32)
fit_temps(direct, STEPS)
temp_forecasts["lstm_direct_torch"] = in_celsius(direct, X_test)


class EncoderDecoder(torch.nn.Module):
    """Encode the window with an LSTM; unroll a decoder LSTM for `steps` outputs."""

    def __init__(self, hidden=32, steps=STEPS):
        super().__init__()
        self.steps = steps
        self.encoder = torch.nn.LSTM(1, hidden, batch_first=True)
        self.decoder = torch.nn.LSTM(1, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)

    def forward(self, x):  # x: (batch, lookback, 1)
        _, state = self.encoder(x)
        step_input, outputs = x[:, -1:], []  # start from the last observed value
        for _ in range(self.steps):
            out, state = self.decoder(step_input, state)
            step_input = self.head(out)  # (batch, 1, 1): this step's forecast
            outputs.append(step_input[:, 0])
        return torch.cat(outputs, dim=1)  # (batch, steps)


set_seed(0)
encoder_decoder = EncoderDecoder()
fit_temps(encoder_decoder, STEPS)
temp_forecasts["lstm_encoder_decoder_torch"] = in_celsius(encoder_decoder, X_test)

# The one-step models and a Keras GRU, all predicting tomorrow only.
for cell in ("lstm", "gru"):
    temp_forecasts[f"{cell}_torch"] = in_celsius(one_step[cell], X_test)
set_seed(0)
keras_gru = keras_models.regressor(1, 1, cell="gru", hidden=32)
keras_gru.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")
stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
(Xt, Yt), (Xv, Yv) = windows_by["train"], windows_by["val"]
keras_gru.fit(
    Xt,
    Yt[:, :1],
    validation_data=(Xv, Yv[:, :1]),
    epochs=40,
    batch_size=64,
    verbose=0,
    callbacks=[stop],
)
temp_forecasts["gru_keras"] = keras_gru.predict(X_test, verbose=0) * std + mean

# %%
rows = {}
for name, f in temp_forecasts.items():
    f = np.asarray(f)
    row = {"tomorrow": metrics.mae(truth[:, 0], f[:, 0])}
    if f.shape[1] == STEPS:
        row["days 1-7"] = metrics.mae(truth, f)
        row["day 7"] = metrics.mae(truth[:, -1], f[:, -1])
    rows[name] = row
temp_scores = pd.DataFrame(rows).T
glue("temp_naive_1", f"{temp_scores.loc['naive', 'tomorrow']:.2f}")
glue("temp_lstm_1", f"{temp_scores.loc['lstm_torch', 'tomorrow']:.2f}")
glue("temp_clim_7", f"{temp_scores.loc['climatology', 'days 1-7']:.2f}")
glue("temp_direct_7", f"{temp_scores.loc['lstm_direct_torch', 'days 1-7']:.2f}")
temp_scores.round(2)

# %% tags=["remove-cell"]
for name in ("lstm_torch", "gru_torch", "gru_keras"):
    assert temp_scores.loc[name, "tomorrow"] < temp_scores.loc["naive", "tomorrow"]
    assert temp_scores.loc[name, "tomorrow"] < temp_scores.loc["climatology", "tomorrow"]
assert (
    temp_scores.loc["lstm_direct_torch", "days 1-7"] < temp_scores.loc["naive", "days 1-7"]
)

# %% tags=["results"]
results(
    "daily-min-temperatures",
    "mae",
    "test",
    temp_scores["tomorrow"].to_dict(),
    mae_days_1_7=temp_scores["days 1-7"].dropna().to_dict(),
)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
by_day = {
    name: np.mean(np.abs(truth - np.asarray(f)), axis=0)
    for name, f in temp_forecasts.items()
    if np.asarray(f).shape[1] == STEPS
}
for name, errors in by_day.items():
    axes[0].plot(np.arange(1, STEPS + 1), errors, "o-", label=name)
axes[0].set(xlabel="days ahead", ylabel="MAE (°C)", title="Error by forecast horizon, 1990")
axes[0].legend(fontsize=8, loc="center right")
span = slice(150, 240)
plots.forecast(
    truth[span, 0],
    {
        "LSTM, 1 day ahead": temp_forecasts["lstm_torch"][span, 0],
        "climatology": temp_forecasts["climatology"][span, 0],
    },
    index=temps.index[days[span, 0]],
    ax=axes[1],
    xlabel="date",
    ylabel="minimum temperature (°C)",
    title="Winter 1990: one-step forecasts",
)
fig.autofmt_xdate()
fig.tight_layout()

# %% [markdown]
# Tomorrow's minimum is forecast with an MAE of {glue:text}`temp_lstm_1` °C by the LSTM,
# against {glue:text}`temp_naive_1` °C for "same as today": the networks use both
# yesterday's weather and where in the year we are. A week ahead, every method drifts
# toward climatology ({glue:text}`temp_clim_7` °C over days 1–7, against
# {glue:text}`temp_direct_7` °C for the direct LSTM): beyond a couple of days the
# weather in a 30-day window says little about next week, and the best forecast is close
# to the seasonal average. The three multi-step strategies end up close to one another
# here; the recursive one is the only one that needs a single model, the direct one avoids
# feeding errors back, and the encoder–decoder produces the week step by step with a
# learned state.
#
# ## Sunspots: one solar cycle ahead
#
# Forecasting 11 years of sunspots at once is hard: the cycle's length and height vary.
# Training, validation and test periods are those of {ref}`ch-better` (test 1979–2008);
# each test window is forecast from the 30 years before it, at 20 forecast origins.

# %%
spots = datasets.load("sunspots").to_numpy()
n_tr, n_va, HS = len(spots) - 60, 30, 11
s_mean, s_std = spots[:n_tr].mean(), spots[:n_tr].std()
Xs, Ys = data.make_windows((spots - s_mean) / s_std, lookback=30, horizon=HS)
start = np.arange(len(Xs)) + 30
is_tr, is_va = start + HS - 1 < n_tr, (start >= n_tr) & (start + HS - 1 < n_tr + n_va)
is_te = start >= n_tr + n_va
spot_truth = Ys[is_te] * s_std + s_mean
origins = start[is_te]
spot_forecasts = {
    "naive": np.stack([baselines.naive(spots[:o], HS) for o in origins]),
    "seasonal_naive": np.stack(
        [baselines.seasonal_naive(spots[:o], HS, 11) for o in origins]
    ),
    "ar9": np.stack([baselines.arima(spots[:o], HS, (9, 0, 0)) for o in origins]),
}
for cell in ("lstm", "gru"):
    set_seed(0)
    model = torch_models.regressor(1, HS, cell=cell, hidden=32)
    train.fit(
        model,
        (Xs[is_tr], Ys[is_tr]),
        (Xs[is_va], Ys[is_va]),
        epochs=200,
        lr=3e-3,
        batch_size=32,
        loss="mae",
        patience=20,
        progress=False,
    )
    spot_forecasts[f"{cell}_torch"] = train.predict(model, Xs[is_te]) * s_std + s_mean
set_seed(0)
keras_spots = keras_models.regressor(1, HS, hidden=32)
keras_spots.compile(optimizer=keras.optimizers.Adam(3e-3), loss="mae")
stop = keras.callbacks.EarlyStopping(patience=20, restore_best_weights=True)
keras_spots.fit(
    Xs[is_tr],
    Ys[is_tr],
    validation_data=(Xs[is_va], Ys[is_va]),
    epochs=200,
    batch_size=32,
    verbose=0,
    callbacks=[stop],
)
spot_forecasts["lstm_keras"] = keras_spots.predict(Xs[is_te], verbose=0) * s_std + s_mean
spot_scores = pd.Series(
    {name: metrics.mae(spot_truth, f) for name, f in spot_forecasts.items()},
    name="MAE, 1-11 years ahead",
)
glue("spots_ar", f"{spot_scores['ar9']:.1f}")
glue("spots_rnn", f"{spot_scores[['lstm_torch', 'gru_torch', 'lstm_keras']].min():.1f}")
spot_scores.round(1)

# %% tags=["remove-cell"]
assert spot_scores["ar9"] < spot_scores[["lstm_torch", "gru_torch", "lstm_keras"]].min()
assert spot_scores[["lstm_torch", "gru_torch", "lstm_keras"]].min() < spot_scores["naive"]

# %% tags=["results"]
results("sunspots", "mae", "test", spot_scores.to_dict())

# %% [markdown]
# Here the statistical model wins: an autoregression of order 9, refitted at each origin,
# has an MAE of {glue:text}`spots_ar` over the next 11 years, against
# {glue:text}`spots_rnn` for the best recurrent network. With about 200 training windows
# of one series, the networks cannot learn the cycle's dynamics better than nine linear
# coefficients fitted by maximum likelihood, and they have far more parameters to
# overfit with. When a baseline wins, the honest report says so; the recurrent networks
# earn their cost with more data ({ref}`ch-m4`) or with inputs that linear models handle
# badly ({ref}`ch-text`, {ref}`ch-speech`).
#
# ## The article's stock example: a random walk
#
# The article "predicts stock prices" with data it generates itself:
# `np.cumsum(np.random.rand(1000) * 100)`. Each day adds a uniform random amount between
# 0 and 100, so the "price" rises every single day, from about 50 to about 50,000. Its
# training code then shifts the series by one day and fits the model with the same array
# as input *and* target, `model.fit(train_data, train_data)`: the model is asked to
# reproduce its input. Whatever it learns, it is not forecasting.
#
# The sound version of the question is the classic one: can a network forecast a
# **random walk**, a series whose daily changes are independent noise? (That is the
# simplest model of a stock price.) Theory says no: the best forecast of tomorrow is
# today's value, the naive forecast, and nothing in the past changes that. Let us check.

# %%
rng = np.random.default_rng(0)
walk = 100 + np.cumsum(rng.normal(size=1500))  # a random walk around 100
Xw, Yw = data.make_windows(walk, lookback=20)
Xw_rel, Yw_rel = Xw - Xw[:, -1:], Yw - Xw[:, -1, :]  # relative to the last value
split_tr, split_va = 1000, 1200
set_seed(0)
walk_model = torch_models.regressor(1, 1, hidden=32)
train.fit(
    walk_model,
    (Xw_rel[:split_tr], Yw_rel[:split_tr]),
    (Xw_rel[split_tr:split_va], Yw_rel[split_tr:split_va]),
    epochs=50,
    lr=3e-3,
    batch_size=64,
    loss="mae",
    patience=5,
    progress=False,
)
walk_lstm = Xw[split_va:, -1, 0] + train.predict(walk_model, Xw_rel[split_va:])[:, 0]
walk_naive = Xw[split_va:, -1, 0]
walk_truth = Yw[split_va:, 0]
walk_scores = {
    "naive": metrics.mae(walk_truth, walk_naive),
    "lstm_torch": metrics.mae(walk_truth, walk_lstm),
}
glue("walk_naive", f"{walk_scores['naive']:.3f}")
glue("walk_lstm", f"{walk_scores['lstm_torch']:.3f}")
walk_scores

# %% tags=["remove-cell"]
assert walk_scores["lstm_torch"] > 0.97 * walk_scores["naive"]

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
plots.forecast(
    walk_truth[:100],
    {"LSTM, one day ahead": walk_lstm[:100]},
    ax=axes[0],
    xlabel="test day",
    ylabel="value",
    title="Looks like a good forecast...",
)
lags = np.arange(-3, 4)
change_truth, change_lstm = np.diff(walk_truth), np.diff(walk_lstm)
n_changes = len(change_truth)
corr = [
    np.corrcoef(change_truth[3 : n_changes - 3], change_lstm[3 + k : n_changes - 3 + k])[
        0, 1
    ]
    for k in lags
]
axes[1].bar(lags, corr)
axes[1].set(
    xlabel="shift of the forecast (days)",
    ylabel="correlation of daily changes",
    title="...but it is yesterday's value, shifted",
)
fig.tight_layout()

# %% [markdown]
# The LSTM's one-day-ahead forecast traces the walk closely, and a plot like the one on
# the left is what many tutorials present as success. But its error,
# {glue:text}`walk_lstm`, is no better than the naive forecast's, {glue:text}`walk_naive`:
# the network has learned to output (almost) the last value. The right panel shows it:
# the forecast's daily changes correlate with the *previous* day's changes of the series,
# not with the day being forecast. A one-step forecast of any slowly moving series looks
# good on a plot at this scale; only a comparison with the naive baseline tells whether
# anything was forecast.
#
# ## What the article got wrong in §6 (time series)
#
# ```{list-table}
# :header-rows: 1
# :widths: 40 60
#
# * - The article
#   - Corrected, and shown above
# * - LSTM and GRU "perform excellently" at forecasting stock prices, weather and traffic.
#   - No baseline, no number. Measured: they beat naive forecasts on temperatures, are in
#     the league of ARIMA and ETS on one airline series, lose to an autoregression on
#     sunspots, and cannot beat the naive forecast on a random walk.
# * - "Stock prices" generated as `np.cumsum(np.random.rand(days) * 100)`.
#   - A series that rises every day by a uniform random amount; the naive forecast (plus
#     the average step) is optimal for it.
# * - Training with `model.fit(train_data, train_data)` after shifting by one day.
#   - Input equals target: the model is taught the identity, not a forecast.
# * - `.reshape(-1, 1)`: the LSTM is fed a 2-D array of shape (800, 1).
#   - An LSTM reads `(samples, time, features)`. Keras 3 adds the missing time axis without
#     a warning, so every day becomes a sequence of one step, and nothing is left for the
#     recurrence to do; the windows above give each forecast a real past.
# * - A plot of predictions against the data as evidence.
#   - A one-step forecast that copies yesterday looks excellent on a plot; compare errors
#     with the naive forecast.
# * - The plot: `plt.plot(train_data[:-1])` and `plt.plot(test_data, predictions)` over
#     `plt.plot(data)`.
#   - Neither line is aligned with the data. The first draws the shifted training input (a
#     0, then each price one day late) over days 0 to 798; the second puts the test values,
#     not the days 800 to 999, on the x-axis. Plot forecasts against the dates they are for,
#     as the figures above do.
# ```
#
# ## Exercises
#
# ````{exercise}
# :label: ex-forecast-seeds
#
# Refit the airline LSTM with seeds 0 to 4 (`fit_air("lstm", seasons, seed=k)`) and report
# the mean and spread of its test MAE. Does its ranking against the airline ARIMA survive?
# ````
#
# ````{solution} ex-forecast-seeds
# :class: dropdown
#
# ```python
# seasons = int(best.loc["lstm", "years per window"])
# forecasts = [global_forecast.forecast_global(fit_air("lstm", seasons, k), [y_train])[0]
#              for k in range(5)]
# maes = [metrics.mae(y_test, f) for f in forecasts]
# print(np.mean(maes), np.std(maes), air_scores.loc["arima", "MAE"])
# ```
#
# The spread across seeds is several thousand passengers: on one series and one test
# period, conclusions about which model is better are fragile. Averaging the forecasts of
# several seeds (an ensemble) is a cheap way to reduce that variance.
# ````
#
# ````{exercise}
# :label: ex-forecast-drift
#
# For the article's series `np.cumsum(rng.random(1000) * 100)`, compare the naive forecast
# with "naive plus the average daily step in the training data". Which is better, and by
# how much?
# ````
#
# ````{solution} ex-forecast-drift
# :class: dropdown
#
# ```python
# price = np.cumsum(np.random.default_rng(0).random(1000) * 100)
# steps = np.diff(price[:800]).mean()
# naive = price[799:-1]
# print(metrics.mae(price[800:], naive), metrics.mae(price[800:], naive + steps))
# ```
#
# The daily step is uniform on (0, 100): the naive forecast is off by 50 on average, the
# drift-corrected one by 25, the mean absolute deviation of a uniform variable around its
# mean. No model can do better, because the steps are independent.
# ````
#
# ````{exercise}
# :label: ex-forecast-temps-features
#
# Add the day of the year to the temperature windows as two extra features,
# $\sin(2\pi d/365.25)$ and $\cos(2\pi d/365.25)$, and refit the one-step LSTM. Does the
# seven-day forecast get closer to climatology, or better than it?
# ````
#
# ````{solution} ex-forecast-temps-features
# :class: dropdown
#
# Stack the scaled temperatures with the two seasonal features into a `(time, 3)` array,
# make windows with {func}`seqlib.data.make_windows` (targets then have 3 features: keep
# the first), and build the regressor with `n_features=3`. The calendar tells the network
# where in the year each window lies even when the last 30 days were unusual, which helps
# mostly at longer horizons, where the forecast must fall back on the season.
# ````
