# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-bptt)=
# # Backpropagation through time
#
# By the end of this chapter you will be able to derive the backward pass of an LSTM,
# check a hand-written gradient two ways, and train an LSTM with nothing but NumPy. It
# delivers what the article's abstract promises and never gives, a derivation of the model
# (数学模型推导).
#
# Frameworks compute gradients for us, but the gradient of a recurrent network is worth
# deriving once: it is where the vanishing-gradient problem of {ref}`ch-sequences` comes
# from, and where the LSTM's design pays off. This chapter derives the backward pass of
# the LSTM, checks the book's NumPy implementation ({mod}`seqlib.backprop`) against PyTorch's
# autograd and against finite differences, and then trains the NumPy LSTM from scratch
# on a small forecasting task.

# %%
from seqlib.reproducibility import setup

setup(frameworks=("torch",))  # chapter 5

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.linear_model import LinearRegression

from seqlib import backprop, cells, convert, data

# %% tags=["remove-cell"]
from seqlib.report import glue

# %% [markdown]
# ## Unrolling
#
# Run over $T$ steps, a recurrent layer is a deep feed-forward network with $T$ layers that
# all share the same weights. {term}`Backpropagation through time <Backpropagation through time, BPTT (随时间反向传播)>` (BPTT) {cite}`werbos1990backpropagation`
# is ordinary backpropagation on that unrolled network: walk the steps backwards, and add
# up each step's contribution to the gradient of the shared weights.
#
# For the LSTM, write $\delta v = \partial L / \partial v$ for any quantity $v$. At step
# $t$ the hidden state receives gradient from two places, the loss at step $t$ (if the
# output $h_t$ is used) and step $t+1$; the cell state only from step $t+1$ and from $h_t$.
# Going backwards through the six equations of {ref}`ch-gate-maths`:
#
# $$
# \begin{aligned}
# \delta h_t &= \frac{\partial L}{\partial h_t}\Big|_{\text{output}} + \delta h_t\Big|_{\text{from } t+1}\\
# \delta o_t &= \delta h_t \odot \tanh(c_t)\\
# \delta c_t &= \delta c_t\Big|_{\text{from } t+1} + \delta h_t \odot o_t \odot \left(1 - \tanh^2(c_t)\right)\\
# \delta f_t &= \delta c_t \odot c_{t-1}, \qquad
# \delta i_t = \delta c_t \odot \tilde{c}_t, \qquad
# \delta \tilde{c}_t = \delta c_t \odot i_t\\
# \delta c_{t-1}\Big|_{\text{from } t} &= \delta c_t \odot f_t
# \end{aligned}
# $$
#
# Then through each non-linearity to the pre-activations $a_g = W_g \cdot [h_{t-1}, x_t] +
# b_g$, using $\sigma' = \sigma(1 - \sigma)$ and $\tanh' = 1 - \tanh^2$:
#
# $$
# \delta a_f = \delta f_t \odot f_t (1 - f_t), \quad
# \delta a_i = \delta i_t \odot i_t (1 - i_t), \quad
# \delta a_c = \delta \tilde{c}_t \odot (1 - \tilde{c}_t^2), \quad
# \delta a_o = \delta o_t \odot o_t (1 - o_t),
# $$
#
# and finally to the weights and to the step's inputs, for each gate $g$:
#
# $$
# \delta W_g \mathrel{+}= \delta a_g^\top [h_{t-1}, x_t], \qquad
# \delta b_g \mathrel{+}= \textstyle\sum_{\text{batch}} \delta a_g, \qquad
# \delta [h_{t-1}, x_t] = \textstyle\sum_g \delta a_g W_g .
# $$
#
# The first $h$ entries of $\delta [h_{t-1}, x_t]$ are the gradient flowing into
# $h_{t-1}$; the rest are $\delta x_t$.
#
# Look at the line $\delta c_{t-1} = \delta c_t \odot f_t$. Along the cell state the gradient
# is multiplied by the forget gate and **nothing else**: no weight matrix, no derivative of a
# squashing function. The 1997 LSTM had no forget gate. Its cell fed back into itself with
# a fixed weight of 1, so the error passed back along the cell unchanged over any number of
# steps: the *constant error carousel* of Hochreiter and Schmidhuber
# {cite}`hochreiter1997lstm`. Gers, Schmidhuber and Cummins {cite}`gers2000forget`
# replaced that fixed 1 by the forget gate $f_t$, so that a cell can also clear itself. The
# carousel now turns only while $f_t$ stays near 1. With $f_t$ near 0.5 the gradient along
# the cell roughly halves every step, which is why an LSTM at PyTorch's default
# initialisation loses its gradient so fast ({ref}`ch-sequences` measures it).
#
# The book's implementation is these equations, one line each:
#
# ```{literalinclude} ../seqlib/backprop.py
# :pyobject: lstm_backward
# :start-at: for t in reversed(range(T)):
# :end-at: dx[:, t] = d_hx[:, H:]
# ```
#
# ## Checking the gradient
#
# A hand-written backward pass is easy to get subtly wrong, so we check it two ways. First
# against PyTorch: the same weights in a `torch.nn.LSTM` (in float64), the same loss, and
# autograd.

