# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-sequences)=
# # Sequence data and recurrent networks
#
# A sequence is a list of observations whose **order carries information**: monthly airline
# passengers, the words of a review, the samples of a spoken digit. Shuffle the months and
# the seasonal pattern is gone; shuffle the words and "not good, bad" becomes "good, not
# bad". This chapter introduces the plain recurrent network, the model that reads a
# sequence one step at a time, and then *measures* the problem that LSTMs and GRUs were
# invented to solve: gradients that vanish (or explode) as they travel back through time.
#
# By the end you will have seen, with numbers from code you can run:
#
# * the shape convention the whole book uses, `(batch, time, features)`;
# * a plain RNN written in ten lines of NumPy, equal to `torch.nn.RNN`;
# * the gradient of a loss with respect to an input 1, 10 or 100 steps back, for a plain
#   RNN, an LSTM and a GRU;
# * that an LSTM or GRU only keeps its gradient alive when its gates start open, that
#   gating does not stop gradients from *exploding* through the recurrent weights, and that
#   clipping limits the damage an exploding gradient does to the weights.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from seqlib import cells, convert, datasets
from seqlib.report import glue
from seqlib.reproducibility import set_seed, set_threads

set_threads(
    1
)  # small recurrent networks run fastest on one thread (see the set-up chapter)
set_seed(0)

# %% [markdown]
# ## What a sequence looks like
#
# Three of the datasets this book uses, one from each kind of application in Part III:

# %% tags=["hide-input"]
passengers = datasets.load("airline-passengers")
texts, labels = datasets.load("rt-polarity")
recordings = datasets.load("fsdd")
wave, rate = datasets.read_wav(recordings.path.iloc[0])

fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
axes[0].plot(passengers.index, passengers.values)
axes[0].set(
    title="Airline passengers (monthly)", xlabel="month", ylabel="passengers (thousands)"
)
words = texts[7].split()[:10]
for t, word in enumerate(words):
    axes[1].text(t, 0, word, rotation=90, ha="center", va="bottom", fontsize=11)
axes[1].set(xlim=(-0.7, len(words) - 0.3), ylim=(-0.1, 1.0), yticks=[])
axes[1].set_xticks(range(len(words)), [str(t + 1) for t in range(len(words))])
axes[1].set(
    title="A review, one token per step", xlabel="position in the sentence (step t)"
)
seconds = np.arange(len(wave)) / rate
axes[2].plot(seconds, wave, linewidth=0.5)
axes[2].set(
    title=f"Spoken digit '{recordings.digit.iloc[0]}' (8 kHz)",
    xlabel="time (s)",
    ylabel="amplitude",
)
fig.tight_layout()


# %% [markdown]
# In all three the index of an observation is a position in time. Models in this book take
# a **batch** of sequences as one array of shape `(batch, time, features)`: the airline
# series cut into windows of 12 months is `(windows, 12, 1)`; a batch of reviews turned into
# word vectors is `(reviews, words, vector size)`; a batch of recordings turned into MFCC
# frames is `(recordings, frames, coefficients)`. Batch first, everywhere.
#
# ## A plain recurrent network
#
# A recurrent network reads one step at a time and carries a **hidden state** $h_t$, a
# vector that summarises what it has read so far. The plain (Elman) RNN updates it with one
# matrix product and one non-linearity:
#
# $$
# h_t = \tanh\left(W_h \cdot [h_{t-1}, x_t] + b_h\right),
# $$
#
# where $[h_{t-1}, x_t]$ is the concatenation of the previous state (size $h$) and the
# current input (size $d$), so $W_h$ has shape $(h, h + d)$. The *same* $W_h$ and $b_h$ are
# used at every step: that is what lets one network read sequences of any length. Here it is
# in full:

