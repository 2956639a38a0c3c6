# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-ideas)=
# # LSTM and GRU: the ideas
#
# {ref}`ch-sequences` ended with a measurement: a plain RNN forgets within a few dozen
# steps, because the gradient that would teach it to remember shrinks with every step it
# travels back. The LSTM (Hochreiter and Schmidhuber, 1997 {cite}`hochreiter1997lstm`, with
# the forget gate added by Gers et al. {cite}`gers2000forget`) and the GRU (Cho et al., 2014
# {cite}`cho2014learning`) fix this the same way: they give the network a state that is
# updated by *mixing* the old value with a new one under the control of learned **gates**,
# numbers between 0 and 1 that say how much to keep and how much to write. This chapter
# explains each gate in words and pictures, counts the parameters, and tests a common
# claim about the GRU's speed. The next chapter does the same maths with numbers.

# %%
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")  # Keras 3 runs on TensorFlow here
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain float maths, fewer log lines
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up messages

import collections
import time

import keras
import pandas as pd
import torch

from seqlib import diagrams
from seqlib.report import glue
from seqlib.reproducibility import set_seed, set_threads

set_threads(1)
set_seed(0)

# %% [markdown]
# ## What a gate is
#
# A gate is a vector of numbers between 0 and 1, one per hidden unit, computed from the
# current input and the previous hidden state by a small learned layer with a sigmoid at
# the end: $g_t = \sigma(W_g \cdot [h_{t-1}, x_t] + b_g)$. It is used by multiplying another
# vector element by element: where the gate is near 1 the value passes, where it is near 0
# it is blocked. Because the gate depends on the input, the network decides *at every step,
# for every unit* what to let through. And because a sigmoid is smooth, the decision is
# soft and can be learned by gradient descent.
#
# ## The LSTM: a memory you write to and read from
#
# The LSTM keeps two vectors from step to step. The **cell state** $c_t$ is its memory; the
# **hidden state** $h_t$ is what it shows to the next layer and to itself at the next step.
# Three gates and one candidate, all computed from $[h_{t-1}, x_t]$, manage them:
#
# * the **forget gate** $f_t$ decides, for each memory entry, what fraction to *keep*:
#   $f_t \odot c_{t-1}$;
# * the **candidate** $\tilde{c}_t$ proposes new values, in $(-1, 1)$ because of the
#   $\tanh$;
# * the **input gate** $i_t$ decides how much of each proposal to *write*: $i_t \odot
#   \tilde{c}_t$, added to what was kept, gives $c_t$;
# * the **output gate** $o_t$ decides what part of the (squashed) memory to *show*:
#   $h_t = o_t \odot \tanh(c_t)$.
#
# The figure draws exactly these equations. The cell state runs along the top and is touched
# only by a multiplication and an addition; everything that needs weights happens below it.

# %%
diagrams.lstm_cell();

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
#   LSTM whose forget gate is open keeps its gradient alive ({ref}`ch-sequences`).
#
# Unrolled over a sequence, a layer applies the same cell, with the same weights, at every
# step, passing both states along:

# %%
diagrams.unrolled_rnn(steps=3, cell="LSTM");

# %% [markdown]
# ## The GRU: one state, two gates
#
# The GRU keeps a single state $h_t$ and two gates:
#
# * the **update gate** $z_t$ decides how much of the state to replace. In the convention
#   of Cho et al., PyTorch and Keras, $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot
#   \tilde{h}_t$: $z_t$ near 1 keeps the old state, near 0 writes the candidate. It does the
#   job of the LSTM's forget and input gates *together*, with the constraint that what is
#   kept and what is written add up to one;
# * the **reset gate** $r_t$ decides how much of the old state the candidate $\tilde{h}_t$
#   may *look at*. With $r_t$ near 0 the candidate is computed from the input alone, which
#   lets a unit drop its past when a new segment begins.
#
# There is no output gate and no separate memory: the state is shown as it is. The
# drawing is of the original GRU {cite}`cho2014learning`, where the reset gate multiplies
# $h_{t-1}$ before the weight matrix:

# %%
diagrams.gru_cell(reset_after=False, update="previous");

# %% [markdown]
# PyTorch, Keras (by default) and NVIDIA's cuDNN compute a slightly different GRU, with the
# reset gate applied *after* the matrix product; {ref}`ch-gate-maths` shows, with numbers,
# that the two are different models and that the two update conventions found in papers
# are not. The figure below is the variant those libraries compute.

# %% tags=["hide-input"]
diagrams.gru_cell(reset_after=True, update="previous");


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
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](h, **kwargs)
    layer.build((None, None, d))
    return layer.count_params()