# %%
rng = np.random.default_rng(0)
batch, steps, features, hidden = 3, 12, 2, 4
x = rng.normal(size=(batch, steps, features))
h0, c0 = rng.normal(size=(2, batch, hidden)) * 0.5
params = cells.init_lstm(features, hidden, seed=1)
# the loss is sum(weights * outputs)
weights = rng.normal(size=(batch, steps, hidden))

ours = backprop.lstm_backward(x, params, d_outputs=weights, h0=h0, c0=c0)

module = convert.to_torch(params, dtype=torch.float64)
x_t = torch.tensor(x, requires_grad=True)
outputs, _ = module(x_t, (torch.tensor(h0)[None], torch.tensor(c0)[None]))
(outputs * torch.tensor(weights)).sum().backward()

# PyTorch stacks the gates as i, f, g, o and splits each W into an input
# and a hidden part.
W_ih, W_hh = module.weight_ih_l0.grad.numpy(), module.weight_hh_l0.grad.numpy()
f_rows = slice(hidden, 2 * hidden)  # the forget gate's block
torch_W_f = np.concatenate([W_hh[f_rows], W_ih[f_rows]], axis=1)
errors = {
    "dL/dx": np.abs(ours.x - x_t.grad.numpy()).max(),
    "dL/dW_f": np.abs(ours.params.W_f - torch_W_f).max(),
    "dL/db_f": np.abs(
        ours.params.b_f - module.bias_ih_l0.grad.numpy()[hidden : 2 * hidden]
    ).max(),
}
for name, error in errors.items():
    print(f"{name:8s} largest difference from autograd: {error:.1e}")

# %% tags=["remove-cell"]
assert max(errors.values()) < 1e-10


# %% [markdown]
# The differences are at the level of float64 rounding. The book's tests
# (`tests/test_backprop.py`) make the same comparison for every weight, for several shapes,
# and for the GRU in all four of its variants (reset gate before or after the product, either
# update convention).
#
# The second check needs no framework at all: nudge one weight by $\pm\varepsilon$, run the
# forward pass twice, and compare the change in the loss with the gradient,
# $\partial L / \partial w \approx (L(w + \varepsilon) - L(w - \varepsilon)) / 2\varepsilon$.

# %%
def loss_of(p):
    outputs, _, _ = cells.lstm(x, p, h0, c0)
    return np.sum(weights * outputs)


def nudged(p, name, index, step):
    array = getattr(p, name).copy()
    array[index] += step
    return cells.LSTMParams(**{**vars(p), name: array})


eps = 1e-6
for name, index in [
    ("W_f", (0, 0)),
    ("W_i", (1, 3)),
    ("W_c", (2, 5)),
    ("W_o", (3, 1)),
    ("b_o", 2),
]:
    numeric = (
        loss_of(nudged(params, name, index, eps))
        - loss_of(nudged(params, name, index, -eps))
    ) / (2 * eps)
    analytic = getattr(ours.params, name)[index]
    where = f"{name}{list(map(int, np.atleast_1d(index)))}"
    print(f"{where:10s} analytic {analytic:+.6f}   numeric {numeric:+.6f}")

