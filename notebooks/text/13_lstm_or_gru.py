# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-lstm-or-gru)=
# # LSTM or GRU? The evidence
#
# By the end of this chapter you will be able to compare two kinds of model fairly (at the
# same size and at the same number of weights, over several seeds, against the noise
# between seeds), to time a recurrent layer and read what a profiler says it runs, and to
# choose between an LSTM and a GRU from measurements rather than from a rule of thumb. It
# answers the article's §2 ("the connection and the difference between LSTM and GRU") and
# the first two questions of its FAQ (§9): the GRU has fewer parameters "and therefore
# trains faster", its lower computational complexity "suits large-scale data better", it
# "may be slightly worse than the LSTM on some tasks", and the LSTM is the choice when
# long-range dependencies matter.
#
# The chapter has two halves:
#
# * **accuracy**: every task of Part III trained again, each with three seeds, as an LSTM,
#   as a GRU of the same hidden size and as a GRU with as many weights as the LSTM, and
#   scored on the task's validation data;
# * **speed and memory**: one training step and one inference step, in PyTorch and Keras,
#   for the framework's fused layer and for a loop of cells, from 32 to 512 hidden units
#   and from 50 to 400 steps, with one and two threads; and what the CPU actually runs for
#   each cell.
#
# A decision guide at the end turns the measurements into advice, each line pointing to
# the row it rests on.

# %%
from seqlib.reproducibility import set_seed, setup

# Before Keras is imported: environment defaults, one thread for PyTorch,
# TensorFlow and NumPy's BLAS, and the seeds (see the set-up chapter). One thread
# whatever $SEQLIB_THREADS says: the speed grid below sets two threads itself.
setup(seed=0, threads=1, frameworks=("torch", "keras"))

import json
import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy import stats
from tqdm.auto import tqdm

from seqlib import (
    audio,
    baselines,
    data,
    datasets,
    global_forecast,
    metrics,
    speed,
    torch_models,
    train,
)
from seqlib.parallel import fit_in_parallel
from seqlib.report import glue, results, stored_results
from seqlib.text import build_vocabulary, encode

# %% [markdown]
# ## What the earlier chapters found
#
# Each chapter of Part III trained an LSTM and a GRU once, with one seed, and scored them
# once on its test data. Their scores are printed by the chapters' `results` cells, so we
# read them from the stored notebooks instead of copying them by hand, with
# {func}`seqlib.report.stored_results` (in Colab, where the other chapters are not beside
# this one, it downloads them from the book's repository):

# %%
CHAPTER_OF = {
    "airline": "09_forecasting",
    "daily-min-temperatures": "09_forecasting",
    "sunspots": "09_forecasting",
    "m4-hourly": "10_m4_hourly",
    "rt-polarity": "11_text_classification",
    "fsdd": "12_spoken_digits",
    "fsdd-loso": "12_spoken_digits",
}
stored = {}
for chapter in sorted(set(CHAPTER_OF.values())):
    stored |= stored_results(f"{chapter}.ipynb")
earlier = pd.DataFrame(
    {
        task: {
            "chapter": int(CHAPTER_OF[task][:2]),
            "metric": stored[task]["metric"],
            "split": stored[task]["split"],
            "LSTM": stored[task]["scores"].get("lstm_torch", np.nan),
            "GRU": stored[task]["scores"].get("gru_torch", np.nan),
        }
        for task in CHAPTER_OF
    }
).T
earlier


# %% [markdown]
# Read one row at a time, these numbers invite a verdict ("the GRU won on sunspots"), but
# each is a single training run, and {ref}`ch-better` and {ref}`ch-m4` showed how far a
# second seed can move a score. (Chapter 12's leave-one-speaker-out runs trained only the
# GRU.) They are test scores, and the test data must not choose
# between models; this chapter works on the validation data.
#
# ## A fair comparison
#
# Three models per task:
#
# * the chapter's **LSTM**, with the chapter's hidden size $h$;
# * a **GRU with the same hidden size**. A GRU layer has three blocks of weights where an
#   LSTM has four, so it has about three quarters of the LSTM's weights: this is the
#   comparison the article has in mind when it says "fewer parameters";
# * a **GRU with as many weights** as the LSTM, its hidden size raised until its layer
#   has about the LSTM layer's number of weights. Any difference left is not a difference
#   in capacity.
#
# For $d$ inputs per step, PyTorch's layer has $g\,(h(d + h) + 2h)$ weights, with $g = 4$
# blocks for an LSTM and $g = 3$ for a GRU (each block has input weights, recurrent
# weights and two bias vectors).

# %%
def recurrent_weights(cell, inputs, hidden):
    """Weights of one PyTorch LSTM (4 blocks) or GRU (3 blocks) layer."""
    blocks = {"lstm": 4, "gru": 3}[cell]
    return blocks * (hidden * (inputs + hidden) + 2 * hidden)


def gru_hidden_like(inputs, lstm_hidden):
    """The GRU hidden size with about as many weights as the LSTM layer."""
    target = recurrent_weights("lstm", inputs, lstm_hidden)
    sizes = np.arange(lstm_hidden, 2 * lstm_hidden)
    gaps = [abs(recurrent_weights("gru", inputs, h) - target) for h in sizes]
    return int(sizes[np.argmin(gaps)])


settings = pd.DataFrame(
    [  # task, inputs per step, the chapter's hidden size, the budget here
        ("airline", 12, 32, "chapter 9's, window fixed at 3 years"),
        ("daily-min-temperatures", 1, 32, "at most 15 epochs (chapter 9: 40)"),
        ("sunspots", 1, 32, "chapter 9's"),
        ("m4-hourly", 24, 128, "104 of 414 series, every 8th window, 6 epochs"),
        ("rt-polarity", 32, 32, "chapter 11's"),
        ("fsdd", 234, 64, "at most 10 epochs (chapter 12: 30)"),
        ("fsdd-loso", 234, 32, "chapter 12's fixed budget"),
    ],
    columns=["task", "inputs", "hidden", "budget"],
).set_index("task")
settings["matched GRU hidden"] = [
    gru_hidden_like(d, h) for d, h in settings[["inputs", "hidden"]].to_numpy()
]
for name, cell, column in [("LSTM", "lstm", "hidden"), ("GRU", "gru", "hidden"),
                           ("matched GRU", "gru", "matched GRU hidden")]:
    pairs = settings[["inputs", column]].to_numpy()
    settings[f"{name} weights"] = [
        recurrent_weights(cell, d, h) for d, h in pairs
    ]
settings.drop(columns="budget")

# %% tags=["remove-cell"]
for cell, module in [("lstm", torch.nn.LSTM(12, 32)), ("gru", torch.nn.GRU(234, 81))]:
    counted = sum(p.numel() for p in module.parameters())
    assert counted == recurrent_weights(cell, module.input_size, module.hidden_size)
assert (settings["matched GRU weights"] / settings["LSTM weights"] - 1).abs().max() < 0.02

# %% [markdown]
# Every model is trained with seeds 0, 1 and 2 and scored on its chapter's
# **validation** data; we report the mean and the standard deviation over the seeds.
# Three seeds are few, but nine runs per task for seven tasks is what this chapter's time
# allows; where a chapter's full training budget does not fit, it is **reduced**, as the
# last column of the table below says, and the scores are then worse than the chapter's
# but comparable between the cells, which is what matters here.
#
# Is a gap between two means real? Each mean has a spread from seed to seed. We apply
# Welch's $t$-test to the two sets of three scores and call a gap **beyond the seed noise**
# when $p < 0.05$. With three seeds only a gap several times the spread passes that test;
# a gap that does not pass is not evidence that the two cells are equal, only that these
# runs cannot tell them apart. The validation sample adds noise of its own (a few hundred
# sentences or recordings, a few dozen forecasts) that the seeds do not show: a
# difference "beyond the seed noise" still has to be large to generalise.
#
# The preparation of each task is the chapter's own, through `seqlib`; only the training
# budget changes.

# %%
settings[["budget"]]

