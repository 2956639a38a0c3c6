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
# registry, and runs in it the unit tests and every chapter that trains PyTorch models
# beside TensorFlow.
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
# laptop CPU in minutes. To try one on Colab's GPU all the same, choose **Runtime → Change
# runtime type**, pick a GPU and save (Colab starts a new machine, so run the install cell
# again), then add this cell at the top of the notebook, before its set-up cell:
#
# ```python
# %env SEQLIB_DEVICE=auto
# ```
#
# The `seqlib` functions that train and run PyTorch models then use the GPU;
# {ref}`sec-device` says how the switch works and what changes.
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
# (sec-device)=
# ## Which device?
#
# The book runs on a CPU, and its stored results come from one. If a GPU is present,
# PyTorch and TensorFlow will say so:

# %%
print("PyTorch sees a CUDA GPU:", torch.cuda.is_available())
print("TensorFlow sees GPUs:   ", len(tf.config.list_physical_devices("GPU")))
print("CPU cores:              ", os.cpu_count())

# %% [markdown]
# Seeing a GPU does not mean using one. Every `seqlib` function that trains or runs a
# PyTorch model ({func}`seqlib.train.fit`, {func}`seqlib.train.predict`,
# {func}`seqlib.train.kfold_select`, {func}`seqlib.global_forecast.fit_global` and
# {func}`seqlib.global_forecast.forecast_global`) takes a `device=` argument, and one
# function, {func}`seqlib.reproducibility.device`, reads it:
#
# * `"cpu"`, `"cuda"` (or `"cuda:1"` for a second NVIDIA GPU) and `"mps"` (Apple's GPU)
#   name a device; a `torch.device` works too;
# * `"auto"` takes a CUDA GPU if PyTorch sees one, else Apple's GPU, else the CPU;
# * nothing at all, the default, means the environment variable `SEQLIB_DEVICE` if it is
#   set, and the CPU if it is not.
#
# So `fit(model, train, device="cuda")` trains one model on the GPU, and
# `SEQLIB_DEVICE=auto`, set before the notebook runs (`%env SEQLIB_DEVICE=auto` in Colab or
# Jupyter, `export SEQLIB_DEVICE=auto` in a shell), moves every chapter's `seqlib` training
# to a GPU without editing a line. A name the function does not know, or a device the
# machine lacks, stops with a `ValueError` that says which: asking for `"cuda"` on a
# computer without an NVIDIA GPU says that PyTorch sees none, and suggests `"cpu"` or
# `"auto"`.

# %%
from seqlib.reproducibility import device

print("seqlib trains on:    ", device())  # $SEQLIB_DEVICE, else the CPU
print('device("auto") picks:', device("auto"))

