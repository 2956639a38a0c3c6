# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-ideas)=
# # LSTM and GRU: the ideas
#
# By the end of this chapter you will be able to say what each gate of an LSTM and a GRU
# does, count their parameters, and measure when the gates keep a gradient alive. It
# answers the article's §2, its core concepts and the links and differences between the two
# cells.
#
# {ref}`ch-sequences` ended with a measurement: a plain RNN forgets within a few dozen
# steps, because the gradient that would teach it to remember shrinks with every step it
# travels back. The {term}`LSTM <Long short-term memory, LSTM (长短期记忆网络)>` (Hochreiter
# and Schmidhuber, 1997 {cite}`hochreiter1997lstm`, with the forget gate added by Gers et
# al. {cite}`gers2000forget`) and the {term}`GRU <Gated recurrent unit, GRU (门控循环单元)>`
# (Cho et al., 2014 {cite}`cho2014learning`) fix this the same way: they give the network a
# state that is updated by *mixing* the old value with a new one under the control of
# learned **gates**, numbers between 0 and 1 that say how much to keep and how much to
# write. This chapter explains each gate in words and pictures, counts the parameters,
# tests a common claim about the GRU's speed, and then measures why gates help, and when
# they do not. The next chapter does the same maths with numbers.

# %%
from seqlib.reproducibility import setup

setup(frameworks=("torch", "keras"))  # chapter 5

import collections

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from seqlib import cells, convert, diagrams, train
from seqlib.timing import time_training_step
from seqlib.torch_models import SequenceClassifier

# %% tags=["remove-cell"]
from seqlib.report import glue

# %% [markdown]
# ## What a gate is
#
# A gate is a vector of numbers between 0 and 1, one per hidden unit, computed from the
# current input and the previous hidden state by a small learned layer with a sigmoid at
# the end: $g_t = \sigma(W_g \cdot [h_{t-1}, x_t] + b_g)$. It is used by multiplying another
# vector element by element (the {term}`element-wise product <Element-wise product (元素乘运算)>`
# $\odot$): where the gate is near 1 the value passes, where it is near 0 it is blocked.
# Because the gate depends on the input, the network decides *at every step, for every
# unit* what to let through. And because a sigmoid is smooth, the decision is soft and can
# be learned by gradient descent: this is {term}`gating <Gating (门控机制)>`.
#
# ## The LSTM: a memory you write to and read from
#
# The LSTM keeps two vectors from step to step. The
# {term}`cell state <Cell state, memory cell (记忆单元, 细胞状态)>` $c_t$ is its memory; the
# **hidden state** $h_t$ is what it shows to the next layer and to itself at the next step.
# Three gates and one candidate, all computed from $[h_{t-1}, x_t]$, manage them:
#
# * the {term}`forget gate <Forget gate (遗忘门)>` $f_t$ decides, for each memory entry,
#   what fraction to *keep*: $f_t \odot c_{t-1}$;
# * the {term}`candidate <Candidate (候选值)>` $\tilde{c}_t$ proposes new values, in
#   $(-1, 1)$ because of the $\tanh$;
# * the {term}`input gate <Input gate (输入门)>` $i_t$ decides how much of each proposal to
#   *write*: $i_t \odot \tilde{c}_t$, added to what was kept, gives $c_t$;
# * the {term}`output gate <Output gate (输出门)>` $o_t$ decides what part of the (squashed)
#   memory to *show*: $h_t = o_t \odot \tanh(c_t)$.
#
# {numref}`fig-lstm-cell` draws exactly these equations. The cell state runs along the top
# and is touched only by a multiplication and an addition; everything that needs weights
# happens below it.

# %% tags=["remove-output"]
diagrams.lstm_cell()
lstm_figure = plt.gcf()

# %% tags=["remove-cell"]
glue("fig-lstm-cell", lstm_figure)

# %% [markdown]
# ```{glue:figure} fig-lstm-cell
# :name: fig-lstm-cell
#
# The LSTM cell, drawn by {func}`seqlib.diagrams.lstm_cell`. The four gate layers read
# $[h_{t-1}, x_t]$ side by side; the cell state $c$ runs along the top.
# ```

# %% [markdown]
# Two things are easy to miss in the picture and matter a great deal.
#
# * **The four gate layers work in parallel**, not in a chain: each reads the same
#   $[h_{t-1}, x_t]$. (The source article's flowchart draws forget → input → output as a
#   sequence of steps and connects the output gate *into* the memory; neither is how the
#   cell works.)
# * **The cell state has its own path through time.** From $c_{t-1}$ to $c_t$ there is no
#   weight matrix and no squashing function, only the multiplication by $f_t$. The gradient
#   along that path is multiplied by $f_t$ per step and by nothing else, which is why an
#   LSTM whose forget gate is open keeps its gradient alive (measured below).
#
# Unrolled over a sequence, a layer applies the same cell, with the same weights, at every
# step, passing both states along ({numref}`fig-unrolled-lstm`):

# %% tags=["remove-output"]
diagrams.unrolled_rnn(steps=3, cell="LSTM")
unrolled_figure = plt.gcf()

# %% tags=["remove-cell"]
glue("fig-unrolled-lstm", unrolled_figure)

# %% [markdown]
# ```{glue:figure} fig-unrolled-lstm
# :name: fig-unrolled-lstm
#
# An LSTM layer unrolled over three steps: the same cell and weights at every step, with
# two states, $c_t$ and $h_t$, passed from each step to the next.
# ```

