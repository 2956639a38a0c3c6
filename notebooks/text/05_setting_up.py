# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-setup)=
# # Setting up
#
# By the end of this chapter you will have the book's notebooks running, on your own
# machine or in Colab, you will know how to check that your versions are the ones the book
# was tested with, and you will have measured the setting that decides how every later
# chapter runs its models: how many CPU threads a small recurrent network should use. Part
# II follows the original article's hands-on project (its §5: set up an environment, write a
# first LSTM forecaster, read its code, make it better), and this chapter answers its set-up
# section, §5.1. ({ref}`start` has a shorter version of the first two sections.)
#
# ## On your own machine
#
# The book's repository holds everything: the chapters as notebooks, the small library
# `seqlib` that they import, the tests, and a `Makefile`. With Python 3.11 or 3.12 and
# `make` installed, two commands do all the work:
#
# ```bash
# make book   # creates .venv, installs the pinned requirements and seqlib,
#             # runs every notebook, and builds the website in _build/html
# make test   # unit tests, every notebook run and checked (nbval), the site built
# ```
#
# Both create a virtual environment in `.venv` from `requirements.txt`, where every
# package is pinned to the version the book was executed with, and install `seqlib` in
# editable mode (`pip install -e .`), so that a change to the library is seen by the
# notebooks at once. To work on a chapter interactively, start Jupyter from that
# environment: `.venv/bin/jupyter lab` (or `jupyter notebook`), or select `.venv` as the
# kernel in your editor.
#
# Python 3.11 and 3.12 are both tested: `make test-py312` builds a second environment with
# Python 3.12 from `requirements.txt` alone, with the packages a reader gets from the
# registry, and runs the tests and every notebook in it.
#
# **Which PyTorch?** On Linux, pip's default PyTorch is the CUDA build, which brings the
# NVIDIA libraries and the Triton compiler: the environment grows to about 7 GB. No chapter
# needs a GPU, and the CPU-only build keeps the whole environment near 3.5 GB. To get it,
# point pip at PyTorch's CPU index when the environment is created:
#
# ```bash
# PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu make book
# ```
#
# Either build runs every chapter; on macOS and Windows the default build is already the
# CPU one.
#
# The datasets are downloaded on first use from their original public addresses, checked
# against a SHA-256 fingerprint, and kept in `data/`. If you already have a copy of the
# book's data folder, point the environment variable `SEQLIB_DATA` at it and nothing is
# downloaded. {ref}`app-data` lists every dataset with its origin and licence.
#
# The article recommends installing "TensorFlow, NumPy, pandas and matplotlib" with plain
# `pip install` on Windows, with no versions. Unpinned installs are why tutorials stop
# working: the article's own code, written for Keras 2, warns or fails under Keras 3
# ({ref}`ch-first-forecaster`). Pin versions, and record them with your results.
#
# ## In Colab
#
# Every chapter has a launch button (the rocket at the top of the page) that opens it in
# Google Colab. The first cell of each notebook installs `seqlib` from the book's repository
# when, and only when, it runs in Colab:
#
# ```python
# import sys
#
# if "google.colab" in sys.modules:
#     %pip install -q "seqlib[audio] @ git+<the book's repository>"
# ```
#
# Colab already has PyTorch, TensorFlow, Keras 3, scikit-learn and librosa, so nothing else
# is installed. No chapter needs a GPU: every model in this book is sized to train on a
# laptop CPU in minutes.
#
# ## Check the versions
#
# A notebook that prints its versions is a notebook whose results can be reproduced. This
# cell prints what the book was run with and stops early if a major version is different
# from the one the book needs.

# %%
import os

# Keras 3 runs on TensorFlow here, with plain float maths and fewer log lines
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from seqlib.frameworks import load_triton_first

# before TensorFlow: see "Two frameworks in one process" below
triton = load_triton_first()

import platform

import keras
import librosa
import numpy as np
import pandas as pd
import sklearn
import statsmodels
import tensorflow as tf
import torch

import seqlib
from seqlib.report import glue
from seqlib.reproducibility import set_seed, set_threads
from seqlib.timing import time_training_step

