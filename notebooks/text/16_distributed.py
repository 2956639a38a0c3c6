# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-distributed)=
# # Training on several processes and machines
#
# By the end of this chapter you will be able to train one model on several processes
# with PyTorch's `DistributedDataParallel`, launch them with `torchrun`, checkpoint and
# resume such a run, and say what changes on a cluster of GPUs or with Keras. The source
# article does not cover this at all (it trains every model in one process, on one
# machine): this chapter goes beyond it, for readers whose data outgrows one machine.
# M4 had 100,000 series; its Hourly part, 414 of them, trains comfortably on one core
# ({ref}`ch-m4`), so here it serves as a small, real workload on which every step of
# data-parallel training can be run and checked:
#
# * show that two processes, each with half a batch, compute the **same gradient** as one
#   process with the whole batch;
# * train the global LSTM of {ref}`ch-m4` with `torchrun`, on one and on two processes,
#   and compare their **validation OWA** and their **throughput**;
# * interrupt a run, **resume** it from a checkpoint, and check that it ends with the same
#   weights as a run that was never interrupted;
# * show, without running them, the commands for several machines and GPUs, and the Keras
#   equivalent.

# %%
from seqlib.reproducibility import setup

setup(frameworks=("torch",))  # chapter 5

import json
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from seqlib import datasets, distributed, global_forecast, timing
from seqlib.report import glue, results

# %% [markdown]
# ## Data parallelism
#
# A training step computes the gradient of the mean loss over a batch of $B$ examples,
# then moves the weights against it. In **data-parallel** training, $P$ processes each
# hold a full copy of the model, and each computes the gradient on its own $B/P$
# examples of the batch. Because a mean over $B$ examples is the mean of $P$ means over
# $B/P$ examples each,
#
# $$
# \nabla_\theta \frac{1}{B}\sum_{i=1}^{B} \ell_i
# = \frac{1}{P}\sum_{p=1}^{P} \nabla_\theta \frac{P}{B}\sum_{i \in \text{part } p} \ell_i ,
# $$
#
# averaging the $P$ local gradients gives exactly the gradient of the whole batch. The
# averaging is a collective operation called an **all-reduce**: every process sends its
# gradient and receives the average. Every copy then takes the same optimiser step from
# the same weights, so the copies stay identical without ever sending weights.
#
# PyTorch's `torch.nn.parallel.DistributedDataParallel` (DDP) does this inside
# `loss.backward()`: it groups the gradients into buckets and all-reduces each bucket as
# soon as its gradients are ready, while the backward pass continues. The processes talk
# through a **backend**: *gloo* on CPUs (it is what runs here: two processes on this
# machine, talking over 127.0.0.1), *NCCL* between NVIDIA GPUs. The pieces used below live
# in {mod}`seqlib.distributed`.
#
# ## The same gradient, two ways
#
# The identity above is easy to check. {func}`seqlib.distributed.gradient_check` starts two
# processes, each with the same {class}`~seqlib.global_forecast.GlobalRNN` of
# {ref}`ch-m4` wrapped in DDP; process 0 computes the loss on the first 32 of 64 M4 Hourly
# training windows, process 1 on the other 32, and both call `backward()`. Then it
# computes the gradient of one unwrapped copy of the network on all 64 windows, in one
# process.

# %%
H, M, LOOKBACK = 48, 24, 7 * 24  # horizon, season, a week of input (chapter 10)
series, _ = datasets.load("m4-hourly")
history = [y[:-H] for y in series]  # the last 48 hours: validation
X, Y, _ = global_forecast.windows(history, LOOKBACK, H, stride=8)
steps, residual, _, snaive = global_forecast.normalise(X, H, Y, season=M)
x = steps[:64].reshape(64, -1)  # (64, 168): 64 scaled windows
y = (residual + snaive)[:64]  # (64, 48): their scaled targets

per_process, single = distributed.gradient_check(x, y, season=M, hidden=64)
gap = np.abs(per_process - single).max()
print(f"{single.size:,} gradient values per process")
print(f"largest gradient value:              {np.abs(single).max():.2e}")
print(f"largest difference, DDP vs one process: {gap:.1e}")
print("the two processes agree exactly:", np.array_equal(*per_process))

