# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-gate-maths)=
# # Gate maths, step by step
#
# By the end of this chapter you will be able to compute one LSTM or GRU step by hand,
# check it against PyTorch and Keras, and move weights from one framework to the other. It
# answers the article's §3 and §4, the equations of both cells and the worked example.
#
# {ref}`ch-ideas` said in words what each gate does. This chapter writes the equations,
# works one time step through by hand with numbers small enough to follow (3 inputs, 2
# hidden units), and then asks PyTorch and Keras to compute the same step. They agree with
# the hand calculation to the last printed digit once the weights are laid out the way each
# framework expects. The GRU comes last, with the conventions that papers and frameworks
# quietly disagree on; the {ref}`cheat sheet <app-cheatsheet>` collects the layouts and
# conventions in two tables.

# %%
from seqlib.reproducibility import setup

setup(frameworks=("torch",))  # chapter 5

import numpy as np
import pandas as pd
import torch

from seqlib import cells, convert, diagrams

np.set_printoptions(precision=4, suppress=True)
pd.set_option("display.precision", 4)

# %% tags=["remove-cell"]
from seqlib.report import glue

# %% [markdown]
# ## The LSTM equations
#
# At step $t$ the LSTM reads the input $x_t \in \mathbb{R}^d$, its previous hidden state
# $h_{t-1} \in \mathbb{R}^h$ and its previous cell state $c_{t-1} \in \mathbb{R}^h$. Every gate
# looks at the same concatenation $[h_{t-1}, x_t] \in \mathbb{R}^{h+d}$ through its own
# weights $W_\cdot \in \mathbb{R}^{h \times (h+d)}$ and bias $b_\cdot \in \mathbb{R}^h$:
#
# $$
# \begin{aligned}
# f_t &= \sigma\left(W_f \cdot [h_{t-1}, x_t] + b_f\right) &&\text{forget gate}\\
# i_t &= \sigma\left(W_i \cdot [h_{t-1}, x_t] + b_i\right) &&\text{input gate}\\
# \tilde{c}_t &= \tanh\left(W_c \cdot [h_{t-1}, x_t] + b_c\right) &&\text{candidate values}\\
# o_t &= \sigma\left(W_o \cdot [h_{t-1}, x_t] + b_o\right) &&\text{output gate}\\
# c_t &= f_t \odot c_{t-1} + i_t \odot \tilde{c}_t &&\text{new cell state}\\
# h_t &= o_t \odot \tanh(c_t) &&\text{new hidden state}
# \end{aligned}
# $$
#
# $\sigma$ is the logistic function $1/(1+e^{-a})$, so every gate lies between 0 and 1, and
# $\odot$ multiplies element by element. The article lists the first four lines and the last
# one in its §3 but leaves out the cell-state update $c_t$, which is the heart of the model.
# It has no weight matrix, but neither has the last line; what sets it apart is that it is
# *additive*. The old cell state $c_{t-1}$ reaches $c_t$ only through the element-wise
# product with $f_t$, with no matrix and no squashing function on the way, so the gradient
# along this path is multiplied by $f_t$ and by nothing else ({ref}`ch-sequences`,
# {ref}`ch-bptt`).
#
# ## A worked example: d = 3 inputs, h = 2 hidden units
#
# We take the input the article uses, $x_t = [1, 0, 1]$, a previous state of the right size
# (two numbers, since the layer has two hidden units), and weights with one decimal so
# that every product can be checked by hand. Each weight matrix is $2 \times 5$: two rows,
# one per hidden unit, and five columns, two for $h_{t-1}$ and three for $x_t$.

# %% tags=["nbval-check-output"]
x_t = np.array([1.0, 0.0, 1.0])
h_prev = np.array([0.2, -0.4])
c_prev = np.array([0.5, -1.0])

rng = np.random.default_rng(7)
lstm_params = cells.LSTMParams(
    **{f"W_{g}": rng.integers(-9, 10, size=(2, 5)) / 10 for g in "fico"},
    **{f"b_{g}": rng.integers(-5, 6, size=2) / 10 for g in "fico"},
)
names = ["forget", "input", "candidate", "output"]
for g, name in zip("fico", names, strict=True):
    W, b = getattr(lstm_params, f"W_{g}"), getattr(lstm_params, f"b_{g}")
    print(f"W_{g} ({name}) =\n{W}   b_{g} = {b}")