set_threads(1)
set_seed(0)

# %% [markdown]
# The imports went through; now print what they are, and stop early if a major version is
# not the one the book needs:

# %%
versions = {
    "python": platform.python_version(),
    "numpy": np.__version__,
    "pandas": pd.__version__,
    "scikit-learn": sklearn.__version__,
    "statsmodels": statsmodels.__version__,
    "librosa": librosa.__version__,
    "torch": torch.__version__,
    "tensorflow": tf.__version__,
    "keras": keras.__version__,
    "keras backend": keras.backend.backend(),
    "seqlib": seqlib.__version__,
}
for name, version in versions.items():
    print(f"{name:14s} {version}")

assert keras.__version__.startswith("3."), "the book's code needs Keras 3"
assert int(torch.__version__.split(".")[0]) >= 2, "the book needs PyTorch 2"

# %% [markdown]
# ## Which device?
#
# The book runs on a CPU, and its stored results come from one. If a GPU is present,
# PyTorch and TensorFlow will say so:

# %%
print("PyTorch sees a CUDA GPU:", torch.cuda.is_available())
print("TensorFlow sees GPUs:   ", len(tf.config.list_physical_devices("GPU")))
print("CPU cores:              ", os.cpu_count())

# %% [markdown]
# The chapters still train on the CPU unless told otherwise. Every `seqlib` function that
# runs a PyTorch model ({func}`seqlib.train.fit`, {func}`seqlib.train.predict` and the
# others) takes a `device=` argument, read by {func}`seqlib.reproducibility.device`:
# `"cpu"` (the default), `"cuda"`, `"mps"` (Apple's GPU), or `"auto"`, the GPU when PyTorch
# sees one and the CPU otherwise. The environment variable `SEQLIB_DEVICE` sets it for every
# call that names none, so `SEQLIB_DEVICE=auto` moves every chapter's PyTorch training to
# a GPU without editing a line. The numbers then differ slightly from the book's: a GPU
# rounds its sums in another order.

# %% [markdown]
# ## Two frameworks in one process
#
# This chapter imports PyTorch and TensorFlow into one Python process, and so do the
# tests and several chapters. With PyTorch's CPU build that needs no care. With its default
# build on Linux (the CUDA one, which Colab has too), the import order matters, and the
# wrong one crashes the process with a *segmentation fault*, not a Python error:
#
# ```python
# import tensorflow   # or: import keras
# import torch
# torch.optim.Adam(torch.nn.LSTM(3, 4).parameters())   # Segmentation fault
# ```
#
# The cause is not in either framework's Python code. The CUDA build of PyTorch comes with
# Triton, a compiler that PyTorch imports the first time something loads `torch._dynamo`,
# and creating any optimizer does. Triton's `libtriton.so` carries its own copy of LLVM.
# TensorFlow carries another copy, of another version, and loads it with `RTLD_GLOBAL`,
# which puts its symbols first in the process's global symbol table. A library loaded
# afterwards has its calls into LLVM bound to TensorFlow's copy: Triton's start-up code then
# runs a different LLVM's functions on its own data structures and crashes (a debugger
# shows the fault in `llvm::DebugCounter`, called from Triton's static initialisers).
# Loaded the other way round, Triton first, each library keeps its own LLVM and both work.
#
# {func}`seqlib.frameworks.load_triton_first` sets that order in one place: called before
# TensorFlow is imported, it imports Triton when it is installed. Called too late, with
# TensorFlow already loaded, it marks Triton as unavailable instead, so that PyTorch runs
# without it (only `torch.compile` on a GPU needs Triton), and warns. Every chapter's first
# call, {func}`seqlib.reproducibility.setup`, calls it, and so do {mod}`seqlib.keras_models`
# and {func}`seqlib.train.fit`; the book's tests run it first. If you write your own
# notebook with both frameworks, import `seqlib` and call `setup()` (or
# `load_triton_first()`) before `import keras`.
#
# In this environment it reported:

# %%
print("torch build:", torch.__version__, "| CUDA:", torch.version.cuda)
print("Triton:", triton)


# %% [markdown]
# ## How many threads?
#
# A recurrent layer cannot process its time steps in parallel: step $t$ needs the state
# from step $t-1$. Each step is a handful of small matrix products, for the book's models a
# few thousand multiplications, which take microseconds. Splitting such a product across
# threads costs more in coordination than it saves, so small recurrent networks are
# limited by **latency**, not by arithmetic. Whether a second thread helps is a question
# for a measurement, so here is one: the time of one training step (forward and backward)
# for an {term}`LSTM <Long short-term memory, LSTM (长短期记忆网络)>` with 8 inputs on a batch of 64 sequences of 50 steps, with one and with two
# threads, for a small and a large hidden size (the size of the
# {term}`hidden state <Hidden state (隐藏状态)>`).
#
# {func}`seqlib.timing.time_training_step` does the timing: two untimed passes to warm up,
# then the mean of ten passes of forward, sum and backward on one random batch, with
# PyTorch's thread count set for the measurement and restored after it.

# %%
def seconds_per_step(hidden, threads):
    layer = torch.nn.LSTM(8, hidden, batch_first=True)
    return time_training_step(layer, (64, 50, 8), threads=threads)


rows = []
for hidden in (32, 256):
    one, two = seconds_per_step(hidden, 1), seconds_per_step(hidden, 2)
    rows.append({"hidden units": hidden, "1 thread (ms)": 1000 * one,
                 "2 threads (ms)": 1000 * two,
                 "speed-up with 2": one / two})  # fmt: skip
set_threads(1)
threads = pd.DataFrame(rows).set_index("hidden units")
threads.round(2)

# %% tags=["remove-cell"]
speedup = threads["speed-up with 2"]
glue("speedup_small", f"{speedup.loc[32]:.2f}")
glue("speedup_large", f"{speedup.loc[256]:.2f}")