# %%
def rnn_forward(x, W_h, b_h, h0=None):
    """x: (batch, time, features) -> all hidden states (batch, time, hidden)."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, W_h.shape[0])) if h0 is None else h0
    states = []
    for t in range(steps):
        h = np.tanh(np.concatenate([h, x[:, t]], axis=1) @ W_h.T + b_h)
        states.append(h)
    return np.stack(states, axis=1)


# %% [markdown]
# The book's library has the same function as `seqlib.cells.rnn`. PyTorch's `torch.nn.RNN`
# stores the two halves of $W_h$ separately (`weight_hh` acts on $h_{t-1}$, `weight_ih` on
# $x_t$) and keeps two bias vectors that it adds together; with the weights copied across,
# all three give the same states:

# %% tags=["nbval-check-output"]
params = cells.init_rnn(input_size=3, hidden_size=4, seed=0)
x = np.random.default_rng(0).normal(size=(2, 5, 3))  # (batch, time, features)

ours = rnn_forward(x, params.W_h, params.b_h)
library, _ = cells.rnn(x, params)

torch_rnn = torch.nn.RNN(3, 4, batch_first=True, dtype=torch.float64)
with torch.no_grad():
    torch_rnn.weight_hh_l0.copy_(torch.from_numpy(params.W_h[:, :4]))  # acts on h_{t-1}
    torch_rnn.weight_ih_l0.copy_(torch.from_numpy(params.W_h[:, 4:]))  # acts on x_t
    torch_rnn.bias_ih_l0.copy_(torch.from_numpy(params.b_h))
    torch_rnn.bias_hh_l0.zero_()
    theirs, _ = torch_rnn(torch.from_numpy(x))

print("output shape:", ours.shape)
print("equal to seqlib.cells.rnn:", np.allclose(ours, library, atol=1e-12))
print("equal to torch.nn.RNN:    ", np.allclose(ours, theirs.numpy(), atol=1e-12))

# %% [markdown]
# ## How far back can a gradient reach?
#
# A recurrent network is trained like any other, by gradient descent, except that the
# gradient must travel backwards through every step (the next part of the book derives this
# *backpropagation through time* in full). For the plain RNN the chain rule gives
#
# $$
# \frac{\partial h_T}{\partial h_t} = \prod_{k=t+1}^{T} \operatorname{diag}\!\left(1 - h_k^2\right) W_{hh},
# $$
#
# a product of $T - t$ matrices. If they tend to shrink vectors, the product shrinks
# geometrically with the distance $T - t$: the gradient **vanishes**, and the network cannot
# learn that an early input matters. If they tend to stretch vectors, it **explodes**.
# Hochreiter analysed this decay first, in his 1991 diploma thesis
# {cite}`hochreiter1991untersuchungen`, and Bengio, Simard and Frasconi independently
# {cite}`bengio1994learning`; {cite:t}`hochreiter2001gradient` bring the two analyses
# together.
#
# That is the theory; let us measure it. We feed 16 random sequences of 100 steps to a
# network with 32 hidden units, take the sum of its last hidden state as a stand-in loss,
# and ask autograd for the gradient with respect to every input $x_t$ (in float64, because
# the smallest values would underflow float32). The plot shows its size against the distance
# $T - t$, averaged (geometrically) over 5 random networks.

# %%
STEPS, HIDDEN, FEATURES = 100, 32, 8


def gradient_by_distance(make_layer, seeds=5):
    """Geometric mean over `seeds` networks of ||dL/dx_t||, indexed by distance T - t."""
    logs = []
    for seed in range(seeds):
        torch.manual_seed(seed)
        layer = make_layer().double()  # float64: the smallest values underflow float32
        x = torch.randn(16, STEPS, FEATURES, dtype=torch.float64, requires_grad=True)
        outputs, _ = layer(x)
        outputs[:, -1].sum().backward()
        norms = x.grad.norm(dim=(0, 2)).numpy()[::-1]  # distance 0, 1, ..., STEPS - 1
        logs.append(np.log10(norms))
    return 10 ** np.mean(logs, axis=0)


def scaled_recurrent_weights(layer, factor):
    with torch.no_grad():
        layer.weight_hh_l0.mul_(factor)
    return layer


def open_gate(layer, bias):
    """Set the bias of the LSTM forget gate or GRU update gate (PyTorch's 2nd block)."""
    with torch.no_grad():
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
        layer.bias_ih_l0[HIDDEN : 2 * HIDDEN] = bias
    return layer


def make(kind, features=FEATURES):
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    return cls(features, HIDDEN, batch_first=True)


profiles = {
    "plain RNN": gradient_by_distance(lambda: make("rnn")),
    "plain RNN, recurrent weights x3": gradient_by_distance(
        lambda: scaled_recurrent_weights(make("rnn"), 3.0)
    ),
    "LSTM (PyTorch default)": gradient_by_distance(lambda: make("lstm")),
    "GRU (PyTorch default)": gradient_by_distance(lambda: make("gru")),
    "LSTM, forget-gate bias +3": gradient_by_distance(lambda: open_gate(make("lstm"), 3.0)),
    "GRU, update-gate bias +3": gradient_by_distance(lambda: open_gate(make("gru"), 3.0)),
    "LSTM, forget-gate bias +3, recurrent weights x3": gradient_by_distance(
        lambda: scaled_recurrent_weights(open_gate(make("lstm"), 3.0), 3.0)
    ),
}

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(8, 4.5))
styles = ["-", "--", "-", "-", ":", ":", "--"]
for (name, norms), style in zip(profiles.items(), styles, strict=True):
    ax.semilogy(np.arange(STEPS), norms, style, label=name, linewidth=2)