# %% [markdown]
# Now the step itself, one line per equation, exactly as written above:

# %% tags=["nbval-check-output"]
p = lstm_params
hx = np.concatenate([h_prev, x_t])  # [h_{t-1}, x_t], 5 numbers
# pre-activations a_g = W_g · [h_{t-1}, x_t] + b_g, one per gate
a = {g: getattr(p, f"W_{g}") @ hx + getattr(p, f"b_{g}") for g in "fico"}

f_t = cells.sigmoid(a["f"])
i_t = cells.sigmoid(a["i"])
c_tilde = np.tanh(a["c"])
o_t = cells.sigmoid(a["o"])
c_t = f_t * c_prev + i_t * c_tilde
h_t = o_t * np.tanh(c_t)

print("[h_{t-1}, x_t] =", hx)
rows = {
    "f_t  = sigmoid(a_f)": (a["f"], f_t),
    "i_t  = sigmoid(a_i)": (a["i"], i_t),
    "c~_t = tanh(a_c)": (a["c"], c_tilde),
    "o_t  = sigmoid(a_o)": (a["o"], o_t),
    "c_t  = f*c_prev + i*c~": (None, c_t),
    "h_t  = o*tanh(c_t)": (None, h_t),
}
table = pd.DataFrame(
    {
        name: [*(pre if pre is not None else [np.nan, np.nan]), *value]
        for name, (pre, value) in rows.items()
    },
    index=["a (unit 1)", "a (unit 2)", "value (unit 1)", "value (unit 2)"],
).T
table.round(4)

# %% tags=["remove-cell"]
glue("hand_a_f1", f"{a['f'][0]:.4f}")
glue("hand_f1", f"{f_t[0]:.4f}")

# %% [markdown]
# Read the table row by row ($a$ is the pre-activation $W \cdot [h_{t-1}, x_t] + b$). For the
# first hidden unit the forget gate is $f_{t,1} = \sigma(a_{f,1})$ with
# $a_{f,1} = W_f[0] \cdot [h_{t-1}, x_t] + b_{f,1}$: five products and a bias, which you can
# check from the printed matrices. The new cell state mixes what is kept,
# $f_t \odot c_{t-1}$, with what is written, $i_t \odot \tilde{c}_t$, and the hidden state
# is a squashed, gated view of it, so $|h_t| < |c_t|$ wherever $c_t \neq 0$: $\tanh$ shrinks
# and $o_t < 1$ shrinks again.
#
# The same step by {func}`seqlib.cells.lstm_step`, the function every later chapter uses,
# gives the same numbers:

# %% tags=["nbval-check-output"]
# a batch of one: x_t[None] is (1, 3)
step = cells.lstm_step(x_t[None], h_prev[None], c_prev[None], lstm_params)
print("h_t:", step.h[0], " c_t:", step.c[0])
same = np.allclose(step.h[0], h_t) and np.allclose(step.c[0], c_t)
print("same as above:", same)


# %% [markdown]
# {numref}`fig-worked-step` puts the numbers of this step on the cell diagram of
# {ref}`ch-ideas`, each vector next to the wire that carries it.

# %% tags=["hide-input", "remove-output"]
def show(values):
    return "[" + ", ".join(f"{v:.2f}" for v in np.ravel(values)) + "]"


ax = diagrams.lstm_cell()
ax.set_xlim(-3.4, 14.3)  # room for the numbers on the left
where = [  # (x, y) in the drawing's coordinates, the vector, its alignment
    ((-1.2, 0.25), h_prev, "right"),
    ((1.25, -1.45), x_t, "left"),
    ((-1.2, 5.75), c_prev, "right"),
    ((2.05, 3.3), step.f, "left"),
    ((4.05, 2.75), step.i, "left"),
    ((6.05, 2.75), step.c_tilde, "left"),
    ((8.75, 2.6), step.o, "left"),
    ((12.15, 5.75), step.c, "left"),
    ((11.2, 6.6), step.h, "left"),
]
box = dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9)
for (x, y), values, align in where:
    ax.text(x, y, show(values), ha=align, va="center", fontsize=8.5,
            color="#b00020", bbox=box)  # fmt: skip