# %% [markdown]
# With 32 hidden units a second thread changed the time by a factor of
# {glue:text}`speedup_small` here; with 256 units, where the products are larger, by
# {glue:text}`speedup_large`. (Run it on your machine: the numbers depend on the CPU.) The
# book's models are small, so every chapter calls `set_threads(1)` from
# {mod}`seqlib.reproducibility`, which sets PyTorch's and TensorFlow's thread pools.
#
# There is a second reason, more important than the first. When several programs share the
# cores, threads multiply: two processes that each start two threads on a two-core machine
# make four threads fight for two cores, and the waiting can cost far more than the second
# thread ever gained. (Running the book's tests in two parallel processes with two threads
# each was measured ten times slower than with one thread each.) The rule the book follows
# is: **processes × threads per process ≤ cores.**
#
# ## Seeds
#
# Training starts from random weights and visits the data in random order, so two runs
# differ unless every random generator is seeded. {func}`seqlib.reproducibility.set_seed`
# seeds Python, NumPy, PyTorch and Keras; every chapter calls it before building each
# model. On a CPU that makes PyTorch runs repeatable to the last digit on the same machine;
# across machines and library versions small differences remain, which is why the book's
# checks compare trained models with margins, never to the last digit.
#
# ## One call for all of this
#
# This chapter set everything up by hand, to show each piece: the environment variables
# that Keras and TensorFlow read when they are imported, Triton before TensorFlow, the
# threads, the seeds. Every other chapter does the same with one call, as its first line:
#
# ```python
# from seqlib.reproducibility import setup
#
# setup(frameworks=("torch", "keras"))
# ```
#
# {func}`seqlib.reproducibility.setup` sets the environment defaults (a variable you have
# already set is kept), loads Triton first where it is installed, imports the frameworks
# named, sets one thread and seed 0 (both can be changed: `setup(seed=1, threads=2)`), and
# hides two warnings that say nothing about the book's models (statsmodels' convergence
# messages while it fits many small series, and tqdm's note that it draws a text progress
# bar).
#
# ## Why both Keras and PyTorch?
#
# The article writes its examples in Keras, and Keras remains the shortest way from an
# idea to a trained model: a model is a list of layers, `compile` picks the loss and the
# optimiser, `fit` trains. PyTorch asks you to write the training loop yourself, which is
# more code and more control, and it is what most research code and many production
# systems use. The book shows both, on the same data splits and with the same metrics, so
# that you can read either and move between them: {ref}`ch-gate-maths` showed that the two
# compute exactly the same LSTM once the weights are laid out the same way, and the
# builders in {mod}`seqlib.keras_models` and {mod}`seqlib.torch_models` take the same
# arguments.
#
# ```{admonition} Common pitfalls
# :class: dropdown
#
# * **Installing without versions** (`pip install tensorflow` and friends, as the article
#   does). Unpinned installs are why tutorials stop working: the article's own Keras 2 code
#   warns or fails under Keras 3. Use the pinned `requirements.txt`, and print the versions
#   with your results.
# * **Following Windows-only steps or an unsupported Python.** Python 3.8, which the article
#   names, has been out of support since 2024; the book is tested on 3.11 and 3.12, on Linux
#   and macOS (and under WSL on Windows), and in Colab.
# * **Installing what a chapter does not use and missing what it does.** The article installs
#   pandas but not librosa or scikit-learn, which its later examples and any honest
#   baseline need. The book's environment holds everything its chapters import.
# * **Importing TensorFlow before PyTorch's Triton** with PyTorch's CUDA build: the process
#   dies with a segmentation fault. Call `setup()` first.
# * **More threads than cores** across processes: processes × threads ≤ cores.
#
# {ref}`app-errata` keeps the full list of the article's errors, with the fixes.
# ```
#
# ## Key takeaways
#
# * Two commands set up everything locally: `make book` builds the pinned environment and
#   runs the book, `make test` checks it; in Colab the first cell installs `seqlib`.
# * Pin versions and print them with your results; the book needs Keras 3 and PyTorch 2.
# * Small recurrent networks are limited by latency, not arithmetic: one thread per
#   process is usually as fast as two, and processes × threads must not exceed the cores.
# * Seed every random generator before each model (`set_seed`) to make CPU runs repeatable.
# * Start every notebook that uses both frameworks with
#   {func}`seqlib.reproducibility.setup`, before `import keras`.
#
# ## Exercises
#
# ````{exercise} ★ · 5 min · Same seed, same loss
# :label: ex-setup-seed
#
# Train the same tiny PyTorch model twice with {func}`seqlib.train.fit` after
# `set_seed(0)`, and once after `set_seed(1)`. Are the first two losses identical? The
# third?
# ````
#
# ````{solution} ex-setup-seed
# :class: dropdown
#
# ```python
# from seqlib import data, torch_models, train
#
# X, y = data.make_windows(np.sin(np.arange(200) / 5), lookback=10)
# for seed in (0, 0, 1):
#     set_seed(seed)
#     model = torch_models.regressor(1, hidden=8)
#     history = train.fit(model, (X, y), epochs=5, lr=0.01, batch_size=16,
#                         seed=seed, progress=False)
#     print(seed, history.loss[-1])
# ```
#
# The two runs with seed 0 print the same loss to the last digit; seed 1 starts from other
# weights and gives a different one.
# ````
#
# ````{exercise} ★★ · 15 min · Where a second thread pays off
# :label: ex-setup-threads
#
# Measure `seconds_per_step` for hidden sizes 16, 64, 128 and 512 and with 1, 2 and (if you
# have them) 4 threads. Where does a second thread start to pay off on your machine?
# ````
#
# ````{solution} ex-setup-threads
# :class: dropdown
#
# ```python
# for hidden in (16, 64, 128, 512):
#     ms = [round(1000 * seconds_per_step(hidden, n), 1) for n in (1, 2, 4)]
#     print(hidden, ms)
# set_threads(1)
# ```
#
# The break-even point depends on the CPU and on how busy it is: on a machine that other
# programs share, a second thread can make every size slower, which is one more reason
# for the book's rule. Remember to set the threads back.
# ````
#