# %% tags=["remove-cell"]
assert np.array_equal(per_process[0], per_process[1])
assert gap < 1e-5 * np.abs(single).max()  # float rounding, nothing more
glue("grad_n", f"{single.size:,}")
glue("grad_gap", f"{gap:.0e}")
single_max = np.abs(single).max()
glue("grad_max", f"{single_max:.1e}")
glue("n_windows", f"{len(X):,}")

# %% [markdown]
# The {glue:text}`grad_n` values of the averaged gradient differ from the single-process
# gradient by at most {glue:text}`grad_gap`, for gradient values up to
# {glue:text}`grad_max`: float rounding, because the sums are added in a different order.
# The two processes hold bit-for-bit the same averaged gradient, so their next step is the
# same. The same check runs in the unit tests (`tests/test_distributed.py`), under a time
# limit that kills the processes if they hang.
#
# ## The training script
#
# `torchrun` starts one copy of a script per process and tells each copy its place through
# environment variables: `RANK` (0 to $P - 1$), `WORLD_SIZE` ($P$), `LOCAL_RANK` (the
# rank on this machine, which picks the GPU) and `MASTER_ADDR`/`MASTER_PORT` (where
# rank 0 listens while the processes find one another). The script is
# the module {mod}`seqlib.distributed_forecast`, part of `seqlib` so that it is there in Colab too. Its core, after parsing the
# options:
#
# ```{literalinclude} ../seqlib/distributed_forecast.py
# :pyobject: main
# :start-at: rank, world_size
# :end-before: if rank == 0:
# ```
#
# Each part has a reason:
#
# * **Joining the group.** {func}`seqlib.distributed.init_process` reads the environment,
#   limits the process to one thread (two processes × one thread on two cores) and calls
#   `torch.distributed.init_process_group`, with gloo on CPUs and NCCL on GPUs.
# * **The same data everywhere.** Every process cuts the same training windows (every
#   eighth hour of every series, the reduced budget of {ref}`ch-m4`) and validation windows
#   (the last 48 hours of each series) from the data; only the order in which they are
#   used is shared out.
# * **Seeds.** The seed is set to the same value before the network is built, so every
#   copy starts from the same weights (DDP also broadcasts rank 0's weights when it wraps
#   the model). Afterwards each process is seeded with `seed + rank`, so that anything
#   random *per example*, such as dropout or augmentation, differs between processes
#   instead of repeating the same noise on every shard. The shuffle's seed, on the other
#   hand, must be the same in every process.
# * **Resuming.** A checkpoint is loaded before the model is wrapped.
#
# The loop is {func}`seqlib.distributed.train_epochs`. Its heart is a
# `DistributedSampler`, which shuffles the indices of all windows with a seed and the
# epoch number, identically in every process, and gives process $r$ every $P$-th index
# from the $r$-th on:
#
# ```{literalinclude} ../seqlib/distributed.py
# :pyobject: train_epochs
# :start-at: for epoch in range
# :end-before: out["seconds"]
# ```
#
# Two details follow from this. The union of the processes' $k$-th local batches is the
# $k$-th global batch of one process with the same seed, so one and two processes see the
# same batches in the same order. And only rank 0 writes: it logs one line per epoch (the
# epoch's loss is first summed over the processes with an all-reduce) and saves the
# checkpoint, a `torch.save` of the weights' and the optimiser's `state_dict` that
# {func}`seqlib.distributed.load_checkpoint` reads back with
# `torch.load(..., weights_only=True)`. The barrier after it keeps the other processes
# from running ahead while it writes.

# %% [markdown]
# ## One and two processes
#
# From a terminal in the repository, two processes are started with
#
# ```bash
# OMP_NUM_THREADS=1 torchrun --nproc-per-node 2 -m seqlib.distributed_forecast --out run.json
# ```
#
# From a notebook, {func}`seqlib.distributed.torchrun` runs the same command as
# `python -m torch.distributed.run ...` with this kernel's Python (the `torchrun` command
# is not always on the `PATH` of a notebook), on 127.0.0.1 with a free port, one thread per
# process, and a time limit after which every process is killed. The script writes a JSON
# summary, which we read back; all files go to a temporary folder.
#
# The budget is small: every eighth window ({glue:text}`n_windows` windows), 6 epochs, 64
# hidden units and the plain mean absolute error of the scaled forecasts (the
# "plain MAE loss" design of {ref}`ch-m4`, without its OWA-shaped weights), batches of 256
# over all processes (128 per process with two). The validation OWA is therefore higher
# than the final models' of {ref}`ch-m4`. Each setting is trained with two seeds, to see
# how far a result moves by chance.