ax.set(
    xlabel="distance back in time, T - t (steps)",
    ylabel="gradient size ||dL/dx_t|| (log scale)",
    title="How much of the loss reaches an input t steps back",
)
ax.set_ylim(1e-30, 1e5)
ax.legend(fontsize=9)
ax.grid(True, which="major", alpha=0.3)
fig.tight_layout()

# %%
for name, norms in profiles.items():
    print(f"{name:47s} at distance 1: {norms[1]:8.1e}   at distance 99: {norms[99]:8.1e}")
glue("rnn_grad_99", f"{profiles['plain RNN'][99]:.0e}")
glue("lstm_grad_99", f"{profiles['LSTM (PyTorch default)'][99]:.0e}")
glue("lstm_open_grad_99", f"{profiles['LSTM, forget-gate bias +3'][99]:.1f}")
glue("rnn_big_grad_99", f"{profiles['plain RNN, recurrent weights x3'][99]:.0e}")
glue("lstm_grad_50", f"{profiles['LSTM (PyTorch default)'][50]:.0e}")
glue("lstm_open_grad_1", f"{profiles['LSTM, forget-gate bias +3'][1]:.1f}")
big_lstm = profiles["LSTM, forget-gate bias +3, recurrent weights x3"]
glue("lstm_big_grad_1", f"{big_lstm[1]:.1f}")
glue("lstm_big_grad_99", f"{big_lstm[99]:.0f}")


# %% [markdown]
# How fast does the default LSTM's gradient shrink? Between distances 20 and 60 the
# per-step factor is the 40th root of the ratio of the two gradient sizes. Along the cell
# state alone the gradient is multiplied by the forget gate at each step, so we also record
# the forget gate's values on the same inputs (with {func}`seqlib.convert.from_torch` and
# {func}`seqlib.cells.lstm_step`):

# %%
def forget_gates(seed):
    """Forget-gate values (batch, time, hidden) of the default LSTM used above."""
    torch.manual_seed(seed)  # the same network and inputs as in gradient_by_distance
    params = convert.from_torch(make("lstm").double())
    x = torch.randn(16, STEPS, FEATURES, dtype=torch.float64).numpy()
    h = c = np.zeros((16, HIDDEN))
    gates = []
    for t in range(STEPS):
        h, c, f, *_ = cells.lstm_step(x[:, t], h, c, params)
        gates.append(f)
    return np.stack(gates, axis=1)


g = profiles["LSTM (PyTorch default)"]
decay = (g[60] / g[20]) ** (1 / 40)
f = np.stack([forget_gates(seed) for seed in range(5)])  # (networks, batch, time, hidden)
per_unit = np.exp(np.log(f).mean(axis=(1, 2)))  # each unit's typical factor per step
print(f"gradient shrinks per step (distances 20 to 60): {decay:.3f}")
print(f"forget gate, mean over all units and steps:     {f.mean():.3f}")
print(f"forget gate, most retentive unit of a network:  {per_unit.max(axis=1).mean():.3f}")
print(f"{decay:.3f} ** 99 = {decay**99:.0e}")
glue("lstm_decay_per_step", f"{decay:.2f}")
glue("lstm_decay_99", f"{decay**99:.0e}")
glue("forget_mean", f"{f.mean():.2f}")
glue("forget_unit_max", f"{per_unit.max(axis=1).mean():.2f}")