# %% [markdown]
# ### Forecasting (chapter 9)
#
# **Airline passengers.** Chapter 9's global network on the one series, reading three
# years as three steps of twelve months and forecasting 24 months at once. The last 24
# months of the training part are the validation period:
# {func}`seqlib.global_forecast.fit_global` holds them out for early stopping, and the
# model forecasts them from the months before.
# (The same months stop the training and score it, as in chapter 9; both cells get that
# advantage.)

# %%
air = datasets.load("airline-passengers").to_numpy()
air_train = air[:-24]  # chapter 9's test period, the last 24 months, stays out
air_history, air_val = air_train[:-24], air_train[-24:]


def score_airline(cell, hidden, seed):
    """Validation MAE (thousand passengers) of chapter 9's global network."""
    model = global_forecast.fit_global(
        [air_train], 24, season=12, lookback=36, cell=cell, hidden=hidden,
        epochs=200, patience=30, lr=3e-3, batch_size=16, loss="mae", seed=seed,
        progress=False,
    )  # fmt: skip
    forecast = global_forecast.forecast_global(model, [air_history])[0]
    return metrics.mae(air_val, forecast)


# %% [markdown]
# **Daily temperatures and sunspots.** The direct forecaster of chapter 9
# ({func}`seqlib.torch_models.regressor`): windows of 30 days (years), standardised with
# the training part's mean and spread, and {func}`seqlib.data.split_windows_by_target`
# assigns each window to the part that holds its targets. Temperatures: tomorrow's
# minimum, validation year 1989. Sunspots: the next 11 years, validated on the 20 windows
# whose targets fall in the 30 years before the test period.

# %%
def fit_regressor(parts, cell, hidden, seed, **budget):
    """Chapter 9's direct forecaster; its validation MAE in scaled units."""
    set_seed(seed)
    X_val, y_val = parts["val"]
    model = torch_models.regressor(1, y_val.shape[1], cell=cell, hidden=hidden)
    train.fit(model, parts["train"], parts["val"], lr=3e-3, loss="mae",
              seed=seed, progress=False, **budget)  # fmt: skip
    return metrics.mae(y_val, train.predict(model, X_val))


def scaled_parts(series, lookback, horizon, n_train, n_val):
    """Windows of `series` standardised with its first n_train values."""
    scaler, _, scaled = data.scale_like_train(series[:n_train], series)
    parts = data.split_windows_by_target(
        scaled, lookback, horizon, n_train=n_train, n_val=n_val
    )
    return parts, scaler.scale_[0]  # the training part's standard deviation


# %% [markdown]
# The two series, and their scores in the original units (°C, sunspots):

# %%
temps = datasets.load("daily-min-temperatures")
year = temps.index.year
week_parts, temp_std = scaled_parts(  # chapter 9's windows: 30 days -> 7 days
    temps.to_numpy(), 30, 7, (year < 1989).sum(), (year == 1989).sum()
)
temp_parts = {name: (X, Y[:, :1]) for name, (X, Y) in week_parts.items()}
spots = datasets.load("sunspots").to_numpy()
spot_parts, spot_std = scaled_parts(spots, 30, 11, len(spots) - 60, 30)


def score_temps(cell, hidden, seed):
    """Validation MAE (°C) of tomorrow's minimum temperature."""
    return temp_std * fit_regressor(
        temp_parts, cell, hidden, seed, epochs=15, patience=5, batch_size=64
    )


def score_sunspots(cell, hidden, seed):
    """Validation MAE (sunspots) over the next 11 years."""
    return spot_std * fit_regressor(
        spot_parts, cell, hidden, seed, epochs=200, patience=20, batch_size=32
    )


print({name: len(X) for name, (X, _) in spot_parts.items()}, "sunspot windows")

# %% [markdown]
# ### M4 Hourly (chapter 10)
#
# Chapter 10's global forecaster, at the reduced budget of its ablations (every eighth
# window, 6 epochs, 128 units) and on every fourth series only, 104 of the 414. The
# validation period is the last 48 hours of each of these series, forecast from the hours
# before, and OWA is relative to Naive2 on the same hours.

# %%
m4_train, _ = datasets.load("m4-hourly")  # chapter 10's test values stay unread
m4_series = m4_train[::4]
m4_history = [y[:-48] for y in m4_series]
m4_truth = np.stack([y[-48:] for y in m4_series])
naive2 = np.stack([baselines.naive2(y, 48, 24) for y in m4_history])
m4_naive2 = metrics.m4_scores(naive2, m4_truth, m4_history, 24)


def score_m4(cell, hidden, seed):
    """Validation OWA of chapter 10's global forecaster, reduced budget."""
    model = global_forecast.fit_global(
        m4_series, 48, season=24, lookback=168, cell=cell, hidden=hidden,
        stride=8, epochs=6, patience=None, seed=seed, progress=False,
    )  # fmt: skip
    forecasts = global_forecast.forecast_global(model, m4_history)
    s = metrics.m4_scores(forecasts, m4_truth, m4_history, 24)
    return metrics.owa(
        s["smape"], s["mase"], m4_naive2["smape"], m4_naive2["mase"]
    )


print(len(m4_series), "series")

# %% [markdown]
# ### Sentence polarity (chapter 11)
#
# Chapter 11's split (80 % training, 10 % validation, 10 % test, stratified, seed 0), its
# vocabulary of the words seen at least twice in training, and its classifier: 32-number
# word vectors, 32 hidden units, dropout 0.5, packed sequences, at most 6 epochs with
# early stopping.

# %%
texts, labels = datasets.load("rt-polarity")
texts = np.array(texts, dtype=object)
rt_train, rt_val, _ = data.stratified_split(labels)  # chapter 11's split
vocabulary = build_vocabulary(texts[rt_train], min_count=2)
ids, lengths = data.pad_sequences(encode(texts, vocabulary))
rt = {name: (ids[ix], lengths[ix], labels[ix])
      for name, ix in [("train", rt_train), ("val", rt_val)]}  # fmt: skip


def score_rt(cell, hidden, seed):
    """Validation accuracy of chapter 11's classifier."""
    set_seed(seed)
    model = torch_models.classifier(
        2, vocab_size=len(vocabulary) + 2, embedding_dim=32, cell=cell,
        hidden=hidden, dropout=0.5,
    )  # fmt: skip
    train.fit(model, rt["train"], rt["val"], epochs=6, lr=5e-3, batch_size=64,
              loss="cross_entropy", patience=1, seed=seed,
              progress=False)  # fmt: skip
    X, n, y = rt["val"]
    return metrics.accuracy(y, train.predict(model, X, n).argmax(axis=1))


print(len(rt_train), "training and", len(rt_val), "validation sentences")

# %% [markdown]
# ### Spoken digits (chapter 12)
#
# Chapter 12's features: each recording trimmed of its leading and trailing silence, 13
# MFCCs with their deltas and delta-deltas per 10 ms frame, standardised with the training
# frames' statistics ({func}`seqlib.data.standardise_and_pad`), six frames per step. On
# the official split the validation data are takes 5–9 of every speaker and digit (300
# recordings), and the classifier has 64 units, at most 10 epochs with early stopping.
# For leave-one-speaker-out, each of the six speakers in turn is held out, and a 32-unit
# classifier trains for chapter 12's fixed budget of 6 epochs on the other five; the score
# is the mean accuracy over the six held-out speakers, which is chapter 12's own measure
# (there is no validation split to stop on).

# %%
recordings = datasets.load("fsdd")
frames = []
for path in tqdm(recordings.path, desc="MFCC frames", unit="recording"):
    wave, rate = datasets.read_wav(path)
    mfcc = audio.mfcc(audio.trim_silence(wave), rate, order=2)
    frames.append(mfcc.astype(np.float32))  # (frames, 39)
digits, speakers = recordings.digit.to_numpy(), recordings.speaker.to_numpy()
takes = recordings["take"].to_numpy()
fsdd_train = np.flatnonzero(takes >= 10)
fsdd_val = np.flatnonzero((takes >= 5) & (takes < 10))