worked = ax.figure

# %% tags=["remove-cell"]
glue("fig-worked-step", worked)

# %% [markdown]
# ```{glue:figure} fig-worked-step
# :name: fig-worked-step
#
# The worked example on the LSTM cell: the inputs $x_t$, $h_{t-1}$ and $c_{t-1}$, the four
# gate and candidate vectors and the new states $c_t$ and $h_t$ (red, rounded to two
# decimals; unit 1 first).
# ```

# %% [markdown]
# ### The same step in PyTorch and Keras
#
# Our LSTM is {glue:text}`gate_lstm_formula` numbers: four $2 \times 5$ matrices and four
# biases of 2. Keras stores exactly these {glue:text}`gate_lstm_keras`, and PyTorch stores
# {glue:text}`gate_lstm_torch`, because it keeps a second, redundant bias per gate (the
# table in {ref}`ch-ideas` counts both libraries for other sizes). Both split each gate's
# matrix into a part for the input and a part for the hidden state, stack the four gates
# into one big matrix, and disagree on everything else:
#
# * PyTorch's `nn.LSTM` has `weight_ih` of shape $(4h, d)$ and `weight_hh` of shape
#   $(4h, h)$ with the gates as row blocks in the order $i, f, g, o$ ($g$ is our
#   $\tilde{c}$), and **two** bias vectors, `bias_ih` and `bias_hh`, that are always added
#   together;
# * Keras' `layers.LSTM` has `kernel` of shape $(d, 4h)$ and `recurrent_kernel` of shape
#   $(h, 4h)$, the gates as column blocks in the order $i, f, c, o$, and one bias.
#
# {mod}`seqlib.convert` does this bookkeeping (read its source: it is short). With the weights
# moved across, each framework runs the step:

# %% tags=["nbval-check-output"]
x = x_t[None, None].astype(np.float32)  # (batch=1, time=1, features=3)
h0, c0 = h_prev[None].astype(np.float32), c_prev[None].astype(np.float32)

torch_lstm = convert.to_torch(lstm_params)  # an nn.LSTM(3, 2, batch_first=True)
with torch.no_grad():
    # states are (layers, batch, hidden) = (1, 1, 2)
    state = (torch.from_numpy(h0)[None], torch.from_numpy(c0)[None])
    _, (h_torch, c_torch) = torch_lstm(torch.from_numpy(x), state)

keras_lstm = convert.to_keras(lstm_params, return_state=True)  # layers.LSTM(2)
_, h_keras, c_keras = keras_lstm(x, initial_state=[h0, c0])
h_keras, c_keras = np.asarray(h_keras), np.asarray(c_keras)

compared = pd.DataFrame(
    {
        "NumPy (by hand)": np.r_[h_t, c_t],
        "torch.nn.LSTM": np.r_[h_torch[0, 0].numpy(), c_torch[0, 0].numpy()],
        "keras.layers.LSTM": np.r_[h_keras[0], c_keras[0]],
    },
    index=["h_t[0]", "h_t[1]", "c_t[0]", "c_t[1]"],
)
print(compared.round(4))
stored = {
    "formula 4(h(h+d)+h)": 4 * (2 * (2 + 3) + 2),
    "torch.nn.LSTM": sum(p.numel() for p in torch_lstm.parameters()),
    "keras.layers.LSTM": keras_lstm.count_params(),
}
print("numbers stored:", stored)

