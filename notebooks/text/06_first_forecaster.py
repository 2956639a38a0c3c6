# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-first-forecaster)=
# # Your first LSTM forecaster
#
# By the end of this chapter you will be able to turn a series into training examples,
# train the same small LSTM forecaster in Keras and in PyTorch, and judge its forecasts
# against simple baselines. The chapter answers the original article's first hands-on
# example (§5.2), which trains a two-layer LSTM to continue the sequence 1, 2, …, 10. It is
# a good first exercise, and its code is short, but it does not do what its text says: it
# trains on nothing. We run it as written, find out why, and then do the exercise properly,
# in both frameworks, on the same data. The last part asks what a model can learn from ten
# numbers at all.

# %%
from seqlib.reproducibility import set_seed, setup

setup(frameworks=("torch", "keras"))  # chapter 5

import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LinearRegression

from seqlib import data, torch_models, train
from seqlib.report import glue

# %% [markdown]
# ## The article's code, as written
#
# Here is the article's data preparation and model, with only the imports changed from
# `tensorflow.keras` to `keras` (in Keras 3 they are the same package):

# %% tags=["nbval-check-output"]
sequence = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
X, y = sequence[:-1], sequence[1:]
print("sequence:", sequence.shape, " X:", X.shape, " y:", y.shape)

# %% [markdown]
# `sequence` is a 2-D array with **one row** of ten numbers, shape `(1, 10)`. Slicing with
# `[:-1]` and `[1:]` cuts along the first axis, the rows: "all rows but the last" of a
# one-row array is no rows at all. `X` and `y` are empty. The comment in the article says
# the intent was "the first n−1 elements as input, the last as output", which would have
# needed `sequence[0, :-1]`; but even then the shapes would not fit the model:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    model = keras.Sequential()
    model.add(keras.layers.LSTM(units=50, return_sequences=True,
                                input_shape=(1, 1)))
    model.add(keras.layers.LSTM(units=50))
    model.add(keras.layers.Dense(1))
    model.compile(optimizer="adam", loss="mean_squared_error")
    history = model.fit(X, y, epochs=100, batch_size=1, verbose=0)
print("training history:", history.history)
for message in dict.fromkeys(str(w.message).split(".")[0] for w in caught):
    print("warning:", message)

# %% [markdown]
# Keras ran "100 epochs" over zero examples: not one gradient step was taken, the history
# is empty, and the only signs are two warnings. The article then predicts on the same `X`:

# %% tags=["raises-exception"]
model.predict(X, verbose=0)

# %% [markdown]
# and gets an error that does not even say what is wrong. Three problems hide in six lines:
#
# 1. **The slicing** cuts rows instead of {term}`time steps <Time step (时间步)>`, leaving empty arrays.
# 2. **The shapes.** `input_shape=(1, 1)` declares sequences of *one* time step with one
#    feature. A recurrent layer wants `(batch, time, features)`; with one time step there is
#    nothing to recur over, and the LSTM is an expensive way to write a small feed-forward
#    network.
# 3. **The evaluation.** Predicting on the training inputs measures memory, not
#    forecasting. A forecast must be tested on data the model has not seen.
#
# ## Windows: how a series becomes training examples
#
# The standard way to turn one series into many examples is a
# **{term}`sliding window <Sliding window (滑动窗口)>`**: each
# example takes `lookback` consecutive values as input and the value that follows as the
# target. {func}`seqlib.data.make_windows` does this and returns `X` as
# `(examples, lookback, features)`, ready for a recurrent layer:

# %% tags=["nbval-check-output"]
series = np.arange(1.0, 11.0)  # 1, 2, ..., 10
X, y = data.make_windows(series, lookback=3, horizon=1)
print("X:", X.shape, " y:", y.shape)
pd.DataFrame({"input window": [list(w[:, 0]) for w in X], "target": y[:, 0]})

# %% [markdown]
# Ten values give seven windows of three. We keep the last two for testing (targets 9 and
# 10) and train on the first five (targets 4 to 8). Neural networks train best on inputs of
# order one, so we {term}`standardise <Normalisation and standardisation (归一化, 标准化)>` with the mean and standard deviation of the values the
# model may see in training, 1 to 8; the test targets never touch the scaling.