rows = []
for d, h in [(1, 1), (3, 2), (8, 32), (100, 128)]:
    for cell in ("lstm", "gru"):
        rows.append(
            {
                "cell": cell.upper(),
                "d": d,
                "h": h,
                "formula": formula(cell, d, h),
                "PyTorch": torch_count(cell, d, h),
                "Keras": keras_count(cell, d, h),
                "Keras reset_after=False": keras_count(cell, d, h, reset_after=False)
                if cell == "gru"
                else "-",
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

# %%
def time_training_step(layer, repeats=10):
    """Average seconds for one forward and backward pass over a (64, 100, 8) batch."""
    x = torch.randn(64, 100, 8)
    for _ in range(2):  # warm-up
        layer(x)[0].sum().backward()
    start = time.perf_counter()
    for _ in range(repeats):
        layer(x)[0].sum().backward()
    return (time.perf_counter() - start) / repeats


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
glue("gru_lstm_ratio_32", f"{speed.loc[32, 'GRU time / LSTM time']:.1f}")
glue("gru_lstm_ratio_128", f"{speed.loc[128, 'GRU time / LSTM time']:.2f}")
speed.round(2)


# %% [markdown]
# With 32 hidden units the GRU took about {glue:text}`gru_lstm_ratio_32` times as long as
# the LSTM per training step here, despite having three quarters of the parameters. With
# 128 units the ratio was {glue:text}`gru_lstm_ratio_128`: the gap narrowed, but the GRU was
# still not faster, where its parameter count alone would predict a ratio near 0.75. The
# two layers are not run the same way. Autograd records every operation of a forward pass
# so that it can run the backward pass; here is what it recorded for each layer:
#
# ## What the article got wrong in §2
#
# ```{list-table}
# :header-rows: 1
# :widths: 40 60
#
# * - The article
#   - Corrected
# * - It describes the update gate and the reset gate with the same sentence ("decides
#     how new and old information are fused").
#   - The update gate mixes the old state with the candidate; the reset gate controls how
#     much of the old state the candidate sees.
# * - The GRU "merges the forget and input gates, and introduces an update gate".
#   - The update gate *is* the merged gate: $z_t$ and $1 - z_t$ play the roles of $f_t$
#     and $i_t$.
# * - Fewer parameters, so the GRU trains faster.
#   - Not necessarily: measured above on a CPU, PyTorch's GRU was slower than its LSTM with
#     32 hidden units and no faster with 128.
# * - A flowchart of gates in a chain (forget → input → output; update → reset).
#   - All gates read $[h_{t-1}, x_t]$ in parallel; the figures above show the data flow.
# * - Two diagrams embedded from other websites.
#   - The figures in this book are drawn by its own code ({mod}`seqlib.diagrams`).
# ```
#
# ## Exercises
#
# ````{exercise}
# :label: ex-ideas-count
#
# How many parameters does a two-layer bidirectional LSTM with $d = 10$ inputs and
# $h = 16$ hidden units have in Keras? In PyTorch? Remember that the second layer's input
# is the first layer's output, in both directions.
# ````
#
# ````{solution} ex-ideas-count
# :class: dropdown
#
# The first layer has two directions of $4(h(h+d)+h) = 4(16 \cdot 26 + 16) = 1728$ each;
# the second layer's input size is $2h = 32$, so each of its directions has
# $4(16 \cdot 48 + 16) = 3136$. Keras: $2(1728 + 3136) = 9728$. PyTorch adds $4h = 64$ per
# direction and layer: $9728 + 4 \cdot 64 = 9984$. Check with
# `sum(p.numel() for p in torch.nn.LSTM(10, 16, num_layers=2, bidirectional=True).parameters())`.
# ````
#
# ````{exercise}
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
# ````{exercise}
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
# absolute times and the ratio change with both; small layers usually gain nothing from a
# second thread, large ones some. The conclusion stands: measure instead of assuming.
# ````

# %%
def recorded_operations(layer):
    """Count, by kind, the operations autograd records for one (64, 100, 8) forward pass."""
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
    print(f"{name}: {sum(kinds.values())} operations; most frequent {kinds.most_common(4)}")
glue("lstm_recorded_ops", sum(recorded["LSTM"].values()))
glue("gru_recorded_ops", sum(recorded["GRU"].values()))

# %% tags=["remove-cell"]
assert sum(recorded["GRU"].values()) > 20 * sum(recorded["LSTM"].values())
assert speed.loc[128, "GRU time / LSTM time"] > 0.85
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