# %% tags=["remove-cell"]
glue("gate_lstm_formula", stored["formula 4(h(h+d)+h)"])
glue("gate_lstm_torch", stored["torch.nn.LSTM"])
glue("gate_lstm_keras", stored["keras.layers.LSTM"])
assert np.allclose(h_torch[0, 0].numpy(), h_t, atol=1e-6)
assert np.allclose(np.asarray(h_keras)[0], h_t, atol=1e-6)
assert np.allclose(np.asarray(c_keras)[0], c_t, atol=1e-6)
assert np.all(np.abs(h_t) < np.abs(c_t))
assert stored == {"formula 4(h(h+d)+h)": 48, "torch.nn.LSTM": 56, "keras.layers.LSTM": 48}

# %% [markdown]
# The frameworks compute in 32-bit floats, so they agree with the 64-bit hand calculation
# to about seven digits; the book's tests check the same equality for many shapes, batch
# sizes and initial states (`tests/test_cells.py` and `tests/test_convert.py`).
#
# ## Why the article's worked example cannot be right
#
# The article's §4 works an example with $x_t = [1, 0, 1]$ and $h_{t-1} = [0, 1, 0]$, uses the
# same matrix `[0.1, 0.2; 0.3, 0.4; 0.5, 0.6]` and bias `[0.7, 0.8]` for every gate, and
# writes the product as that $3 \times 2$ matrix times a $2 \times 3$ matrix
# `[0, 1, 0; 1, 0, 1]` standing for $[h_{t-1}, x_t]$. Running it shows the first problem:

# %% tags=["raises-exception"]
W_article = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])  # 3 x 2
hx_article = np.array([[0, 1, 0], [1, 0, 1]])  # 2 x 3: h_{t-1} and x_t as rows
b_article = np.array([0.7, 0.8])
cells.sigmoid(W_article @ hx_article + b_article)

# %% [markdown]
# The product is $3 \times 3$ and the bias has 2 entries, so the expression is not even
# defined. Whatever was meant, the printed results cannot come from it:

# %%
pre = W_article @ hx_article  # every entry is a sum of non-negative numbers
lowest = pre.min() + b_article.min()
print(f"smallest possible pre-activation: {lowest:.1f}")
print(f"so every sigmoid gate is at least {cells.sigmoid(lowest):.3f}")

# the article's f_t (= its o_t), i_t, c~_t, c_{t-1}, and what it prints for c_t
f_article = np.array([[0.2, 0.6], [0.4, 0.8], [0.5, 0.9]])
i_article = np.array([[0.3, 0.7], [0.5, 0.9], [0.6, 0.8]])
ctilde_article = np.array([[0.4, 0.6], [0.5, 0.7], [0.6, 0.7]])
c_prev_article = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
c_article = np.array([[0.3, 0.7], [0.5, 0.9], [0.6, 0.9]])
h_article = np.array([[0.3, 0.7], [0.5, 0.9], [0.6, 0.9]])  # ... and for h_t

c_from_its_numbers = f_article * c_prev_article + i_article * ctilde_article
print("c_t from the article's own f, i, c~ and c_{t-1}:\n", c_from_its_numbers)
h_from_its_numbers = f_article * np.tanh(c_article)
print("h_t = o_t * tanh(c_t) from its own numbers:\n", h_from_its_numbers)

# %% tags=["remove-cell"]
glue("article_lowest_pre", f"{lowest:.1f}")
glue("article_lowest_gate", f"{cells.sigmoid(lowest):.3f}")