# %% tags=["nbval-check-output"]
X_train, y_train, X_test, y_test = X[:5], y[:5], X[5:], y[5:]
mean, std = series[:8].mean(), series[:8].std()


def scale(a):
    return (a - mean) / std


def unscale(a):
    return a * std + mean


print(f"mean {mean:.2f}, std {std:.2f}; test targets {y_test.ravel()}")

# %% [markdown]
# ## A Keras model
#
# The article's architecture, declared with an explicit `Input` of shape
# `(lookback, features) = (3, 1)`:

# %%
set_seed(0)
keras_model = keras.Sequential(
    [
        keras.Input(shape=(3, 1)),
        keras.layers.LSTM(50, return_sequences=True),
        keras.layers.LSTM(50),
        keras.layers.Dense(1),
    ]
)
adam = keras.optimizers.Adam(learning_rate=0.01)
keras_model.compile(optimizer=adam, loss="mse")
keras_history = keras_model.fit(
    scale(X_train), scale(y_train), epochs=200, batch_size=5, verbose=0
)
keras_test = unscale(keras_model.predict(scale(X_test), verbose=0))
print(f"final training loss {keras_history.history['loss'][-1]:.5f}")
print("test predictions:", keras_test.ravel().round(2))
print("truth:           ", y_test.ravel())


# %% [markdown]
# ## The same model in PyTorch
#
# PyTorch asks for the model and the training loop to be written out. The model is the
# same stack, two LSTM layers of 50 units and a linear head on the last hidden state; the
# loop is the one every PyTorch program has: for each epoch, for each batch, compute the
# loss, backpropagate, step the optimiser. This is the loop that
# {func}`seqlib.train.fit` wraps (with shuffling, early stopping and a progress bar) for the
# rest of the book.

# %%
class Forecaster(torch.nn.Module):
    def __init__(self, hidden=50):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, hidden, num_layers=2, batch_first=True)
        self.head = torch.nn.Linear(hidden, 1)

    def forward(self, x):  # x: (batch, time, features)
        outputs, _ = self.lstm(x)  # outputs: (batch, time, hidden)
        last = outputs[:, -1]  # the last step's hidden state: (batch, hidden)
        return self.head(last)  # (batch, 1)


set_seed(0)
torch_model = Forecaster()
optimizer = torch.optim.Adam(torch_model.parameters(), lr=0.01)
inputs = torch.tensor(scale(X_train), dtype=torch.float32)
targets = torch.tensor(scale(y_train), dtype=torch.float32)
for _ in range(200):  # epochs; the five windows form one batch
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(torch_model(inputs), targets)
    loss.backward()
    optimizer.step()

with torch.no_grad():
    torch_test = unscale(
        torch_model(torch.tensor(scale(X_test), dtype=torch.float32)).numpy()
    )
print(f"final training loss {loss.item():.5f}")
print("test predictions:", torch_test.ravel().round(2))
print("truth:           ", y_test.ravel())

# %% [markdown]
# `seqlib`'s builder makes the same model in one line, and `fit` trains it with the same
# settings; with the same seed it reproduces the hand-written loop's predictions exactly:

# %%
set_seed(0)
library_model = torch_models.regressor(
    n_features=1, horizon=1, hidden=50, layers=2
)
history = train.fit(
    library_model, (scale(X_train), scale(y_train)),
    epochs=200, lr=0.01, batch_size=5, progress=False,
)  # fmt: skip
library_test = unscale(train.predict(library_model, scale(X_test)))
print("test predictions:", library_test.ravel().round(2))

# %% [markdown]
# ## Baselines
#
# How good are predictions of about 9 and 10? Compare with two {term}`baselines <Baseline (基线)>`, models that need no
# training loop at all: the **{term}`naive <Naive and seasonal naive forecast (朴素预测, 季节性朴素预测)>`** forecast (the next value equals the last one) and a
# **linear regression** of the target on the three inputs (scikit-learn's
# `LinearRegression`), fitted on the same five training windows.

# %%
linear = LinearRegression().fit(X_train[:, :, 0], y_train[:, 0])
forecasts = {
    "naive (last value)": X_test[:, -1, 0],
    "linear regression": linear.predict(X_test[:, :, 0]),
    "LSTM, Keras": keras_test.ravel(),
    "LSTM, PyTorch": torch_test.ravel(),
}
truth_test = y_test.ravel()
test_mae = {
    name: np.mean(np.abs(f - truth_test)) for name, f in forecasts.items()
}
pd.DataFrame({"forecast of 9, 10": [np.round(f, 2) for f in forecasts.values()],
              "test MAE": list(test_mae.values())},
             index=list(forecasts))  # fmt: skip