# %% [markdown]
# ## The GRU: one state, two gates
#
# The GRU keeps a single state $h_t$ and two gates:
#
# * the {term}`update gate <Update gate (更新门)>` $z_t$ decides how much of the state to
#   replace. In the convention of Cho et al., PyTorch and Keras,
#   $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$: $z_t$ near 1 keeps the old
#   state, near 0 writes the candidate. It does the job of the LSTM's forget and input
#   gates *together*, with the constraint that what is kept and what is written add up to
#   one;
# * the {term}`reset gate <Reset gate (重置门)>` $r_t$ decides how much of the old state the
#   candidate $\tilde{h}_t$ may *look at*. With $r_t$ near 0 the candidate is computed from
#   the input alone, which lets a unit drop its past when a new segment begins.
#
# There is no output gate and no separate memory: the state is shown as it is.
# {numref}`fig-gru-cho` draws the original GRU {cite}`cho2014learning`, where the reset gate
# multiplies $h_{t-1}$ before the weight matrix:

# %% tags=["remove-output"]
diagrams.gru_cell(reset_after=False, update="previous")
gru_cho_figure = plt.gcf()

# %% tags=["remove-cell"]
glue("fig-gru-cho", gru_cho_figure)

# %% [markdown]
# ```{glue:figure} fig-gru-cho
# :name: fig-gru-cho
#
# The GRU of Cho et al. (2014): the reset gate multiplies $h_{t-1}$ before the
# candidate's weight matrix, and $z_t$ weights the old state.
# ```

# %% [markdown]
# PyTorch, Keras (by default) and NVIDIA's cuDNN compute a slightly different GRU, with the
# reset gate applied *after* the matrix product; {ref}`ch-gate-maths` shows, with numbers,
# that the two are different models and that the two update conventions found in papers
# are not. {numref}`fig-gru-after` is the variant those libraries compute.

# %% tags=["hide-input", "remove-output"]
diagrams.gru_cell(reset_after=True, update="previous")
gru_after_figure = plt.gcf()

# %% tags=["remove-cell"]
glue("fig-gru-after", gru_after_figure)


# %% [markdown]
# ```{glue:figure} fig-gru-after
# :name: fig-gru-after
#
# The GRU that PyTorch, Keras and cuDNN compute: the reset gate multiplies the result
# of the recurrent matrix product, $W_{hh} h_{t-1} + b_{h,\text{rec}}$.
# ```

# %% [markdown]
# ## Counting parameters
#
# Every gate (and the candidate) is a layer $W \cdot [h_{t-1}, x_t] + b$ with $W$ of shape
# $h \times (h + d)$ and $b$ of length $h$: that is $h(h + d) + h$ numbers. The LSTM has four
# such layers and the GRU three, so with $d$ inputs and $h$ hidden units
#
# $$
# \text{LSTM: } 4\left(h(h + d) + h\right), \qquad \text{GRU: } 3\left(h(h + d) + h\right).
# $$
#
# A GRU has three quarters of the parameters of an LSTM of the same size. The frameworks
# add a twist: PyTorch keeps *two* bias vectors per gate (`bias_ih` and `bias_hh`, always
# added together, so one of them is redundant), and Keras' default GRU (`reset_after=True`)
# needs a second bias for the candidate's recurrent part. Let us count:

# %%
def formula(cell, d, h):
    return {"lstm": 4, "gru": 3}[cell] * (h * (h + d) + h)


def torch_count(cell, d, h):
    layer = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](d, h)
    return sum(p.numel() for p in layer.parameters())


def keras_count(cell, d, h, **kwargs):
    kind = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    layer = kind(h, **kwargs)
    layer.build((None, None, d))
    return layer.count_params()


rows = []
for d, h in [(1, 1), (3, 2), (8, 32), (100, 128)]:
    for cell in ("lstm", "gru"):
        gru = cell == "gru"
        rows.append(
            {
                "cell": cell.upper(),
                "d": d,
                "h": h,
                "formula": formula(cell, d, h),
                "PyTorch": torch_count(cell, d, h),
                "Keras": keras_count(cell, d, h),
                "Keras reset_after=False": (
                    keras_count(cell, d, h, reset_after=False) if gru else "-"
                ),
            }
        )
counts = pd.DataFrame(rows)
counts

# %% tags=["remove-cell"]
for r in rows:
    d, h, cell = r["d"], r["h"], r["cell"].lower()
    gates = 4 if cell == "lstm" else 3
    assert r["PyTorch"] == r["formula"] + gates * h  # one redundant bias vector per gate
    if cell == "lstm":
        assert r["Keras"] == r["formula"]
    else:
        assert r["Keras"] == r["formula"] + gates * h  # reset_after keeps two biases
        assert r["Keras reset_after=False"] == r["formula"]

# %% [markdown]
# The formula matches Keras' LSTM and Keras' GRU with `reset_after=False` exactly. PyTorch
# counts $4h$ (LSTM) or $3h$ (GRU) more, its second bias vector; Keras' default GRU counts
# $3h$ more for the same reason. These extra biases do not make the model more expressive
# (except the GRU candidate's recurrent bias with `reset_after`), but they are why
# `model.summary()` rarely matches a textbook formula.
#
# ## Is a GRU faster? Measure it
#
# Fewer parameters means fewer multiplications per step, so the GRU is often said to
# train faster; the article says so in three places. Whether it is *faster on your
# machine* depends on how the library implements each cell. A measurement with PyTorch on
# this book's CPU, one thread, a batch of 64 sequences of 100 steps with 8 features:
# {func}`seqlib.timing.time_training_step` runs two untimed passes to warm up, then returns
# the mean time of ten passes of forward, sum and backward.