# %% [markdown]
# * With non-negative weights, inputs and biases every gate's pre-activation is at least
#   {glue:text}`article_lowest_pre`, so every sigmoid gate is at least
#   {glue:text}`article_lowest_gate`; the article's forget gate has entries 0.2 and 0.4.
# * The forget gate and the output gate are computed from identical weights and print
#   identical values, although they are different gates with different weights in any real
#   network.
# * Even taking its own intermediate numbers, $c_t = f_t \odot c_{t-1} + i_t \odot
#   \tilde{c}_t$ gives the values printed just above, not the ones it reports, and its
#   $h_t$ is printed equal to its $c_t$, which $h_t = o_t \odot \tanh(c_t)$ rules out (here
#   it would be smaller in every entry).
# * The shapes are wrong throughout: with 3 inputs and 2 hidden units, $h_{t-1}$ must have
#   2 entries, every gate is a vector of 2 numbers, and each $W$ is $2 \times 5$.
#
# The worked example above is what the article's section should have contained.
#
# ## The GRU equations, and the conventions
#
# The GRU keeps no separate cell state. A **reset gate** $r_t$ decides how much of the past
# the candidate may look at, and an **update gate** $z_t$ decides how much of the state to
# replace. In the form Cho et al. {cite}`cho2014learning` proposed it:
#
# $$
# \begin{aligned}
# r_t &= \sigma\left(W_r \cdot [h_{t-1}, x_t] + b_r\right) &&\text{reset gate}\\
# z_t &= \sigma\left(W_z \cdot [h_{t-1}, x_t] + b_z\right) &&\text{update gate}\\
# \tilde{h}_t &= \tanh\left(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h\right) &&\text{candidate state}\\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t &&\text{new state}
# \end{aligned}
# $$
#
# Two details vary between papers and libraries, and the numbers change with them.
#
# **Which state $z_t$ weights.** Cho et al., PyTorch and Keras write
# $h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$: $z_t$ near 1 *keeps* the old
# state. Chung et al. {cite}`chung2014empirical`, and the article, write
# $h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde{h}_t$: $z_t$ near 1 *takes* the
# candidate. These are the same family of models: since $\sigma(-a) = 1 - \sigma(a)$,
# negating $W_z$ and $b_z$ turns one into the other.
#
# **Where the reset gate acts.** Above, $r_t$ multiplies $h_{t-1}$ *before* the matrix
# product. cuDNN, and therefore PyTorch and Keras' default (`reset_after=True`), apply it
# *after*:
# $\tilde{h}_t = \tanh\left(W_{hx} x_t + b_h + r_t \odot (W_{hh} h_{t-1} + b_{h,\text{rec}})\right)$,
# This is a different model, not a re-parametrisation, and it needs one more bias vector.
# What it gains is speed. In both forms the input products $W_{\cdot x} x_t$ do not depend
# on the state, so they can be computed for all time steps at once. The difference is in
# the recurrent part: with the reset after the product, a single fused product of
# $h_{t-1}$ with the stacked recurrent weights of $r$, $z$ and the candidate gives all three
# blocks at each step, before $r_t$ is known. With the reset before the product, the
# candidate's recurrent product has to wait for $r_t$, so each step needs a second product,
# $W_{hh} \cdot (r_t \odot h_{t-1})$, after the gates. cuDNN's GRU uses the fused form.
#
# ### A GRU step in every variant

# %% tags=["nbval-check-output"]
rng = np.random.default_rng(11)
gru_weights = {f"W_{g}": rng.integers(-9, 10, size=(2, 5)) / 10 for g in "rzh"}
gru_biases = {f"b_{g}": rng.integers(-5, 6, size=2) / 10 for g in "rzh"}
for g, name in zip("rzh", ["reset", "update", "candidate"], strict=True):
    W, b = gru_weights[f"W_{g}"], gru_biases[f"b_{g}"]
    print(f"W_{g} ({name}) =\n{W}   b_{g} = {b}")

variants = {
    "Cho 2014": cells.GRUParams(
        **gru_weights, **gru_biases, reset_after=False, update="previous"
    ),
    "Chung 2014, the article": cells.GRUParams(
        **gru_weights, **gru_biases, reset_after=False, update="candidate"
    ),
    "PyTorch, Keras": cells.GRUParams(
        **gru_weights, **gru_biases, reset_after=True, update="previous"
    ),
}
columns = {}
for name, params in variants.items():
    s = cells.gru_step(x_t[None], h_prev[None], params)
    values = {"r_t": s.r, "z_t": s.z, "h~_t": s.h_tilde, "h_t": s.h}
    columns[name] = {
        k: np.array2string(v[0], precision=4) for k, v in values.items()
    }
pd.DataFrame(columns)