# %% [markdown]
# The LSTMs beat the naive forecast on the two test values, and the linear regression is
# exact: the sequence *is* linear. That is already a lesson: on a straight line, a straight
# line wins. The more interesting question is what happens further out.
#
# ## What can a model learn from ten numbers?
#
# Give each model windows it has never seen, starting beyond anything in training:
# `[8, 9, 10]`, then `[13, 14, 15]`, `[18, 19, 20]` and `[48, 49, 50]`. The right answers
# are 11, 16, 21 and 51.

# %%
probes = np.array(
    [[8, 9, 10], [13, 14, 15], [18, 19, 20], [48, 49, 50]], dtype=float
)
truth = probes[:, -1] + 1
probe_inputs = scale(probes[:, :, None])  # (4, 3, 1)
keras_far = keras_model.predict(probe_inputs, verbose=0)
torch_far = train.predict(library_model, probe_inputs)
far = pd.DataFrame(
    {
        "truth": truth,
        "linear regression": linear.predict(probes),
        "LSTM, Keras": unscale(keras_far).ravel(),
        "LSTM, PyTorch": unscale(torch_far).ravel(),
    },
    index=["[8, 9, 10]", "[13, 14, 15]", "[18, 19, 20]", "[48, 49, 50]"],
)
far.round(2)

# %% tags=["remove-cell"]
glue("far_keras", f"{far['LSTM, Keras'].iloc[-1]:.1f}")
glue("far_torch", f"{far['LSTM, PyTorch'].iloc[-1]:.1f}")

# %% tags=["remove-cell"]
assert test_mae["linear regression"] < 1e-6
assert (
    max(test_mae["LSTM, Keras"], test_mae["LSTM, PyTorch"]) < test_mae["naive (last value)"]
)
assert far["LSTM, Keras"].iloc[-1] < 25 and far["LSTM, PyTorch"].iloc[-1] < 25  # saturates

# %% mystnb={"figure": {"caption": "Forecasts for windows beyond the training range. The linear regression follows the line; both LSTMs flatten out once the inputs leave the range they were trained on (shaded).", "name": "fig-first-extrapolation"}} tags=["hide-input"]
fig, ax = plt.subplots(figsize=(8, 4))
ax.plot(truth, truth, "k--", label="truth (next value)")
ax.plot(truth, far["linear regression"], "o-", label="linear regression")
ax.plot(truth, far["LSTM, Keras"], "s-", label="LSTM, Keras")
ax.plot(truth, far["LSTM, PyTorch"], "^-", label="LSTM, PyTorch")
ax.axvspan(3.5, 8.5, color="tab:green", alpha=0.15,
           label="targets seen in training (4 to 8)")  # fmt: skip
ax.set(
    xlabel="true next value",
    ylabel="forecast",
    title="Forecasting beyond the training range",
)
ax.legend()
fig.tight_layout()