# %% tags=["remove-cell"]
assert 0.55 < decay < 0.75 and decay > per_unit.max() > f.mean() - 0.05
assert abs(f.mean() - 0.5) < 0.05


# %% [markdown]
# The gradient shrinks by a factor of about {glue:text}`lstm_decay_per_step` per step,
# and {glue:text}`lstm_decay_per_step` to the power 99 is about
# {glue:text}`lstm_decay_99`, close to the measured {glue:text}`lstm_grad_99`. The forget
# gate averages {glue:text}`forget_mean`, and even the most retentive unit of each network
# keeps only about {glue:text}`forget_unit_max` of its cell per step. The gradient decays a
# little more slowly than that because it does not travel along the cell state alone: the
# paths through $h_{t-1}$ and the recurrent weights add to it. Either way, a memory that
# keeps about half of itself per step is gone long before step 99.

# %% [markdown]
# A **bidirectional** layer {cite}`schuster1997bidirectional` adds a second LSTM that
# reads the sequence backwards. Whether that shortens the gradient's way depends on what
# the output reads. If a whole-sequence output reads both final states (the forward state
# after $x_T$ and the backward state after $x_1$), input $x_t$ is $T - t$ steps from the
# first and $t - 1$ from the second, so no input is more than about $T/2$ steps away:

# %%
def bidirectional_gradient(seeds=5):
    """Geometric mean of ||dL/dx_t|| by position t; a BiLSTM read by both final states."""
    logs = []
    for seed in range(seeds):
        torch.manual_seed(seed)
        layer = torch.nn.LSTM(FEATURES, HIDDEN, batch_first=True, bidirectional=True)
        layer = layer.double()
        x = torch.randn(16, STEPS, FEATURES, dtype=torch.float64, requires_grad=True)
        _, (h_n, _) = layer(x)  # h_n: (2, batch, hidden), forward and backward final states
        h_n.sum().backward()
        logs.append(np.log10(x.grad.norm(dim=(0, 2)).numpy()))
    return 10 ** np.mean(logs, axis=0)


both_ends = bidirectional_gradient()
one_way = profiles["LSTM (PyTorch default)"][::-1]  # by position t = 1, ..., T
weakest = int(np.argmin(both_ends)) + 1
print(f"one-way LSTM: smallest {one_way.min():.0e} at step {one_way.argmin() + 1}")
print(f"BiLSTM:       smallest {both_ends.min():.0e} at step {weakest}")
glue("bilstm_min_grad", f"{both_ends.min():.0e}")
glue("bilstm_weakest_step", weakest)

# %% tags=["remove-cell"]
assert 30 < weakest < 70 and both_ends.min() > 1e4 * one_way.min()

# %% [markdown]
# The weakest input is now near the middle, at step {glue:text}`bilstm_weakest_step`, and
# its gradient, about {glue:text}`bilstm_min_grad`, is of the order of what a one-way LSTM
# keeps 50 steps back ({glue:text}`lstm_grad_50`), not 99 ({glue:text}`lstm_grad_99`). For
# outputs at every step (tagging each word, say), the distance between two positions along
# each direction is unchanged, and so is the decay. A bidirectional layer needs its whole
# input before it can answer. That is no obstacle when the input is already known, such as
# a sentence to classify or a window of past values from which to forecast; it rules out
# only causal use, where an answer is due at each step as the stream arrives.