# %% [markdown]
# ## Training the NumPy LSTM
#
# With a forward pass, a backward pass and an optimiser, we can train. The task: predict
# the next value of a noisy sum of two sine waves (periods 25 and 60 steps, noise with
# standard deviation 0.1) from the previous 30 values. We cut the series into windows
# with {func}`seqlib.data.make_windows` (the forecasting chapters use it throughout), keep
# the first 800 windows for training, skip 150, and use the last windows as the test set.

# %%
t = np.arange(1200)
series = np.sin(2 * np.pi * t / 25) + 0.5 * np.sin(2 * np.pi * t / 60)
series = series + 0.1 * rng.normal(size=t.size)

# X (n, 30, 1), y (n, 1)
X, y = data.make_windows(series, lookback=30, horizon=1)
X_train, y_train = X[:800], y[:800, 0]
X_test, y_test = X[950:], y[950:, 0]
print("train windows:", X_train.shape, " test windows:", X_test.shape)

# %% [markdown]
# The model is an LSTM with 16 hidden units followed by a linear read-out of its last
# hidden state, $\hat{y} = w \cdot h_T + b$, trained on the mean squared error. The forget
# gate's bias starts at 1, as Keras does. The optimiser is Adam, written out in full: for
# each parameter it keeps running averages of the gradient and of its square, and steps
# along their ratio.

# %%
HIDDEN = 16
init = cells.init_lstm(1, HIDDEN, seed=0)
model = {**vars(init), "b_f": np.ones(HIDDEN)}  # LSTM weights by name...
model["w"] = rng.normal(size=HIDDEN) * 0.1  # ...and the linear read-out
model["b"] = np.zeros(())
lstm_names = list(vars(init))


def predict(model, X):
    lstm_params = cells.LSTMParams(**{k: model[k] for k in lstm_names})
    _, h_T, _ = cells.lstm(X, lstm_params)
    return h_T @ model["w"] + model["b"], h_T


def gradients(model, X, y):
    prediction, h_T = predict(model, X)
    # d(mean squared error) / d(prediction)
    d_prediction = 2 * (prediction - y) / len(y)
    grads = {"w": h_T.T @ d_prediction, "b": d_prediction.sum()}
    lstm_grads = backprop.lstm_backward(
        X,
        cells.LSTMParams(**{k: model[k] for k in lstm_names}),
        d_outputs=np.zeros((len(X), X.shape[1], HIDDEN)),  # only h_T feeds L...
        d_h_T=np.outer(d_prediction, model["w"]),  # ...through the read-out
    )
    grads.update(vars(lstm_grads.params))
    return grads, np.mean((prediction - y) ** 2)


# %% [markdown]
# `gradients` returns the gradient of the loss for every weight, by name: the read-out's by
# hand, the LSTM's by {func}`seqlib.backprop.lstm_backward`. Adam then updates each weight
# from two running averages, of its gradient ($m$) and of its squared gradient ($v$), each
# corrected for starting at zero:

# %%
def adam(model, batches, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    m = {k: np.zeros_like(v) for k, v in model.items()}
    v = {k: np.zeros_like(v) for k, v in model.items()}
    losses = []
    for step, (X_batch, y_batch) in enumerate(batches, start=1):
        grads, loss = gradients(model, X_batch, y_batch)
        for k in model:
            m[k] = beta1 * m[k] + (1 - beta1) * grads[k]
            v[k] = beta2 * v[k] + (1 - beta2) * grads[k] ** 2
            m_hat, v_hat = m[k] / (1 - beta1**step), v[k] / (1 - beta2**step)
            model[k] = model[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        losses.append(loss)
    return losses


# %% [markdown]
# We train for 1,200 updates, each on 32 training windows drawn at random:

# %%
def random_batches(n_updates, batch_size=32):
    for _ in range(n_updates):
        idx = rng.integers(0, len(X_train), size=batch_size)
        yield X_train[idx], y_train[idx]


losses = adam(model, random_batches(1200))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
smooth = np.convolve(losses, np.ones(50) / 50, mode="valid")
axes[0].plot(losses, alpha=0.3, label="each batch")
axes[0].plot(np.arange(len(smooth)) + 49, smooth, label="mean of 50 batches")
axes[0].set(
    xlabel="update",
    ylabel="mean squared error",
    yscale="log",
    title="Training loss",
)
axes[0].legend()
prediction, _ = predict(model, X_test)
axes[1].plot(y_test[:120], "k.", markersize=4, label="truth")
axes[1].plot(prediction[:120], label="NumPy LSTM")
axes[1].set(
    xlabel="test step",
    ylabel="value",
    title="One-step forecasts on the test set",
)
axes[1].legend()
fig.tight_layout()

# %% tags=["remove-cell"]
glue("fig-numpy-lstm", fig)

# %% [markdown]
# ```{glue:figure} fig-numpy-lstm
# :name: fig-numpy-lstm
#
# Training the NumPy LSTM: the loss of each batch and its running mean over 50 batches
# (left), and its one-step forecasts for the first 120 test windows against the true
# values (right).
# ```

# %% [markdown]
# Is that good? A number means little without a baseline on the same test windows. Two
# honest ones: the **naive** forecast (tomorrow equals today) and a **linear
# autoregression**, a least-squares fit of the next value on the same 30 previous values
# (scikit-learn's `LinearRegression`).

# %%
linear = LinearRegression().fit(X_train[:, :, 0], y_train)
mse = {
    "naive (last value)": np.mean((X_test[:, -1, 0] - y_test) ** 2),
    "linear autoregression": np.mean(
        (linear.predict(X_test[:, :, 0]) - y_test) ** 2
    ),
    "NumPy LSTM": np.mean((prediction - y_test) ** 2),
    "noise floor (noise variance)": 0.1**2,
}
for name, value in mse.items():
    print(f"{name:30s} test MSE {value:.4f}")

# %% tags=["remove-cell"]
glue("bptt_lstm_mse", f"{mse['NumPy LSTM']:.4f}")
glue("bptt_naive_mse", f"{mse['naive (last value)']:.4f}")
glue("bptt_linear_mse", f"{mse['linear autoregression']:.4f}")
assert mse["NumPy LSTM"] < 0.5 * mse["naive (last value)"]
assert mse["linear autoregression"] < mse["NumPy LSTM"]

# %% [markdown]
# The NumPy LSTM learned: its test error, {glue:text}`bptt_lstm_mse`, is far below the
# naive forecast's {glue:text}`bptt_naive_mse`, so the gradients are doing their job. But
# the linear autoregression does better still, {glue:text}`bptt_linear_mse`, close to the
# noise floor of 0.01. That is not a failure of the LSTM so much as a fact about the data: a
# sum of sine waves obeys a linear recurrence, so a linear model on 30 lags is the right
# tool, and an LSTM trained for a few seconds only approximates it. This book reports such
# results as they are. Later chapters meet series where the comparison is closer and
# explain when a recurrent network earns its cost.
#
# ## Truncated BPTT
#
# The cost of one backward pass grows with the number of steps, and so does the memory for
# the stored gate values. For long sequences the usual remedy is *truncated* BPTT: cut the
# sequence into chunks of, say, 100 steps, carry the hidden state forward from chunk to
# chunk, but stop the gradient at each chunk boundary. The network can still *use*
# information older than 100 steps (it is in the state), but no gradient reaches back more
# than 100 steps, so it can learn only rules that show inside one chunk: "keep this value
# until the next marker" can be learnt from short chunks and then hold over far longer
# gaps, but a dependency that never falls within one chunk cannot be taught
# ({ref}`ch-long-sequences` measures both). Windowed training, as here and in the forecasting
# chapters, is a different thing, although it also bounds the number of steps a gradient
# crosses. Each window starts again from a zero state and nothing is carried from one window
# to the next, so the network can neither use nor learn anything older than its window.
# Truncated BPTT carries the state across the boundaries and cuts only the gradient.
#
# ## Key takeaways
#
# * Backpropagation through time is ordinary backpropagation on the network unrolled over
#   its steps, adding up each step's contribution to the shared weights.
# * Along the LSTM's cell state the gradient is multiplied by the forget gate and nothing
#   else, $\delta c_{t-1} = \delta c_t \odot f_t$: the carousel turns only while $f_t$ stays
#   near 1.
# * Check a hand-written gradient against autograd and against finite differences; both
#   agreed here to rounding error.
# * A NumPy LSTM trained with a hand-written Adam learns, but a linear autoregression was
#   better on this series: always compare with a baseline.
# * Truncated BPTT carries the state across chunks and cuts only the gradient; windowed
#   training starts every window afresh.

# %% [markdown]
# ## Exercises
#
# ````{exercise} ★ The same check for a GRU (10 minutes)
# :label: ex-bptt-gru
#
# Use {func}`seqlib.backprop.gru_backward` and a `torch.nn.GRU` made by
# {func}`seqlib.convert.to_torch` to repeat the autograd check for a GRU.
# ````

# %% [markdown]
# ````{solution-start} ex-bptt-gru
# :class: dropdown
# ````

# %%
gparams = cells.init_gru(features, hidden, seed=1)
ours = backprop.gru_backward(x, gparams, d_outputs=weights, h0=h0)
module = convert.to_torch(gparams, dtype=torch.float64)
x_t = torch.tensor(x, requires_grad=True)
outputs, _ = module(x_t, torch.tensor(h0)[None])
(outputs * torch.tensor(weights)).sum().backward()
gru_error = np.abs(ours.x - x_t.grad.numpy()).max()
print(f"dL/dx, largest difference from autograd: {gru_error:.1e}")

# %% tags=["remove-cell"]
glue("bptt_gru_error", f"{gru_error:.0e}")
assert gru_error < 1e-10

# %% [markdown]
# The largest difference is {glue:text}`bptt_gru_error`, float64 rounding again.
#
# ```{solution-end}
# ```
#
# ````{exercise} ★★ The constant error carousel (10 minutes)
# :label: ex-bptt-carousel
#
# Show from the equations that if $f_t = 1$ and $\delta h_t = 0$ for all $t$ between $s$ and
# $T$, then $\delta c_s = \delta c_T$. What does that say about the largest possible
# gradient along the cell state?
# ````
#
# ````{solution} ex-bptt-carousel
# :class: dropdown
#
# With $\delta h_t = 0$ the cell receives gradient only from the next step, $\delta c_{t-1} =
# \delta c_t \odot f_t = \delta c_t$, and by induction $\delta c_s = \delta c_T$. Since
# $0 < f_t < 1$, the gradient along the cell path alone can never grow: the forget gate
# bounds that path. It does not bound the paths through $h_t$ and the recurrent weight
# matrices, and those can still explode; {ref}`ch-ideas` measures an LSTM whose
# gradient grows with distance. Gradient clipping then limits the update made from such a
# gradient, not the gradient itself.
# ````
#
# ````{exercise} ★★★ The forget-gate bias on a short task (20 minutes)
# :label: ex-bptt-forget
#
# Train the NumPy LSTM again with the forget-gate bias initialised to 0 instead of 1. Does
# it matter on this task? Then try 8 and 32 hidden units.
# ````

# %% [markdown]
# ````{solution-start} ex-bptt-forget
# :class: dropdown
# ````
#
# Start from the same weights with `b_f` at 0, train with the same number of updates and
# compare the test errors:

# %%
closed = {**vars(init), "b_f": np.zeros(HIDDEN)}
closed["w"] = rng.normal(size=HIDDEN) * 0.1
closed["b"] = np.zeros(())
adam(closed, random_batches(1200))
closed_mse = np.mean((predict(closed, X_test)[0] - y_test) ** 2)
print(f"forget-gate bias 1: test MSE {mse['NumPy LSTM']:.4f}")
print(f"forget-gate bias 0: test MSE {closed_mse:.4f}")

# %% tags=["remove-cell"]
glue("bptt_closed_mse", f"{closed_mse:.4f}")
assert closed_mse < 0.5 * mse["naive (last value)"]

# %% [markdown]
# With the bias at 0 the test error is {glue:text}`bptt_closed_mse`, against
# {glue:text}`bptt_lstm_mse` with the bias at 1; both are far below the naive forecast's
# {glue:text}`bptt_naive_mse`. On 30-step windows both settings learn; in the 100-step
# memory test of {ref}`ch-ideas` the gate's starting bias decided between chance and
# success. One run per setting cannot tell how much of a small difference is chance: repeat
# both with other seeds (`cells.init_lstm(1, HIDDEN, seed=...)`) before drawing a
# conclusion. For the hidden sizes, change `HIDDEN` and rebuild the model the same way.
#
# ```{solution-end}
# ```