# %% [markdown]
# The columns are Cho et al.'s GRU (reset before the product, $z_t$ keeps the old state),
# Chung et al.'s and the article's (reset before, $z_t$ takes the candidate), and PyTorch's
# and Keras' (reset after, $z_t$ keeps). The gates $r_t$ and $z_t$ are the same in every
# column, since they depend only on the weights. The first two columns share the candidate
# but combine it with the old state in opposite proportions; the third computes a different
# candidate (here $b_{h,\text{rec}} =
# 0$, so the only difference is where $r_t$ multiplies). Now flip the update gate of the
# Chung-style GRU, $W_z \mapsto -W_z$, $b_z \mapsto -b_z$, and run a whole sequence in both
# conventions:

# %% tags=["nbval-check-output"]
chung = variants["Chung 2014, the article"]
as_cho = cells.flip_update(chung)  # negated W_z and b_z, update="previous"
# (batch, time, features)
sequence = np.random.default_rng(0).normal(size=(4, 20, 3))
gap = np.abs(cells.gru(sequence, chung)[0] - cells.gru(sequence, as_cho)[0])
gap = gap.max()
print("same outputs over 4 sequences of 20 steps:", gap < 1e-12)

before = variants["Cho 2014"]
after = variants["PyTorch, Keras"]
gap = np.abs(cells.gru(sequence, before)[0] - cells.gru(sequence, after)[0])
gap = gap.max()
print(f"reset before vs after, same weights: largest difference {gap:.2f}")

# %% [markdown]
# The flipped GRU computes the same numbers to rounding error; moving the reset gate
# changes the model. So a GRU written in the article's convention can be converted to
# PyTorch or Keras exactly, while a reset-before GRU has no PyTorch equivalent at all:
# `torch.nn.GRU` only implements reset-after. Keras implements both:

# %% tags=["nbval-check-output"]
x = sequence.astype(np.float32)
expected = cells.gru(sequence, chung)[0]

keras_cho = convert.to_keras(chung)  # flips z, keeps reset_after=False
same = np.allclose(keras_cho(x), expected, atol=1e-5)
print("Keras GRU(reset_after=False) == NumPy:", same)
print("Keras layer config reset_after:", keras_cho.get_config()["reset_after"])
try:
    convert.to_torch(chung)
except ValueError as error:
    print("PyTorch:", error)

torch_gru = convert.to_torch(after)
keras_gru = convert.to_keras(after)
expected = cells.gru(sequence, after)[0]
with torch.no_grad():
    out_torch = torch_gru(torch.from_numpy(x))[0].numpy()
same = np.allclose(out_torch, expected, atol=1e-5)
print("torch.nn.GRU == NumPy (reset after):", same)
same = np.allclose(keras_gru(x), expected, atol=1e-5)
print("Keras GRU == NumPy (reset after):   ", same)

# %% [markdown]
# ## The conventions, side by side
#
# Two tables in the cheat sheet collect what this chapter found:
# {ref}`tab-gru-conventions` lists the GRU variants of papers and libraries (where the reset
# gate acts, and what $z_t$ near 1 means) with the matching `seqlib.cells.GRUParams`
# settings, and {ref}`tab-weight-layouts` how NumPy, PyTorch and Keras store the same
# weights (gate order, matrix shapes, biases). In short: PyTorch stacks the LSTM's gates
# as $i, f, g, o$ and Keras as $i, f, c, o$; PyTorch's GRU is $r, z, n$ and Keras' $z, r, h$;
# both libraries' default GRU applies the reset gate after the product, and $z_t$ near 1
# keeps the old state.
#
# ````{admonition} Common pitfalls
# :class: warning dropdown
#
# * **Swapping the names of the GRU's gates.** $r_t$ is the reset gate (it gates $h_{t-1}$
#   inside the candidate); $z_t$ is the update gate (it mixes old state and candidate).
# * **Leaving out the cell-state update** $c_t = f_t \odot c_{t-1} + i_t \odot
#   \tilde{c}_t$: it is the equation that gives the LSTM its additive path through time.
# * **Giving the GRU an input gate.** It has none; $h_t$ mixes $h_{t-1}$ and $\tilde{h}_t$
#   through $z_t$.
# * **Multiplying matrices whose shapes do not fit.** With $d$ inputs and $h$ units every
#   $W$ is $h \times (h + d)$ and every gate a vector of $h$ numbers; check the shapes
#   before the values.
# * **Taking one update convention as *the* GRU.** $h_t = (1-z_t) h_{t-1} + z_t
#   \tilde{h}_t$ is Chung et al.'s; Cho et al., PyTorch and Keras use the mirror image.
#   Convert with {func}`seqlib.cells.flip_update`, and never copy weights between
#   frameworks without reordering the gate blocks ({mod}`seqlib.convert`).
#
# The appendix {ref}`app-errata` lists every correction of the article in full.
# ````
#
# ## Key takeaways
#
# * Every gate of a cell is $\sigma$ or $\tanh$ of $W \cdot [h_{t-1}, x_t] + b$, with $W$ of
#   shape $h \times (h + d)$.
# * The LSTM step is six lines: four gate layers, then
#   $c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t$ and $h_t = o_t \odot \tanh(c_t)$.
# * NumPy, PyTorch and Keras compute the same step to float32 precision once the weights are
#   split and stacked the way each framework expects.
# * The two GRU update conventions are the same family of models; the reset gate's
#   position (before or after the product) gives two different models, and PyTorch has
#   only the second.
# * Check a hand calculation against a library before trusting either.