# %%
speed = []
for hidden in (32, 128):
    lstm_s = time_training_step(torch.nn.LSTM(8, hidden, batch_first=True))
    gru_s = time_training_step(torch.nn.GRU(8, hidden, batch_first=True))
    speed.append(
        {
            "hidden units": hidden,
            "LSTM (ms)": 1000 * lstm_s,
            "GRU (ms)": 1000 * gru_s,
            "GRU time / LSTM time": gru_s / lstm_s,
            "GRU params / LSTM params": 0.75,
        }
    )
speed = pd.DataFrame(speed).set_index("hidden units")
speed.round(2)

# %% tags=["remove-cell"]
glue("gru_lstm_ratio_32", f"{speed.loc[32, 'GRU time / LSTM time']:.1f}")
glue("gru_lstm_ratio_128", f"{speed.loc[128, 'GRU time / LSTM time']:.2f}")


def speed_words(ratio):
    """The GRU's time over the LSTM's, in words (English and Chinese) for the prose."""
    if ratio > 1.05:
        return "the GRU the slower of the two", "GRU 是两者中较慢的"
    if ratio >= 0.95:
        return "the two about as fast", "两者差不多快"
    if ratio > 0.8:
        return "the GRU faster, by less than that", "GRU 更快，但没有快那么多"
    return "the GRU faster, about as much as that or more", "GRU 更快，快得与之相当或更多"


for hidden in (32, 128):
    words, words_zh = speed_words(speed.loc[hidden, "GRU time / LSTM time"])
    glue(f"gru_lstm_words_{hidden}", words, zh=words_zh)


# %% [markdown]
# The GRU has three quarters of the LSTM's parameters, so its parameter count alone would
# predict that a training step takes about 0.75 times as long. Measured on this book's
# machine, it took {glue:text}`gru_lstm_ratio_32` times as long with 32 hidden units
# ({glue:text}`gru_lstm_words_32`) and {glue:text}`gru_lstm_ratio_128` times with 128
# ({glue:text}`gru_lstm_words_128`). The two layers are not run the same way. Autograd
# records every operation of a forward pass so that it can run the backward pass; here is
# what it recorded for each layer:

# %%
def recorded_operations(layer):
    """Count, by kind, the operations autograd records for one forward pass."""
    loss = layer(torch.randn(64, 100, 8))[0].sum()
    seen, todo, kinds = set(), [loss.grad_fn], collections.Counter()
    while todo:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        kinds[type(node).__name__] += 1
        todo.extend(parent for parent, _ in node.next_functions)
    return kinds


recorded = {
    "LSTM": recorded_operations(torch.nn.LSTM(8, 32, batch_first=True)),
    "GRU": recorded_operations(torch.nn.GRU(8, 32, batch_first=True)),
}
for name, kinds in recorded.items():
    total, common = sum(kinds.values()), kinds.most_common(4)
    print(f"{name}: {total} operations; most frequent {common}")

# %% tags=["remove-cell"]
glue("lstm_recorded_ops", sum(recorded["LSTM"].values()))
glue("gru_recorded_ops", sum(recorded["GRU"].values()))
assert sum(recorded["GRU"].values()) > 20 * sum(recorded["LSTM"].values())
assert "MkldnnRnnLayerBackward0" in recorded["LSTM"]

# %% [markdown]
# On this CPU PyTorch runs the whole LSTM sequence as one fused oneDNN kernel
# (`MkldnnRnnLayerBackward0` is its backward pass): {glue:text}`lstm_recorded_ops`
# operations in all. Its GRU has no such kernel here and runs step by step, as
# {glue:text}`gru_recorded_ops` small operations (additions, element-wise products, sigmoids
# and splits at each of the 100 steps), each with its own overhead. So the comparison is
# between two implementations, not between two cells, and counting parameters predicts
# neither ratio. The numbers depend on the library, its version, the hardware and the
# sizes, so the book's rule is the one this section follows: **measure on your own
# set-up** before choosing a cell for speed. For accuracy, large comparisons find no
# consistent winner between the two
# {cite}`chung2014empirical,jozefowicz2015empirical,greff2017lstm`; Part III compares them on
# real data.

# %% [markdown]
# ## Why gates help, measured
#
# {ref}`ch-sequences` measured how much of a loss at the last step reaches an input $T - t$
# steps back in a plain RNN. Here is the same measurement for the LSTM and the GRU. This
# time we let PyTorch's autograd compute the gradient: a layer reads 16 random sequences of
# 100 steps (in float64, because the smallest values would underflow float32), the loss is
# the sum of its last output, and `x.grad` holds $\partial L / \partial x_t$ for every
# step. As before, we take the geometric mean over 5 random networks.

# %%
STEPS, HIDDEN, FEATURES = 100, 32, 8