# %% [markdown]
# Training moves the model to the device (in place, as `model.to(device)` does) and
# leaves it there, with the training data copied there once, before the first epoch;
# prediction runs the model there and then puts it back where it was. Whatever comes back
# is on the CPU: {func}`seqlib.train.predict` and
# {func}`seqlib.global_forecast.forecast_global` return NumPy arrays, and the losses in the
# training history are plain numbers. The batches are shuffled on the CPU, so they come in
# the same order on every device. Two things stay where they are. Code that a chapter
# writes out by hand, such as the training loop of {ref}`ch-first-forecaster`, runs on the
# CPU, as written. And Keras is not `seqlib`'s to move: TensorFlow places its work on a GPU
# by itself whenever it sees one, whatever `SEQLIB_DEVICE` says. To keep Keras on the CPU
# on a GPU machine, call `tf.config.set_visible_devices([], "GPU")` before TensorFlow runs
# anything.
#
# ### What changes on a GPU
#
# **Other kernels.** On an NVIDIA GPU, `nn.LSTM` and `nn.GRU` hand the whole sequence to
# cuDNN, NVIDIA's library of neural-network kernels: the input part of every gate, for
# every time step, is one large matrix product, and the recurrence runs as a fused kernel
# rather than as a loop of small operations. Keras's `LSTM` and `GRU` layers do the same
# on TensorFlow, as long as they keep the settings cuDNN supports (tanh and sigmoid
# activations, no recurrent dropout, `unroll=False`, biases on); otherwise they fall back
# to a slower generic loop. The mathematics is that of {ref}`ch-gate-maths`; only the order
# in which the numbers are added up differs.
#
# **Slightly different numbers.** Floating-point addition is not associative, so a
# different order of summation rounds differently, in the last digits of each result.
# Training amplifies such differences, step after step: the weights, the losses and the
# forecasts drift apart in their later digits, early stopping may keep a neighbouring
# epoch, and dropout draws its masks from the GPU's own random generator,
# not the CPU's, so a model with dropout takes a different path from the start. (Recent
# NVIDIA GPUs add another source: TensorFlow, for one, does matrix products in
# TensorFloat-32, a format with fewer digits, unless told not to.) A chapter run on a GPU
# therefore prints numbers close to, but not equal to, those stored in the book. The
# conclusions, which rest on differences far larger than these, do not change.
#
# **Repeatable only with care.** On the CPU, the same seed gives the same result to the
# last digit (see *Seeds*, below). On a GPU, seeding is not enough: some cuDNN and cuBLAS
# kernels split a sum over many threads and add the parts as they arrive, so two runs with
# the same seed can differ. PyTorch can be asked for repeatable kernels, usually at some
# cost in speed. The usual first switches, `torch.backends.cudnn.deterministic = True`
# and `torch.backends.cudnn.benchmark = False`, are documented for cuDNN's convolutions;
# for recurrent layers PyTorch's documentation asks for the environment variable
# `CUBLAS_WORKSPACE_CONFIG=:4096:2` as well, set before CUDA starts; and
# `torch.use_deterministic_algorithms(True)` makes any operation without a deterministic
# version raise an error instead of running. Even then, a run repeats itself on that
# GPU and that software, and still differs from the CPU's.
#
# **Not always faster.** A GPU is fast when it has a lot of arithmetic to do at once. The
# book's models have little: most have a hidden state of 32 to 64 numbers and batches of a
# few dozen sequences. As the section on threads below measures on the CPU, such a network
# is limited by latency as much as by arithmetic: each time step has to wait for the one
# before it, and each step's work is small. On a GPU every operation is also a kernel
# launched by the CPU, with a fixed cost of its own, and a training step launches many of
# them (the layers, the loss, the gradients, the optimiser). cuDNN's fused kernels remove
# much of the per-step cost of the recurrence, but not the rest, so a small model may
# train no faster on a GPU than on a CPU core, and sometimes slower. The GPU pulls ahead
# as the layers get wider, the batches larger and the sequences longer.
# {func}`seqlib.timing.time_training_step` accepts `device=` as well, to measure this on
# your own machine; called without it, it times a layer where its weights are, so that a
# measurement of CPU threads stays one whatever `SEQLIB_DEVICE` says.
#
# ### Why the book stays on the CPU
#
# Everyone who reads the book has a CPU, and not everyone has a GPU. The CPU gives the
# same numbers on every run on the same machine, so the stored outputs can be checked
# when the notebooks are run again, and a number quoted in the text is the number the
# code prints. The models are
# sized to train in minutes on a laptop, where a GPU would save little time for the reasons
# above. And the CPU build of PyTorch is a fraction of the size of the CUDA one (see
# *On your own machine*, above). A GPU is one argument, or one environment variable, away
# when a model outgrows all that.

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
# from step $t-1$. Each step is a handful of small matrix products, for the book's models
# a few thousand multiplications, which take microseconds. Splitting such a product across
# threads saves little arithmetic and adds coordination, so small recurrent networks are
# limited by **latency** as much as by arithmetic. Whether a second thread helps is a
# question for a measurement, so here is one: the time of one training step (forward and
# backward) for an {term}`LSTM <Long short-term memory, LSTM (长短期记忆网络)>` with 8 inputs on
# a batch of 64 sequences of 50 steps, with one and with two threads, for a small and a
# large hidden size (the size of the {term}`hidden state <Hidden state (隐藏状态)>`).
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
helped = [str(size) for size in (32, 256) if speedup.loc[size] > 1.1]
glue("threads_where", {0: "at neither size", 2: "at both sizes"}.get(
    len(helped), f"only at {helped[0] if helped else ''} units"),
     zh={0: "在两种大小下都没有带来收益", 2: "在两种大小下都带来了收益"}.get(
    len(helped), f"只在 {helped[0] if helped else ''} 个单元时带来了收益"))  # fmt: skip

# %% [markdown]
# With 32 hidden units a second thread changed the time by a factor of
# {glue:text}`speedup_small` here; with 256 units, where the products are larger, by
# {glue:text}`speedup_large`. On this machine a second thread paid off
# {glue:text}`threads_where` (a factor above 1.1 counts as paying off). Run it on your
# machine: the numbers depend on the CPU. Even so, every chapter calls `set_threads(1)`
# from {mod}`seqlib.reproducibility`, which sets PyTorch's and TensorFlow's thread pools,
# for the reason that follows; the environment variable `SEQLIB_THREADS` changes the
# number for every chapter at once.
#
# When several programs share the cores, threads multiply: two processes that each start
# two threads on a two-core machine make four threads fight for two cores, and the waiting
# can cost far more than the second thread ever gained. (Running the book's tests in two
# parallel processes with two threads each was measured ten times slower than with one
# thread each.) The rule the book follows is: **processes × threads per process ≤ cores.**
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
# named, sets one thread and seed 0 (both can be changed: `setup(seed=1, threads=2)`;
# `SEQLIB_THREADS=2` in the environment sets the threads of every chapter), and hides two
# warnings that say nothing about the book's models (statsmodels' convergence messages
# while it fits many small series, and tqdm's note that it draws a text progress bar).
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
# * Small recurrent networks are limited by latency as much as by arithmetic: measure what
#   a second thread gains on your machine, and never let processes × threads exceed the
#   cores.
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
