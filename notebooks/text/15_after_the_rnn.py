# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio,compress] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-after-rnn)=
# # After the RNN: attention-only models, linear models, compression, interpretability
#
# By the end of this chapter you will be able to put a small Transformer encoder and a
# linear model beside an LSTM and a GRU on the same data and the same split, and say
# which wins at what cost; to make a trained recurrent classifier smaller and faster
# (8-bit weights, pruning, half precision, ONNX) and measure what that costs in accuracy;
# and to look inside one: its gates over one real input, and the words its decision
# rests on. It answers the source article's closing section (§8, "总结：未来发展趋势与挑战",
# summary: future trends and challenges), which makes three claims without a number:
# that LSTMs and GRUs are slow because they have many parameters, that Transformers "solved"
# their problems and do better on some tasks, and that compression and interpretability
# are where they go next.
#
# The plan:
#
# * read the test scores of the LSTMs and GRUs of {ref}`ch-m4`, {ref}`ch-text` and
#   {ref}`ch-speech` from those chapters' stored results;
# * train a Transformer encoder {cite}`vaswani2017attention` on the same three tasks and
#   splits, and, for forecasting, a linear model over the input window, the baseline that
#   Zeng et al. found to beat Transformers at long-term forecasting
#   {cite}`zeng2023transformers`;
# * shrink the recurrent classifiers of the speech and text tasks and measure their size,
#   speed and accuracy; export one to ONNX;
# * draw the gates of a trained LSTM and GRU over one recording and one sentence, and
#   split a classifier's output among the words of a sentence with integrated gradients
#   {cite}`sundararajan2017axiomatic`.
#
# Every model here is small and trained on a CPU, several at a **reduced budget** to fit
# this chapter's few minutes; each table says which.

# %%
from seqlib.reproducibility import set_seed, setup

# One thread for PyTorch and NumPy's BLAS, and the seeds (see ch. 5).
setup(seed=0, frameworks=("torch",))

import time
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy.special import softmax
from torch import nn
from tqdm.auto import tqdm

from seqlib import (
    audio,
    baselines,
    compress,
    data,
    datasets,
    explain,
    global_forecast,
    metrics,
    parallel,
    report,
    torch_models,
    train,
)
from seqlib.report import glue, results
from seqlib.text import UNKNOWN, build_vocabulary, encode

# %% [markdown]
# ## The numbers to beat
#
# Chapters 10 to 12 end with a cell tagged `results` that prints each task's test
# scores as one line of JSON. Rather than train those models again, we read the lines
# from the stored notebooks with {func}`seqlib.report.stored_results`, which reads them
# beside this notebook, or downloads them from the book's repository where they are not
# there, as in Colab:

# %% tags=["nbval-check-output"]
earlier = {
    **report.stored_results("10_m4_hourly.ipynb"),
    **report.stored_results("11_text_classification.ipynb"),
    **report.stored_results("12_spoken_digits.ipynb"),
}
TASKS = {"m4-hourly": "owa", "rt-polarity": "accuracy", "fsdd": "accuracy"}
for task, metric in TASKS.items():
    scores = earlier[task]["scores"]
    assert (earlier[task]["metric"], earlier[task]["split"]) == (metric, "test")
    print(f"{task:12s} test {metric}: LSTM {scores['lstm_torch']:.4f}, "
          f"GRU {scores['gru_torch']:.4f}")

# %% [markdown]
# Lower is better for OWA (M4's score relative to its Naive2 benchmark), higher for
# accuracy. The M4 models are global forecasters trained on windows of all 414 hourly
# series, the text models read word vectors of 10,662 movie-review sentences, and the
# speech models read MFCC frames of 3,000 spoken digits.
#
# ## Two challengers
#
# ### Attention instead of recurrence
#
# A recurrent layer reads a sequence one step at a time; whatever step 1 says must
# survive in the state until it is needed. A **Transformer encoder**
# {cite}`vaswani2017attention` has no state. Each of its blocks lets every step look at
# every other step directly, through **self-attention**: each step's vector $x_t$ is
# mapped to a query $q_t$, a key $k_t$ and a value $v_t$ (three learned linear maps), and
# the step's output is an average of all the values, weighted by how well its query
# matches each key,
#
# $$
# \operatorname{attention}(x)_t = \sum_{s=1}^{T}
#     \operatorname{softmax}_s\!\left(\frac{q_t \cdot k_s}{\sqrt{d}}\right) v_s .
# $$
#
# Several such averages ("heads") run side by side; a small feed-forward network,
# residual connections and layer normalisation complete the block. Self-attention
# ignores order, so a learned vector for each position is added to the inputs. Padded
# steps are masked out of every average. All steps are computed at once, in parallel,
# but each step attends to every other, so the cost grows with the square of the length.
#
# `torch.nn.TransformerEncoder` provides the blocks. Around them, the model below has
# the same interface as {func}`seqlib.torch_models.classifier`: token ids `(batch,
# time)` go through an embedding, feature vectors `(batch, time, features)` through a
# linear layer, and the outputs are pooled into one vector, either as the mean over the
# real (unpadded) steps or, for inputs of fixed length, by concatenating every step.

# %%
class AttentionModel(nn.Module):
    """A Transformer encoder: (batch, time[, features]) -> (batch, outputs).

    `block` holds nn.TransformerEncoderLayer's settings (nhead, dim_feedforward,
    dropout); `pooling` is "mean" (over the real steps) or "all" (concatenated).
    """

    def __init__(self, outputs, *, vocab_size=None, n_features=None,
                 d_model=32, layers=1, max_len=64, pooling="mean",
                 head_dropout=0.0, **block):
        super().__init__()
        if vocab_size:  # word vectors start small, as in seqlib's classifier
            self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=0)
            with torch.no_grad():
                self.embedding.weight.uniform_(-0.05, 0.05)
                self.embedding.weight[0] = 0.0
        else:
            self.embedding = nn.Linear(n_features, d_model)
        self.position = nn.Embedding(max_len, d_model)
        nn.init.normal_(self.position.weight, std=0.02)  # small, as in BERT
        layer = nn.TransformerEncoderLayer(d_model, batch_first=True, **block)
        self.encoder = nn.TransformerEncoder(layer, layers,
                                             enable_nested_tensor=False)
        width = d_model * (max_len if pooling == "all" else 1)
        self.dropout = nn.Dropout(head_dropout)
        self.head = nn.Linear(width, outputs)
        self.pooling = pooling

    def forward(self, x, lengths=None):
        if lengths is None:
            lengths = torch.full((len(x),), x.shape[1])
        steps = int(lengths.max())  # drop the padding every sequence has
        x = x[:, :steps]
        pad = torch.arange(steps)[None, :] >= lengths[:, None]
        z = self.embedding(x) + self.position(torch.arange(steps))
        z = self.encoder(z, src_key_padding_mask=pad)
        if self.pooling == "all":
            return self.head(self.dropout(z.flatten(1)))
        z = z.masked_fill(pad[..., None], 0.0).sum(1) / lengths[:, None]
        return self.head(self.dropout(z))

# %% [markdown]
# ### A linear model
#
# Zeng et al. {cite}`zeng2023transformers` asked whether Transformers are effective for
# time-series forecasting, and answered with a one-layer linear model, "LTSF-Linear":
# each forecast value is a weighted sum of the values in the input window, one weight
# matrix `(horizon, lookback)` shared by all series. On their long-term benchmarks it
# beat every Transformer forecaster they tried. For M4 we put it in exactly the place of
# the recurrent network of {ref}`ch-m4`: the same window scaling (the log of each value
# over the window's mean), the same seasonal-naive skip connection (the network predicts
# a correction to the last day, repeated), the same loss shaped like OWA. Only the
# *body* that maps the scaled window to the correction changes:
#
# * **linear**: `nn.Linear(lookback, 48)`;
# * **LSTM**: the window read as one day per step (7 steps of 24 hours) by
#   {func}`seqlib.torch_models.regressor`, {ref}`ch-m4`'s design;
# * **Transformer**: the same 7 days as 7 positions of the attention model, every
#   position's output concatenated into the head.

# %%
H, M = 48, 24  # M4 Hourly: horizon and seasonal period, in hours


class SeasonalSkip(nn.Module):
    """Scaled windows (batch, lookback) -> body(x) + the last day, repeated."""

    def __init__(self, body):
        super().__init__()
        self.body = body
        self.last_day = list(np.resize(np.arange(-M, 0), H))

    def forward(self, x):
        return self.body(x) + x[:, self.last_day]


