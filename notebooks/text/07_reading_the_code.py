# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-reading-code)=
# # Reading the code
#
# The article's §5.3 explains its model in prose. This chapter reads the same model with
# code instead: every layer is called on a real batch so that its output shape is printed,
# not described; the parameter counts are derived and checked against `model.summary()`;
# and each training argument (`return_sequences`, `units`, the loss, the optimiser, the
# batch size) is changed once to see what it does.

# %%
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # Keras 3 runs on TensorFlow here
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float maths, fewer log lines
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up messages

import time

import keras
import numpy as np
import pandas as pd

from seqlib import data, datasets, torch_models
from seqlib.report import glue
from seqlib.reproducibility import set_seed, set_threads

set_threads(1)
set_seed(0)

# %% [markdown]
# ## The model, layer by layer
#
# This is the article's model with the input declared explicitly: windows of `lookback = 3`
# steps with one feature each.

# %% tags=["nbval-check-output"]
set_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(3, 1)),  # (time, features); the batch size is left open
        keras.layers.LSTM(50, return_sequences=True, name="lstm_1"),
        keras.layers.LSTM(50, name="lstm_2"),
        keras.layers.Dense(1, name="head"),
    ]
)
model.summary()

# %% [markdown]
# The summary lists output shapes with `None` for the batch size. To see them with
# numbers, push a batch of 4 windows through the layers one at a time:

# %% tags=["nbval-check-output"]
batch = np.random.default_rng(0).normal(size=(4, 3, 1)).astype("float32")
x = batch
print(f"{'input':8s} {tuple(x.shape)}   (batch, time, features)")
for layer in model.layers:
    x = layer(x)
    print(f"{layer.name:8s} {tuple(x.shape)}")

# %% [markdown]
# * **`lstm_1`** reads the window and, because of `return_sequences=True`, returns its
#   hidden state at *every* step: `(batch, 3, 50)`. That is a sequence again, which the next
#   recurrent layer needs as its input.
# * **`lstm_2`** has the default `return_sequences=False` and returns only its *last*
#   hidden state, `(batch, 50)`: a summary of the whole window.
# * **`head`**, a `Dense(1)` layer with no activation, maps those 50 numbers to one
#   forecast, `(batch, 1)`. No activation, because a forecast can be any real number.
#
# `units=50` is the size of the hidden state $h$ (and of the cell state $c$) of each
# layer: 50 numbers carried from step to step. It is also the size of every gate.
#
# ## `return_sequences` and `return_state`, checked
#
# The last hidden state is the same number whichever way it is asked for. A layer that
# returns the whole sequence and its final states shows it:

# %% tags=["nbval-check-output"]
lstm = model.get_layer("lstm_2")
sequence_input = model.get_layer("lstm_1")(batch)
full = keras.layers.LSTM(50, return_sequences=True, return_state=True)
full.build(sequence_input.shape)
full.set_weights(lstm.get_weights())  # the very same weights as lstm_2

outputs, h_T, c_T = full(sequence_input)
last = lstm(sequence_input)
print(
    "all steps:",
    tuple(outputs.shape),
    " final h:",
    tuple(h_T.shape),
    " final c:",
    tuple(c_T.shape),
)
print("outputs[:, -1] == final h:      ", np.allclose(outputs[:, -1], h_T))
print("return_sequences=False == final h:", np.allclose(last, h_T))


# %% [markdown]
# ## Counting the parameters
#
# {ref}`ch-ideas` derived the LSTM's parameter count, $4\left(h(h+d) + h\right)$ for $d$
# inputs and $h$ units. The first layer sees $d = 1$ feature per step; the second sees the
# first layer's 50 outputs per step; the head has one weight per unit plus a bias:

# %% tags=["nbval-check-output"]
def lstm_params(d, h):
    return 4 * (h * (h + d) + h)


by_hand = {"lstm_1": lstm_params(1, 50), "lstm_2": lstm_params(50, 50), "head": 50 + 1}
table = pd.DataFrame(
    {
        "by hand": by_hand,
        "Keras": {layer.name: layer.count_params() for layer in model.layers},
    }
)
table.loc["total"] = table.sum()
table

# %% tags=["remove-cell"]
assert (table["by hand"] == table["Keras"]).all()

# %% [markdown]
# The same architecture in PyTorch ({func}`seqlib.torch_models.regressor` with two layers)
# has 400 more: PyTorch keeps two bias vectors per gate, $4 \times 50$ extra numbers in
# each of the two layers.

# %% tags=["nbval-check-output"]
torch_model = torch_models.regressor(n_features=1, horizon=1, hidden=50, layers=2)
print(torch_model)
print("PyTorch parameters:", sum(p.numel() for p in torch_model.parameters()))
print("Keras parameters:  ", model.count_params())

# %% [markdown]
# Thirty thousand parameters to fit the article's nine pairs of numbers (seven windows in
# {ref}`ch-first-forecaster`): such a model can memorise its training data many times over,
# which is why it must be judged on data it has not seen.
#
# ## The loss
#
# `loss="mean_squared_error"` makes training minimise the average squared error. Squaring
# punishes large errors much more than small ones, and the best constant forecast under it
# is the *mean*; under the mean absolute error (`"mae"`) it is the *median*. On data with
# occasional large values the two disagree:

# %% tags=["nbval-check-output"]
values = np.array([1.0, 2.0, 2.0, 3.0, 12.0])
candidates = np.linspace(0, 12, 1201)
mse = [np.mean((values - c) ** 2) for c in candidates]
mae = [np.mean(np.abs(values - c)) for c in candidates]
print("best constant under MSE:", candidates[np.argmin(mse)], " (mean:", values.mean(), ")")
print(
    "best constant under MAE:",
    candidates[np.argmin(mae)],
    " (median:",
    np.median(values),
    ")",
)

# %% [markdown]
# Neither is "right"; choose the loss that matches how forecasts will be judged. The
# forecasting chapters report MAE (and the M4 chapter its own scaled errors), and often
# train on MAE too.
#
# ## The optimiser, the batch size and the epochs
#
# `optimizer="adam"` is Adam with Keras' default learning rate of 0.001. It adapts the step
# size of every weight to the recent size of its gradients, which makes it forgiving; the
# learning rate is still the first thing to tune.
#
# The article trains with `batch_size=1`: one weight update per example. Each update then
# follows a single, noisy example, and each one pays Keras' fixed cost per step. A
# measurement on the sunspot series (about 290 windows of 20 years) shows the cost of one
# epoch at different batch sizes:

# %%
sunspots = datasets.load("sunspots")
X, y = data.make_windows(sunspots.values / 100, lookback=20)


def seconds_per_epoch(batch_size):
    set_seed(0)
    m = keras.Sequential(
        [keras.Input((20, 1)), keras.layers.LSTM(32), keras.layers.Dense(1)]
    )
    m.compile(optimizer="adam", loss="mse")
    m.fit(
        X, y, epochs=1, batch_size=batch_size, verbose=0
    )  # the first epoch builds the graph
    start = time.perf_counter()
    m.fit(X, y, epochs=2, batch_size=batch_size, verbose=0)
    return (time.perf_counter() - start) / 2


epochs = pd.DataFrame(
    {"seconds per epoch": {b: seconds_per_epoch(b) for b in (1, 8, 32)}}
).rename_axis("batch size")
epochs["updates per epoch"] = [int(np.ceil(len(X) / b)) for b in epochs.index]
glue("epoch_ratio", f"{epochs.iloc[0, 0] / epochs.iloc[-1, 0]:.0f}")
epochs.round(3)

# %% [markdown]
# An epoch with `batch_size=1` took about {glue:text}`epoch_ratio` times as long as with
# 32, for updates that are each noisier. Batches of 16 to 64 are the usual choice for
# models of this size. An **epoch** is one pass over the training data; how many are
# needed is not known in advance, so later chapters stop training when the error on a
# validation split stops improving (*early stopping*, {ref}`ch-better`) instead of fixing
# `epochs=100`.
#
# ## What the article got wrong in §5.3
#
# ```{list-table}
# :header-rows: 1
# :widths: 40 60
#
# * - The article
#   - Corrected, and shown above
# * - The layers "learn the patterns and dependencies in the sequence".
#   - With the article's empty arrays nothing was learned ({ref}`ch-first-forecaster`); and
#     30,651 parameters for nine pairs of numbers can only memorise.
# * - The predictions "show the model's understanding and predictive ability".
#   - Predictions on training inputs show memory. Judge forecasts on held-out data against
#     a baseline.
# * - No mention of shapes.
#   - `(batch, time, features)` in, `(batch, time, units)` with `return_sequences=True`,
#     `(batch, units)` without; printed above for every layer.
# ```
#
# ## Exercises
#
# ````{exercise}
# :label: ex-reading-gru
#
# Replace both LSTM layers by GRU layers (Keras' default `reset_after=True`) and predict
# the parameter count of each layer before calling `summary()`.
# ````
#
# ````{solution} ex-reading-gru
# :class: dropdown
#
# A Keras GRU with `reset_after=True` has $3\left(h(h+d) + 2h\right)$ parameters:
# $3(50 \cdot 51 + 100) = 7950$ for the first layer and $3(50 \cdot 100 + 100) = 15300$ for
# the second; with the head's 51, the total is 23,301.
# ````
#
# ````{exercise}
# :label: ex-reading-validation-split
#
# Keras' `fit(..., validation_split=0.2)` holds out the *last* 20 % of the arrays, before
# any shuffling. Why is that the right behaviour for windows made from a time series, and
# when would it be wrong?
# ````
#
# ````{solution} ex-reading-validation-split
# :class: dropdown
#
# Windows made with {func}`seqlib.data.make_windows` are in time order, so the last 20 %
# are the most recent windows: validating on them imitates forecasting the future from
# the past. It would be wrong if the arrays had been shuffled first (the validation
# windows would then overlap training windows in time), or if the examples were
# independent sequences ordered by something other than time (for example sorted by
# class), where the last 20 % would not be representative.
# ````