def gradient_by_distance(make_layer, seeds=5):
    """Geometric mean of ||dL/dx_t|| over networks, by distance T - t."""
    logs = []
    for seed in range(seeds):
        torch.manual_seed(seed)
        layer = make_layer().double()  # float64: small values underflow float32
        shape = (16, STEPS, FEATURES)
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
        outputs, _ = layer(x)
        outputs[:, -1].sum().backward()
        norms = x.grad.norm(dim=(0, 2)).numpy()[::-1]  # distance 0, 1, ...
        logs.append(np.log10(norms))
    return 10 ** np.mean(logs, axis=0)


# %% [markdown]
# Three small helpers build the layers: `make` a plain RNN, LSTM or GRU with PyTorch's
# initialisation; `open_gate` sets the bias of the LSTM's forget gate or the GRU's update
# gate (both the second block of PyTorch's stacked biases) so that the gate starts near
# $\sigma(\text{bias})$; and `scaled` multiplies the recurrent weights:

# %%
def make(kind, features=FEATURES):
    layers = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    return layers[kind](features, HIDDEN, batch_first=True)


def open_gate(layer, bias):
    """Set the LSTM forget gate's or GRU update gate's bias (2nd block)."""
    with torch.no_grad():
        layer.bias_ih_l0.zero_()
        layer.bias_hh_l0.zero_()
        layer.bias_ih_l0[HIDDEN : 2 * HIDDEN] = bias
    return layer


def scaled(layer, factor):
    with torch.no_grad():
        layer.weight_hh_l0.mul_(factor)
    return layer


profiles = {
    "plain RNN": gradient_by_distance(lambda: make("rnn")),
    "LSTM": gradient_by_distance(lambda: make("lstm")),
    "GRU": gradient_by_distance(lambda: make("gru")),
    "LSTM, forget-gate bias +3": gradient_by_distance(
        lambda: open_gate(make("lstm"), 3.0)
    ),
    "GRU, update-gate bias +3": gradient_by_distance(
        lambda: open_gate(make("gru"), 3.0)
    ),
    "LSTM, bias +3, recurrent weights × 3": gradient_by_distance(
        lambda: scaled(open_gate(make("lstm"), 3.0), 3.0)
    ),
}

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(8, 4.5))
styles = ["-", "-", "-", ":", ":", "--"]
for (name, norms), style in zip(profiles.items(), styles, strict=True):
    ax.semilogy(np.arange(STEPS), norms, style, label=name, linewidth=2)
ax.set(
    xlabel="distance back in time, T - t (steps)",
    ylabel="size of the gradient (log scale)",
    title="How much of the loss reaches an input t steps back",
)
ax.set_ylim(1e-30, 1e5)
ax.legend(fontsize=9)
ax.grid(True, which="major", alpha=0.3)
fig.tight_layout()

# %% tags=["remove-cell"]
glue("fig-gated-gradients", fig)

# %% [markdown]
# ```{glue:figure} fig-gated-gradients
# :name: fig-gated-gradients
#
# The size of the gradient $\lVert \partial L / \partial x_t \rVert$ against the distance
# $T - t$, for a plain RNN, an LSTM and a GRU as PyTorch initialises them, with the memory
# gate opened (bias $+3$), and for the open LSTM with larger recurrent weights (geometric
# mean over 5 random networks).
# ```

# %%
for name, norms in profiles.items():
    print(f"{name:37s} 1 step back: {norms[1]:7.1e}   99: {norms[99]:7.1e}")

# %% tags=["remove-cell"]
p = profiles
big_lstm = p["LSTM, bias +3, recurrent weights × 3"]
glue("rnn_ref_grad_99", f"{p['plain RNN'][99]:.0e}")
glue("lstm_grad_99", f"{p['LSTM'][99]:.0e}")
glue("lstm_grad_50", f"{p['LSTM'][50]:.0e}")
glue("lstm_open_grad_1", f"{p['LSTM, forget-gate bias +3'][1]:.1f}")
glue("lstm_open_grad_99", f"{p['LSTM, forget-gate bias +3'][99]:.1f}")
glue("lstm_big_grad_1", f"{big_lstm[1]:.1f}")
glue("lstm_big_grad_99", f"{big_lstm[99]:.0f}")
assert p["plain RNN"][99] < 1e-20
assert p["LSTM"][99] < 1e-12 and p["GRU"][99] < 1e-12
assert p["LSTM, forget-gate bias +3"][99] > 2 * p["LSTM, forget-gate bias +3"][1]
assert p["GRU, update-gate bias +3"][99] > 1e-3
assert big_lstm[99] > 20 * big_lstm[1]


