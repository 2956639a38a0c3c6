# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-reading-code)=
# # Reading the code
#
# By the end of this chapter you will be able to predict the shape of every array that
# flows through a recurrent model in Keras and in PyTorch, count its parameters by hand,
# and say what each training argument does. The chapter answers the original article's
# §5.3, which explains its model in prose; here the same model is read with code instead:
# every layer is called on a real batch so that its output shape is printed, not
# described; the parameter counts are derived and checked against `model.summary()`; and
# each training argument (`return_sequences`, `units`, the loss, the optimiser, the batch
# size) is changed once to see what it does.
#

# %%
from seqlib.reproducibility import set_seed, setup

setup(frameworks=("torch", "keras"))  # chapter 5

import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from seqlib import data, datasets, torch_models
from seqlib.report import glue

# %% [markdown]
# ## The model, layer by layer
#
# This is the article's model with the input declared explicitly: windows of `lookback = 3`
# steps with one feature each.

# %% tags=["nbval-check-output"]
set_seed(0)
model = keras.Sequential(
    [
        keras.Input(shape=(3, 1)),  # (time, features); any batch size
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
#   {term}`hidden state <Hidden state (隐藏状态)>` at *every* step: `(batch, 3, 50)`. That is a sequence again, which the next
#   recurrent layer needs as its input (a {term}`stacked <Stacked RNN (堆叠循环神经网络)>` network).
# * **`lstm_2`** has the default `return_sequences=False` and returns only its *last*
#   hidden state, `(batch, 50)`: a summary of the whole window.
# * **`head`**, a `Dense(1)` layer with no activation, maps those 50 numbers to one
#   forecast, `(batch, 1)`. No activation, because a forecast can be any real number.
#
# The two ways of using a recurrent layer's outputs have names. A **many-to-one** model
# reads a whole sequence and makes one prediction from the last hidden state: a forecast
# of the next value, the class of a review. A **many-to-many** model makes a prediction at
# every step, from every hidden state: a label per word, or the input of another recurrent
# layer, as `lstm_1` is here ({numref}`fig-many-to-one`).
#

# %% mystnb={"figure": {"caption": "Many-to-one against many-to-many. Both read four steps $x_1, \\dots, x_4$ and carry the state from box to box; the first returns only the last step's hidden state $h_4$ (one prediction per sequence), the second returns the hidden state of every step.", "name": "fig-many-to-one"}} tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
arrow = {"arrowstyle": "->", "color": "0.3"}
for ax, every_step in zip(axes, (False, True), strict=True):
    for t in range(4):
        box = plt.Rectangle((t - 0.3, 0.7), 0.6, 0.6, fc="#dbe9f6", ec="k")
        ax.add_patch(box)
        ax.text(t, 1.0, "LSTM", ha="center", va="center", fontsize=10)
        ax.annotate("", (t, 0.7), (t, 0.25), arrowprops=arrow)
        ax.text(t, 0.2, f"$x_{t + 1}$", ha="center", va="top", fontsize=12)
        if t < 3:
            ax.annotate("", (t + 0.7, 1.0), (t + 0.3, 1.0), arrowprops=arrow)
        if every_step or t == 3:
            label = f"$h_{t + 1}$"
            ax.annotate("", (t, 1.75), (t, 1.3), arrowprops=arrow)
            ax.text(t, 1.8, label, ha="center", va="bottom", fontsize=12)
    ax.set(xlim=(-0.6, 3.6), ylim=(-0.3, 2.3))
    ax.axis("off")
axes[0].set_title("many-to-one: one output per sequence\n"
                  "Keras: return_sequences=False; PyTorch: outputs[:, -1]")
axes[1].set_title("many-to-many: one output per step\n"
                  "Keras: return_sequences=True; PyTorch: outputs")
fig.tight_layout()

# %% [markdown]
# `units=50` is the size of the hidden state $h$ (and of the {term}`cell state <Cell state, memory cell (记忆单元, 细胞状态)>` $c$) of each
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


by_hand = {
    "lstm_1": lstm_params(1, 50),
    "lstm_2": lstm_params(50, 50),
    "head": 50 + 1,
}
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
torch_model = torch_models.regressor(
    n_features=1, horizon=1, hidden=50, layers=2
)
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
print("best constant under MSE:", candidates[np.argmin(mse)],
      " (mean:", values.mean(), ")")  # fmt: skip
print("best constant under MAE:", candidates[np.argmin(mae)],
      " (median:", np.median(values), ")")  # fmt: skip

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
    # the first epoch builds the graph: time the next two
    m.fit(X, y, epochs=1, batch_size=batch_size, verbose=0)
    start = time.perf_counter()
    m.fit(X, y, epochs=2, batch_size=batch_size, verbose=0)
    return (time.perf_counter() - start) / 2


epochs = pd.DataFrame(
    {"seconds per epoch": {b: seconds_per_epoch(b) for b in (1, 8, 32)}}
).rename_axis("batch size")
epochs["updates per epoch"] = [int(np.ceil(len(X) / b)) for b in epochs.index]
epochs.round(3)

# %% tags=["remove-cell"]
per_epoch = epochs["seconds per epoch"]
glue("epoch_ratio", f"{per_epoch.iloc[0] / per_epoch.iloc[-1]:.0f}")


# %% [markdown]
# An epoch with `batch_size=1` took about {glue:text}`epoch_ratio` times as long as with
# 32, for updates that are each noisier. Batches of 16 to 64 are the usual choice for
# models of this size. An **epoch** is one pass over the training data; how many are
# needed is not known in advance, so later chapters stop training when the error on a
# validation split stops improving (*{term}`early stopping <Early stopping (早停)>`*, {ref}`ch-better`) instead of fixing
# `epochs=100`.
#
# ```{admonition} Common pitfalls
# :class: dropdown
#
# * **Believing a model "learned the patterns" without checking.** With the article's
#   empty arrays nothing was learned ({ref}`ch-first-forecaster`), and 30,651 parameters
#   for nine pairs of numbers can only memorise. Judge forecasts on held-out data against a
#   baseline.
# * **Not knowing the shapes.** `(batch, time, features)` goes in; out comes
#   `(batch, time, units)` with `return_sequences=True` and `(batch, units)` without. Print
#   them, layer by layer, as above.
# * **Training with `batch_size=1`.** Each update follows one noisy example and pays the
#   fixed cost of a step; batches of 16 to 64 are the usual choice.
# * **A fixed number of epochs.** Stop when the validation error stops improving.
#
# {ref}`app-errata` keeps the full list of the article's errors, with the fixes.
# ```
#
# ## Key takeaways
#
# * Recurrent layers read `(batch, time, features)`. With `return_sequences=True` (Keras) or
#   the full `outputs` (PyTorch) they return every step's hidden state, `(batch, time,
#   units)`: many-to-many. Without it, only the last one, `(batch, units)`: many-to-one.
# * `units` is the size of the hidden state, of the cell state and of every gate.
# * An LSTM layer has $4\left(h(h+d) + h\right)$ parameters in Keras; PyTorch adds a second
#   bias, $4h$ more.
# * The loss decides what a forecast aims at: the mean under MSE, the median under MAE.
# * Batches of a few dozen examples train faster than `batch_size=1`, and early stopping
#   chooses the number of epochs.
#
# ## Exercises
#
# ````{exercise} ★ · 10 min · Count a GRU
# :label: ex-reading-gru
#
# Replace both LSTM layers by GRU layers (Keras' default `reset_after=True`) and predict
# the parameter count of each layer before calling `summary()`.
# ````
#
# ````{solution-start} ex-reading-gru
# :class: dropdown
# ````
#
# A Keras GRU with `reset_after=True` has $3\left(h(h+d) + 2h\right)$ parameters: three
# blocks of weights (update gate, reset gate, candidate), each with two bias vectors.
# Counted by hand and by Keras:
#

# %% tags=["nbval-check-output"]
def gru_params(d, h):
    return 3 * (h * (h + d) + 2 * h)


gru_model = keras.Sequential(
    [
        keras.Input(shape=(3, 1)),
        keras.layers.GRU(50, return_sequences=True, name="gru_1"),
        keras.layers.GRU(50, name="gru_2"),
        keras.layers.Dense(1, name="head"),
    ]
)
gru_by_hand = [gru_params(1, 50), gru_params(50, 50), 50 + 1]
for layer, count in zip(gru_model.layers, gru_by_hand, strict=True):
    print(f"{layer.name}: by hand {count}, Keras {layer.count_params()}")
print("total: by hand", sum(gru_by_hand), " Keras", gru_model.count_params())

# %% tags=["remove-cell"]
assert sum(gru_by_hand) == gru_model.count_params()

# %% [markdown]
# ```{solution-end}
# ```
#
# ````{exercise} ★★ · 10 min · The last 20 percent
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
#
# ````{exercise} ★★ · 20 min · Shape quiz
# :label: ex-reading-shapes
#
# A batch `x` of 32 sequences, 10 steps each, 8 features per step: `(32, 10, 8)`. Write
# down, without running anything, what each layer returns when called on it: the shape of
# the output, and of each state where one is returned. (`K` is `keras.layers`, `nn` is
# `torch.nn`; a PyTorch layer gets `x` as a tensor.)
#
# a. `K.LSTM(16)`
# b. `K.LSTM(16, return_sequences=True)`
# c. `K.GRU(16, return_state=True)`
# d. `K.LSTM(16, return_sequences=True, return_state=True)`
# e. `K.Bidirectional(K.LSTM(16))`
# f. `nn.LSTM(8, 16, batch_first=True)`
# g. `nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True)`
# h. `nn.LSTM(8, 16)`, the same `x`, without `batch_first`
# ````
#
# ````{solution-start} ex-reading-shapes
# :class: dropdown
# ````
#
# The answers, as nested tuples, each checked by calling the layer:
#

# %% tags=["nbval-check-output"]
import torch

K, nn = keras.layers, torch.nn
x = np.zeros((32, 10, 8), dtype="float32")  # (batch, time, features)


def shapes(out):
    """The shape of a tensor, or the shapes in a (nested) tuple or list."""
    if isinstance(out, tuple | list):
        return tuple(shapes(o) for o in out)
    return tuple(out.shape)


answers = {
    "a": (K.LSTM(16), (32, 16)),
    "b": (K.LSTM(16, return_sequences=True), (32, 10, 16)),
    "c": (K.GRU(16, return_state=True), ((32, 16), (32, 16))),
    "d": (K.LSTM(16, return_sequences=True, return_state=True),
          ((32, 10, 16), (32, 16), (32, 16))),
    "e": (K.Bidirectional(K.LSTM(16)), (32, 32)),
    "f": (nn.LSTM(8, 16, batch_first=True),
          ((32, 10, 16), ((1, 32, 16), (1, 32, 16)))),
    "g": (nn.GRU(8, 16, num_layers=2, bidirectional=True, batch_first=True),
          ((32, 10, 32), (4, 32, 16))),
    "h": (nn.LSTM(8, 16), ((32, 10, 16), ((1, 10, 16), (1, 10, 16)))),
}  # fmt: skip
for key, (layer, answer) in answers.items():
    inputs = torch.from_numpy(x) if isinstance(layer, nn.Module) else x
    got = shapes(layer(inputs))
    assert got == answer, (key, got, answer)
    print(f"{key}. {got}")

# %% [markdown]
# What to notice:
#
# * Keras returns the states after the output, as a list: `[output, h]` for a GRU,
#   `[output, h, c]` for an LSTM; the states have no time axis (c, d).
# * `Bidirectional` joins the forward and the backward layer's outputs: 16 + 16 = 32
#   features (e).
# * PyTorch always returns `(output, state)`, the state being `h_n` for a GRU and
#   `(h_n, c_n)` for an LSTM, and `output` always holds every step. A state has the shape
#   `(layers × directions, batch, units)`: its first axis is never the batch, even with
#   `batch_first=True` (f, g). In (g), `output` has 2 × 16 = 32 features and `h_n` 2 × 2 = 4
#   rows.
# * Without `batch_first=True`, PyTorch reads `(time, batch, features)`: the same array is
#   taken as 32 steps of a batch of 10. Nothing fails, and the model trains on nonsense
#   (h). The book sets `batch_first=True` everywhere.
#
# {ref}`app-cheatsheet` keeps these rules in two tables.
#
# ```{solution-end}
# ```
#