# %% tags=["remove-cell"]
# The claims the prose makes about this figure.
p = profiles
assert p["plain RNN"][99] < 1e-20 < p["plain RNN"][1]
assert (
    p["plain RNN, recurrent weights x3"][99] > 100 * p["plain RNN, recurrent weights x3"][1]
)
assert p["LSTM (PyTorch default)"][99] < 1e-12 and p["GRU (PyTorch default)"][99] < 1e-12
assert p["LSTM, forget-gate bias +3"][99] > 0.1 * p["LSTM, forget-gate bias +3"][1]
assert p["GRU, update-gate bias +3"][99] > 1e-3
assert p["LSTM, forget-gate bias +3"][99] > 2 * p["LSTM, forget-gate bias +3"][1]
assert big_lstm[99] > 20 * big_lstm[1]


# %% [markdown]
# Four things stand out.
#
# 1. **The plain RNN forgets fast.** Its gradient falls by roughly a factor of ten every
#    few steps; 99 steps back it is about {glue:text}`rnn_grad_99`, far below anything
#    gradient descent can use.
# 2. **Scale the same weights up and the gradient explodes** instead, to about
#    {glue:text}`rnn_big_grad_99` at distance 99: the product of Jacobians now stretches.
# 3. **An LSTM or GRU straight out of `torch.nn` vanishes almost as fast** (about
#    {glue:text}`lstm_grad_99` for the LSTM). Gating is not magic at initialisation: with
#    small random weights every gate sits near $\sigma(0) = 0.5$. The next cell measures
#    how fast the LSTM's gradient shrinks, and why.
# 4. **Open the gates and the gradient survives.** With the forget-gate bias at $+3$ the
#    LSTM keeps $\sigma(3) \approx 0.95$ of its cell state per step, and the gradient 99 steps
#    back is still about {glue:text}`lstm_open_grad_99`. The GRU's update gate plays the same
#    role ({ref}`ch-ideas` explains both gates).
#
# The plain RNN with its weights scaled up is not the only network whose gradient grows.
# The open-gate LSTM's gradient also *rises* with distance, from
# {glue:text}`lstm_open_grad_1` at distance 1 to {glue:text}`lstm_open_grad_99` at
# distance 99, and with its recurrent weights scaled by 3 as well it goes from
# {glue:text}`lstm_big_grad_1` to {glue:text}`lstm_big_grad_99`: a gated network's gradient
# can explode too. We come back to this below.
#
# This is why Gers, Schmidhuber and Cummins {cite}`gers2000forget`, who introduced the forget
# gate, and later Jozefowicz et al. {cite}`jozefowicz2015empirical` recommend initialising
# the forget-gate bias to a positive value. Keras does it by default
# (`unit_forget_bias=True` sets it to 1); PyTorch does not.
#
# ## Does it matter for learning? A memory test
#
# Gradients are a means; the question is whether a network can *learn* a long-range
# dependency. A minimal test: the first input of each sequence is $+1$ or $-1$, the other
# steps are small noise, and the network must say, at the last step, which sign came first.
# Nothing in between helps, so the gradient has to carry the answer all the way back. We
# train each network for 400 steps of Adam on batches of 64 sequences of length 100, with
# gradient clipping, and measure accuracy on 2,000 fresh sequences (50 % is guessing).

# %%
def memory_batch(batch, steps, generator):
    """Sequences (batch, steps, 1) whose first value's sign is the label (batch,)."""
    label = torch.randint(0, 2, (batch,), generator=generator).float()
    x = 0.2 * torch.randn(batch, steps, 1, generator=generator)
    x[:, 0, 0] = 2 * label - 1
    return x, label


class LastStepClassifier(torch.nn.Module):
    def __init__(self, layer):
        super().__init__()
        self.layer, self.head = layer, torch.nn.Linear(layer.hidden_size, 1)

    def forward(self, x):
        outputs, _ = self.layer(x)
        return self.head(outputs[:, -1]).squeeze(1)