# %% [markdown]
# Three things stand out.
#
# 1. **An LSTM or GRU straight out of `torch.nn` vanishes almost as fast as a plain RNN**
#    (about {glue:text}`lstm_grad_99` 99 steps back for the LSTM, against
#    {glue:text}`rnn_ref_grad_99` for the plain RNN). Gating is not magic at initialisation:
#    with small random weights every gate sits near $\sigma(0) = 0.5$. The next cell
#    measures how fast the LSTM's gradient shrinks, and why.
# 2. **Open the gates and the gradient survives.** With the forget-gate bias at $+3$ the
#    LSTM keeps $\sigma(3) \approx 0.95$ of its cell state per step, and the gradient 99
#    steps back is still about {glue:text}`lstm_open_grad_99`. The GRU's update gate plays
#    the same role.
# 3. **A gated network's gradient can explode too.** The open-gate LSTM's gradient *rises*
#    with distance, from {glue:text}`lstm_open_grad_1` one step back to
#    {glue:text}`lstm_open_grad_99` 99 steps back, and with its recurrent weights scaled by
#    3 as well it goes from {glue:text}`lstm_big_grad_1` to {glue:text}`lstm_big_grad_99`.
#    The forget gate keeps the path along the cell state from growing ($f_t < 1$), but the
#    gradient also flows through $h_{t-1}$ and the recurrent weights, and no gate bounds
#    those. Gradient clipping, measured in {ref}`ch-sequences`, is the remedy here as well.
#
# This is why Gers, Schmidhuber and Cummins {cite}`gers2000forget`, who introduced the forget
# gate, and later Jozefowicz et al. {cite}`jozefowicz2015empirical` recommend initialising
# the forget-gate bias to a positive value. Keras does it by default
# (`unit_forget_bias=True` sets it to 1); PyTorch does not.
#
# How fast does the default LSTM's gradient shrink? Between distances 20 and 60 the
# per-step factor is the 40th root of the ratio of the two gradient sizes. Along the cell
# state alone the gradient is multiplied by the forget gate at each step, so we also record
# the forget gate's values on the same inputs (with {func}`seqlib.convert.from_torch` and
# {func}`seqlib.cells.lstm_step`):

# %%
def forget_gates(seed):
    """Forget-gate values (batch, time, hidden) of the default LSTM above."""
    torch.manual_seed(seed)  # the networks and inputs of gradient_by_distance
    params = convert.from_torch(make("lstm").double())
    x = torch.randn(16, STEPS, FEATURES, dtype=torch.float64).numpy()
    h = c = np.zeros((16, HIDDEN))
    gates = []
    for t in range(STEPS):
        h, c, f, *_ = cells.lstm_step(x[:, t], h, c, params)
        gates.append(f)
    return np.stack(gates, axis=1)


g = profiles["LSTM"]
decay = (g[60] / g[20]) ** (1 / 40)
f = np.stack([forget_gates(seed) for seed in range(5)])  # (nets, batch, t, h)
per_unit = np.exp(np.log(f).mean(axis=(1, 2)))  # each unit's typical factor
print(f"gradient shrinks per step (distances 20 to 60): {decay:.3f}")
print(f"forget gate, mean over all units and steps:     {f.mean():.3f}")
best = per_unit.max(axis=1).mean()
print(f"forget gate, most retentive unit of a network:  {best:.3f}")
print(f"{decay:.3f} ** 99 = {decay**99:.0e}")

# %% tags=["remove-cell"]
glue("lstm_decay_per_step", f"{decay:.2f}")
glue("lstm_decay_99", f"{decay**99:.0e}")
glue("forget_mean", f"{f.mean():.2f}")
glue("forget_unit_max", f"{per_unit.max(axis=1).mean():.2f}")
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
#
# ### The memory test, with gates
#
# Does the open gate matter for *learning*? {ref}`ch-sequences` trained a plain RNN to
# report the sign of the first of 100 inputs, and it stayed at chance. We give the same task
# to an LSTM and a GRU with 32 hidden units, as PyTorch initialises them and with the gate
# bias at $+3$. The task's data are 400 batches of 64 sequences, each seen once:

# %%
rng = np.random.default_rng(1)


def sign_task(n, steps=STEPS):
    """(X, y): n sequences (n, steps, 1); y is 1 where the first value is +1."""
    y = rng.integers(0, 2, size=n)
    X = 0.2 * rng.normal(size=(n, steps, 1)).astype(np.float32)
    X[:, 0, 0] = 2 * y - 1
    return X, y


X_train, y_train = sign_task(400 * 64)
X_test, y_test = sign_task(2000)


# %% [markdown]
# The model is {class}`seqlib.torch_models.SequenceClassifier`: the recurrent layer, then a
# linear read-out of its last output, one score per class. {func}`seqlib.train.fit` runs
# the training loop of {ref}`ch-sequences` (a batch, the loss, backpropagation, clipping at
# norm 1, an Adam step), once through the data; {ref}`ch-first-forecaster` explains its
# arguments.

# %%
def memory_test(cell, gate_bias=None, seed=0):
    """Train a classifier on the sign task; return it and its test accuracy."""
    torch.manual_seed(seed)
    model = SequenceClassifier(2, n_features=1, cell=cell, hidden=HIDDEN)
    if gate_bias is not None:
        open_gate(model.rnn, gate_bias)
    train.fit(
        model, (X_train, y_train), epochs=1, lr=3e-3, batch_size=64,
        loss="cross_entropy", clip_grad_norm=1.0, progress=False,
    )  # fmt: skip
    predicted = train.predict(model, X_test).argmax(axis=1)
    return model, (predicted == y_test).mean()


memory, models = {}, {}
for name, cell, bias in [
    ("LSTM", "lstm", None),
    ("LSTM, forget-gate bias +3", "lstm", 3.0),
    ("GRU", "gru", None),
    ("GRU, update-gate bias +3", "gru", 3.0),
]:  # three seeds each: one run can be lucky or unlucky
    runs = [memory_test(cell, bias, seed) for seed in range(3)]
    models[name] = [model for model, _ in runs]
    memory[name] = np.array([accuracy for _, accuracy in runs])
    shown = ", ".join(f"{a:6.1%}" for a in memory[name])
    print(f"{name:26s} accuracy, 3 seeds: {shown}")