# %%
def classify_digits(cell, hidden, seed, fit, held_out, early_stop, **budget):
    """Train on recordings `fit`; accuracy on `held_out`, whose frames are
    standardised with the statistics of `fit`'s and stacked 6 per step."""
    _, (X, n), (X_out, n_out) = data.standardise_and_pad(
        [frames[i] for i in fit], [frames[i] for i in held_out],
        transform=lambda f: audio.stack_frames(f, 6),
    )  # fmt: skip
    held = (X_out, n_out, digits[held_out])
    set_seed(seed)
    net = torch_models.classifier(
        10, n_features=X.shape[2], cell=cell, hidden=hidden, pooling="mean"
    )
    train.fit(net, (X, n, digits[fit]), held if early_stop else None, lr=5e-3,
              loss="cross_entropy", seed=seed, progress=False,
              **budget)  # fmt: skip
    predicted = train.predict(net, X_out, n_out).argmax(axis=1)
    return metrics.accuracy(digits[held_out], predicted)


def score_fsdd(cell, hidden, seed):
    """Validation accuracy on the official split's takes 5-9."""
    return classify_digits(cell, hidden, seed, fsdd_train, fsdd_val, True,
                           epochs=10, patience=5, batch_size=64)  # fmt: skip


def score_fsdd_loso(cell, hidden, seed):
    """Mean accuracy over the six held-out speakers."""
    return np.mean([
        classify_digits(cell, hidden, seed, np.flatnonzero(speakers != s),
                        np.flatnonzero(speakers == s), False, epochs=6,
                        batch_size=128)
        for s in np.unique(speakers)
    ])  # fmt: skip


# %% [markdown]
# ### Sixty-three training runs
#
# Seven tasks, three models, three seeds. The runs are independent, so
# {func}`seqlib.parallel.fit_in_parallel` runs them two at a time, one per core, each
# with one thread ({ref}`ch-setup`: processes × threads ≤ cores), the longest first.

# %%
SCORERS = {  # the longest runs first, so that the two workers finish together
    "fsdd-loso": score_fsdd_loso,
    "daily-min-temperatures": score_temps,
    "rt-polarity": score_rt,
    "fsdd": score_fsdd,
    "m4-hourly": score_m4,
    "sunspots": score_sunspots,
    "airline": score_airline,
}
MODELS = {  # model name -> (cell, column of `settings` with its hidden size)
    "lstm": ("lstm", "hidden"),
    "gru": ("gru", "hidden"),
    "gru_same_weights": ("gru", "matched GRU hidden"),
}
SEEDS = (0, 1, 2)


def timed(score, cell, hidden, seed):
    """score(cell, hidden, seed), and the seconds it took."""
    # The workers receive large arrays read-only, which PyTorch mentions; the
    # training never writes to its inputs.
    warnings.filterwarnings("ignore", message="The given NumPy array is not")
    start = time.perf_counter()
    return score(cell, hidden, seed), time.perf_counter() - start


runs = pd.DataFrame(
    [(task, model, cell, int(settings.loc[task, column]), seed)
     for task in SCORERS for model, (cell, column) in MODELS.items()
     for seed in SEEDS],
    columns=["task", "model", "cell", "hidden", "seed"],
)  # fmt: skip
jobs = [{"score": SCORERS[run.task], "cell": run.cell, "hidden": run.hidden,
         "seed": run.seed} for run in runs.itertuples()]  # fmt: skip
runs[["score", "seconds"]] = fit_in_parallel(timed, jobs, desc="training runs")

# %% [markdown]
# ### The verdicts
#
# For each task: the mean ± standard deviation over the three seeds, which model is
# better on average, and whether the gap is beyond the seed noise (Welch's $t$-test,
# $p < 0.05$). Beside them, for reference, the chapter's own scores: one seed, the full
# budget, and another split (the test split; for `fsdd-loso`, chapter 12's untrimmed
# variant).

# %%
METRIC = {task: stored[task]["metric"] for task in settings.index}
LOWER_IS_BETTER = {"mae", "owa"}
summary = runs.pivot_table(
    index="task", columns="model", values="score",
    aggfunc=["mean", "std", "count"],
).loc[settings.index]  # fmt: skip


def verdict(task, other):
    """LSTM against `other`: better model, Welch's p, beyond seed noise?"""
    by = runs[runs.task == task].groupby("model")["score"]
    a, b = by.get_group("lstm").to_numpy(), by.get_group(other).to_numpy()
    with warnings.catch_warnings():  # nearly equal scores: p is then near 1
        warnings.simplefilter("ignore", RuntimeWarning)
        p = stats.ttest_ind(a, b, equal_var=False).pvalue
    if a.mean() == b.mean():
        return "tie", 1.0, False
    lstm_better = (a.mean() < b.mean()) == (METRIC[task] in LOWER_IS_BETTER)
    p = 1.0 if np.isnan(p) else p  # no spread in either: no evidence either way
    return ("LSTM" if lstm_better else "GRU"), p, p < 0.05


rows = {}
for task in settings.index:
    decimals = 2 if METRIC[task] == "mae" else 3
    row = {"metric": METRIC[task]}
    for model in MODELS:
        mean = summary.loc[task, ("mean", model)]
        std = summary.loc[task, ("std", model)]
        row[model] = f"{mean:.{decimals}f} ± {std:.{decimals}f}"
    for other, label in [("gru", "same hidden"),
                         ("gru_same_weights", "same weights")]:  # fmt: skip
        better, p, beyond = verdict(task, other)
        row[f"better, {label}"] = better + (" (beyond noise)" if beyond else "")
        row[f"p, {label}"] = round(p, 3)
    row["chapter's LSTM"] = earlier.loc[task, "LSTM"]
    row["chapter's GRU"] = earlier.loc[task, "GRU"]
    rows[task] = row
verdicts = pd.DataFrame(rows).T
verdicts

# %% mystnb={"figure": {"caption": "Validation scores of every run: the LSTM, the GRU of the same hidden size and the GRU with as many weights as the LSTM, three seeds each.", "name": "fig-lstm-or-gru-seeds"}} tags=["hide-input"]
fig, axes = plt.subplots(1, 7, figsize=(14, 3.6))
colours = {"lstm": "tab:blue", "gru": "tab:orange",
           "gru_same_weights": "tab:green"}  # fmt: skip