# %% [markdown]
# ## Exercises
#
# ````{exercise} ★ One gate by hand (10 minutes)
# :label: ex-gates-hand
#
# Compute the forget gate of the first hidden unit, $f_{t,1}$, by hand from the printed
# $W_f$, $b_f$ and $[h_{t-1}, x_t]$, and compare with the table.
# ````

# %% [markdown]
# ````{solution-start} ex-gates-hand
# :class: dropdown
# ````
#
# $a_{f,1}$ is the dot product of the first row of $W_f$ with $[0.2, -0.4, 1, 0, 1]$ plus
# $b_{f,1}$, and $f_{t,1} = 1 / (1 + e^{-a_{f,1}})$:

# %% tags=["nbval-check-output"]
products = lstm_params.W_f[0] * hx
a_f1 = products.sum() + lstm_params.b_f[0]
print("products:", products, " bias:", lstm_params.b_f[0])
print(f"a_f1 = {a_f1:.4f}, f_t1 = {1 / (1 + np.exp(-a_f1)):.4f}")

# %% [markdown]
# So $a_{f,1}$ = {glue:text}`hand_a_f1` and $f_{t,1}$ = {glue:text}`hand_f1`, the first
# entry of `f_t` in the table.
#
# ```{solution-end}
# ```
#
# ````{exercise} ★★ Copy and erase (10 minutes)
# :label: ex-gates-copy
#
# Which gate values make an LSTM copy its cell state unchanged from one step to the next,
# and which make it forget everything? Which GRU gate values make $h_t = h_{t-1}$ in each
# update convention?
# ````
#
# ````{solution} ex-gates-copy
# :class: dropdown
#
# $f_t = 1, i_t = 0$ gives $c_t = c_{t-1}$ (and $h_t$ then depends only on $o_t$);
# $f_t = 0$ erases the old cell state. In the GRU, $h_t = h_{t-1}$ when $z_t = 1$ in the
# "keeps" convention (Cho, PyTorch, Keras) and when $z_t = 0$ in the "takes" convention
# (Chung, the article). Because a sigmoid only reaches 0 or 1 in the limit, a network
# approximates these with large pre-activations, which is why gate biases matter
# ({ref}`ch-ideas`).
# ````
#
# ````{exercise} ★★ A closed reset gate (15 minutes)
# :label: ex-gates-reset-zero
#
# With `reset_after=False`, what does the candidate $\tilde{h}_t$ depend on when
# $r_t = 0$? Is the same true with `reset_after=True`? Check with `cells.gru_step` after
# setting `b_r` to $-50$.
# ````