# %% tags=["remove-cell"]
for name, accuracy in memory.items():
    key = "memory_" + name.split(",")[0].lower() + ("_open" if "+3" in name else "")
    glue(key, f"{accuracy.max():.0%}")
    glue(key + "_solved", int(np.sum(accuracy > 0.95)))
# 99 steps back the default gates' gradient is below 1e-12 (above): no run can learn.
assert max(memory["LSTM"].max(), memory["GRU"].max()) < 0.6
# With the gate open it is about 1e-1: at least one of three seeds learns the task.
assert (memory["LSTM, forget-gate bias +3"] > 0.95).any()
assert (memory["GRU, update-gate bias +3"] > 0.95).any()

# %% [markdown]
# The result follows the gradients. Over 100 steps both gated networks at their default
# initialisation stayed at chance in all three runs (at best {glue:text}`memory_lstm` for
# the LSTM, {glue:text}`memory_gru` for the GRU), like the plain RNN; the LSTM and the GRU
# whose memory gate starts open solved the task in {glue:text}`memory_lstm_open_solved`
# and {glue:text}`memory_gru_open_solved` of three runs (at best
# {glue:text}`memory_lstm_open` and {glue:text}`memory_gru_open`). The architecture makes
# long memory *possible*; the initialisation decides whether training finds it.
#
# What did the trained LSTM learn? Its weights can be read back into NumPy with
# {func}`seqlib.convert.from_torch` and run step by step with
# {func}`seqlib.cells.lstm_step`, which returns the gates as well as the states. We feed
# it two test sequences, one that starts with $+1$ and one with $-1$, and follow the
# hidden unit whose cell state ends furthest apart between the two, in the first of the
# three runs that solved the task:

# %%
open_lstm = "LSTM, forget-gate bias +3"
solved = int(np.argmax(memory[open_lstm] > 0.95))  # the first seed that solved it
params = convert.from_torch(models[open_lstm][solved].rnn)
pair = [int(np.argmax(y_test == 1)), int(np.argmax(y_test == 0))]  # +1, -1
x = X_test[pair].astype(np.float64)
h = c = np.zeros((2, HIDDEN))
trace = collections.defaultdict(list)
for t in range(STEPS):
    step = cells.lstm_step(x[:, t], h, c, params)
    h, c = step.h, step.c
    for name in ("f", "i", "c"):
        trace[name].append(getattr(step, name))
trace = {name: np.stack(values, axis=1) for name, values in trace.items()}
unit = int(np.argmax(np.abs(trace["c"][0, -1] - trace["c"][1, -1])))
print("unit", unit, "final cell states:", trace["c"][:, -1, unit].round(2))

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), sharex=True)
panels = [
    ("f", "forget gate $f_t$"),
    ("i", "input gate $i_t$"),
    ("c", "cell state $c_t$"),
]
for ax, (name, title) in zip(axes, panels, strict=True):
    for row, label in enumerate(["first input +1", "first input −1"]):
        ax.plot(trace[name][row, :, unit], label=label)
    ax.set(title=title, xlabel="step t")
axes[0].set(ylim=(0, 1.05), ylabel=f"value of unit {unit}")
axes[1].set(ylim=(0, 1.05))
axes[2].legend()
fig.tight_layout()

# %% tags=["remove-cell"]
glue("fig-memory-gates", fig)
glue("memory_unit", unit)
f_mean = trace["f"][:, 1:, unit].mean()
glue("memory_unit_forget", f"{f_mean:.2f}")
glue("memory_unit_input", f"{trace['i'][:, :, unit].mean():.2f}")
c_end = trace["c"][:, -1, unit]
early = abs(trace["c"][0, 10, unit] - trace["c"][1, 10, unit])
glue("memory_unit_c_plus", f"{c_end[0]:.2f}")
glue("memory_unit_c_minus", f"{c_end[1]:.2f}")
glue("memory_unit_early", f"{100 * early / abs(c_end[0] - c_end[1]):.0f} %")
# How a trained network stores the sign differs from one run (and CPU) to another:
# the description is glued from this trace, not asserted.
high = f_mean > 0.9
glue("memory_forget_words", "stays near 1 at every step" if high else "stays below 0.9",
     zh="在每一步都接近 1" if high else "保持在 0.9 以下")  # fmt: skip
drift = early < 0.2 * abs(c_end[0] - c_end[1])
glue("memory_drift_words",
     "The cell does not jump at the first step: the two sequences' cells start close "
     "together and then drift apart, step after step" if drift else
     "Much of the separation happens in the first steps, and the rest accumulates "
     "step after step",
     zh="细胞状态并不是在第一步就发生跳变：两条序列的细胞状态开始时很接近，然后一步一步地逐渐分开"
     if drift else "很大一部分分离发生在最初几步，其余的则一步一步地累积起来")  # fmt: skip
opposite = np.sign(c_end[0]) != np.sign(c_end[1])
glue("memory_sides_words", "on opposite sides of zero" if opposite
     else "on the same side of zero, at clearly different values",
     zh="分别位于零的两侧" if opposite else "位于零的同一侧，但数值明显不同")  # fmt: skip