# %%
SCRIPT = "seqlib.distributed_forecast"  # in seqlib, so Colab has it too
BUDGET = {"epochs": 6, "stride": 8, "hidden": 64, "batch-size": 256}
folder = Path(tempfile.mkdtemp(prefix="ch16-"))


def launch(name, nproc, **options):
    """Run the script under torchrun; return its JSON summary and its output."""
    options = {**BUDGET, **options, "out": folder / f"{name}.json"}
    args = [a for k, v in options.items() for a in (f"--{k}", v)]
    output = distributed.torchrun(SCRIPT, args, nproc=nproc, timeout_s=300)
    return json.loads((folder / f"{name}.json").read_text()), output


runs, logs = {}, {}
jobs = [(1, 0), (2, 0), (1, 1), (2, 1)]  # (processes, seed)
for nproc, seed in tqdm(jobs, desc="torchrun launches"):
    name = f"{nproc}p-seed{seed}"
    weights = folder / f"{name}.pt"
    runs[name], logs[name] = launch(name, nproc, seed=seed, weights=weights)
print(logs["2p-seed0"])

# %%
table = pd.DataFrame(
    {
        "processes": [r["world_size"] for r in runs.values()],
        "seed": [int(name[-1]) for name in runs],
        "validation OWA": [r["val_owa"] for r in runs.values()],
        "final training loss": [r["loss"][-1] for r in runs.values()],
        "training seconds": [r["seconds"] for r in runs.values()],
        "windows per second": [r["windows_per_second"] for r in runs.values()],
        "ms per step": [r["step_ms"] for r in runs.values()],
    },
    index=list(runs),
)
table.round(
    {
        "validation OWA": 4,
        "final training loss": 5,
        "training seconds": 1,
        "windows per second": 0,
        "ms per step": 1,
    }
)

# %% tags=["remove-cell"]
owa = table.pivot_table(index="seed", columns="processes", values="validation OWA")
same_seed_gap = (owa[1] - owa[2]).abs().max()
seed_gap = max(abs(owa.loc[0, p] - owa.loc[1, p]) for p in (1, 2))
glue("owa_1p", f"{owa[1].mean():.3f}")
glue("owa_2p", f"{owa[2].mean():.3f}")
glue("same_seed_gap", f"{same_seed_gap:.4f}")
glue("seed_gap", f"{seed_gap:.4f}")
assert owa.notna().all().all()
assert same_seed_gap < 0.01  # the same batches, rounded differently
assert abs(owa[1].mean() - owa[2].mean()) <= seed_gap + 0.005  # within seed noise
assert (owa < 0.7).all().all()  # well ahead of Naive2 (1.0)

# %% [markdown]
# The two runs reach the same validation OWA: {glue:text}`owa_1p` on one process and
# {glue:text}`owa_2p` on two (each the mean of two seeds). With the same seed, one and two
# processes differ by at most {glue:text}`same_seed_gap`, while changing the seed moves
# the OWA by up to {glue:text}`seed_gap`. That is what the gradient check predicts: with
# the same seed, the two runs take the same batches in the same order and compute the
# same gradients up to rounding, and rounding differences grow only slowly over a few
# hundred steps. The training losses in the table agree to several digits.

# %% [markdown]
# ## Throughput: what two processes gain here
#
# Two processes should halve the time of an epoch, if each did half the work in half the
# time and the all-reduce were free. {func}`seqlib.timing.time_training_step` measures one
# forward and backward pass of this chapter's LSTM on one thread, for a batch of 256 and
# for the 128 windows each of two processes takes per step:

# %%
torch.manual_seed(0)
lstm = global_forecast.GlobalRNN(H, season=M, hidden=BUDGET["hidden"]).regressor
step_seconds = {}
for batch in (256, 128):
    shape = (batch, LOOKBACK // M, M)  # (windows, days, hours)
    seconds = timing.time_training_step(lstm, shape, repeats=40, threads=1)
    step_seconds[batch] = seconds
for batch, seconds in step_seconds.items():
    print(f"batch {batch}: {1000 * seconds:.2f} ms per training step")
ideal = step_seconds[256] / step_seconds[128]
print(f"best possible speed-up from halving the batch: {ideal:.2f}")

# %% tags=["remove-cell"]
speed = table.groupby("processes")["windows per second"].mean()
speedup = speed[2] / speed[1]
glue("ideal_speedup", f"{ideal:.1f}")
glue("ideal_words",
     "less than twice: a batch of 128 windows leaves the small matrix products of a "
     "64-unit LSTM too little work to be limited by arithmetic alone" if ideal < 1.8
     else "about twice or more: here the work of a step shrank with the batch",
     zh="不到两倍：对 64 个单元的 LSTM 来说，128 个窗口的批量留给小矩阵乘法的工作量太少，"
     "性能不仅仅受限于算术运算" if ideal < 1.8
     else "约为两倍或更多：在这里，一步的工作量随批量一起减少")  # fmt: skip
glue("speed_1p", f"{speed[1]:,.0f}")
glue("speed_2p", f"{speed[2]:,.0f}")
glue("speedup", f"{speedup:.1f}")
by_processes = table.groupby("processes")["windows per second"]
glue("speed_spread", f"{(by_processes.max() / by_processes.min()).max():.1f}")
glue("load", f"{os.getloadavg()[0]:.1f}")
glue("grad_kib", f"{4 * single.size / 1024:.0f}")
glue("steps_per_epoch", f"{runs['2p-seed0']['steps'] // BUDGET['epochs']}")
# The speed-up is glued, not asserted: it depends on the machine and its load.

# %% tags=["hide-input", "remove-output"]
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for name, run in runs.items():
    style = "-" if run["world_size"] == 1 else "--"
    epochs = np.arange(1, len(run["val_loss"]) + 1)
    left.plot(epochs, run["val_loss"], style, marker="o", label=name)
left.set(
    xlabel="epoch",
    ylabel="validation loss (MAE of log forecasts)",
    title="Validation loss: 1p = one process, 2p = two",
)
left.legend()
right.bar(
    list(runs),
    table["windows per second"],
    color=["tab:blue" if p == 1 else "tab:orange" for p in table["processes"]],
)
right.set(ylabel="training windows per second", title="Throughput (wall clock)")
fig.tight_layout()

# %% tags=["remove-cell"]
glue("fig-distributed-runs", fig)

# %% [markdown]
# ```{glue:figure} fig-distributed-runs
# :name: fig-distributed-runs
#
# Left: validation loss per epoch; with the same seed, the one- and two-process curves lie
# on top of each other. Right: training windows per second of each run (wall-clock time
# of the training loop, without start-up).
# ```
#
# Halving the batch made a step {glue:text}`ideal_speedup` times faster,
# {glue:text}`ideal_words` ({ref}`ch-setup` measures the same question with threads). That
# is the best two processes could gain. The measured throughput was {glue:text}`speed_1p`
# windows per second on one process and {glue:text}`speed_2p` on two (means over the two
# seeds), a ratio of {glue:text}`speedup`. Two runs of the same setting differed by up to
# a factor of {glue:text}`speed_spread`, so on this shared machine only a large ratio
# would mean much. Besides the smaller batches, three things stand between the two:
#
# * **the all-reduce**: every step, each process sends and receives the
#   {glue:text}`grad_kib` KiB gradient and waits for the other, {glue:text}`steps_per_epoch`
#   times an epoch; DDP overlaps this with the backward pass, but with so little compute
#   per step there is little to hide it behind;
# * **the cores are shared**: the two processes are not alone on the two cores (the
#   notebook's kernel, the launcher and, on this machine, other work; the load average
#   when this ran was {glue:text}`load`). On a busy machine, two processes can even
#   look faster than one simply because they claim a larger share of the processor,
#   which is no property of the method;
# * **start-up**: each launch starts Python, imports PyTorch and loads the data in every
#   process, a few seconds that the windows per second above leave out.
#
# Data parallelism pays when each process has a device of its own and a step has enough
# work: one process per GPU, with a large model or long sequences. For a model of this
# size on a CPU, running two independent trainings side by side (different seeds or
# settings, as {ref}`ch-m4` does with `joblib`) uses two cores better.

# %% [markdown]
# ## Interrupted and resumed
#
# Long jobs on shared machines get interrupted: a time limit, a preempted node, a crash.
# The script writes a checkpoint after every epoch (`--checkpoint`). Here a two-process
# run stops after 3 of its 6 epochs (`--stop-after 3`), as an interrupted job would, and a
# new launch continues from the checkpoint (`--resume`). It should end with exactly the
# weights of the uninterrupted two-process run with the same seed above.

# %%
checkpoint = folder / "checkpoint.pt"
common = {"seed": 0, "checkpoint": checkpoint}
first, first_log = launch("interrupted", 2, **common, **{"stop-after": 3})
saved = torch.load(checkpoint, weights_only=True)
print(first_log + f"checkpoint: {sorted(saved)}, epochs done: {saved['epoch']}")

resumed, resumed_log = launch(
    "resumed", 2, **common, resume=checkpoint, weights=folder / "resumed.pt"
)
print(resumed_log, end="")
whole = torch.load(folder / "2p-seed0.pt", weights_only=True)
again = torch.load(folder / "resumed.pt", weights_only=True)
difference = max((whole[k] - again[k]).abs().max().item() for k in whole)
print(f"largest weight difference, resumed vs uninterrupted: {difference:g}")

# %% tags=["remove-cell"]
identical = all(torch.equal(whole[k], again[k]) for k in whole)
assert identical and difference == 0.0
assert first["epochs_run"] == 3 and resumed["start_epoch"] == 3
assert resumed["val_owa"] == runs["2p-seed0"]["val_owa"]
glue("resume_owa", f"{resumed['val_owa']:.4f}")

# %% [markdown]
# The resumed run ends with bit-for-bit the same weights, and the same validation OWA
# ({glue:text}`resume_owa`). Three things make that so: the checkpoint holds the
# optimiser's state as well as the weights (Adam's running averages and step count; with
# the weights alone, the resumed run would restart Adam from zero); the sampler's shuffle
# depends only on the seed and the epoch, so epoch 4 sees the same order whether or not
# the job was restarted before it; and the all-reduce adds the same numbers in the same
# order every time. A model with dropout would also need its random generators' states in
# the checkpoint.

# %% [markdown]
# ## On a cluster
#
# Nothing in the script is specific to one machine or to CPUs. What changes on a cluster
# is how the processes are started and which backend they use.
#
# **Several machines.** `torchrun` is started once on every machine (a *node*), with the
# number of nodes, the processes per node and a rendezvous point, an address and port that
# every node can reach (usually the first node):
#
# ```bash
# # on each of 2 nodes with 4 GPUs each: 8 processes in all
# torchrun --nnodes 2 --nproc-per-node 4 \
#     --rdzv-backend c10d --rdzv-endpoint node01.example.org:29500 --rdzv-id m4-run-1 \
#     -m seqlib.distributed_forecast --epochs 15 --stride 2 --hidden 128 \
#     --batch-size 2048 --lr 0.016 --checkpoint /shared/m4/checkpoint.pt
# ```
#
# With the static rendezvous, `--node-rank 0` ... `--node-rank 1` and `--master-addr`
# name each node's place instead; the `c10d` rendezvous finds the ranks itself, and with
# `--max-restarts` it restarts the workers after a failure, which is where the checkpoint
# pays off (restart with `--resume` pointing at it, on a file system every node can read).
#
# **One process per GPU, NCCL.** With GPUs, each process drives one:
# {func}`~seqlib.distributed.init_process` picks the NCCL backend and the GPU numbered
# `LOCAL_RANK`, the model is moved there before it is wrapped (DDP then uses that device),
# and the batches are moved there in the loop. NCCL moves gradients between GPUs directly,
# over NVLink within a node and InfiniBand or Ethernet between nodes. The threads rule
# still holds on the CPU side: a few per process, not all the cores each.
#
# **SLURM.** On a cluster managed by SLURM, a batch script asks for the nodes and lets
# `srun` start one `torchrun` per node:
#
# ```bash
# #!/bin/bash
# #SBATCH --job-name=m4-ddp
# #SBATCH --nodes=2
# #SBATCH --ntasks-per-node=1          # one torchrun per node
# #SBATCH --gpus-per-node=4
# #SBATCH --cpus-per-task=16
# #SBATCH --time=01:00:00
#
# head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
# export OMP_NUM_THREADS=4
# srun torchrun --nnodes "$SLURM_NNODES" --nproc-per-node 4 \
#     --rdzv-backend c10d --rdzv-endpoint "$head:29500" --rdzv-id "$SLURM_JOB_ID" \
#     -m seqlib.distributed_forecast --checkpoint "$HOME/m4/checkpoint.pt"
# ```
#
# (Alternatively `srun` can start every process itself, one task per GPU, and each
# process reads its rank from `SLURM_PROCID`; `torchrun` keeps the script the same on a
# laptop and on the cluster.)
#
# **Batch size and learning rate.** Here one and two processes shared a *global* batch of
# 256, so the training was the same computation. On a cluster one usually keeps the batch
# *per GPU* (to keep each GPU busy) and so multiplies the global, *effective* batch by the
# number of processes: 8 GPUs × 256 = 2,048 windows per step, and 8 times fewer steps per
# epoch. With fewer, less noisy steps, the learning rate has to grow: the common *linear
# scaling rule* multiplies it by the same factor (0.002 × 8 above), with a few epochs of
# gradual warm-up from the small rate, since a large rate at the start can diverge. The
# rule is a starting point for tuning, not a guarantee; Adam is often less sensitive to
# it than plain SGD, and very large batches can generalise worse. Report the effective
# batch size with any result, since it is part of the training recipe.

# %% [markdown]
# ## Keras: `tf.distribute`
#
# In Keras (with the TensorFlow backend, as in this book) the same data parallelism is a
# *strategy* from `tf.distribute`. The model must be built and compiled inside the
# strategy's scope, so that its variables are mirrored on every device; `fit` then splits
# each batch over the replicas and all-reduces the gradients:
#
# ```python
# import tensorflow as tf
#
# strategy = tf.distribute.MirroredStrategy()  # every GPU of this machine
# print("replicas:", strategy.num_replicas_in_sync)
# with strategy.scope():
#     model = keras_models.regressor(n_features=24, horizon=48, hidden=64)
#     model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="mae")
# global_batch = 256 * strategy.num_replicas_in_sync  # the batch given to fit is global
# model.fit(steps_fit, residual_fit, batch_size=global_batch, epochs=6,
#           callbacks=[keras.callbacks.BackupAndRestore("/shared/m4/backup")])
# ```
#
# * **`MirroredStrategy`**: one machine, several GPUs, one process; without GPUs it
#   falls back to a single CPU replica, so it brings nothing on a CPU-only machine.
# * **`MultiWorkerMirroredStrategy`**: several machines, one process (a *worker*) on each.
#   Each worker needs the `TF_CONFIG` environment variable, a JSON description of the
#   whole cluster and of the worker's own place in it, set before TensorFlow starts:
#   `{"cluster": {"worker": ["node01:12345", "node02:12345"]}, "task": {"type": "worker",
#   "index": 0}}` on the first node, `"index": 1` on the second. The workers start on
#   their own (by `srun` or by hand); there is no launcher like `torchrun`.
# * **The data**: with a `tf.data.Dataset`, each worker reads its shard automatically
#   (by file or by element; set the auto-shard policy to match the data). Arrays given to
#   `fit` are fine on one machine, but are split by element on several.
# * **Checkpoints**: `keras.callbacks.BackupAndRestore` saves the training state and
#   resumes an interrupted `fit` at the epoch it reached; `ModelCheckpoint` keeps models.
#   Only the chief worker (index 0) should write to the final location.
# * The same batch-size and learning-rate arithmetic applies: the batch given to `fit`
#   is global, so multiply it by the number of replicas to keep the batch per device, and
#   scale the rate accordingly.

# %% tags=["results"]
models = {1: "lstm_1_process", 2: "lstm_2_processes"}
by_seed = {f"{models[p]}_seed_{s}": v for (s, p), v in owa.stack().items()}
results(
    "distributed",
    "owa",
    "validation",
    {models[p]: owa[p].mean() for p in (1, 2)},
    owa_by_seed=by_seed,
    windows_per_second={models[p]: speed[p] for p in (1, 2)},
    gradient_check={
        "max_abs_difference": gap,
        "max_abs_gradient": single_max,
    },
    resume={
        "identical_weights": float(identical),
        "max_abs_difference": difference,
    },
)

# %% [markdown]
# ## Key takeaways
#
# * Data-parallel training keeps a full copy of the model in every process and averages
#   the gradients after each backward pass; with equal shares of the batch, the average
#   is the gradient of the whole batch, up to float rounding.
# * `torchrun` starts the processes and describes the group in environment variables;
#   the script joins it (`init_process_group`), wraps the model in
#   `DistributedDataParallel`, and shares the data out with a `DistributedSampler` whose
#   seed is the same everywhere.
# * Seed the model the same in every process, and per-example randomness per process;
#   let rank 0 alone log and write checkpoints.
# * A checkpoint that holds the optimiser's state and is resumed at the right epoch
#   gives the same weights as an uninterrupted run.
# * With a fixed global batch, more processes compute the same training; on a cluster the
#   effective batch usually grows with the processes, and the learning rate with it.
# * Measure before scaling out: here a small model on shared CPU cores ran
#   {glue:text}`speedup` times as fast with a second process, while one process per GPU
#   with enough work per step gains much more.
#
# ## Exercises
#
# ````{exercise} ★ · 10 min · More processes than cores
# :label: ex-distributed-oversubscribe
#
# Launch the script with four processes (`launch("4p-seed0", 4, seed=0)`) on this
# machine's two cores. What happens to the windows per second, and to the validation OWA?
# ````
#
# ````{solution} ex-distributed-oversubscribe
# :class: dropdown
#
# ```python
# four, _ = launch("4p-seed0", 4, seed=0)
# print(four["windows_per_second"], four["val_owa"], runs["2p-seed0"]["val_owa"])
# ```
#
# The validation OWA stays where it was: four processes with 64 windows each still form
# global batches of 256, the same batches as before. The throughput does not improve and
# usually drops: four processes share two cores, so they take turns, every all-reduce
# waits for the slowest of them, and each step's work is split into even smaller pieces.
# Never start more processes × threads than there are cores.
# ````
#
# ````{exercise} ★★ · 20 min · A larger effective batch
# :label: ex-distributed-batch
#
# On a cluster the batch per process is usually kept and the global batch grows. Mimic
# that with two processes and `--batch-size 512` (256 per process), once with the
# learning rate of 0.002 and once with 0.004, the linear scaling rule. Compare the
# validation OWA with the two-process run above. Why do six epochs no longer suffice for
# the same result?
# ````
#
# ````{solution} ex-distributed-batch
# :class: dropdown
#
# ```python
# for lr in (0.002, 0.004):
#     run, _ = launch(f"big-{lr}", 2, seed=0, **{"batch-size": 512, "lr": lr})
#     print(lr, run["steps"], run["val_owa"], runs["2p-seed0"]["val_owa"])
# ```
#
# With batches of 512, an epoch has half as many optimiser steps (the `steps` printed),
# so six epochs are half the training in steps. At the same learning rate each step moves
# the weights about as far as before, so the run usually ends behind the one with batches
# of 256; doubling the rate makes up part of that, as the linear scaling rule intends,
# without guaranteeing the same result. To compare fairly, match the number of steps
# (more epochs), or tune the rate, on validation.
# ````
#
# ````{exercise} ★★★ · 30 min · A weighted loss on several processes
# :label: ex-distributed-weights
#
# {ref}`ch-m4` trains with an OWA-shaped loss: each window's error has a weight, and the
# loss is the mean of weight × error. If each process computes that mean over its own
# share and DDP averages the gradients, is the result the gradient of the weighted loss
# over the whole batch? Check it with NumPy on random numbers, then say how to fix the
# loss so that it is.
# ````
#
# ````{solution} ex-distributed-weights
# :class: dropdown
#
# With weights, the correct loss of a global batch is
# $\sum_i w_i e_i / \sum_i w_i$ (or the mean of $w_i e_i$ with weights normalised to mean 1
# over the whole training set, as {func}`~seqlib.global_forecast.fit_global` does). A
# per-process mean that divides by the *local* sum of weights and is then averaged is a
# different number when the shares hold different total weight:
#
# ```python
# rng = np.random.default_rng(0)
# w, e = rng.uniform(0.2, 5, 256), rng.uniform(0, 1, 256)
# whole = (w * e).sum() / w.sum()
# halves = np.mean([(w[s] * e[s]).sum() / w[s].sum() for s in (slice(0, 128), slice(128, 256))])
# print(whole, halves)  # not equal
# ```
#
# Dividing by a fixed normaliser instead, the mean of $w_i e_i$ over the local batch with
# weights of mean 1 over the training set, averages correctly, because then each process's
# loss is a plain mean over an equal number of examples. If the normaliser must be the
# batch's own weight sum, all-reduce that sum first (`torch.distributed.all_reduce` of the
# local sum), divide each process's weighted sum by it and multiply by the number of
# processes, since DDP divides the summed gradients by that number.
# ````