for ax, task in zip(axes, settings.index, strict=True):
    for k, model in enumerate(colours):
        colour = colours[model]
        scores = runs.query("task == @task and model == @model")["score"]
        ax.plot(np.full(len(scores), k), scores, "o", color=colour, alpha=0.7)
        ax.plot([k - 0.3, k + 0.3], [scores.mean()] * 2, color=colour, lw=2)
    ax.set_xticks(range(3), ["LSTM", "GRU", "GRU\nmatched"], fontsize=8)
    ax.set_xlim(-0.6, 2.6)
    ax.set_title(task, fontsize=9)
    better = "lower" if METRIC[task] in LOWER_IS_BETTER else "higher"
    name = "accuracy" if METRIC[task] == "accuracy" else METRIC[task].upper()
    ax.set_ylabel(f"validation {name} ({better} is better)", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
fig.suptitle("Three seeds per model (dots) and their mean (bar)")
fig.tight_layout()

# %% tags=["remove-cell"]
same_hidden = {t: verdict(t, "gru") for t in settings.index}
same_weights = {t: verdict(t, "gru_same_weights") for t in settings.index}


def count(verdicts, who, beyond=None):
    return sum(v[0] == who and (beyond is None or v[2] == beyond)
               for v in verdicts.values())  # fmt: skip


for key, table in [("hidden", same_hidden), ("weights", same_weights)]:
    glue(f"n_lstm_{key}", int(count(table, "LSTM")))
    glue(f"n_gru_{key}", int(count(table, "GRU")))
    n_beyond = count(table, "LSTM", True) + count(table, "GRU", True)
    glue(f"n_beyond_{key}", int(n_beyond))
    beyond = [f"{t} ({v[0]})" for t, v in table.items() if v[2]]
    glue(f"beyond_{key}", ", ".join(beyond) if beyond else "none",
         zh="、".join(beyond) if beyond else "无")  # fmt: skip
n_l, n_g = int(count(same_hidden, "LSTM")), int(count(same_hidden, "GRU"))
ahead, behind = ("GRU", "LSTM") if n_g >= n_l else ("LSTM", "GRU")
beyond = [f"{t} ({v[0]})" for t, v in same_hidden.items() if v[2]]
glue("accuracy_verdict",
     f"At the same hidden size the {ahead} had the better mean on "
     f"{max(n_l, n_g)} of the {len(settings)} tasks and the {behind} on "
     f"{min(n_l, n_g)}; the gap exceeded the seed noise on "
     f"{', '.join(beyond) if beyond else 'none'}",
     zh=f"隐藏大小相同时，{len(settings)} 个任务中 {ahead} 的平均值在 "
     f"{max(n_l, n_g)} 个任务上更好，{behind} 在 {min(n_l, n_g)} 个任务上更好；"
     f"差距超出种子间波动的任务：{'、'.join(beyond) if beyond else '无'}")  # fmt: skip
sign_p = stats.binomtest(n_g, n_g + n_l, 0.5).pvalue  # ties left out
glue("sign_p", f"{sign_p:.3f}")
glue("n_tasks", len(settings))
glue("n_runs", len(runs))
relative_spread = (summary["std"] / summary["mean"]).max(axis=1)
glue("max_rel_spread", f"{100 * relative_spread.max():.0f} %")
glue("max_rel_spread_task", relative_spread.idxmax())
seconds = runs.groupby("model")["seconds"].sum()
glue("gru_lstm_train_seconds", f"{seconds['gru'] / seconds['lstm']:.2f}")
# The prose's verdicts follow these runs (glued), rather than being asserted: three
# seeds a model on another CPU can reorder tasks whose gaps are within the noise.
conclusive = sign_p < 0.05
glue("sign_words", "unlikely if the cells were equal" if conclusive
     else "suggestive, not conclusive",
     zh="如果两种单元一样好，这就不太可能出现" if conclusive
     else "有提示意义，但不是定论")  # fmt: skip
lstm_beyond = [t for t, v in same_hidden.items() if v[2] and v[0] == "LSTM"]
if lstm_beyond:
    words = ("support the article's \"the GRU may be slightly worse than the LSTM\" on "
             f"{', '.join(lstm_beyond)}, where the GRU was behind by more than the seed "
             "noise, and on no other task")
    words_zh = (f"只在 {'、'.join(lstm_beyond)} 上支持原文所说的 GRU"
                "“可能在某些任务上性能略逊于 LSTM”：GRU 在那里落后的幅度超出了种子噪声")
else:
    words = ("do not support the article's \"the GRU may be slightly worse than the "
             f"LSTM\": on none of these {len(settings)} tasks was the GRU behind by more "
             "than the seed noise" + (", and on most it was ahead" if n_g > n_l else ""))
    words_zh = ("并不支持原文所说的 GRU“可能在某些任务上性能略逊于 LSTM”：在这"
                f" {len(settings)} 个任务中，GRU 落后的幅度没有一次超出种子噪声"
                + ("，而且在大多数任务上还领先" if n_g > n_l else ""))
glue("article_words", words, zh=words_zh)
few = len(beyond) <= len(settings) / 2
if not lstm_beyond and n_g > n_l and few:
    words = ("On the book's tasks the GRU was never worse by more than the seed noise and "
             "was ahead on most, but few gaps exceeded that noise",
             "在本书的任务上，GRU 比 LSTM 差的幅度从未超出种子噪声，并在大多数任务上领先，"
             "但很少有差距超出这一噪声")
else:
    words = (f"On the book's tasks the GRU was ahead on {n_g} and behind on {n_l} of "
             f"{len(settings)}, and {len(beyond)} gaps exceeded the seed noise",
             f"在本书的 {len(settings)} 个任务上，GRU 在 {n_g} 个任务上领先，"
             f"在 {n_l} 个任务上落后，有 {len(beyond)} 个差距超出了种子噪声")
glue("takeaway_accuracy_words", words[0], zh=words[1])
glue("opposite_words", "most gaps are within the noise" if few
     else "most gaps exceed the noise, but not all in one direction",
     zh="大多数差距都在噪声范围之内" if few
     else "大多数差距超出了噪声，但方向并不一致")  # fmt: skip

# %% [markdown]
# At the same hidden size the GRU had the better mean on {glue:text}`n_gru_hidden` of the
# {glue:text}`n_tasks` tasks and the LSTM on {glue:text}`n_lstm_hidden`, but the gap
# exceeded the seed noise only on {glue:text}`beyond_hidden`. With as many weights as the
# LSTM, the GRU was ahead on {glue:text}`n_gru_weights` tasks and behind on
# {glue:text}`n_lstm_weights`, beyond the noise on {glue:text}`beyond_weights`.
# {numref}`fig-lstm-or-gru-seeds` shows why single runs mislead: the seeds of one model
# often spread as widely as the gap between the models, by up to
# {glue:text}`max_rel_spread` of the mean ({glue:text}`max_rel_spread_task`).
#
# Is the majority of tasks evidence in itself? If the two cells were equally good, each
# task would favour either one with probability one half, and a split at least as lopsided
# as this one would happen with probability {glue:text}`sign_p` (a two-sided sign test):
# {glue:text}`sign_words`, and with budgets reduced on several tasks.
#
# So the measurements {glue:text}`article_words`. Nor do they support the opposite rule:
# {glue:text}`opposite_words`, and the large published comparisons found no consistent
# winner between the two cells on their own tasks
# {cite}`chung2014empirical,jozefowicz2015empirical,greff2017lstm`.
#
# One more number from these runs: in all, the GRUs of the LSTM's hidden size trained
# for {glue:text}`gru_lstm_train_seconds` times as long as the LSTMs. A training run
# spends its time on more than the recurrent layer (the data, the optimiser, the output
# layer, the validation), and early stopping ends runs at different epochs; the cost of
# one step of the layer alone is measured next.

# %% [markdown]
# ## Speed: what the CPU runs
#
# {ref}`ch-ideas` timed one training step of PyTorch's LSTM and GRU on a batch of 64
# sequences of 100 steps with 8 features, found the GRU *slower* at 32 hidden units
# despite its fewer weights, and counted the operations autograd recorded for each. A
# profiler shows where the time goes. {func}`seqlib.speed.operations` runs one training
# step (forward pass, sum, backward pass) under `torch.profiler` and lists every
# operation by the time spent in it:

# %%
SHAPE = (64, 100, 8)  # chapter 2's batch: (batch, time, features)
torch.manual_seed(0)
layers = {cell: speed.torch_layer(cell, 32) for cell in ("lstm", "gru")}
profiles = {cell: speed.operations(layers[cell], SHAPE) for cell in layers}
for cell, table in profiles.items():
    print(f"{cell.upper()}: {table.calls.sum()} calls of {len(table)} "
          "operations in one training step; the six slowest:")  # fmt: skip
    print(table.head(6).round(2).to_string(index=False), end="\n\n")

# %% [markdown]
# The LSTM's training step makes {glue:text}`lstm_calls` operation calls, and two of
# them do the work, once each: `aten::mkldnn_rnn_layer` runs the forward pass over all
# 100 steps in one call of oneDNN, Intel's library of CPU kernels, and
# `aten::mkldnn_rnn_layer_backward` the whole backward pass; the other calls allocate,
# copy and sum. The GRU's step makes {glue:text}`gru_calls` calls: at each of the 100
# steps, matrix products (`aten::mm`, `aten::addmm`), element-wise sigmoids, `tanh`,
# products, sums and concatenations, and the same again backwards. Each call costs a few
# microseconds of overhead (dispatch, allocation, autograd's bookkeeping) whatever its
# size, and at 32 units the arithmetic of one call is smaller than that overhead.
# PyTorch's CPU build hands only the LSTM to oneDNN; the GRU runs op by op. (The call
# counts are exact; the times include the profiler's own cost for each call it records,
# which weighs more on the GRU's thousands.)
#
# So the comparison in {ref}`ch-ideas` was between two implementations, not two cells.
# The test: switch oneDNN off, and PyTorch's LSTM runs op by op too.

# %%
lstm, gru = layers["lstm"], layers["gru"]
fused_lstm = speed.time_step(lstm, SHAPE)
torch.backends.mkldnn.enabled = False  # the LSTM without its oneDNN kernel
try:
    op_by_op_lstm = speed.time_step(lstm, SHAPE)
    op_by_op_calls = speed.operations(lstm, SHAPE).calls.sum()
finally:
    torch.backends.mkldnn.enabled = True
onednn = pd.DataFrame(
    {
        "ms per training step": [1000 * fused_lstm, 1000 * op_by_op_lstm,
                                 1000 * speed.time_step(gru, SHAPE)],
        "operation calls": [profiles["lstm"].calls.sum(), op_by_op_calls,
                            profiles["gru"].calls.sum()],
    },
    index=["LSTM, oneDNN (default)", "LSTM, op by op", "GRU (op by op)"],
)  # fmt: skip
onednn.round(2)

# %% tags=["remove-cell"]
lstm_ops, gru_ops = profiles["lstm"], profiles["gru"]
glue("gru_calls", f"{gru_ops.calls.sum():,}")
glue("lstm_calls", f"{lstm_ops.calls.sum():,}")
ms = onednn["ms per training step"]
glue("onednn_speedup", f"{ms.iloc[1] / ms.iloc[0]:.1f}")
glue("op_by_op_vs_gru", f"{ms.iloc[1] / ms.iloc[2]:.2f}")
glue("gru_vs_onednn", f"{ms.iloc[2] / ms.iloc[0]:.1f}")
mm_share = gru_ops[gru_ops.name.isin(["aten::mm", "aten::addmm"])].self_ms.sum()
glue("gru_mm_share", f"{100 * mm_share / gru_ops.self_ms.sum():.0f} %")
close = 0.8 < ms.iloc[1] / ms.iloc[2] < 1.25
glue("op_by_op_words",
     "the two cells take times within a quarter of each other" if close
     else "the two cells still differ by more than a quarter",
     zh="两种单元的耗时相差不到四分之一" if close
     else "两种单元的差别仍超过四分之一")  # fmt: skip
if torch.backends.mkldnn.is_available():  # every x86 build of PyTorch
    onednn_ops = {"aten::mkldnn_rnn_layer", "aten::mkldnn_rnn_layer_backward"}
    assert onednn_ops <= set(lstm_ops.name)
    assert lstm_ops.set_index("name").loc[list(onednn_ops), "calls"].eq(1).all()
    assert lstm_ops.calls.sum() < 200 < 2000 < gru_ops.calls.sum()
    assert not gru_ops.name.str.contains("mkldnn").any()
    assert op_by_op_calls > 2000  # without oneDNN, the LSTM runs step by step

# %% [markdown]
# Without oneDNN the LSTM takes {glue:text}`onednn_speedup` times as long as with it, and
# {glue:text}`op_by_op_vs_gru` times as long as the GRU: run the same way,
# {glue:text}`op_by_op_words` (its three blocks of weights against four save little when
# the time goes into per-call overhead). With oneDNN, the GRU takes
# {glue:text}`gru_vs_onednn` times as long as the LSTM. Matrix products account for only
# {glue:text}`gru_mm_share` of the GRU's profiled time; the rest is the many small
# operations around them.
#
# ## Speed: the grid
#
# Now the systematic version: for each framework, cell and implementation, the seconds
# per training step and per inference step (the forward pass alone, without gradients),
# on the same batch of 64 sequences of 8 features. "Fused" is the framework's layer,
# `nn.LSTM` or `keras.layers.LSTM`; "loop" applies the cell step by step, a Python loop
# of `nn.LSTMCell` in PyTorch, and `keras.layers.RNN(LSTMCell(...))` in Keras, which
# loops inside TensorFlow's graph. For a training step, {func}`seqlib.speed.peak_memory`
# also records the most memory it holds at once beyond the weights and the input (from
# the profiler's record of allocations).
#
# The chapter measures a subset of the grid, to fit its time: 32, 128 and 512 units at
# 100 steps, and 50, 100 and 400 steps at 128 units. `benchmarks/rnn_speed.py` measures
# every combination of 32, 64, 128, 256 and 512 units with 50, 100, 200 and 400 steps,
# on a CPU or a GPU, and writes the rows to a JSON file. Timings depend on the machine
# and on what else it is doing; the machine these were measured on is named below.

# %%
# (hidden, time): three layer sizes at 100 steps, three lengths at 128 units
SIZES = [(32, 100), (128, 100), (512, 100), (128, 50), (128, 400)]
FAST = {"repeats": 3, "warmup": 1}
grid = pd.concat([
    speed.benchmark(SIZES, **FAST),  # PyTorch, fused and loop, 1 thread
    speed.benchmark([(32, 100), (512, 100)], implementations="fused",
                    modes="train", threads=[2], memory=False, **FAST),
    speed.benchmark(SIZES, frameworks="keras", implementations="fused", **FAST),
    speed.benchmark(SIZES[:2], frameworks="keras", implementations="loop",
                    **FAST),  # fmt: skip
], ignore_index=True)  # fmt: skip
grid["ms"] = 1000 * grid.seconds


def ms(framework, cell, impl="fused", mode="train", threads=1, **size):
    """Milliseconds of one measured row of `grid`."""
    found = grid.query("framework == @framework and cell == @cell and "
                       "implementation == @impl and mode == @mode and "
                       "threads == @threads and hidden == @size['hidden'] and "
                       "time == @size['time']")  # fmt: skip
    assert len(found) == 1, (framework, cell, impl, mode, threads, size)
    return found.ms.iloc[0]


# %% [markdown]
# Milliseconds per **training** step, one thread:

# %%
one_thread = grid[grid.threads == 1]
train_ms = one_thread[one_thread["mode"] == "train"].pivot_table(
    index=["hidden", "time"], columns=["framework", "implementation", "cell"],
    values="ms",
).reindex(SIZES)  # fmt: skip
train_ms.round(1)

# %% [markdown]
# and per **inference** step:

# %%
infer_ms = one_thread[one_thread["mode"] == "infer"].pivot_table(
    index=["hidden", "time"], columns=["framework", "implementation", "cell"],
    values="ms",
).reindex(SIZES)  # fmt: skip
infer_ms.round(1)

# %% [markdown]
# **Two threads.** PyTorch's fused layers, training step, one thread against two, for
# the smallest and the largest layer. (TensorFlow fixes its number of threads when it
# starts, so this chapter's Keras rows all have one; `benchmarks/rnn_speed.py` measures
# every size with each count, in a process of its own.)

# %%
threads = grid.query("framework == 'torch' and implementation == 'fused' and "
                     "mode == 'train'").pivot_table(
    index=["hidden", "time"], columns=["cell", "threads"], values="ms"
).dropna()  # fmt: skip
for cell in ("lstm", "gru"):
    threads[(cell, "speed-up")] = threads[(cell, 1)] / threads[(cell, 2)]
threads.sort_index(axis=1).round(2)

# %% [markdown]
# **Memory.** The peak of a training step in PyTorch, in MB, and the GRU's share of the
# LSTM's:

# %%
memory = grid.dropna(subset="peak_mb").query("framework == 'torch'")
peak = memory.pivot_table(index=["hidden", "time"],
                          columns=["implementation", "cell"], values="peak_mb")
peak[("fused", "GRU / LSTM")] = peak[("fused", "gru")] / peak[("fused", "lstm")]
peak.reindex(SIZES).round(2)

# %% mystnb={"figure": {"caption": "One training step on a batch of 64 sequences: time against the hidden size (left) and the sequence length (middle), one thread, log scales; and the memory the step holds at its peak (right, PyTorch).", "name": "fig-lstm-or-gru-speed"}} tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
lines = [("torch", "fused", "lstm", "-", "tab:blue"),
         ("torch", "fused", "gru", "-", "tab:orange"),
         ("torch", "loop", "lstm", ":", "tab:blue"),
         ("torch", "loop", "gru", ":", "tab:orange"),
         ("keras", "fused", "lstm", "--", "tab:cyan"),
         ("keras", "fused", "gru", "--", "tab:red")]  # fmt: skip
panels = [("hidden units (100 steps)", SIZES[:3], 0),
          ("sequence length (128 units)", [SIZES[3], SIZES[1], SIZES[4]], 1)]
for ax, (xlabel, shown, k) in zip(axes[:2], panels, strict=True):
    x = [size[k] for size in shown]
    for fw, impl, cell, style, colour in lines:
        y = [ms(fw, cell, impl, hidden=h, time=t) for h, t in shown]
        ax.plot(x, y, style, marker="o", color=colour,
                label=f"{fw} {impl} {cell}")  # fmt: skip
    ax.set(xscale="log", yscale="log", xlabel=xlabel,
           ylabel="ms per training step (1 thread)")  # fmt: skip
    ax.set_xticks(x, [str(v) for v in x])
    ax.set_xticks([], minor=True)
axes[0].set_title("Training step against the layer's size")
axes[1].set_title("... and against the sequence's length")
axes[0].legend(fontsize=8)
bars = [("fused", "lstm", "tab:blue", None),
        ("fused", "gru", "tab:orange", None),
        ("loop", "lstm", "tab:blue", "//"),
        ("loop", "gru", "tab:orange", "//")]  # fmt: skip
for k, (impl, cell, colour, hatch) in enumerate(bars):
    heights = peak.reindex(SIZES)[(impl, cell)]
    axes[2].bar(np.arange(len(SIZES)) + 0.2 * (k - 1.5), heights, 0.2,
                color=colour, hatch=hatch, edgecolor="white",
                label=f"torch {impl} {cell}")  # fmt: skip
axes[2].set(yscale="log", ylabel="MB held at the peak of a training step",
            title="Memory of a training step (PyTorch)")  # fmt: skip
axes[2].set_xticks(range(len(SIZES)), [f"h={h}\nT={t}" for h, t in SIZES])
axes[2].legend(fontsize=8)
fig.tight_layout()

# %% tags=["remove-cell"]
S, M, L = dict(hidden=32, time=100), dict(hidden=128, time=100), dict(hidden=512, time=100)
LONG, SHORT = dict(hidden=128, time=400), dict(hidden=128, time=50)
ratios = {
    "gru_lstm_small": ms("torch", "gru", **S) / ms("torch", "lstm", **S),
    "gru_lstm_mid": ms("torch", "gru", **M) / ms("torch", "lstm", **M),
    "gru_lstm_large": ms("torch", "gru", **L) / ms("torch", "lstm", **L),
    "gru_lstm_long": ms("torch", "gru", **LONG) / ms("torch", "lstm", **LONG),
    "gru_lstm_infer_small": (ms("torch", "gru", mode="infer", **S)
                             / ms("torch", "lstm", mode="infer", **S)),
    "gru_lstm_infer_large": (ms("torch", "gru", mode="infer", **L)
                             / ms("torch", "lstm", mode="infer", **L)),
    "loop_fused_lstm_small": ms("torch", "lstm", "loop", **S) / ms("torch", "lstm", **S),
    "loop_fused_gru_small": ms("torch", "gru", "loop", **S) / ms("torch", "gru", **S),
    "loop_fused_lstm_large": ms("torch", "lstm", "loop", **L) / ms("torch", "lstm", **L),
    "keras_torch_lstm_small": ms("keras", "lstm", **S) / ms("torch", "lstm", **S),
    "keras_torch_gru_small": ms("keras", "gru", **S) / ms("torch", "gru", **S),
    "keras_torch_lstm_large": ms("keras", "lstm", **L) / ms("torch", "lstm", **L),
    "keras_loop_fused_lstm": ms("keras", "lstm", "loop", **M) / ms("keras", "lstm", **M),
    "keras_gru_lstm_mid": ms("keras", "gru", **M) / ms("keras", "lstm", **M),
    "threads_small": ms("torch", "lstm", **S) / ms("torch", "lstm", threads=2, **S),
    "threads_large": ms("torch", "lstm", **L) / ms("torch", "lstm", threads=2, **L),
    "threads_gru_large": ms("torch", "gru", **L) / ms("torch", "gru", threads=2, **L),
    "time_scaling": ms("torch", "lstm", **LONG) / ms("torch", "lstm", **SHORT),
}
for name, value in ratios.items():
    glue(name, f"{value:.2f}")
helped = [size for size, key in [("32", "threads_small"), ("512", "threads_large")]
          if ratios[key] > 1.1]
glue("threads_verdict", {0: "at neither size", 2: "at both sizes"}.get(
    len(helped), f"only at {helped[0] if helped else ''} units"),
     zh={0: "在两种大小下都没有带来收益", 2: "在两种大小下都带来了收益"}.get(
    len(helped), f"只在 {helped[0] if helped else ''} 个单元时带来了收益"))  # fmt: skip
peak_long = peak.loc[(128, 400)]
glue("peak_lstm_long", f"{peak_long[('fused', 'lstm')]:.0f}")
glue("peak_gru_long", f"{peak_long[('fused', 'gru')]:.0f}")
glue("peak_ratio_long", f"{peak_long[('fused', 'GRU / LSTM')]:.2f}")
glue("peak_loop_lstm_long", f"{peak_long[('loop', 'lstm')]:.0f}")
glue("peak_loop_gru_long", f"{peak_long[('loop', 'gru')]:.0f}")
glue("ms_lstm_small", f"{ms('torch', 'lstm', **S):.1f}")
glue("ms_gru_small", f"{ms('torch', 'gru', **S):.1f}")
glue("ms_lstm_large", f"{ms('torch', 'lstm', **L):.0f}")
glue("ms_gru_large", f"{ms('torch', 'gru', **L):.0f}")
faster = "LSTM" if ratios["gru_lstm_small"] > 1 else "GRU"
glue("small_faster", faster, zh=faster)
narrows = ratios["gru_lstm_large"] < ratios["gru_lstm_mid"] < ratios["gru_lstm_small"]
glue("gap_words",
     "the larger the matrix products, the less the per-operation overhead counts"
     if narrows else "here the ratio did not fall steadily as the products grew",
     zh="矩阵乘法越大，每个操作的固定开销就越不重要" if narrows
     else "在这里，比值并没有随着乘法变大而稳步下降")  # fmt: skip
loop_slower = ratios["loop_fused_lstm_small"] > 1
glue("loop_words", "slower than" if loop_slower else "no slower than",
     zh="比融合层慢" if loop_slower else "并不比融合层慢")  # fmt: skip
cpu_name = speed.environment("cpu")["device_name"]
glue("cpu_name", cpu_name, zh=cpu_name.replace(" logical cores", " 个逻辑核心"))

# %% tags=["remove-cell"]
# The memory a step holds does not depend on the machine's load.
assert 0.4 < peak_long[("fused", "GRU / LSTM")] < 0.6  # about half
assert 0.8 < peak_long[("loop", "gru")] / peak_long[("loop", "lstm")] < 1.25
for impl, cell in [("fused", "lstm"), ("fused", "gru"), ("loop", "lstm")]:
    column = peak[(impl, cell)]
    assert 6 < column.loc[(128, 400)] / column.loc[(128, 50)] < 10  # 8x steps
    assert 10 < column.loc[(512, 100)] / column.loc[(32, 100)] < 22  # 16x units
# Timings are not asserted: they depend on the CPU and its load. The words about them
# are glued from the measurement above.

# %% [markdown]
# What the grid shows ({numref}`fig-lstm-or-gru-speed`), on this CPU
# ({glue:text}`cpu_name`):
#
# * **PyTorch, small layers: here the {glue:text}`small_faster` is the faster cell.** At
#   32 units a GRU training step takes {glue:text}`gru_lstm_small` times as long as an
#   LSTM's ({glue:text}`ms_gru_small` against {glue:text}`ms_lstm_small` ms): the oneDNN
#   kernel against the op-by-op loop, as profiled above. At 128 units the ratio is
#   {glue:text}`gru_lstm_mid`, at 512 units {glue:text}`gru_lstm_large`
#   ({glue:text}`ms_gru_large` against {glue:text}`ms_lstm_large` ms):
#   {glue:text}`gap_words`. At 400 steps of 128 units it is {glue:text}`gru_lstm_long`.
#   For inference the ratio is {glue:text}`gru_lstm_infer_small` at 32 units and
#   {glue:text}`gru_lstm_infer_large` at 512.
# * **Time grows with the sequence length**: eight times the steps (50 to 400) cost the
#   LSTM {glue:text}`time_scaling` times as much. No implementation escapes it; the steps
#   run one after another.
# * **A loop of LSTM cells is {glue:text}`loop_words` the fused layer**: a Python loop of
#   `nn.LSTMCell` takes {glue:text}`loop_fused_lstm_small` times as long as `nn.LSTM` at
#   32 units ({glue:text}`loop_fused_lstm_large` at 512); for the GRU the factor is
#   {glue:text}`loop_fused_gru_small`, since PyTorch's GRU layer is itself a loop of small
#   operations, only in C++. Write your own loop only for a cell the libraries do not
#   have.
# * **Keras on a CPU** has no fused kernel for either cell: its `LSTM` layer runs the
#   same loop of cells inside TensorFlow's graph as `RNN(LSTMCell(...))` (their times
#   differ by a factor of {glue:text}`keras_loop_fused_lstm` at 128 units). Against
#   PyTorch, Keras' LSTM takes {glue:text}`keras_torch_lstm_small` times the time at 32
#   units and {glue:text}`keras_torch_lstm_large` at 512, and its GRU
#   {glue:text}`keras_torch_gru_small` times PyTorch's GRU at 32 units. Within Keras the
#   GRU takes {glue:text}`keras_gru_lstm_mid` times the LSTM's time at 128 units.
# * **A second thread** changed a small LSTM's step by a factor of
#   {glue:text}`threads_small` (32 units) and a large one's by {glue:text}`threads_large`
#   (512 units; the GRU's by {glue:text}`threads_gru_large`), where a factor above 1 is a
#   speed-up: it paid off {glue:text}`threads_verdict`, on this machine and with the
#   second core free; when other work shares the cores it can cost more than it gains
#   ({ref}`ch-setup`).
# * **Memory: the fused GRU holds about half as much, and the reason is oneDNN.** A
#   training step of 128 units over 400 steps holds {glue:text}`peak_lstm_long` MB at its
#   peak for the fused LSTM and {glue:text}`peak_gru_long` MB for the GRU, a ratio of
#   {glue:text}`peak_ratio_long`. Most of it is what the backward pass needs from every
#   step; oneDNN's LSTM keeps a larger workspace of its own, and a loop of `LSTMCell`
#   holds {glue:text}`peak_loop_lstm_long` MB, like the loop of `GRUCell`
#   ({glue:text}`peak_loop_gru_long` MB). Either way the memory grows in proportion to
#   the number of steps and to the hidden size (the table above).

# %% [markdown]
# ## On a GPU
#
# On a GPU both PyTorch and Keras hand the whole sequence of either cell to NVIDIA's
# cuDNN library, so the op-by-op GRU of the CPU is gone, and the question becomes a
# different one. `benchmarks/rnn_speed.py --device cuda` measures the same grid there and
# writes it to `benchmarks/results/rnn_speed_cuda_<date>.json`; this chapter shows such a
# file's rows when the repository holds one, labelled with the GPU and the library
# versions it was measured with. {glue:text}`gpu_status`

# %%
gpu_files = sorted(Path("../benchmarks/results").glob("*cuda*.json"))
if gpu_files:
    record = json.loads(gpu_files[-1].read_text())
    gpu_rows = pd.DataFrame(record["rows"])
    versions = record["versions"]
    glue("gpu_status", f"The rows below were measured on "
         f"{record['device_name']} on {record['date'][:10]} (PyTorch "
         f"{versions['torch']}, cuDNN {versions.get('cudnn')}), read from "
         f"`{gpu_files[-1].name}`, not measured by this notebook.",
         zh=f"下面各行于 {record['date'][:10]} 在 {record['device_name']} 上测得"
         f"（PyTorch {versions['torch']}，cuDNN {versions.get('cudnn')}），"
         f"读自 `{gpu_files[-1].name}`，并非由本笔记本测量。")  # fmt: skip
    gpu_rows["ms"] = 1000 * gpu_rows.seconds
    columns = ["framework", "implementation", "mode", "cell"]
    print(gpu_rows.query("threads == 1").pivot_table(
        index=["hidden", "time"], columns=columns, values="ms").round(2))
else:
    gpu_rows = None
    glue("gpu_status", "No such file exists yet: no GPU was available where "
         "this chapter was written, so it shows no GPU rows rather than guess "
         "them.", zh="目前还没有这样的文件：编写本章时没有可用的 GPU，"
         "所以本章不列出 GPU 的数据，而不是去猜测它们。")  # fmt: skip
    print("no benchmarks/results/*cuda*.json: no GPU rows to show")

# %% [markdown]
# ## A decision guide
#
# Each line rests on rows measured above: the `lstm-vs-gru` rows (accuracy) and the
# `rnn-speed` rows (time and memory) of the results below.
#
# * **Accuracy: try both.** {glue:text}`accuracy_verdict` (rows `lstm-vs-gru`). If
#   accuracy matters, train both cells with several seeds and compare them on your
#   validation data; the difference, if any, is specific to the task.
# * **PyTorch on a CPU, small layers: here the {glue:text}`small_faster` trained faster.**
#   Rows `h=32, T=100` and `h=128, T=100`, `torch_*_fused_train`: the GRU takes
#   {glue:text}`gru_lstm_small` and {glue:text}`gru_lstm_mid` times as long.
# * **PyTorch on a CPU, large layers: measure.** Row `h=512, T=100`: ratio
#   {glue:text}`gru_lstm_large`; {glue:text}`gap_words`.
# * **Short of memory (long sequences, large batches): the fused GRU.** Row `h=128,
#   T=400`, `peak_mb`: its training step holds {glue:text}`peak_ratio_long` times the
#   fused LSTM's memory.
# * **For the LSTM, use the framework's layer, not a loop of cells.** Rows `*_loop_*`: a
#   factor of {glue:text}`loop_fused_lstm_small` at 32 units; PyTorch's GRU layer is
#   itself a loop of small operations, so for it the two are close
#   ({glue:text}`loop_fused_gru_small` at 32 units).
# * **Threads: measure, and count the cores.** Rows `*_2_threads`:
#   {glue:text}`threads_small` at 32 units, {glue:text}`threads_large` at 512; with
#   several models to train, one thread each, side by side, keeps every core busy without
#   oversubscribing them ({ref}`ch-setup`).
# * **Keras on a CPU: no fused kernel.** Rows `keras_*`:
#   {glue:text}`keras_torch_lstm_small` times PyTorch's LSTM time at 32 units.
# * **On a GPU:** {glue:text}`gpu_status`
# * **Fewer steps help more than the choice of cell.** Row `h=128, T=400` against
#   `T=50`: {glue:text}`time_scaling` times the time. Fewer, wider steps (a day of hours
#   per step in {ref}`ch-m4`, six frames per step in {ref}`ch-speech`) speed up either
#   cell more than switching between them.
#
# ## Results

# %% tags=["results"]
names = {"lstm_torch": "lstm", "gru_torch": "gru",
         "gru_torch_same_weights": "gru_same_weights"}  # fmt: skip
for task in settings.index:
    row = summary.loc[task]
    split = "leave-one-speaker-out" if task == "fsdd-loso" else "validation"
    results(
        task, METRIC[task], split,
        {key: row[("mean", m)] for key, m in names.items()},
        std={key: row[("std", m)] for key, m in names.items()},
        n_seeds={key: row[("count", m)] for key, m in names.items()},
        hidden={key: settings.loc[task, MODELS[m][1]]
                for key, m in names.items()},
    )  # fmt: skip

# %% tags=["results"]
for (hidden, steps), rows in grid.groupby(["hidden", "time"]):
    label = rows.framework + "_" + rows.cell + "_" + rows.implementation
    label += "_" + rows["mode"] + np.where(rows.threads > 1, "_2_threads", "")
    trained = rows.dropna(subset="peak_mb")
    results(
        "rnn-speed", "ms_per_step", "cpu",
        dict(zip(label, rows.ms, strict=True)),
        peak_mb=dict(zip(label[trained.index], trained.peak_mb, strict=True)),
        hidden=hidden, time=steps, batch=64, features=8,
    )  # fmt: skip

# %% [markdown]
# ## What the article got wrong in §2 and §9
#
# ```{list-table}
# :header-rows: 1
# :widths: 40 60
#
# * - The article
#   - Measured above
# * - The GRU has fewer parameters, "so it trains faster" (§2, and FAQ Q1).
#   - Speed depends on the implementation, not on the number of weights. On a CPU,
#     PyTorch's LSTM runs as one oneDNN kernel and its GRU as thousands of small
#     operations, so at 32 units the GRU's training step took {glue:text}`gru_lstm_small`
#     times the LSTM's; with the LSTM run op by op as well, the two were close. Measure
#     on your own set-up.
# * - The GRU's lower "computational complexity" suits "large-scale data" (§2).
#   - Per step a GRU does about three quarters of an LSTM's arithmetic, and its fused
#     layer held about half the memory here. What decides the cost on any data set is
#     the number of sequential steps and the implementation; on M4 ({ref}`ch-m4`) the two
#     cells trained in the same order of time.
# * - The GRU "may be slightly worse than the LSTM on some tasks"; choose the LSTM for
#     long dependencies (FAQ Q1, Q2).
#   - On the book's seven tasks the GRU was never behind by more than the noise between
#     seeds, and ahead on most; most gaps were within that noise. The article gives no
#     measurement for either claim.
# * - "If the model has many parameters and resources are limited, consider the GRU"
#     (FAQ Q2).
#   - With limited memory, yes: its training step holds less. With limited CPU time in
#     PyTorch, the LSTM's small layers were the faster ones here.
# ```
#
# ## Key takeaways
#
# * Compare cells with several seeds and the same budget, at the same hidden size *and*
#   at the same number of weights; a single run per cell decides nothing.
# * {glue:text}`takeaway_accuracy_words`: accuracy is a reason to try both, not a rule.
# * Speed is a property of the implementation: PyTorch's CPU LSTM is one oneDNN kernel,
#   its GRU thousands of small operations, so a profiler, not a parameter count, explains
#   the timings.
# * The fused GRU's training step holds less memory; the number of sequential steps
#   costs more than the choice of cell, in either.
# * Use the framework's fused LSTM layer, never more processes × threads than cores, and
#   measure on the hardware you will train on (`benchmarks/rnn_speed.py`).
#
# ## Exercises

# %% [markdown]
# ````{exercise} ★ · 10 min · Where do the weights go?
# :label: ex-lstm-gru-weights
#
# For chapter 12's classifier (234 inputs per step, 64 hidden units), how many weights do
# the LSTM, the GRU of the same size and the matched GRU have? What share of the LSTM's
# weights read the input rather than the previous state?
# ````
#
# ````{solution} ex-lstm-gru-weights
# :class: dropdown
#
# `recurrent_weights` counts them; the input weights are $g\,h\,d$ of the
# $g\,(h(d + h) + 2h)$:
#
# ```python
# d, h = 234, 64
# print(recurrent_weights("lstm", d, h), recurrent_weights("gru", d, h),
#       recurrent_weights("gru", d, gru_hidden_like(d, h)))
# print(4 * h * d / recurrent_weights("lstm", d, h))
# ```
#
# {glue:text}`ex_weights_lstm`, {glue:text}`ex_weights_gru` and
# {glue:text}`ex_weights_matched` weights; {glue:text}`ex_input_share` of the LSTM's
# read the input. When the recurrent weights dominate ($d \ll h$), a GRU matches an
# LSTM with $\sqrt{4/3} \approx 1.15$ times its units (74 for 64); when the input
# weights dominate ($d \gg h$), with $4/3$ times (85). Here the matched GRU needs
# {glue:text}`ex_matched_hidden`, in between.
# ````

# %% tags=["remove-cell"]
d, h = 234, 64
glue("ex_weights_lstm", f"{recurrent_weights('lstm', d, h):,}")
glue("ex_weights_gru", f"{recurrent_weights('gru', d, h):,}")
glue("ex_weights_matched", f"{recurrent_weights('gru', d, gru_hidden_like(d, h)):,}")
glue("ex_input_share", f"{400 * h * d / recurrent_weights('lstm', d, h):.0f} %")
glue("ex_matched_hidden", gru_hidden_like(d, h))

# %% [markdown]
# ````{exercise} ★★ · 15 min · Your own machine
# :label: ex-lstm-gru-machine
#
# Run `python benchmarks/rnn_speed.py --quick --frameworks torch` on your computer (and,
# if you have one, with `--device cuda`). Is the GRU slower than the LSTM at 32 units on
# your CPU? Profile one training step of each with {func}`seqlib.speed.operations` and
# check which operations run.
# ````
#
# ````{solution} ex-lstm-gru-machine
# :class: dropdown
#
# The script writes a JSON file under `benchmarks/results/`; read its rows with
# `pd.DataFrame(json.load(open(path))["rows"])`. On x86 CPUs PyTorch ships with oneDNN
# and the LSTM runs as `aten::mkldnn_rnn_layer`; where PyTorch is built without it,
# `speed.operations` shows the LSTM running op by op like the GRU, as in the experiment
# with oneDNN switched off above. On an NVIDIA GPU PyTorch hands both cells to cuDNN
# (`aten::_cudnn_rnn`); the file's `operations` list the kernels that ran, and its rows
# say how the two cells compare there.
# ````

# %% [markdown]
# ````{exercise} ★★ · 20 min · More seeds
# :label: ex-lstm-gru-seeds
#
# On the task whose gap at the same hidden size came closest to passing Welch's test
# without passing it, train five more seeds of the LSTM and the GRU
# (`SCORERS[task](cell, hidden, seed)` for seeds 3 to 7). Does the verdict change? How
# many seeds would a gap of that size need to pass?
# ````
#
# ````{solution} ex-lstm-gru-seeds
# :class: dropdown
#
# ```python
# undecided = [t for t in settings.index if not verdict(t, "gru")[2]]
# task = min(undecided, key=lambda t: verdict(t, "gru")[1])  # the smallest p
# h = int(settings.loc[task, "hidden"])
# more = {cell: [SCORERS[task](cell, h, s) for s in range(3, 8)]
#         for cell in ("lstm", "gru")}
# print(task, {c: (np.mean(v), np.std(v, ddof=1)) for c, v in more.items()})
# ```
#
# With $n$ seeds per cell and a spread $s$, the standard error of a difference of means
# is about $s\sqrt{2/n}$; a gap $\delta$ passes at $p < 0.05$ when it exceeds about two
# standard errors, so it needs $n \approx 8 (s/\delta)^2$ seeds. A gap half the size of
# the spread needs about 32 seeds per cell, which is why small differences between
# cells are rarely settled, and why they rarely matter.
# ````

# %% [markdown]
# ````{exercise} ★★★ · 30 min · Same time, not same size
# :label: ex-lstm-gru-same-time
#
# A third fair comparison: the same training *time*. On the temperature task, find the
# GRU hidden size whose training step takes as long as the 32-unit LSTM's on your CPU
# (use {func}`seqlib.speed.time_step` with the task's batch shape, `(64, 30, 1)`), train
# it with three seeds, and compare its validation MAE with the LSTM's.
# ````
#
# ````{solution} ex-lstm-gru-same-time
# :class: dropdown
#
# ```python
# shape = (64, 30, 1)
# target = speed.time_step(speed.torch_layer("lstm", 32, 1), shape)
# sizes = [8, 12, 16, 24, 32]
# times = [speed.time_step(speed.torch_layer("gru", h, 1), shape) for h in sizes]
# h = sizes[int(np.argmin([abs(t - target) for t in times]))]
# print(h, [score_temps("gru", h, s) for s in SEEDS])
# ```
#
# Where PyTorch's GRU runs op by op, its time is mostly per-operation overhead, which a
# smaller layer hardly reduces: the GRU that is as fast as the 32-unit LSTM may be very
# small, or there may be none in the list. Then the fair comparison at equal time
# favours the LSTM, whatever the two cells could learn; on a GPU, where both are cuDNN
# kernels, the answer can differ. The printed scores say what the smaller GRU costs on
# this task.
# ````