# %% [markdown]
# ```{glue:figure} fig-memory-gates
# :name: fig-memory-gates
#
# One unit of the trained LSTM (forget-gate bias started at $+3$) reading two test
# sequences of the memory task, one starting with $+1$ and one with $-1$: its forget gate,
# its input gate and its cell state at every step.
# ```
#
# {numref}`fig-memory-gates` shows how unit {glue:text}`memory_unit` does it. Its forget
# gate {glue:text}`memory_forget_words` (on average {glue:text}`memory_unit_forget`), so
# the cell keeps almost all of what it holds, and its input gate stays about half open (on
# average {glue:text}`memory_unit_input`). {glue:text}`memory_drift_words` (by step 10
# they are {glue:text}`memory_unit_early` of their final distance apart). At the last step
# they are far apart, {glue:text}`memory_sides_words` ({glue:text}`memory_unit_c_plus` and
# {glue:text}`memory_unit_c_minus`), and that is all the read-out needs. The trained
# network does not store one number and leave it alone: it keeps adding to it, and an open
# forget gate lets those additions accumulate.
#
# ### Bidirectional layers
#
# A {term}`bidirectional <Bidirectional RNN (双向循环神经网络)>` layer
# {cite}`schuster1997bidirectional` adds a second LSTM that reads the sequence backwards.
# Whether that shortens the gradient's way depends on what the output reads. If a
# whole-sequence output reads both final states (the forward state after $x_T$ and the
# backward state after $x_1$), input $x_t$ is $T - t$ steps from the first and $t - 1$ from
# the second, so no input is more than about $T/2$ steps away:

# %%
def bidirectional_gradient(seeds=5):
    """Geometric mean of ||dL/dx_t|| by position t; L reads both ends."""
    logs = []
    for seed in range(seeds):
        torch.manual_seed(seed)
        layer = torch.nn.LSTM(
            FEATURES, HIDDEN, batch_first=True, bidirectional=True
        ).double()
        shape = (16, STEPS, FEATURES)
        x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
        _, (h_n, _) = layer(x)  # h_n: (2, batch, hidden), both final states
        h_n.sum().backward()
        logs.append(np.log10(x.grad.norm(dim=(0, 2)).numpy()))
    return 10 ** np.mean(logs, axis=0)


both_ends = bidirectional_gradient()
one_way = profiles["LSTM"][::-1]  # by position t = 1, ..., T
weakest = int(np.argmin(both_ends)) + 1
lowest = int(np.argmin(one_way)) + 1
print(f"one-way LSTM: smallest {one_way.min():.0e} at step {lowest}")
print(f"BiLSTM:       smallest {both_ends.min():.0e} at step {weakest}")

# %% tags=["remove-cell"]
glue("bilstm_min_grad", f"{both_ends.min():.0e}")
glue("bilstm_weakest_step", weakest)
assert 30 < weakest < 70 and both_ends.min() > 1e4 * one_way.min()

# %% [markdown]
# The weakest input is now near the middle, at step {glue:text}`bilstm_weakest_step`, and
# its gradient, about {glue:text}`bilstm_min_grad`, is close to what a one-way LSTM keeps
# 50 steps back ({glue:text}`lstm_grad_50`), not 99 ({glue:text}`lstm_grad_99`). For
# outputs at every step (tagging each word, say), the distance between two positions along
# each direction is unchanged, and so is the decay. A bidirectional layer needs its whole
# input before it can answer. That is no obstacle when the input is already known, such as
# a sentence to classify or a window of past values from which to forecast; it rules out
# only causal use, where an answer is due at each step as the stream arrives.
#
# ````{admonition} Common pitfalls
# :class: warning dropdown
#
# * **Assuming gates solve long-range dependencies by themselves.** At PyTorch's default
#   initialisation an LSTM's gradient vanishes about as fast as a plain RNN's, and neither
#   learns a 100-step dependency. Start the forget-gate bias positive (Keras: 1 by default;
#   PyTorch: set it yourself).
# * **Assuming gates stop exploding gradients.** The forget gate bounds only the path along
#   the cell state; keep gradient clipping on.
# * **Describing the update and reset gates alike.** The update gate mixes the old state
#   with the candidate; the reset gate controls how much of the old state the candidate
#   sees.
# * **Drawing the gates as a chain.** All gates read $[h_{t-1}, x_t]$ in parallel.
# * **Choosing the GRU for speed from its parameter count.** Measured above on this book's
#   CPU, a training step of PyTorch's GRU took {glue:text}`gru_lstm_ratio_32` times as
#   long as its LSTM's at 32 units; measure on your own set-up.
#
# The appendix {ref}`app-errata` lists every correction of the article in full.
# ````
#
# ## Key takeaways
#
# * A gate is a vector of sigmoids, one per unit, that multiplies another vector element by
#   element; all gates of a cell read $[h_{t-1}, x_t]$ in parallel.
# * The LSTM keeps a cell state that is changed only by the forget gate's product and the
#   input gate's sum; the GRU mixes old state and candidate through one update gate.
# * An LSTM has $4(h(h+d)+h)$ parameters and a GRU $3(h(h+d)+h)$; PyTorch and Keras add
#   bias vectors on top.
# * Gates help only when they start open: with the memory gate's bias at $+3$ the gradient
#   99 steps back was about {glue:text}`lstm_open_grad_99` instead of
#   {glue:text}`lstm_grad_99`, and only then did the memory test succeed
#   ({glue:text}`memory_lstm_open_solved` of three runs for the LSTM).
# * Fewer parameters does not mean faster: measure the implementation you will run.