def m4_body(kind, lookback):
    """The part that differs: (batch, lookback) -> (batch, 48)."""
    days = nn.Unflatten(1, (lookback // M, M))  # one day per step
    if kind == "linear":
        return nn.Linear(lookback, H)
    if kind == "lstm":
        return nn.Sequential(days, torch_models.regressor(M, H, hidden=128))
    return nn.Sequential(days, AttentionModel(
        H, n_features=M, d_model=64, layers=2, max_len=lookback // M,
        pooling="all", nhead=4, dim_feedforward=128, dropout=0.1,
    ))

# %% [markdown]
# ## Forecasting: M4 Hourly
#
# The split is {ref}`ch-m4`'s: the last 48 hours of every training series are the
# validation period, M4's own 48 test hours the test. The training windows are cut from
# the series without their validation hours with {func}`seqlib.global_forecast.windows`;
# each window is weighted, as in {ref}`ch-m4`, so that the mean absolute error of the
# scaled forecasts approximates OWA: a window of series $k$ with mean level $L$ weighs
# $100 / \text{sMAPE}_\text{Naive2} + L / (s_k\, \text{MASE}_\text{Naive2})$, where $s_k$
# is the series' in-sample seasonal naive error and Naive2's scores are measured on the
# validation period.

# %%
m4_train, m4_test = datasets.load("m4-hourly")
m4_history = [y[:-H] for y in m4_train]  # without the validation hours
val_truth = np.stack([y[-H:] for y in m4_train])


def owa_of(forecasts, truth, history, naive2=None):
    """sMAPE, MASE and (given Naive2's scores) OWA of a set of forecasts."""
    s = metrics.m4_scores(forecasts, truth, history, M)
    if naive2 is not None:
        s["owa"] = metrics.owa(
            s["smape"], s["mase"], naive2["smape"], naive2["mase"]
        )
    return s


def naive2_forecasts(series):
    return np.stack([baselines.naive2(y, H, M) for y in series])


naive2_val = owa_of(naive2_forecasts(m4_history), val_truth, m4_history)
naive2_test = owa_of(naive2_forecasts(m4_train), m4_test, m4_train)
owa_a = 100 / naive2_val["smape"]
scales = np.array([metrics.mase_scale(y, M) for y in m4_history])
owa_b = 1 / (scales * naive2_val["mase"])  # one per series

# %%
def scaled_windows(series_list, lookback, **kwargs):
    """Inputs and targets as log(value / window mean); each window's weight."""
    X, Y, w = [], [], []
    for k, y in enumerate(series_list):
        X_k, Y_k, _ = global_forecast.windows([y], lookback, H, **kwargs)
        X.append(X_k)
        Y.append(Y_k)
        w.append(owa_a + owa_b[k] * X_k.mean(axis=1))
    X, Y, w = (np.concatenate(a) for a in (X, Y, w))
    level = X.mean(axis=1, keepdims=True)
    return np.log(X / level), np.log(Y / level), w


def forecast(model, series_list, lookback):
    """The next 48 hours of every series, from its last `lookback` hours."""
    X = np.stack([y[-lookback:] for y in series_list])
    level = X.mean(axis=1, keepdims=True)
    return level * np.exp(train.predict(model, np.log(X / level)))

# %% [markdown]
# Two budgets. The Transformer costs several times as much per window as the LSTM on a
# CPU, so it trains at {ref}`ch-m4`'s **reduced budget** (every eighth window, 6
# epochs), and an LSTM is trained beside it at the same budget, so that the two differ
# only in their body. The linear model costs so little that it gets the **full budget**
# of {ref}`ch-m4`'s final models (every second window, up to 15 epochs, early stopping
# on validation), with two input windows, a week and two weeks: Zeng et al. found that
# linear models, unlike Transformers, improve with a longer window. The four runs are
# independent, so they run two at a time, one per core
# ({func}`seqlib.parallel.fit_in_parallel`).

# %%
M4_RUNS = {  # name: (body, lookback, every n-th window, epochs)
    "transformer": ("transformer", 7 * M, 8, 6),
    "lstm (same budget)": ("lstm", 7 * M, 8, 6),
    "linear, one week": ("linear", 7 * M, 2, 15),
    "linear, two weeks": ("linear", 14 * M, 2, 15),
}


def fit_m4(kind, lookback, stride, epochs):
    """Train one body; return the model and its training history."""
    X, Y, w = scaled_windows(m4_history, lookback, stride=stride)
    X_val, Y_val, w_val = scaled_windows(m4_train, lookback, max_windows=1)
    set_seed(0)
    model = SeasonalSkip(m4_body(kind, lookback))
    history = train.fit(
        model, (X, Y), (X_val, Y_val), epochs=epochs, lr=2e-3,
        batch_size=256, loss="mae", sample_weight=w / w.mean(),
        val_sample_weight=w_val / w.mean(), patience=5 if epochs > 6 else None,
        progress=False,
    )
    return model, history


names = ("kind", "lookback", "stride", "epochs")
jobs = [dict(zip(names, values, strict=True)) for values in M4_RUNS.values()]
fits = parallel.fit_in_parallel(fit_m4, jobs, desc="M4 models")
m4_fits = dict(zip(M4_RUNS, fits, strict=True))

# %%
rows = {}
for name, (model, history) in m4_fits.items():
    lookback = M4_RUNS[name][1]
    val_f = forecast(model, m4_history, lookback)
    rows[name] = {
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": history.seconds,
        "epochs": history.epochs,
        "validation OWA": owa_of(val_f, val_truth, m4_history, naive2_val)[
            "owa"
        ],
    }
m4_table = pd.DataFrame(rows).T
m4_table.round({"seconds": 1, "validation OWA": 3})

# %% [markdown]
# The linear model's input window is chosen on validation; then every model forecasts
# the test period, once.

# %%
linear_choice = min(
    ["linear, one week", "linear, two weeks"],
    key=lambda name: m4_table.loc[name, "validation OWA"],
)
for name, (model, _) in m4_fits.items():
    test_f = forecast(model, m4_train, M4_RUNS[name][1])
    scores = owa_of(test_f, m4_test, m4_train, naive2_test)
    m4_table.loc[name, "test OWA"] = scores["owa"]
print("linear model chosen on validation:", linear_choice)
m4_table[["validation OWA", "test OWA"]].round(3)

# %% tags=["remove-cell"]
same = m4_table.loc["lstm (same budget)"]
tf_row = m4_table.loc["transformer"]
lin_row = m4_table.loc[linear_choice]
m4_earlier = earlier["m4-hourly"]["scores"]
glue("m4_tf_test", f"{tf_row['test OWA']:.3f}")
glue("m4_tf_val", f"{tf_row['validation OWA']:.3f}")
glue("m4_same_test", f"{same['test OWA']:.3f}")
glue("m4_lin_test", f"{lin_row['test OWA']:.3f}")
for name in ("linear, one week", "linear, two weeks"):
    glue(f"m4_{name.split(', ')[1].replace(' ', '_')}_val",
         f"{m4_table.loc[name, 'validation OWA']:.3f}")
glue("m4_lstm_full", f"{m4_earlier['lstm_torch']:.3f}")
glue("m4_gru_full", f"{m4_earlier['gru_torch']:.3f}")
glue("m4_snaive", f"{m4_earlier['seasonal_naive']:.3f}")
glue("m4_tf_cost", f"{tf_row['seconds'] / same['seconds']:.1f}")
glue("m4_lin_seconds", f"{lin_row['seconds']:.0f}")
glue("m4_tf_params", f"{int(tf_row['parameters']):,}")
glue("m4_lstm_params", f"{int(same['parameters']):,}")
glue("m4_lin_params", f"{int(lin_row['parameters']):,}")
# Words for one training run of each model, glued rather than asserted: another CPU
# trains to other numbers, and the seeds' own differences are of this size.
rnn_better = all(same[s] < tf_row[s] for s in ("validation OWA", "test OWA"))
tf_slower = tf_row["seconds"] > same["seconds"]
m4_words = {
    (True, True): ("recurrence is neither slow nor worse",
                   "循环既不慢，效果也不差"),
    (True, False): ("recurrence is slower here, but not worse",
                    "循环在这里更慢，但效果不差"),
    (False, True): ("recurrence is not slower, but here it is not better either",
                    "循环并不更慢，但在这里效果也不更好"),
    (False, False): ("recurrence is slower here and not better",
                     "循环在这里更慢，效果也不更好"),
}[rnn_better, tf_slower]
glue("m4_rnn_words", m4_words[0], zh=m4_words[1])
glue("m4_attention_words",
     "Attention brought nothing on seven daily steps" if rnn_better
     else "Attention did better than the same-budget LSTM on seven daily steps",
     zh="在七个按天划分的时间步上，注意力没有带来任何好处" if rnn_better
     else "在七个按天划分的时间步上，注意力比相同预算的 LSTM 做得更好")  # fmt: skip
glue("m4_cost_words", "at a higher cost" if tf_slower else "at a lower cost",
     zh="代价却更高" if tf_slower else "代价也更低")  # fmt: skip
order = [np.sign(lin_row[s] - tf_row[s]) for s in ("validation OWA", "test OWA")]
close = all(abs(lin_row[s] - tf_row[s]) < 0.03 for s in ("validation OWA", "test OWA"))
glue("m4_lin_tf_words",
     ("close" if close else "apart by 0.03 or more")
     + (", in a different order" if order[0] != order[1] else ", in the same order"),
     zh=("相差不大" if close else "相差 0.03 或更多")
     + ("，先后顺序也不同" if order[0] != order[1] else "，先后顺序相同"))  # fmt: skip
rnn_wins = same["test OWA"] < min(tf_row["test OWA"], lin_row["test OWA"])
glue("m4_wins_words", "the recurrent network wins" if rnn_wins
     else "the same-budget recurrent network does not win",
     zh="胜出的是循环网络" if rnn_wins else "相同预算的循环网络并没有胜出")  # fmt: skip

# %% tags=["remove-cell"]
# The claims of the next paragraph that hold with margins several times the seeds'
# differences (chapter 10's ablations); the closer ones are glued words above.
two = m4_table.loc["linear, two weeks"]
one = m4_table.loc["linear, one week"]
assert two["validation OWA"] < one["validation OWA"] - 0.02
assert linear_choice == "linear, two weeks"
assert lin_row["test OWA"] > same["test OWA"] + 0.02  # behind the LSTM at less budget
assert lin_row["test OWA"] > m4_earlier["lstm_torch"] + 0.05
assert lin_row["test OWA"] < m4_earlier["seasonal_naive"] - 0.05  # ahead of sNaive

# %% [markdown]
# At the same reduced budget, the LSTM reaches a test OWA of {glue:text}`m4_same_test`
# ({glue:text}`m4_lstm_params` parameters) and the Transformer {glue:text}`m4_tf_test`
# ({glue:text}`m4_tf_params` parameters), having taken {glue:text}`m4_tf_cost` times as
# long to train: on these short inputs (7 steps), in one run each,
# {glue:text}`m4_rnn_words`. The linear model improves with a longer window, as Zeng et
# al. found (validation OWA {glue:text}`m4_one_week_val` with one week,
# {glue:text}`m4_two_weeks_val` with two), and with {glue:text}`m4_lin_params` weights and
# {glue:text}`m4_lin_seconds` s of training it reaches {glue:text}`m4_lin_test` on test.
# That is far better than Naive2 (1) and sNaive ({glue:text}`m4_snaive`), and behind both
# recurrent networks: the same-budget LSTM, and {ref}`ch-m4`'s full-budget LSTM
# ({glue:text}`m4_lstm_full`) and GRU ({glue:text}`m4_gru_full`). Zeng et al.'s finding
# concerns long-horizon benchmarks (electricity, traffic, weather) and Transformer
# forecasters. Here the linear model and the Transformer are {glue:text}`m4_lin_tf_words`
# on validation ({glue:text}`m4_two_weeks_val` against {glue:text}`m4_tf_val`) and on
# test; on M4's short, varied hourly series, with a week or two of history and a 48-hour
# horizon, {glue:text}`m4_wins_words`.
#
# ## Text: rt-polarity
#
# The split, the vocabulary and the recurrent models are {ref}`ch-text`'s: 80 % of the
# sentences for training, 10 % for validation, 10 % for the test, stratified with seed 0;
# word ids from the training sentences' vocabulary; an embedding of 32 numbers, a layer of
# 32 units, dropout 0.5, Adam at 0.005, early stopping after one epoch without progress.
# We train the LSTM and the GRU again, because the compression and interpretability
# sections need them. With the same seeds they score within {glue:text}`text_retrain_gap`
# points of what {ref}`ch-text` recorded (on another CPU the same seeds can train to
# slightly different weights); the comparison below uses the recorded scores.

# %%
texts, labels = datasets.load("rt-polarity")
texts = np.array(texts, dtype=object)
train_ix, val_ix, test_ix = data.stratified_split(labels)  # chapter 11's split
vocabulary = build_vocabulary(texts[train_ix], min_count=2)
words = {i: w for w, i in vocabulary.items()}
X_ids, X_lengths = data.pad_sequences(encode(texts, vocabulary))
text = {  # (ids, lengths, labels) of each split
    name: (X_ids[ix], X_lengths[ix], labels[ix])
    for name, ix in [("train", train_ix), ("val", val_ix), ("test", test_ix)]
}


def fit_text(model, lr):
    return train.fit(
        model, text["train"], text["val"], epochs=6, lr=lr, batch_size=64,
        loss="cross_entropy", patience=1, progress=False,
    )

# %%
def accuracy(model, part):
    """A classifier's accuracy on one split: (inputs, lengths, labels)."""
    X, lengths, y = part
    return metrics.accuracy(y, train.predict(model, X, lengths).argmax(axis=1))


text_models, text_costs = {}, {}
for cell in ("lstm", "gru"):
    set_seed(0)
    text_models[cell] = torch_models.classifier(
        2, vocab_size=len(vocabulary) + 2, embedding_dim=32, cell=cell,
        hidden=32, dropout=0.5,
    )
    text_costs[cell] = fit_text(text_models[cell], lr=5e-3)
set_seed(0)
text_models["transformer"] = AttentionModel(
    2, vocab_size=len(vocabulary) + 2, d_model=32, max_len=X_ids.shape[1],
    head_dropout=0.5, nhead=2, dim_feedforward=64, dropout=0.1,
)
text_costs["transformer"] = fit_text(text_models["transformer"], lr=2e-3)
for name, model in text_models.items():
    print(f"{name:12s} validation accuracy {accuracy(model, text['val']):.3f} "
          f"({text_costs[name].seconds:.0f} s)")

# %% [markdown]
# The Transformer has one block of 2 heads over vectors of 32 numbers, and learns at
# 0.002. On the test split, once:

# %%
text_test = {name: accuracy(m, text["test"]) for name, m in text_models.items()}
print({name: round(a, 4) for name, a in text_test.items()})

# %% tags=["remove-cell"]
# The retrained recurrent models have chapter 11's settings and seeds; on another CPU
# they train to slightly different weights, so the gap is glued, not asserted.
text_gap = max(
    abs(text_test[cell] - earlier["rt-polarity"]["scores"][f"{cell}_torch"])
    for cell in ("lstm", "gru")
)
glue("text_retrain_gap", f"{100 * text_gap:.1f}")
glue("text_tf_test", f"{100 * text_test['transformer']:.1f}")
glue("text_gru_test", f"{100 * earlier['rt-polarity']['scores']['gru_torch']:.1f}")
glue("text_lstm_test", f"{100 * earlier['rt-polarity']['scores']['lstm_torch']:.1f}")
glue("text_nbsvm_test", f"{100 * earlier['rt-polarity']['scores']['nbsvm']:.1f}")

# %% [markdown]
# ## Speech: FSDD
#
# {ref}`ch-speech`'s features and split: MFCCs with deltas from recordings trimmed of
# silence, standardised with the training frames' statistics, six frames per step;
# takes 0–4 of every digit and speaker are the test set, takes 5–9 the validation set.
# {func}`seqlib.data.standardise_and_pad` does the standardising, stacking and padding.
# The LSTM and GRU are {ref}`ch-speech`'s (64 units, the mean over time, up to 30 epochs
# with early stopping); the Transformer has one block of 4 heads over 64 numbers.

# %%
recordings = datasets.load("fsdd")
t0 = time.perf_counter()
frames = [
    audio.mfcc(audio.trim_silence(datasets.read_wav(path)[0]), 8000, order=2)
    for path in recordings.path
]
digits = recordings.digit.to_numpy()
takes = recordings["take"].to_numpy()
split_of = np.where(takes < 5, "test", np.where(takes < 10, "val", "train"))
speech_ix = {s: np.flatnonzero(split_of == s) for s in ("train", "val", "test")}
stats, *parts = data.standardise_and_pad(
    *[[frames[i] for i in speech_ix[s]] for s in ("train", "val", "test")],
    transform=lambda f: audio.stack_frames(f, 6),
)
speech = {  # (features, lengths, labels) of each split
    s: (*part, digits[speech_ix[s]])
    for s, part in zip(("train", "val", "test"), parts, strict=True)
}
seconds = time.perf_counter() - t0
print(f"features of {len(frames)} recordings: {seconds:.0f} s;",
      "training batch", speech["train"][0].shape)

# %%
def fit_speech(model, lr):
    return train.fit(
        model, speech["train"], speech["val"], epochs=30, lr=lr, batch_size=64,
        loss="cross_entropy", patience=5, progress=False,
    )


speech_models, speech_costs = {}, {}
n_features = speech["train"][0].shape[2]
for cell in ("lstm", "gru"):
    set_seed(0)
    speech_models[cell] = torch_models.classifier(
        10, n_features=n_features, cell=cell, hidden=64, pooling="mean"
    )
    speech_costs[cell] = fit_speech(speech_models[cell], lr=5e-3)
set_seed(0)
speech_models["transformer"] = AttentionModel(
    10, n_features=n_features, d_model=64, max_len=speech["train"][0].shape[1],
    nhead=4, dim_feedforward=128, dropout=0.1,
)
speech_costs["transformer"] = fit_speech(speech_models["transformer"], lr=2e-3)
speech_test = {n: accuracy(m, speech["test"]) for n, m in speech_models.items()}
for name, model in speech_models.items():
    val = accuracy(model, speech["val"])
    print(f"{name:12s} validation accuracy {val:.3f}, test "
          f"{speech_test[name]:.3f} ({speech_costs[name].seconds:.0f} s)")

# %% tags=["remove-cell"]
glue("speech_tf_test", f"{100 * speech_test['transformer']:.1f}")
glue("speech_rnn_test", f"{100 * earlier['fsdd']['scores']['lstm_torch']:.1f}")

# %% [markdown]
# ## Who wins
#
# One table for the three tasks: the parameters of each model, its training time on one
# core, and its test score. The LSTM and GRU scores are the recorded ones; for
# rt-polarity and FSDD the training times are those of the identical runs above, for M4
# those {ref}`ch-m4` recorded for its full-budget runs. The linear rows are each task's
# linear baseline: the linear forecaster above, NB-SVM from {ref}`ch-text` and the
# logistic regression on pooled MFCCs from {ref}`ch-speech` (their training times were
# not recorded).

# %%
def n_parameters(model):
    return sum(p.numel() for p in model.parameters())


m4_rnn = {cell: SeasonalSkip(m4_body(cell, 7 * M)) for cell in ("lstm",)}
m4_rnn["gru"] = SeasonalSkip(nn.Sequential(
    nn.Unflatten(1, (7, M)),
    torch_models.regressor(M, H, cell="gru", hidden=128),
))

# %%
rows = []  # (task, model, budget, parameters, seconds, test score)
for cell in ("lstm", "gru"):
    seconds = float(report.stored_glue("10_m4_hourly.ipynb", f"{cell}_seconds"))
    rows.append(("m4-hourly", cell, "full (chapter 10)",
                 n_parameters(m4_rnn[cell]), seconds,
                 m4_earlier[f"{cell}_torch"]))
for name, key in [("lstm (same budget)", "lstm_reduced_budget"),
                  ("transformer", "transformer"), (linear_choice, "linear")]:
    r = m4_table.loc[name]
    budget = "full" if key == "linear" else "reduced"
    rows.append(("m4-hourly", key, budget, r["parameters"], r["seconds"],
                 r["test OWA"]))
for task, models, costs, tests, chapter in [
    ("rt-polarity", text_models, text_costs, text_test, 11),
    ("fsdd", speech_models, speech_costs, speech_test, 12),
]:
    for name, model in models.items():
        score = earlier[task]["scores"].get(f"{name}_torch", tests[name])
        rows.append((task, name, f"as chapter {chapter}", n_parameters(model),
                     costs[name].seconds, score))
for task, key, chapter in [("rt-polarity", "nbsvm", 11),
                           ("fsdd", "mfcc_logreg", 12)]:
    rows.append((task, "linear", f"{key} (chapter {chapter})", np.nan, np.nan,
                 earlier[task]["scores"][key]))
columns = ["task", "model", "budget", "parameters", "seconds", "test score"]
who = pd.DataFrame(rows, columns=columns).set_index(["task", "model"])
who.round({"seconds": 1, "test score": 4})

# %% tags=["remove-cell"]
lstm_params = report.stored_glue("10_m4_hourly.ipynb", "lstm_params")
assert lstm_params == f"{n_parameters(m4_rnn['lstm']):,}"
scores_of = who["test score"]
# Chapter 10's full-budget LSTM (stored) is ahead of every retrained M4 model by far
# more than a seed moves them; NB-SVM is ahead of chapter 11's stored RNN scores.
assert scores_of["m4-hourly"].idxmin() == "lstm"
text_rows, speech_rows = scores_of["rt-polarity"], scores_of["fsdd"]
assert text_rows["linear"] > text_rows[["lstm", "gru"]].max()
# The Transformer is one run here: its place among the others is glued, not asserted.
names = {"lstm": ("LSTM", "LSTM"), "gru": ("GRU", "GRU"),
         "transformer": ("Transformer", "Transformer")}  # fmt: skip
ranked = text_rows[["lstm", "gru", "transformer"]].sort_values(ascending=False)
glue("text_order", ", then ".join(
    f"the {names[m][0]} ({100 * s:.1f} %)" for m, s in ranked.items()),
     zh="、".join(
         f"{names[m][1]}（{100 * s:.1f} %）" for m, s in ranked.items()))  # fmt: skip
linear_wins = text_rows.idxmax() == "linear"
glue("text_linear_words",
     "no neural model beats a linear model on word and bigram counts" if linear_wins
     else "only the Transformer, retrained here in one run, edges past the linear model",
     zh="没有哪个神经网络模型能胜过基于词和二元词组计数的线性模型" if linear_wins
     else "只有在这里训练了一次的 Transformer 略微超过了线性模型")  # fmt: skip
neural = speech_rows[["lstm", "gru", "transformer"]]
tie = neural.max() - neural.min() <= 0.011 and neural.min() > speech_rows["linear"]
glue("speech_head", "a tie" if tie else "no clear tie",
     zh="平局" if tie else "并非明显的平局")  # fmt: skip
glue("speech_words",
     "are within a few recordings of each other out of 300, all ahead of the pooled "
     "logistic regression" if tie else
     f"are {round(300 * (neural.max() - neural.min()))} recordings apart out of 300",
     zh="在 300 段录音中只相差几段，都领先于基于汇聚特征的逻辑回归" if tie else
     f"在 300 段录音中相差 {round(300 * (neural.max() - neural.min()))} 段")  # fmt: skip
cost_ratios = [
    costs["transformer"].seconds / np.mean([costs[c].seconds for c in ("lstm", "gru")])
    for costs in (text_costs, speech_costs)
]
alike = all(0.5 < r < 2 for r in cost_ratios)
glue("cost_words", "about as long as the recurrent models" if alike else
     " and ".join(f"{r:.1f} times as long as the recurrent models" for r in cost_ratios),
     zh="与循环模型大致相当" if alike else
     "、".join(f"是循环模型的 {r:.1f} 倍" for r in cost_ratios))  # fmt: skip
tf_behind_gru = text_rows["transformer"] < text_rows["gru"]
tf_behind_lstm = text_rows["transformer"] < text_rows["lstm"]
parts = [
    ("lost on M4 Hourly at the same budget" if rnn_better
     else "did better than the same-budget LSTM on M4 Hourly",
     "在 M4 Hourly 上，相同预算下它输了" if rnn_better
     else "在 M4 Hourly 上，它比相同预算的 LSTM 做得更好"),
    ("cost more to train" if tf_slower else "cost less to train",
     "训练代价还更高" if tf_slower else "训练代价更低"),
    (f"was {'behind' if tf_behind_gru else 'not behind'} the GRU and "
     f"{'behind' if tf_behind_lstm else 'ahead of'} the LSTM on rt-polarity",
     f"在 rt-polarity 上它{'落后于' if tf_behind_gru else '并不落后于'} GRU，"
     f"{'也落后于' if tf_behind_lstm else '但领先于'} LSTM"),
    ("tied on spoken digits" if tie else "did not tie on spoken digits",
     "在语音数字上则打成平手" if tie else "在语音数字上并非平手"),
]
beaten = rnn_better and tf_behind_gru and tf_behind_lstm and tie
glue("tf_takeaway_words",
     ("did not beat the recurrent networks: it " if beaten else "compared as follows: it ")
     + f"{parts[0][0]} and {parts[1][0]}, it {parts[2][0]}, and it {parts[3][0]}",
     zh=("都没有胜过循环网络：" if beaten else "与循环网络的比较如下：")
     + f"{parts[0][1]}，{parts[1][1]}；{parts[2][1]}；{parts[3][1]}")  # fmt: skip
glue("tf_cheaper_words", "attention was not cheaper" if tf_slower
     else "attention was not dearer",
     zh="注意力也并不更便宜" if tf_slower else "注意力也并不更昂贵")  # fmt: skip

# %% [markdown]
# Who wins, per task:
#
# * **M4 Hourly**: the LSTM. {glue:text}`m4_attention_words`, {glue:text}`m4_cost_words`,
#   and the linear model, far ahead of the statistical benchmarks, stays behind the
#   recurrent networks.
# * **rt-polarity**: the linear model, NB-SVM ({glue:text}`text_nbsvm_test` %), as in
#   {ref}`ch-text`; then {glue:text}`text_order`. With 8,528 short sentences and no
#   pretrained word vectors, {glue:text}`text_linear_words`. Attention's strength shows
#   with pretraining on far more text, which none of these models had.
# * **FSDD**: {glue:text}`speech_head`. The LSTM and GRU ({glue:text}`speech_rnn_test` %)
#   and the Transformer ({glue:text}`speech_tf_test` %) {glue:text}`speech_words`.
#
# So "Transformers solved the problems of LSTM and GRU" is not what these tasks show. What
# §8 says against recurrence, the cost of its parameters and of long sequences, does not
# apply to these models, of tens to hundreds of thousands of parameters reading at most 60
# steps; and {glue:text}`tf_cheaper_words`: it took {glue:text}`m4_tf_cost` times the
# LSTM's training time on M4, and {glue:text}`cost_words` on the other two tasks (times on
# this book's machine). Each number is one training run with one seed; {ref}`ch-m4` and
# {ref}`ch-text` measured how much a seed moves them.

# %% tags=["results"]
for task, metric in TASKS.items():
    rows_ = who.loc[task]
    results(
        f"after-the-rnn/{task}", metric, "test", rows_["test score"].to_dict(),
        parameters=rows_["parameters"].dropna().to_dict(),
        train_seconds=rows_["seconds"].dropna().to_dict(),
    )

# %% [markdown]
# ## Compression
#
# §8 of the article names "sparsity" and "quantization" among the ways forward. Both
# apply to a recurrent network after training, without retraining, and each has a
# price in accuracy that must be measured:
#
# * **8-bit integer weights** (`int8`). Each weight matrix is stored as integers from
#   −128 to 127 with one float scale per row (embeddings) or per matrix, a quarter of
#   the bytes of float32. {func}`seqlib.compress.quantize_int8` uses `torchao`, the
#   PyTorch project's quantization library, for the embedding and the linear layers;
#   torchao has no recurrent layers, so the LSTM or GRU goes through PyTorch's older
#   `torch.ao.quantization.quantize_dynamic`, which also quantizes each step's
#   activations on the fly ("dynamic").
# * **Magnitude pruning.** The smallest weights of each matrix are set to zero
#   (`torch.nn.utils.prune`), here 30 % to 90 % of them
#   ({func}`seqlib.compress.prune_magnitude`).
# * **Half precision.** Every number in 16 bits: `bfloat16` keeps float32's range with
#   fewer digits, `float16` more digits in a narrower range
#   ({func}`seqlib.compress.half_precision`).
#
# The recurrent layer is quantized by a function that PyTorch has deprecated, and it
# says so:

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    int8_lstm = compress.quantize_int8(speech_models["lstm"])
for warning in caught:
    first_line = str(warning.message).splitlines()[0]
    print(f"{warning.category.__name__}: {first_line}")
print(int8_lstm)

# %% [markdown]
# The notice promises removal in PyTorch 2.10; this book's PyTorch is
# {glue:text}`torch_version`, and the function still works (the next cells measure
# it). A later PyTorch may drop it: recurrent layers are the part of this section most
# likely to need another route, such as ONNX Runtime's own quantization.
#
# Each variant of the four recurrent classifiers (LSTM and GRU, speech and text) is
# measured three ways: the bytes of its saved weights (`torch.save` of its
# `state_dict`, and the same file gzip-compressed), the time to classify one sequence on
# one core ({func}`seqlib.compress.latency_ms`: the median of 300 calls, the first 100
# test sequences one at a time, three times over), and its test accuracy. Nothing is
# chosen from these numbers.

# %% tags=["remove-cell"]
glue("torch_version", torch.__version__.split("+")[0])

# %%
def variants(model):
    """The float32 model and its compressed copies, by name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation notes shown above
        out = {"float32": model, "int8": compress.quantize_int8(model)}
    for amount in (0.3, 0.5, 0.7, 0.9):
        out[f"pruned {amount:.0%}"] = compress.prune_magnitude(model, amount)
    for dtype in ("bfloat16", "float16"):
        out[dtype] = compress.half_precision(model, dtype)
    return out


def one_at_a_time(part, n=100):
    """The first n sequences of a split, unpadded, each a batch of one."""
    X, lengths, _ = part
    return [torch.as_tensor(X[k : k + 1, : lengths[k]]) for k in range(n)]

# %%
rows = []
cases = [(t, c) for t in ("fsdd", "rt-polarity") for c in ("lstm", "gru")]
for task, cell in tqdm(cases, desc="compressing"):
    models, part = {
        "fsdd": (speech_models, speech["test"]),
        "rt-polarity": (text_models, text["test"]),
    }[task]
    examples = one_at_a_time(part)
    for name, variant in variants(models[cell]).items():
        size = compress.checkpoint_size(variant)
        with torch.inference_mode():
            ms = compress.latency_ms(variant, examples)
        rows.append({"task": task, "model": cell, "variant": name,
                     "bytes": size.bytes, "gzip bytes": size.gzip_bytes,
                     "ms per sequence": ms,
                     "accuracy": accuracy(variant, part)})
shrunk = pd.DataFrame(rows).set_index(["task", "model", "variant"])
reference = shrunk.xs("float32", level="variant")
shrunk["accuracy change"] = shrunk["accuracy"] - reference["accuracy"].reindex(
    shrunk.index.droplevel("variant")).to_numpy()
shrunk.round({"ms per sequence": 3, "accuracy": 4, "accuracy change": 4})

# %% tags=["remove-cell"]
def row(task, cell, variant):
    return shrunk.loc[(task, cell, variant)]


for task in ("fsdd", "rt-polarity"):
    for cell in ("lstm", "gru"):
        full, int8 = row(task, cell, "float32"), row(task, cell, "int8")
        assert int8["bytes"] < 0.4 * full["bytes"], (task, cell)
        assert abs(int8["accuracy change"]) <= 0.01, (task, cell)
        for dtype in ("bfloat16", "float16"):
            assert row(task, cell, dtype)["bytes"] < 0.6 * full["bytes"]
            assert abs(row(task, cell, dtype)["accuracy change"]) <= 0.01
        for amount in ("30%", "50%", "70%", "90%"):  # pruning: same raw size
            pruned = row(task, cell, f"pruned {amount}")
            assert abs(pruned["bytes"] - full["bytes"]) < 0.01 * full["bytes"]
        assert row(task, cell, "pruned 90%")["gzip bytes"] < 0.5 * full["gzip bytes"]
        assert abs(row(task, cell, "pruned 30%")["accuracy change"]) <= 0.02
        assert row(task, cell, "pruned 90%")["accuracy change"] < -0.03
int8_ratio = (shrunk.xs("int8", level="variant")["bytes"] / reference["bytes"])
glue("int8_ratio_low", f"{int8_ratio.min():.2f}")
glue("int8_ratio_high", f"{int8_ratio.max():.2f}")
int8_change = shrunk.xs("int8", level="variant")["accuracy change"].abs().max()
glue("int8_change", f"{100 * int8_change:.1f}")
def time_ratio(variant, task, baseline="float32"):
    """Mean over the LSTM and GRU of a variant's time per sequence over the baseline's."""
    return np.mean([row(task, cell, variant)["ms per sequence"]
                    / row(task, cell, baseline)["ms per sequence"]
                    for cell in ("lstm", "gru")])


for task, key in (("fsdd", "speech"), ("rt-polarity", "text")):
    glue(f"int8_speed_{key}", f"{time_ratio('int8', task):.1f}")


def time_words(ratio):
    """A time per sequence over float32's, in words (English and Chinese)."""
    if ratio < 0.9:
        return "gain", "更快"
    if ratio <= 1.15:
        return "about break even", "大致持平"
    return "lose", "反而更慢"


for task, key in (("fsdd", "speech"), ("rt-polarity", "text")):
    verdict, verdict_zh = time_words(time_ratio("int8", task))
    glue(f"int8_words_{key}", verdict, zh=verdict_zh)
# Timings are glued as words, never asserted: they depend on the CPU and its load.
pruned_ratios = [row(t, c, f"pruned {a}")["ms per sequence"]
                 / row(t, c, "float32")["ms per sequence"]
                 for t, c in cases for a in ("30%", "50%", "70%", "90%")]
glue("pruned_speed_low", f"{min(pruned_ratios):.1f}")
glue("pruned_speed_high", f"{max(pruned_ratios):.1f}")
no_faster = min(pruned_ratios) > 0.9
glue("pruned_words", "no faster with zeros" if no_faster
     else "not built to skip zeros, whatever the spread of these timings",
     zh="遇到零也不会更快" if no_faster
     else "并不是为跳过零而设计的，不论这些计时如何起伏")  # fmt: skip
half_ratios = []
for dtype in ("bfloat16", "float16"):
    ratio = np.mean([time_ratio(dtype, t) for t in ("fsdd", "rt-polarity")])
    glue(f"{dtype}_speed", f"{ratio:.1f}")
    half_ratios.append(ratio)
half_faster = min(half_ratios) < 0.9
glue("half_words", "It is faster here" if half_faster else "It is not faster here",
     zh="它在这里更快" if half_faster else "它在这里并不更快")  # fmt: skip
p90 = shrunk.xs("pruned 90%", level="variant")["accuracy change"]
glue("pruned90_low", f"{-100 * p90.max():.0f}")
glue("pruned90_high", f"{-100 * p90.min():.0f}")
p50 = pd.concat([  # up to half: the 30 % and 50 % rows
    shrunk.xs(f"pruned {amount}", level="variant")["accuracy change"]
    for amount in ("30%", "50%")
])
glue("pruned50_worst", f"{-100 * p50.min():.1f}")
bf16 = shrunk.xs("bfloat16", level="variant")
glue("bf16_change", f"{100 * bf16['accuracy change'].abs().max():.1f}")
text_share = n_parameters(text_models["lstm"].embedding) / n_parameters(text_models["lstm"])
glue("embedding_share", f"{100 * text_share:.0f}")

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(8, 3.6))
amounts = [0, 30, 50, 70, 90]
for task, cell in cases:
    names = ["float32"] + [f"pruned {a}%" for a in amounts[1:]]
    values = [100 * row(task, cell, n)["accuracy"] for n in names]
    ax.plot(amounts, values, "o-", label=f"{task}, {cell.upper()}")
ax.set(xlabel="weights pruned in each matrix (%)", ylabel="test accuracy (%)",
       title="Magnitude pruning without retraining", xticks=amounts)
ax.legend(fontsize=8)
fig.tight_layout()

# %% tags=["remove-cell"]
glue("fig-after-rnn-pruning", fig)

# %% [markdown]
# ```{glue:figure} fig-after-rnn-pruning
# :name: fig-after-rnn-pruning
#
# Test accuracy of the four recurrent classifiers when the smallest weights of every
# matrix are set to zero, without retraining.
# ```
#
# What the table and the figure say:
#
# * **int8** files are {glue:text}`int8_ratio_low` to {glue:text}`int8_ratio_high` of the
#   float32 size and change the accuracy by at most {glue:text}`int8_change` points. Speed
#   is another matter: per sequence, the int8 speech models took
#   {glue:text}`int8_speed_speech` times the float32 time, the int8 text models
#   {glue:text}`int8_speed_text` times. Dynamic quantization converts each step's
#   activations to integers and the results back, a cost per step that the cheaper integer
#   products must earn back: on this machine the speech models, which read 234 numbers per
#   step, {glue:text}`int8_words_speech`; the text models, which read 32,
#   {glue:text}`int8_words_text`.
# * **Pruning** leaves the file exactly as large, because the zeros are stored like any
#   other number; only compression (the gzip column) or a sparse format turns them into
#   savings, and PyTorch's dense kernels are {glue:text}`pruned_words` (the pruned models
#   took {glue:text}`pruned_speed_low` to {glue:text}`pruned_speed_high` times the float32
#   time). Up to half of the weights can go at a cost of at most
#   {glue:text}`pruned50_worst` points; at 90 % the models lose {glue:text}`pruned90_low`
#   to {glue:text}`pruned90_high` points. Pruning is usually followed by more training,
#   which recovers much of that; here it is measured without.
# * **Half precision** halves the file and changes the accuracy by at most
#   {glue:text}`bf16_change` points. {glue:text}`half_words`: on average `bfloat16` took
#   {glue:text}`bfloat16_speed` and `float16` {glue:text}`float16_speed` times the float32
#   time per sequence. Half precision pays mainly on GPUs, and where memory is short.
# * In the text models, {glue:text}`embedding_share` % of the parameters are the word
#   vectors, so what shrinks the file is what is done to the embedding.
#
# ### ONNX
#
# To run a trained model outside Python, or with a faster runtime, export it to ONNX,
# an open format for computation graphs, and run it with ONNX Runtime. `torch.onnx.export`
# traces the model once on an example input; the number of steps stays free
# (`dynamic_shapes`), so one exported graph reads recordings of any length. Here is the
# speech LSTM:

# %%
import logging

import onnxruntime

# the exporter's notes on operators that this model does not use
logging.getLogger("torch.onnx").setLevel(logging.ERROR)
lstm_fsdd = speech_models["lstm"].eval()
example = one_at_a_time(speech["test"], n=1)[0]
onnx_path = Path("fsdd_lstm.onnx")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # notices about the exporter's internals
    torch.onnx.export(
        lstm_fsdd, (example,), onnx_path, dynamo=True, verbose=False,
        external_data=False,
        dynamic_shapes=({1: torch.export.Dim("steps", max=256)},),
    )
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = options.inter_op_num_threads = 1
session = onnxruntime.InferenceSession(onnx_path, options)
input_name = session.get_inputs()[0].name
onnx_bytes = onnx_path.stat().st_size
print(f"{onnx_path}: {onnx_bytes:,} bytes")

# %% [markdown]
# Both now classify each of the 300 test recordings, one at a time:

# %%
every_test = one_at_a_time(speech["test"], n=len(speech["test"][0]))
with torch.inference_mode():
    torch_out = np.concatenate([lstm_fsdd(x).numpy() for x in every_test])
onnx_out = np.concatenate(
    [session.run(None, {input_name: x.numpy()})[0] for x in every_test]
)
gap = np.abs(onnx_out - torch_out).max()
print(f"largest difference between the logits: {gap:.1e}")
with torch.inference_mode():
    torch_ms = compress.latency_ms(lstm_fsdd, every_test[:100])
onnx_ms = compress.latency_ms(
    lambda x: session.run(None, {input_name: x.numpy()}), every_test[:100]
)
print(f"ms per recording: PyTorch {torch_ms:.3f}, ONNX Runtime {onnx_ms:.3f}")

# %% tags=["remove-cell"]
assert gap < 1e-4
assert (onnx_out.argmax(axis=1) == torch_out.argmax(axis=1)).all()
assert metrics.accuracy(speech["test"][2], onnx_out.argmax(axis=1)) == speech_test["lstm"]
onnx_path.unlink()
glue("onnx_gap", f"{gap:.0e}")
speedup = torch_ms / onnx_ms
glue("onnx_speedup", f"{speedup:.0f}" if speedup >= 10 else f"{speedup:.1f}")
glue("onnx_words", "times as fast as" if speedup > 1.1 else "times the speed of",
     zh="倍" if speedup > 1.1 else "倍（并不更快）")  # fmt: skip

# %% [markdown]
# The logits agree to within {glue:text}`onnx_gap`, so the predictions are the same, and
# on this machine ONNX Runtime classifies a recording {glue:text}`onnx_speedup`
# {glue:text}`onnx_words` PyTorch called from Python. Most of PyTorch's time per call on
# such a small model is the overhead of running each operation from Python; the exported
# graph runs in one call into C++. For one short sequence at a time, the runtime matters
# more than the number format.

# %% tags=["results"]
keys = shrunk.reset_index()
variant = keys["variant"].str.replace(" ", "_").str.replace("%", "")
keys = keys["model"] + "_" + variant
measured = shrunk.set_axis(pd.MultiIndex.from_arrays(
    [shrunk.index.get_level_values("task"), keys]
))
onnx_row = {"accuracy": speech_test["lstm"], "bytes": onnx_bytes,
            "ms per sequence": onnx_ms}
for task in ("fsdd", "rt-polarity"):
    table = measured.loc[task]
    if task == "fsdd":
        table = pd.concat([table, pd.DataFrame({"lstm_onnx": onnx_row}).T])
    results(
        f"compression/{task}", "accuracy", "test", table["accuracy"].to_dict(),
        bytes=table["bytes"].to_dict(),
        gzip_bytes=table["gzip bytes"].dropna().to_dict(),
        ms_per_sequence=table["ms per sequence"].to_dict(),
    )

# %% [markdown]
# ## Inside the network
#
# §8 also says that the "internal mechanism" of LSTMs and GRUs is complex and hard to
# interpret. Two ways to look inside: the **gates**, which the network computes anyway,
# and an **attribution** of its output to its inputs.
#
# ### The gates over one input
#
# {func}`seqlib.explain.gate_trace` reads a trained PyTorch layer's weights
# ({func}`seqlib.convert.from_torch`) and replays it step by step with the NumPy cells of
# {ref}`ch-gate-maths`, returning every gate at every step. Two gates say how much of
# the memory survives each step: the LSTM's **forget gate** $f_t$ (the share of each
# cell-state unit that is kept) and the GRU's **update gate** $z_t$ (in PyTorch's
# convention, the share of each hidden unit kept from the previous step). First a
# spoken "0" from the test takes, through the speech LSTM and GRU:

# %%
spoken = recordings.query("digit == 0 and speaker == 'jackson' and take == 0")
j = int(np.flatnonzero(speech_ix["test"] == spoken.index[0])[0])
X_test, lengths_test, _ = speech["test"]
steps = X_test[j, : lengths_test[j]]  # (steps, 234): six frames per step
lstm_trace = explain.gate_trace(speech_models["lstm"].rnn, steps)
gru_trace = explain.gate_trace(speech_models["gru"].rnn, steps)
gates = {
    "LSTM forget gate f": lstm_trace["f"],
    "GRU update gate z": gru_trace["z"],
}
print(f"{len(steps)} steps of 60 ms; mean gate value per step:")
means = {name: g.mean(axis=1) for name, g in gates.items()}
print(pd.DataFrame(means).round(2).T)

# %% tags=["remove-cell"]
for cell in ("lstm", "gru"):  # the replay is the trained layer's computation
    layer = speech_models[cell].rnn
    with torch.no_grad():
        outputs = layer(torch.as_tensor(steps)[None])[0][0].numpy()
    assert np.abs(explain.gate_trace(layer, steps)["h"] - outputs).max() < 1e-4
    text_layer = text_models[cell].rnn
    vectors = text_models[cell].embedding.weight[torch.as_tensor(X_ids[test_ix[0]])]
    with torch.no_grad():
        text_out = text_layer(vectors[None])[0][0].numpy()
    replay = explain.gate_trace(text_layer, vectors.detach().numpy())["h"]
    assert np.abs(replay - text_out).max() < 1e-4

# %% tags=["hide-input", "remove-output"]
wave, rate = datasets.read_wav(spoken.path.item())
wave = audio.trim_silence(wave)
fig, axes = plt.subplots(3, 1, figsize=(9, 7.5), layout="constrained")
axes[0].imshow(frames[spoken.index[0]][:, 1:13].T, origin="lower",
               aspect="auto", cmap="coolwarm", interpolation="nearest",
               extent=[0, len(wave) / rate, 0.5, 12.5])
axes[0].set(title="a spoken '0': MFCCs 1-12 of the trimmed recording",
            xlabel="time (s)", ylabel="MFCC index")
for ax, (name, g) in zip(axes[1:], gates.items(), strict=True):
    order = np.argsort(g.mean(axis=0))  # units sorted by their mean gate value
    image = ax.imshow(g[:, order].T, origin="lower", aspect="auto",
                      cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
    ax.set(title=f"{name}, each unit (sorted by its mean) at each step",
           xlabel="step (60 ms each)", ylabel="unit")
    fig.colorbar(image, ax=ax, label="gate value")
fig.colorbar(image, ax=axes[0]).ax.set_visible(False)  # align the three panels

# %% tags=["remove-cell"]
glue("fig-after-rnn-gates-speech", fig)

# %% tags=["remove-cell"]
def saturated(gate):
    """The share of a gate's values below 0.1 or above 0.9."""
    return np.mean((gate < 0.1) | (gate > 0.9))


f_speech = gates["LSTM forget gate f"]
glue("speech_steps", str(len(steps)))
glue("speech_f_first", f"{f_speech[0].mean():.2f}")
glue("speech_f_later", f"{f_speech[1:].mean():.2f}")
glue("speech_f_saturated", f"{100 * saturated(f_speech):.0f}")
glue("speech_z_saturated", f"{100 * saturated(gates['GRU update gate z']):.0f}")
first, later = f_speech[0].mean(), f_speech[1:].mean()
glue("speech_f_words", "the LSTM's forget gates are low" if first < 0.3
     else "the LSTM's forget gates are lower than later" if first < later
     else "the LSTM's forget gates are no lower than later",
     zh="LSTM 的遗忘门都很低" if first < 0.3
     else "LSTM 的遗忘门比之后更低" if first < later
     else "LSTM 的遗忘门并不比之后更低")  # fmt: skip

# %% [markdown]
# ```{glue:figure} fig-after-rnn-gates-speech
# :name: fig-after-rnn-gates-speech
#
# A spoken "0" (top) and the gates of the trained speech LSTM and GRU over its
# {glue:text}`speech_steps` steps: 1 keeps a unit's memory, 0 replaces it.
# ```
#
# At the first step {glue:text}`speech_f_words` (their mean is
# {glue:text}`speech_f_first`): there is nothing to keep yet, the state starts at zero.
# Later their mean is {glue:text}`speech_f_later`, and each unit behaves in its own way,
# some keeping their memory step after step, others rewriting it.
# {glue:text}`speech_f_saturated` % of the LSTM's forget-gate values (and
# {glue:text}`speech_z_saturated` % of the GRU's update-gate values) are below 0.1 or
# above 0.9: the units mostly switch between keeping and replacing. The same picture for a
# sentence from the test split, through the text LSTM; each column is one word:

# %%
candidates = [k for k in test_ix if " but " in texts[k] and X_lengths[k] <= 18]
k = candidates[0]
sentence_ids = X_ids[k, : X_lengths[k]]
tokens = [words.get(i, "<unknown>") for i in sentence_ids]
vectors = text_models["lstm"].embedding.weight[torch.as_tensor(sentence_ids)]
trace = explain.gate_trace(text_models["lstm"].rnn, vectors.detach().numpy())
print(" ".join(tokens), "->", "positive" if labels[k] else "negative")
mean_f = pd.Series(trace["f"].mean(axis=1), index=tokens)
print("mean forget gate per word:", mean_f.round(2).to_dict())

# %% tags=["hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
order = np.argsort(trace["f"].mean(axis=0))
image = ax.imshow(trace["f"][:, order].T, aspect="auto", cmap="viridis", vmin=0,
                  vmax=1, origin="lower", interpolation="nearest")
ax.set_xticks(range(len(tokens)), tokens, rotation=60, ha="right")
ax.set(ylabel="unit (sorted by its mean)",
       title="Forget gate of the text LSTM, each unit at each word")
fig.colorbar(image, ax=ax, label="forget gate f")

# %% tags=["remove-cell"]
glue("fig-after-rnn-gates-text", fig)

# %% tags=["remove-cell"]
low, high = np.percentile(trace["f"], [5, 95])
glue("text_f_low", f"{low:.2f}")
glue("text_f_high", f"{high:.2f}")
glue("text_f_saturated", f"{100 * saturated(trace['f']):.0f}")
glue("text_f_max_word", mean_f.idxmax())
assert saturated(trace["f"]) < min(0.05, saturated(f_speech) - 0.2)

# %% [markdown]
# ```{glue:figure} fig-after-rnn-gates-text
# :name: fig-after-rnn-gates-text
#
# The forget gate of each of the text LSTM's 32 units at each word of one test sentence.
# ```
#
# The text LSTM's forget gates behave differently: 90 % of their values lie between
# {glue:text}`text_f_low` and {glue:text}`text_f_high`, and almost none
# ({glue:text}`text_f_saturated` %) are below 0.1 or above 0.9. At every word each unit
# keeps part of its memory and replaces part; some keep more at some words than at
# others (the most, on average, at "{glue:text}`text_f_max_word`"). Such pictures show
# *what the network does*, step by step, and they are exact: the replay computes the
# same states as PyTorch. They do not say *why* it classifies the sentence as it does:
# a unit that forgets at a word may matter for the output or not. For that, the output
# must be traced back to the input.
#
# ### Which words the decision rests on
#
# **Integrated gradients** {cite}`sundararajan2017axiomatic` attribute a model's output
# $F(x)$ to the parts of its input. Take a *baseline* input $x'$ that carries no
# information, here the sentence with every word replaced by padding (word vectors of
# zeros), walk from $x'$ to $x$ in a straight line, and add up the gradient along the
# way:
#
# $$
# \text{IG}_i(x) = (x_i - x'_i) \int_0^1
#     \frac{\partial F\big(x' + \alpha (x - x')\big)}{\partial x_i}\, d\alpha .
# $$
#
# The attributions are **complete**: they add up exactly to $F(x) - F(x')$. Summed over
# the components of each word's vector, they give one number per word.
# {func}`seqlib.explain.token_attributions` computes them with Captum
# {cite}`kokhlikyan2020captum` at the embedding layer, for the text GRU, the best of the
# recurrent text models. $F$ is the log-odds of "positive", the difference of the two
# logits.

# %%
def log_odds(logits):
    return logits[:, 1] - logits[:, 0]


gru_text = text_models["gru"].eval()
proba = softmax(train.predict(gru_text, *text["test"][:2]), axis=1)[:, 1]
right = (proba > 0.5) == labels[test_ix]
short = (X_lengths[test_ix] >= 8) & (X_lengths[test_ix] <= 16)
y_test = labels[test_ix]
chosen = [np.flatnonzero(right & short & (y_test == c))[0] for c in (1, 0)]
chosen += [np.flatnonzero(~right & short)[0], np.flatnonzero(test_ix == k)[0]]
attributions = []
for i in chosen:
    ids = X_ids[test_ix[i], : X_lengths[test_ix[i]]]
    ig = explain.token_attributions(
        gru_text, ids, score=log_odds, lengths=len(ids)
    )
    attributions.append((ids, ig))
    print(f"label {labels[test_ix[i]]}, P(positive) {proba[i]:.2f}, log-odds "
          f"{ig.score:+.2f} = baseline {ig.baseline_score:+.2f} "
          f"+ attributions {ig.values.sum():+.2f}")

# %% tags=["remove-cell"]
for _, ig in attributions:
    assert abs(ig.delta) < 0.01 * max(1.0, abs(ig.score - ig.baseline_score))
    assert abs(ig.values.sum() - (ig.score - ig.baseline_score)) < 0.02

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(len(attributions), 1, figsize=(9, 8.5),
                         layout="constrained")
for ax, (ids, ig), i in zip(axes, attributions, chosen, strict=True):
    colours = np.where(ig.values > 0, "tab:blue", "tab:red")
    ax.bar(range(len(ids)), ig.values, color=colours)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(range(len(ids)), [words.get(t, "<unknown>") for t in ids],
                  rotation=35, ha="right", fontsize=8)
    truth = "positive" if labels[test_ix[i]] else "negative"
    ax.set_title(f"label: {truth}; the model's P(positive) = {proba[i]:.2f}",
                 fontsize=9)
    ax.set_ylabel("attribution\n(log-odds)", fontsize=8)

# %% tags=["remove-cell"]
glue("fig-after-rnn-ig", fig)

# %% [markdown]
# ```{glue:figure} fig-after-rnn-ig
# :name: fig-after-rnn-ig
#
# Integrated gradients of the text GRU's log-odds of "positive" for four test
# sentences: blue words push towards positive, red towards negative. The third sentence
# is one the model gets wrong; the fourth is the sentence of the gate figure.
# ```
#
# What this does and does not tell. It tells, exactly, how the model's log-odds for
# this sentence differ from those of an all-padding sentence of the same length, split
# among the words; for a misclassified sentence it shows which words misled the model.
# It does not tell:
#
# * **what would happen without a word.** A word's attribution is its share of the
#   path from the baseline, not the change in output when that word alone is replaced:
#   the words interact through the recurrent state. Replacing each word of the four
#   sentences in turn by the unknown-word id lowers the log-odds by amounts that
#   correlate with the words' attributions at {glue:text}`ig_occlusion_corr`, but differ
#   from them by up to {glue:text}`ig_occlusion_gap` (in log-odds).
# * **anything without its baseline.** The attributions answer how this sentence
#   differs from the baseline, and the baseline is a choice. With a sentence of unknown
#   words as the baseline instead of padding, the first sentence's attributions keep
#   their pattern (correlation {glue:text}`ig_baseline_corr`) but add up to
#   {glue:text}`ig_unknown_total` instead of {glue:text}`ig_padding_total`, because the
#   baseline's own log-odds differ.
# * **why the model is right.** It explains the model, not the sentiment of the
#   sentence; a model that learned a shortcut gets a faithful explanation of the
#   shortcut.

# %% tags=["remove-cell"]
drops, shares = [], []  # log-odds lost when each word is replaced; attributions
for ids, ig in attributions:
    variants_ = np.repeat(ids[None], len(ids), axis=0)
    variants_[np.arange(len(ids)), np.arange(len(ids))] = UNKNOWN
    lengths_ = np.full(len(ids), len(ids))
    edited = log_odds(torch.as_tensor(train.predict(gru_text, variants_, lengths_)))
    drops.append(ig.score - edited.numpy())
    shares.append(ig.values)
drops, shares = np.concatenate(drops), np.concatenate(shares)
glue("ig_occlusion_corr", f"{np.corrcoef(drops, shares)[0, 1]:.2f}")
glue("ig_occlusion_gap", f"{np.abs(drops - shares).max():.1f}")
ids0, ig0 = attributions[0]
unknown_base = explain.token_attributions(
    gru_text, ids0, score=log_odds, lengths=len(ids0), baseline_id=UNKNOWN
)
glue("ig_baseline_corr", f"{np.corrcoef(ig0.values, unknown_base.values)[0, 1]:.2f}")
glue("ig_unknown_total", f"{unknown_base.values.sum():+.2f}")
glue("ig_padding_total", f"{ig0.values.sum():+.2f}")

# %% [markdown]
# ## Key takeaways
#
# * On the book's three tasks, in one run each, a small Transformer encoder
#   {glue:text}`tf_takeaway_words`.
# * A linear model over the input window is a baseline to run first: it trains in
#   seconds and improves with a longer window, but on M4 Hourly it stays behind the LSTM;
#   on short texts, the linear NB-SVM is still the model to beat.
# * Post-training int8 quantization and half precision shrink a recurrent model's file
#   to about a quarter or a half at almost no cost in accuracy; whether they make it
#   faster depends on the size of its layers and on the CPU. `torch.ao.quantization`
#   still quantizes `nn.LSTM` and `nn.GRU` in PyTorch 2.13, with a deprecation warning;
#   torchao covers the embedding and linear layers.
# * Pruning without retraining keeps half the weights safely, but zeros stored densely
#   save no bytes and no time.
# * For one short sequence at a time, exporting to ONNX Runtime gives the same outputs
#   and removes most of Python's overhead.
# * Gates show exactly what a recurrent layer does at each step; integrated gradients
#   say which words an output rests on, relative to a baseline, and neither says what
#   would happen if a word were removed.
#
# ## Exercises
#
# ````{exercise} ★ · 10 min · A longer window
# :label: ex-after-rnn-window
#
# Train the linear forecaster with a three-week window
# (`"linear, three weeks": ("linear", 21 * M, 2, 15)`). Does its validation OWA keep
# improving? What limits the window on M4 Hourly?
# ````
#
# ````{solution} ex-after-rnn-window
# :class: dropdown
#
# ```python
# model, history = fit_m4("linear", 21 * M, 2, 15)
# f = forecast(model, m4_history, 21 * M)
# print(owa_of(f, val_truth, m4_history, naive2_val)["owa"])
# ```
#
# A three-week window is 504 hours. The shortest series have 700 training hours, of
# which 48 are held out for validation, and a training window needs 504 + 48 hours, so
# those series give only a few windows each, and each series' oldest weeks are never a
# target. Longer windows see more weekly patterns but leave fewer, less varied training
# windows. In our run the gain stopped: three weeks scored a little worse on validation
# than two.
# ````
#
# ````{exercise} ★★ · 15 min · When int8 pays
# :label: ex-after-rnn-int8-speed
#
# Quantization did not make the small classifiers faster. Build
# speech LSTMs with 64 to 512 units (`torch_models.classifier(10, n_features=234,
# cell="lstm", hidden=512, pooling="mean")`; untrained is enough for timing) and
# compare {func}`seqlib.compress.latency_ms` of the float32 and the int8 models. Where
# is the break-even point?
# ````
#
# ````{solution} ex-after-rnn-int8-speed
# :class: dropdown
#
# ```python
# for hidden in (64, 128, 256, 512):
#     model = torch_models.classifier(
#         10, n_features=234, cell="lstm", hidden=hidden, pooling="mean").eval()
#     with warnings.catch_warnings():
#         warnings.simplefilter("ignore")
#         small = compress.quantize_int8(model)
#     examples = one_at_a_time(speech["test"])
#     with torch.inference_mode():
#         print(hidden, compress.latency_ms(model, examples),
#               compress.latency_ms(small, examples))
# ```
#
# The float32 time per step grows with the square of the hidden size (the recurrent
# matrix is `(4·hidden, hidden)`), while the int8 model's extra cost per step (quantizing
# the activations, converting the result) grows only with the hidden size. As the layer
# grows, the int8 products' saving overtakes that overhead: in our run int8 was already
# faster at 128 units and several times faster at 512. Where exactly the break-even lies
# depends on the CPU's integer instructions, so measure it on the machine that will
# serve the model.
# ````
#
# ````{exercise} ★★ · 20 min · Prune, then fine-tune
# :label: ex-after-rnn-finetune
#
# Prune the text GRU to 70 % and train it for one more epoch with the
# zeros kept at zero. How much of the lost accuracy comes back?
# ````
#
# ````{solution} ex-after-rnn-finetune
# :class: dropdown
#
# `torch.nn.utils.prune` keeps its mask while training if the pruning is not made
# permanent, so prune the model's layers directly, train, then remove the masks:
#
# ```python
# import copy
# from torch.nn.utils import prune
#
# model = copy.deepcopy(text_models["gru"])
# layers = [(model.embedding, "weight"), (model.rnn, "weight_ih_l0"),
#           (model.rnn, "weight_hh_l0"), (model.head, "weight")]
# for module, name in layers:
#     prune.l1_unstructured(module, name, amount=0.7)
# train.fit(model, text["train"], epochs=1, lr=1e-3, batch_size=64,
#           loss="cross_entropy", progress=False)
# for module, name in layers:
#     prune.remove(module, name)
# print(accuracy(model, text["val"]), compress.sparsity(model))
# ```
#
# Retraining with the mask lets the remaining weights take over the work of the removed
# ones, and usually recovers most of the loss: this is how pruning is used in practice.
# Judge it on the validation split, not the test split.
# ````
#
# ````{exercise} ★★★ · 30 min · NB-SVM's own explanation
# :label: ex-after-rnn-nbsvm
#
# NB-SVM, the linear model that won on rt-polarity, explains itself: its
# weight for a word times the word's scaled feature is that word's contribution. Compare
# these contributions with the GRU's integrated gradients on the four sentences above.
# Do the two models rest on the same words?
# ````
#
# ````{solution} ex-after-rnn-nbsvm
# :class: dropdown
#
# Fit NB-SVM on the training split as in {ref}`ch-text` (binary word and bigram
# counts, {class}`seqlib.text.NBScaler`, logistic regression), then multiply each
# feature of a sentence by its weight:
#
# ```python
# from sklearn.feature_extraction.text import CountVectorizer
# from sklearn.linear_model import LogisticRegression
# from seqlib.text import NBScaler
#
# counts = CountVectorizer(binary=True, tokenizer=str.split, token_pattern=None,
#                          lowercase=False, ngram_range=(1, 2))
# B = counts.fit_transform(texts[train_ix])
# scaler = NBScaler().fit(B, labels[train_ix])
# logreg = LogisticRegression(C=1.0, solver="liblinear")
# logreg.fit(scaler.transform(B), labels[train_ix])
# terms = counts.get_feature_names_out()
# for i in chosen:
#     x = scaler.transform(counts.transform([texts[test_ix[i]]])).tocsr()
#     parts = {terms[j]: v * logreg.coef_[0, j] for j, v in zip(x.indices, x.data)}
#     print(sorted(parts.items(), key=lambda kv: -abs(kv[1]))[:5])
# ```
#
# The linear model's contributions are exact and additive by construction, and split
# between words and bigrams. Both models usually rest on the same strong sentiment
# words; they differ on words whose effect depends on context ("not", "but"), which
# the linear model sees only through bigrams and the GRU through its state.
# ````