def memory_accuracy(make_layer, steps=100, updates=400, seed=0):
    torch.manual_seed(seed)
    model = LastStepClassifier(make_layer())
    generator = torch.Generator().manual_seed(seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(updates):
        x, y = memory_batch(64, steps, generator)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    x, y = memory_batch(2000, steps, generator)
    with torch.no_grad():
        return ((model(x) > 0).float() == y).float().mean().item()


memory = {
    "plain RNN": memory_accuracy(lambda: make("rnn", 1)),
    "LSTM (PyTorch default)": memory_accuracy(lambda: make("lstm", 1)),
    "LSTM, forget-gate bias +3": memory_accuracy(lambda: open_gate(make("lstm", 1), 3.0)),
    "GRU (PyTorch default)": memory_accuracy(lambda: make("gru", 1)),
    "GRU, update-gate bias +3": memory_accuracy(lambda: open_gate(make("gru", 1), 3.0)),
}
for name, accuracy in memory.items():
    print(f"{name:28s} accuracy {accuracy:6.1%}")

# %% tags=["remove-cell"]
assert (
    memory["LSTM, forget-gate bias +3"] > 0.95 and memory["GRU, update-gate bias +3"] > 0.95
)
assert max(memory["plain RNN"], memory["LSTM (PyTorch default)"]) < 0.6
assert memory["GRU (PyTorch default)"] < 0.6


# %% [markdown]
# The result follows the gradients exactly. Over 100 steps the plain RNN and both gated
# networks at their default initialisation stay at chance; the LSTM and the GRU whose
# memory gate starts open solve the task. The architecture makes long memory *possible*; the
# initialisation decides whether training finds it.
#
# ## Exploding gradients need clipping
#
# The article this book grows from says that gating "effectively avoids" both vanishing and
# exploding gradients. The figure above already shows the second half is not true. The
# forget gate does bound one path: along the cell state alone the gradient is multiplied by
# $f_t < 1$ at every step, so it cannot grow there ({ref}`ch-bptt`). But the gradient also
# flows through $h_{t-1}$ and the recurrent weight matrices, and nothing in a gate bounds
# those: the open-gate LSTM's gradient grew to {glue:text}`lstm_open_grad_99` at distance
# 99, and to {glue:text}`lstm_big_grad_99` with larger recurrent weights. The standard
# remedy, from Pascanu, Mikolov and Bengio {cite}`pascanu2013difficulty`, is **gradient
# clipping**: when the gradient's norm exceeds a threshold, rescale it to that threshold,
# keeping its direction. Clipping does not stop the gradient from exploding; it bounds the
# *update* that an exploded gradient would make. In PyTorch that is one line,
# `torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)`; in Keras, the optimizer's
# `clipnorm` argument.
#
# To see it matter we use plain stochastic gradient descent (Adam's per-parameter scaling
# hides much of the damage) on a plain RNN whose recurrent weights start 2.5 times larger
# than usual, on the memory task with 40 steps, and train 8 networks with different seeds
# with and without clipping at norm 1:

# %%
def sgd_run(seed, clip, steps=40, updates=300):
    torch.manual_seed(seed)
    model = LastStepClassifier(scaled_recurrent_weights(make("rnn", 1), 2.5))
    generator = torch.Generator().manual_seed(seed + 100)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    largest = 0.0
    for _ in range(updates):
        x, y = memory_batch(64, steps, generator)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip or float("inf"))
        largest = max(largest, norm.item())
        optimizer.step()
    x, y = memory_batch(2000, steps, generator)
    with torch.no_grad():
        accuracy = ((model(x) > 0).float() == y).float().mean().item()
    return accuracy, largest


for clip in (None, 1.0):
    runs = [sgd_run(seed, clip) for seed in range(8)]
    solved = sum(accuracy > 0.95 for accuracy, _ in runs)
    largest = max(norm for _, norm in runs)
    label = "no clipping" if clip is None else f"clip at {clip}"
    print(f"{label:12s} solved {solved}/8 runs; largest gradient norm seen {largest:.0f}")
    glue(f"solved_{'clip' if clip else 'noclip'}", solved)
    glue(f"largest_norm_{'clip' if clip else 'noclip'}", f"{largest:.0f}")