# %% [markdown]
# ## Exercises
#
# ````{exercise} ★ The GRU as an LSTM (10 minutes)
# :label: ex-ideas-gru-as-lstm
#
# Write the GRU's state update as an LSTM-like cell update: which values of $f_t$ and $i_t$
# in $c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t$ reproduce
# $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$? What can an LSTM do that this
# constraint forbids?
# ````
#
# ````{solution} ex-ideas-gru-as-lstm
# :class: dropdown
#
# $f_t = z_t$ and $i_t = 1 - z_t$, with the state playing the role of the cell. An LSTM can
# keep *and* write at the same time ($f_t \approx i_t \approx 1$), letting its cell grow
# like a counter, or erase without writing; a GRU always trades one against the other.
# ````
#
# ````{exercise} ★ The rate of decay (10 minutes)
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
# g = profiles["LSTM"]
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
# ````{exercise} ★★ Counting a deeper network (15 minutes)
# :label: ex-ideas-count
#
# How many parameters does a two-layer bidirectional LSTM with $d = 10$ inputs and
# $h = 16$ hidden units have in Keras? In PyTorch? Remember that the second layer's input
# is the first layer's output, in both directions.
# ````

# %% [markdown]
# ````{solution-start} ex-ideas-count
# :class: dropdown
# ````
#
# The first layer has two directions of $4(h(h+d)+h)$ each; the second layer's input size
# is $2h = 32$. PyTorch adds $4h$ per direction and layer. Computed, and checked against
# both libraries:

# %%
first, second = formula("lstm", 10, 16), formula("lstm", 32, 16)
by_hand = 2 * (first + second)
print("per direction:", first, "and", second, "; Keras by hand:", by_hand)
print("PyTorch by hand:", by_hand + 4 * 16 * 4)

deep = torch.nn.LSTM(10, 16, num_layers=2, bidirectional=True)
print("torch.nn.LSTM:", sum(p.numel() for p in deep.parameters()))
both_ways = keras.layers.Bidirectional
stacked = keras.Sequential(
    [
        keras.Input((None, 10)),
        both_ways(keras.layers.LSTM(16, return_sequences=True)),
        both_ways(keras.layers.LSTM(16)),
    ]
)
print("Keras:", stacked.count_params())

# %% [markdown]
# ```{solution-end}
# ```
#
# ````{exercise} ★★ Timing on your machine (20 minutes)
# :label: ex-ideas-speed
#
# Repeat the timing with `torch.set_num_threads(2)` and with hidden sizes 16 and 256. Does
# the ratio change? (The set-up chapter, {ref}`ch-setup`, measures threads properly.)
# ````
#
# ````{solution} ex-ideas-speed
# :class: dropdown
#
# Call `torch.set_num_threads(2)` and rerun the loop with `for hidden in (16, 256)`. The
# absolute times and the ratio change with both, and they depend on the machine; the
# conclusion does not: measure instead of assuming.
# ````
#
# ````{exercise} ★★★ Is Keras' bias of 1 enough? (25 minutes)
# :label: ex-sequences-keras-bias
#
# Keras initialises the forget-gate bias to 1, not 3. Measure the gradient profile of an
# LSTM with `open_gate(make("lstm"), 1.0)` and the memory accuracy for 100 steps. Is a
# bias of 1 enough?
# ````

# %% [markdown]
# ````{solution-start} ex-sequences-keras-bias
# :class: dropdown
# ````

# %%
g = gradient_by_distance(lambda: open_gate(make("lstm"), 1.0))
_, accuracy = memory_test("lstm", gate_bias=1.0)
keep = 1 / (1 + np.exp(-1.0))  # sigma(1): the share of the cell kept per step
print(f"gradient 1 step back {g[1]:.1e}, 99 steps back {g[99]:.1e}")
print(f"sigma(1) = {keep:.2f}; {keep:.2f} ** 99 = {keep**99:.0e}")
print(f"sigma(0) = 0.50;  0.50 ** 99 = {0.5**99:.0e}")
print(f"memory test, 100 steps: accuracy {accuracy:.1%}")

# %% tags=["remove-cell"]
glue("bias1_grad_99", f"{g[99]:.0e}")
glue("bias1_keep", f"{keep:.2f}")
glue("bias1_keep_99", f"{keep**99:.0e}")
glue("half_99", f"{0.5**99:.0e}")
glue("bias1_memory", f"{accuracy:.0%}")
too_little = accuracy < 0.6
glue("bias1_words", "Yet it is too little for a 100-step dependency in 400 updates"
     if too_little else "In this run it was enough for a 100-step dependency",
     zh="但对于 400 次更新内学会 100 步的依赖来说，这仍然太少" if too_little
     else "在这次运行中，它足以学会 100 步的依赖")  # fmt: skip
assert g[99] > 1e3 * profiles["LSTM"][99]  # at initialisation: no training involved

# %% [markdown]
# With $\sigma(1) \approx$ {glue:text}`bias1_keep` the cell keeps that share of itself per
# step, so after 99 steps about {glue:text}`bias1_keep_99` survives along that path: far
# better than {glue:text}`half_99` for a gate at 0.5, and the measured gradient 99 steps
# back, {glue:text}`bias1_grad_99`, is much larger than the default LSTM's.
# {glue:text}`bias1_words`: the memory test's accuracy was {glue:text}`bias1_memory`. To
# see where a bias of 1 starts to suffice, make the task shorter with `sign_task(n,
# steps=40)` and train again.
#
# ```{solution-end}
# ```