# %% [markdown]
# ````{solution-start} ex-gates-reset-zero
# :class: dropdown
# ````
#
# Reset before: $\tilde{h}_t = \tanh(W_h \cdot [0, x_t] + b_h)$, a function of $x_t$ alone,
# so the unit "starts afresh". Reset after: $\tilde{h}_t = \tanh(W_{hx} x_t + b_h)$ as
# well, because $r_t$ multiplies the whole recurrent term including $b_{h,\text{rec}}$. The
# two variants agree at $r_t = 0$ and at $r_t = 1$ only when $b_{h,\text{rec}} = 0$; in
# between they differ. With the reset gate closed, both give the candidate computed from
# $x_t$ alone:

# %% tags=["nbval-check-output"]
from dataclasses import replace

for name in ("Cho 2014", "PyTorch, Keras"):
    closed = replace(variants[name], b_r=np.full(2, -50.0))
    print(name, cells.gru_step(x_t[None], h_prev[None], closed).h_tilde[0])
print("from x_t alone", np.tanh(after.W_h[:, 2:] @ x_t + after.b_h))


# %% [markdown]
# ```{solution-end}
# ```
#
# ````{exercise} ★★★ Build it yourself: a NumPy GRU step (30 minutes)
# :label: ex-gates-numpy-gru
#
# Write `my_gru_step(x_t, h_prev, p)` for the GRU that PyTorch and Keras compute (reset gate
# after the product, $z_t$ keeps the old state), from the equations of this chapter and
# nothing but NumPy: the weights are `p.W_r`, `p.W_z`, `p.W_h` (each acting on
# $[h_{t-1}, x_t]$), the biases `p.b_r`, `p.b_z`, `p.b_h` and `p.b_h_rec`. Check it against
# {func}`seqlib.cells.gru_step` on the step above, then on random weights from
# {func}`seqlib.cells.init_gru` with a batch of 5, and finally against `torch.nn.GRU`.
# ````

# %% [markdown]
# ````{solution-start} ex-gates-numpy-gru
# :class: dropdown
# ````
#
# The gates read the concatenation; the candidate splits $W_h$ into the columns that act on
# $h_{t-1}$ and those that act on $x_t$, because the reset gate multiplies only the first
# product:

# %%
def my_gru_step(x_t, h_prev, p):
    """One reset-after GRU step: x_t (batch, d), h_prev (batch, h) -> h_t."""
    H = h_prev.shape[1]
    hx = np.concatenate([h_prev, x_t], axis=1)
    r = 1 / (1 + np.exp(-(hx @ p.W_r.T + p.b_r)))  # reset gate
    z = 1 / (1 + np.exp(-(hx @ p.W_z.T + p.b_z)))  # update gate
    recurrent = h_prev @ p.W_h[:, :H].T + p.b_h_rec  # W_hh h_{t-1} + b_h,rec
    h_tilde = np.tanh(x_t @ p.W_h[:, H:].T + p.b_h + r * recurrent)
    return z * h_prev + (1 - z) * h_tilde  # z near 1 keeps the old state


# %%
ours = my_gru_step(x_t[None], h_prev[None], after)
library = cells.gru_step(x_t[None], h_prev[None], after).h
print("the step above:", ours[0], library[0])

p5 = cells.init_gru(3, 4, seed=2)  # reset_after=True, update="previous"
x5 = np.random.default_rng(3).normal(size=(5, 3))
h5 = np.random.default_rng(4).normal(size=(5, 4))
gap = np.abs(my_gru_step(x5, h5, p5) - cells.gru_step(x5, h5, p5).h).max()
print(f"random weights, batch of 5: largest difference {gap:.1e}")

module = convert.to_torch(p5, dtype=torch.float64)
with torch.no_grad():
    out, _ = module(torch.from_numpy(x5[:, None]), torch.from_numpy(h5)[None])
gap = np.abs(out[:, 0].numpy() - my_gru_step(x5, h5, p5)).max()
print(f"torch.nn.GRU: largest difference {gap:.1e}")

# %% tags=["remove-cell"]
assert np.allclose(ours, cells.gru_step(x_t[None], h_prev[None], after).h)
assert gap < 1e-12

# %% [markdown]
# The step agrees with `seqlib.cells` and with PyTorch to float64 rounding. To cover the
# other variants, add the `reset_after=False` candidate,
# $\tanh(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h)$, and the mirrored update.
#
# ```{solution-end}
# ```