# %% [markdown]
# The linear model continues the line forever ({numref}`fig-first-extrapolation`). The LSTMs flatten out: asked to continue
# 48, 49, 50 they answer about {glue:text}`far_keras` (Keras) and {glue:text}`far_torch`
# (PyTorch). This is not a bug. Every unit's output passes through $\tanh$, which saturates
# for large inputs, and a network only learns a function where it has seen data: between 4
# and 8. Outside that range it extrapolates by whatever shape its saturated units happen to
# give. Two practical consequences follow for the rest of the book:
#
# * **Scale and difference series with a trend** so that the values a model must produce
#   stay in the range it was trained on (predict the change, or the ratio to a recent
#   level, instead of the raw value). {ref}`ch-m4` does exactly this.
# * **Always compare with simple baselines.** A model that cannot beat "the next value is
#   the last one" or a linear fit has not learned anything worth its cost.
#
# ```{admonition} Common pitfalls
# :class: dropdown
#
# * **Slicing the wrong axis.** `X, y = sequence[:-1], sequence[1:]` on a `(1, 10)` array
#   gives two empty arrays: Keras "trains" for 100 epochs without a single step and
#   `predict` fails. Make windows along the time axis
#   ({func}`seqlib.data.make_windows`) and print the shapes.
# * **Sequences of one step.** `input_shape=(1, 1)` gives the LSTM nothing to recur over.
#   Declare `keras.Input(shape=(lookback, features))`.
# * **Judging a model on its training inputs.** `model.predict(X)` on the data it was
#   fitted to measures memory. Hold out a test window, and compare with a naive forecast
#   and a linear fit.
# * **Expecting an LSTM to extrapolate a trend.** It fits the range it was trained on and
#   saturates outside it; difference or rescale a trending series.
#
# {ref}`app-errata` keeps the full list of the article's errors, with the fixes.
# ```
#
# ## Key takeaways
#
# * A recurrent layer reads arrays of shape `(batch, time, features)`; a series becomes
#   training examples through sliding windows of `lookback` steps and the value that
#   follows.
# * Fit the scaling on the training values only, and test on windows the model never saw.
# * Keras declares the model and trains it with `compile` and `fit`; PyTorch makes you
#   write the loop (zero the gradients, compute the loss, `backward`, `step`), which
#   {func}`seqlib.train.fit` wraps for the rest of the book.
# * Always score simple baselines on the same test windows: here a straight line is exact.
# * A network only learns a function where it has seen data: LSTMs flatten out beyond the
#   training range, so difference or rescale series with a trend.
#
# ## Exercises
#
# ````{exercise} ★ · 10 min · Longer and shorter windows
# :label: ex-first-lookback
#
# Change `lookback` to 1, 2 and 5 (adjusting the train/test split so that the test targets
# stay 9 and 10). How do the number of training windows, the training loss and the two test
# predictions change?
# ````
#
# ````{solution-start} ex-first-lookback
# :class: dropdown
# ````
#

# %%
for lookback in (1, 2, 5):
    Xl, yl = data.make_windows(series, lookback=lookback)
    Xl, yl = scale(Xl), scale(yl)  # the last two windows are the test
    set_seed(0)
    m = torch_models.regressor(n_features=1, horizon=1, hidden=50, layers=2)
    h = train.fit(m, (Xl[:-2], yl[:-2]), epochs=200, lr=0.01,
                  batch_size=len(Xl), progress=False)  # fmt: skip
    pred = unscale(train.predict(m, Xl[-2:])).ravel()
    print(f"lookback {lookback}: {len(Xl) - 2} training windows, "
          f"final loss {h.loss[-1]:.5f}, forecasts of 9, 10: {pred.round(2)}")

# %% [markdown]
# With `lookback=1` each example is a single number, the article's `input_shape=(1, 1)`
# done right: the model learns the map $x \mapsto x + 1$ on the training values and still
# forecasts close to 9 and 10. Longer windows leave fewer training windows (printed above),
# and the training loss falls close to zero for every choice. The recurrent structure buys
# nothing on this series: every window carries the same information, a straight line.
#
# ```{solution-end}
# ```
#
# ````{exercise} ★★ · 15 min · Forecast the change, not the value
# :label: ex-first-difference
#
# Train the PyTorch LSTM on the *differences* of the series (all equal to 1) and add the
# predicted difference to the last value. What does it forecast for `[48, 49, 50]` now?
# ````
#
# ````{solution-start} ex-first-difference
# :class: dropdown
# ````
#

# %%
diffs = np.diff(series)  # nine ones
Xd, yd = data.make_windows(diffs, lookback=2)
set_seed(0)
model_d = torch_models.regressor(1, hidden=16)
train.fit(model_d, (Xd, yd), epochs=200, lr=0.01, batch_size=8, progress=False)
steps = np.diff(probes, axis=1)[:, :, None]  # windows of differences (4, 2, 1)
with_diffs = probes[:, -1] + train.predict(model_d, steps).ravel()
print("forecasts:", with_diffs.round(2), " truth:", truth)

# %% tags=["remove-cell"]
assert np.abs(with_diffs - truth).max() < 0.5

# %% [markdown]
# The differences are constant, inside the training range for any window, so the
# forecast is close to right everywhere, 51 included. Differencing turns extrapolation into
# interpolation.
#
# ```{solution-end}
# ```
#