# %% [markdown]
# Without clipping, a single oversized gradient can throw the weights into a region where
# the network stops learning, and some runs never recover; with clipping every run solves
# the task. The gradients themselves were no smaller: the largest norm seen was
# {glue:text}`largest_norm_clip` with clipping and {glue:text}`largest_norm_noclip`
# without. What clipping changed is the step taken, at most the learning rate times 1.
# Clipping costs nothing when gradients are small, so every training loop in this book
# accepts a `clip_grad_norm` argument ({mod}`seqlib.train`).
#
# ## What the article says, and what is right
#
# ```{list-table}
# :header-rows: 1
# :widths: 35 65
#
# * - The article (§1–§2)
#   - What the code above shows
# * - LSTM and GRU "effectively avoid" the vanishing **and exploding** gradient problems.
#   - Gating gives the gradient a path that need not shrink, *if the gate is open*. The
#     forget gate keeps that path from growing ($f_t < 1$), but paths through $h_{t-1}$ and
#     the recurrent weights can still explode, in an LSTM as in a plain RNN. Clipping bounds
#     the update an exploding gradient makes; it does not stop the gradient itself.
# * - Gating solves long-range dependencies by itself.
#   - At PyTorch's default initialisation an LSTM's gradient vanishes about as fast as a
#     plain RNN's, and neither learns a 100-step dependency; a forget-gate bias of +3 fixes it.
# ```
#
# The appendix {ref}`app-errata` lists every correction in the book.
#
# ## Exercises
#
# ````{exercise}
# :label: ex-sequences-decay
#
# For the LSTM at PyTorch's default initialisation, estimate from `profiles` the factor by
# which the gradient shrinks per step, between distances 20 and 60. Compare it with the
# forget gate's typical value at initialisation.
# ````
#
# ````{solution} ex-sequences-decay
# :class: dropdown
#
# The per-step factor is the 40th root of the ratio of the two gradient sizes:
#
# ```python
# g = profiles["LSTM (PyTorch default)"]
# print((g[60] / g[20]) ** (1 / 40))
# ```
#
# It comes out at about {glue:text}`lstm_decay_per_step`: well below 1, but above the
# forget gate's average of {glue:text}`forget_mean` and above even the most retentive
# unit's {glue:text}`forget_unit_max`. Along the cell state alone every step multiplies the
# gradient by $f_t$; the paths through $h_{t-1}$ and the recurrent weights add to it and
# slow the decay a little.
# ````
#
# ````{exercise}
# :label: ex-sequences-keras-bias
#
# Keras initialises the forget-gate bias to 1, not 3. Measure the gradient profile of an
# LSTM with `open_gate(make("lstm"), 1.0)` and the memory accuracy for 100 steps. Is a
# bias of 1 enough?
# ````
#
# ````{solution} ex-sequences-keras-bias
# :class: dropdown
#
# ```python
# g = gradient_by_distance(lambda: open_gate(make("lstm"), 1.0))
# print(g[1], g[99])
# print(memory_accuracy(lambda: open_gate(make("lstm", 1), 1.0)))
# ```
#
# With $\sigma(1) \approx 0.73$ the cell keeps 73 % of itself per step, so after 99 steps
# about $0.73^{99} \approx 10^{-14}$ survives along that path: far better than
# $0.5^{99} \approx 10^{-30}$ for a gate at 0.5, yet too little for a 100-step dependency
# in 400 updates, and the memory test stays near chance. Over 20 or 40 steps it is enough; try `steps=40`.
# ````
#
# ````{exercise}
# :label: ex-sequences-bound
#
# Show that for the plain RNN
# $\lVert \partial h_T / \partial h_t \rVert \le \lVert W_{hh} \rVert^{T-t}$, using
# $|\tanh'(a)| \le 1$. What does this say about the spectral norm of $W_{hh}$ needed for
# gradients to explode?
# ````
#
# ````{solution} ex-sequences-bound
# :class: dropdown
#
# Each factor $\operatorname{diag}(1 - h_k^2) W_{hh}$ has norm at most
# $\lVert \operatorname{diag}(1 - h_k^2) \rVert \, \lVert W_{hh} \rVert \le \lVert W_{hh}
# \rVert$ because the diagonal entries $1 - h_k^2$ lie in $[0, 1]$. The norm of a product is
# at most the product of the norms, which gives the bound. So if
# $\lVert W_{hh} \rVert < 1$ the gradient *must* vanish geometrically; explosion is only
# possible when $\lVert W_{hh} \rVert > 1$, which is what scaling the weights by 3 did.
# ````
