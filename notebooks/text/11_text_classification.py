# %% tags=["remove-cell"]
# Running in Colab? Install seqlib, the book's small library, from its repository.
import sys

if "google.colab" in sys.modules:
    # %pip install -q "seqlib[audio] @ git+https://github.com/lstm-gru-book/lstm-gru-book"

# %% [markdown]
# (ch-text)=
# # Text classification
#
# The source article's §6 says that LSTMs and GRUs classify text well because they
# "capture the context" of a sentence, and shows a sentiment classifier trained on four
# sentences. This chapter first runs that example and shows why it cannot work. Then it
# does the job properly on a real dataset: 10,662 sentences from movie reviews, labelled
# positive or negative (Pang and Lee's sentence-polarity data {cite}`pang2005seeing`, known
# in the literature as "MR").
#
# By the end you will have seen, with numbers from code you can run:
#
# * a fixed train / validation / test split, and a 10-fold cross-validation for the
#   fast models, so that our numbers can be set beside the published ones;
# * two strong linear baselines, TF-IDF with logistic regression and NB-SVM
#   {cite}`wang2012baselines`, and how good they are on short sentences;
# * LSTM, GRU and bidirectional LSTM classifiers with an embedding layer, in PyTorch and
#   in Keras, trained on the same split;
# * what happens when the padding is fed to the recurrent layer (no masking, no packing);
# * the same models applied, without retraining, to product and restaurant reviews.

# %%
from seqlib.reproducibility import set_seed, setup

# Before Keras is imported: environment defaults, then one thread for PyTorch,
# TensorFlow and NumPy's BLAS, and the seeds (see the set-up chapter).
setup(seed=0, threads=1, frameworks=("torch", "keras"))

import collections
import time
import warnings

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf
from scipy.special import softmax
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline

from seqlib import data, datasets, keras_models, plots, torch_models, train
from seqlib.report import glue, results
from seqlib.text import PAD, UNKNOWN, NBScaler, build_vocabulary, encode, tokenise

# %% [markdown]
# ## The article's example
#
# The article's text classifier starts with an import that no longer belongs to Keras:

# %% tags=["raises-exception"]
from keras.preprocessing.text import Tokenizer

# %% [markdown]
# `Tokenizer` and the `preprocessing.text` module were part of Keras 2; Keras 3 dropped
# them and replaced them with the `TextVectorization` layer. The article's spelling,
# `tensorflow.keras.preprocessing.text`, still imports, because TensorFlow keeps a copy
# of the old API for old code (`keras._tf_keras`, marked "legacy"); with Keras on its
# PyTorch or JAX backend there is no such path. We use the legacy copy once, to run the
# article's code as it was written:

# %%
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.preprocessing.text import Tokenizer  # noqa: F811 (the legacy copy)

article_texts = [
    "This is a great movie",
    "I do not like this movie",
    "This movie is amazing",
    "This movie is terrible",
]
article_labels = [1, 0, 1, 0]  # 1 = positive, 0 = negative

tokenizer = Tokenizer()
tokenizer.fit_on_texts(article_texts)
padded_sequences = pad_sequences(tokenizer.texts_to_sequences(article_texts), maxlen=10)
print(tokenizer.word_index)
print(padded_sequences)

# %% [markdown]
# The model is an LSTM that reads these ids directly, one number per step
# (`input_shape=(10, 1)`; Keras quietly adds the missing feature axis to the `(4, 10)`
# array). The article's `model.fit` call fails in Keras 3 because the labels are a Python
# list:

# %% tags=["raises-exception"]
set_seed(0)
article_model = (
    keras.Sequential(  # the article's model; Keras 3 wants the shape in an Input
        [
            keras.Input(shape=(10, 1)),
            keras.layers.LSTM(50),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
)
article_model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
article_model.fit(padded_sequences, article_labels, epochs=20, verbose=0)

# %% [markdown]
# With the labels as an array it trains. Then we classify the article's two new sentences:

# %%
history = article_model.fit(
    padded_sequences, np.array(article_labels), epochs=20, verbose=0
)
article_accuracy = history.history["accuracy"][-1]
print(f"training accuracy after 20 epochs: {article_accuracy:.2f}")
print("P(positive) for the four training sentences:")
print(article_model.predict(padded_sequences, verbose=0).ravel().round(3))

new_texts = ["This movie is good", "I hate this movie"]
new_sequences = tokenizer.texts_to_sequences(new_texts)
new_probabilities = article_model.predict(
    pad_sequences(new_sequences, maxlen=10), verbose=0
)
for text, ids, p in zip(new_texts, new_sequences, new_probabilities.ravel(), strict=True):
    seen = " ".join(tokenizer.index_word[i] for i in ids)
    print(f"{text!r} is read as {seen!r} {ids}: P(positive) = {p:.3f}")

# %% tags=["remove-cell"]
assert article_accuracy <= 0.75 and np.all(np.abs(new_probabilities - 0.5) < 0.1)

# %% [markdown]
# Each problem, in the order the code meets it:
#
# * **Token ids are not magnitudes.** The `Tokenizer` numbers words by frequency, so the
#   ids are arbitrary labels: "amazing" is 10 and "terrible" is 11. Fed to an LSTM as one
#   number per step, they become magnitudes: the first layer multiplies the id by a
#   weight, so "terrible" is "1.1 times amazing", and word 11 is "eleven times" word 1. Two
#   sentences that differ only in their last word (10 against 11) have opposite labels and
#   almost identical inputs. The fix is an **embedding layer**, which gives every id its
#   own learned vector.
# * **Four sentences teach nothing.** After 20 epochs the model has not even fitted its
#   four training sentences, and the two new sentences get probabilities close to 0.5:
#   the "Positive" and "Negative" the article prints are coin flips. There is no
#   validation or test set to notice it.
# * **Unknown words vanish.** "good" and "hate" were never seen, and a `Tokenizer` without
#   `oov_token` silently drops them, so the two new sentences lose exactly the words that
#   carry their sentiment.
# * **Padding is read as words.** `pad_sequences` adds zeros, and nothing tells the LSTM
#   to skip them. Here the zeros come first, which hurts less; we measure below what
#   padding does when it is not masked.
#
# ## The data, and a fixed split
#
# `seqlib.datasets.load("rt-polarity")` returns the 10,662 sentences, already lower-cased
# and tokenised (words and punctuation separated by spaces), and their labels (1 =
# positive). There is no official split: the literature reports 10-fold cross-validation.
# Training recurrent networks ten times costs too much for this chapter, so we fix one
# stratified split, 80 % for training, 10 % for validation (every choice below) and 10 %
# for a test that is used once, at the end. For the fast linear models we also run the
# 10-fold cross-validation, to compare with the published numbers.

# %% tags=["nbval-check-output"]
texts, labels = datasets.load("rt-polarity")
texts = np.array(texts, dtype=object)
lengths_in_words = np.array([len(t.split()) for t in texts])

rest_ix, test_ix = train_test_split(
    np.arange(len(texts)), test_size=0.1, stratify=labels, random_state=0
)
train_ix, val_ix = train_test_split(
    rest_ix, test_size=1 / 9, stratify=labels[rest_ix], random_state=0
)
y_train, y_val, y_test = labels[train_ix], labels[val_ix], labels[test_ix]
for name, ix in [("train", train_ix), ("validation", val_ix), ("test", test_ix)]:
    print(f"{name:10s} {len(ix):5d} sentences, {labels[ix].mean():.3f} positive")
print(
    "words per sentence: median",
    int(np.median(lengths_in_words)),
    "| 99th percentile",
    int(np.percentile(lengths_in_words, 99)),
    "| longest",
    lengths_in_words.max(),
)
print("example:", texts[train_ix[0]], "->", y_train[0])

# %% [markdown]
# The classes are balanced, so a classifier that always answers the same class is right
# half of the time. With 1,067 validation sentences an accuracy between 75 and 80 % has a
# standard error of {glue:text}`val_se` percentage points: differences smaller than about
# two points between two models are within the noise of this split.

# %%
standard_error = 100 * np.sqrt(0.77 * 0.23 / len(val_ix))
glue("val_se", f"{standard_error:.1f}")


# %% [markdown]
# ## Baselines
#
# Three baselines come first, all in scikit-learn, all trained on the training split:
#
# * **majority**: always predict the most frequent class in the training data;
# * **TF-IDF + logistic regression**: every word and every pair of neighbouring words
#   (bigram) is a feature, present or absent in the sentence, weighted by its inverse
#   document frequency (rare features count more) and normalised per sentence;
# * **NB-SVM** {cite}`wang2012baselines`: binary word and bigram features, each scaled by
#   its *log-count ratio* $r = \log\frac{p / \lVert p \rVert_1}{q / \lVert q \rVert_1}$,
#   where $p = \alpha + \sum_{i: y_i = 1} x_i$ and $q = \alpha + \sum_{i: y_i = 0} x_i$
#   count in how many positive and negative sentences each feature occurs ($\alpha = 1$
#   smooths the counts). A feature that appears mostly in positive sentences gets a large
#   positive $r$. A linear classifier on the scaled features follows; Wang and Manning use
#   an SVM, we use logistic regression (often called NB-LR), which gives probabilities.
#
# Both use the same binary word and bigram counts. The log-count ratio needs the labels, so
# it must be fitted on the training part only; a scikit-learn transformer in a pipeline
# guarantees that. {class}`seqlib.text.NBScaler` is that transformer.

# %%
def counts():
    """Binary word and bigram features; the sentences are tokenised: split on whitespace."""
    return CountVectorizer(
        binary=True,
        tokenizer=str.split,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, 2),
    )


def logreg(C=1.0):
    return LogisticRegression(C=C, solver="liblinear", random_state=0)


baselines = {
    "majority": DummyClassifier(strategy="most_frequent"),
    "tfidf_logreg": make_pipeline(counts(), TfidfTransformer(), logreg()),
    "nbsvm": make_pipeline(counts(), NBScaler(), logreg()),
}
# Choose C on validation. The features do not depend on C: compute them once.
vectorizer = counts().fit(texts[train_ix])
B_train, B_val = vectorizer.transform(texts[train_ix]), vectorizer.transform(texts[val_ix])
Cs = [0.1, 1.0, 10.0, 100.0]
search = pd.DataFrame(index=pd.Index(Cs, name="C"))
for name in ["tfidf_logreg", "nbsvm"]:
    weighting = clone(baselines[name][1]).fit(B_train, y_train)
    F_train, F_val = weighting.transform(B_train), weighting.transform(B_val)
    search[name] = [logreg(C).fit(F_train, y_train).score(F_val, y_val) for C in Cs]
    baselines[name].set_params(logisticregression__C=search[name].idxmax())
print("validation accuracy by regularisation strength C:")
print(search.round(3))
for model in baselines.values():
    model.fit(texts[train_ix], y_train)
val_scores = {name: model.score(texts[val_ix], y_val) for name, model in baselines.items()}
print({name: round(score, 3) for name, score in val_scores.items()})

# %% [markdown]
# Now the 10-fold cross-validation of the three baselines on all 10,662 sentences, with C
# fixed to the value chosen above (the folds are stratified and shuffled with a fixed
# seed). `cross_val_score(baselines["nbsvm"], texts, labels, cv=folds)` would do it in one
# line; the loop below gives the same numbers in half the time, because it counts the
# words and bigrams of each fold once for both models (on the fold's training part only).
# Choosing C on a split that is part of the cross-validation data could make these
# numbers slightly optimistic; {numref}`ex-text-nested` checks.

# %%
folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
cv_scores = {name: [] for name in baselines}
for fit_ix, score_ix in folds.split(texts, labels):
    vectorizer = counts().fit(texts[fit_ix])
    B_fit, B_score = (
        vectorizer.transform(texts[fit_ix]),
        vectorizer.transform(texts[score_ix]),
    )
    for name, model in baselines.items():
        after_counts = clone(model if name == "majority" else model[1:])
        after_counts.fit(B_fit, labels[fit_ix])
        cv_scores[name].append(after_counts.score(B_score, labels[score_ix]))
cv_scores = {name: np.array(scores) for name, scores in cv_scores.items()}
for name, scores in cv_scores.items():
    print(f"{name:13s} 10-fold accuracy {scores.mean():.3f} ± {scores.std():.3f}")
    glue(f"cv_{name}", f"{100 * scores.mean():.1f}")

# %% [markdown]
# NB-SVM reaches {glue:text}`cv_nbsvm` % under 10-fold cross-validation, close to the 79.4 %
# Kim {cite}`kim2014convolutional` reports for it; TF-IDF with logistic regression reaches
# {glue:text}`cv_tfidf_logreg` %. These are the numbers a recurrent network has to beat.
#
# ## From words to ids, for the recurrent networks
#
# A recurrent network needs each sentence as a sequence of integer ids, which an
# embedding layer turns into vectors. The vocabulary is built from the **training split
# only**: a word that appears only in validation or test sentences must be as unknown to
# the model as a word in a future review. Two ids are reserved: 0 for padding and 1 for
# unknown words. We keep the words seen at least twice in training; words seen once become
# "unknown" too, so the model *learns* what to do with an unknown word instead of meeting
# the id 1 for the first time at test time. {func}`seqlib.text.build_vocabulary` and
# {func}`seqlib.text.encode` do both steps; an empty sentence becomes an empty sequence,
# which {func}`seqlib.data.pad_sequences` pads to a row of padding of length 0.

# %% tags=["nbval-check-output"]
vocabulary = build_vocabulary(texts[train_ix], min_count=2)
vocab_size = len(vocabulary) + 2  # with PAD and UNKNOWN
X_ids, X_lengths = data.pad_sequences(encode(texts, vocabulary))  # padded at the end
print("vocabulary size (with padding and unknown):", vocab_size)
print("ids:", X_ids.shape, "lengths:", X_lengths.shape)
print("first training sentence:", X_ids[train_ix[0], : X_lengths[train_ix[0]]])
for name, ix in [("train", train_ix), ("validation", val_ix)]:
    unknown = np.mean(np.concatenate([X_ids[k, : X_lengths[k]] for k in ix]) == UNKNOWN)
    print(f"share of unknown words in {name}: {unknown:.3f}")

# %% [markdown]
# Keras does the same with its `TextVectorization` layer. `standardize=None` and
# `split="whitespace"` keep the tokens as they are, `adapt` builds the vocabulary from the
# training sentences, and `max_tokens` keeps the most frequent words; with the same size as
# ours it keeps the same words. The ids of words with equal counts come out in a different
# order, which does not matter.

# %% tags=["nbval-check-output"]
vectorize = keras.layers.TextVectorization(
    max_tokens=vocab_size, standardize=None, split="whitespace"
)
vectorize.adapt(list(texts[train_ix]))
keras_words = vectorize.get_vocabulary()
print("Keras:", [str(w) for w in keras_words[:6]], "...")
print(
    "same words as ours:",
    keras_words[:2] == ["", "[UNK]"] and set(keras_words[2:]) == set(vocabulary),
)


# %% [markdown]
# ## Recurrent classifiers in PyTorch
#
# {func}`seqlib.torch_models.classifier` stacks an embedding, a recurrent layer, a pooling
# step and a linear layer that returns two logits. Given the true lengths, it *packs* the
# padded batch (`pack_padded_sequence`), so the recurrent layer stops at each sentence's
# last real word and padding never reaches it. The pooling turns the states into one
# vector per sentence: `"last"` takes the final state (for a bidirectional layer, the
# forward direction's last state and the backward direction's first), `"max"` takes the
# largest value of each unit over the sentence's real steps.
#
# One detail differs between the frameworks and matters here: PyTorch's `nn.Embedding`
# starts from vectors drawn from $N(0, 1)$, Keras' `Embedding` from $U(-0.05, 0.05)$. With
# so little data the large random vectors train more slowly and end worse (try it in
# {numref}`ex-text-init`), so `seqlib`'s classifier starts its PyTorch embedding like
# Keras.
#
# Every model is trained with Adam (learning rate 0.005, batches of 64 sentences, both
# fixed) on the training split, and stops when the validation loss has not improved for
# one epoch, keeping the weights of its best epoch: these small models overfit 8,528
# sentences within two or three epochs.

# %%
def train_torch(
    cell,
    *,
    bidirectional=False,
    pooling="last",
    use_lengths=True,
    embedding_dim=32,
    hidden=32,
    dropout=0.5,
    seed=0,
):
    """Train a PyTorch classifier on the training split; return it and its history."""
    set_seed(seed)
    model = torch_models.classifier(
        2,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        cell=cell,
        hidden=hidden,
        bidirectional=bidirectional,
        dropout=dropout,
        pooling=pooling,
    )
    model.use_lengths = use_lengths
    history = train.fit(
        model,
        (*torch_inputs(model, train_ix), y_train),
        (*torch_inputs(model, val_ix), y_val),
        epochs=6,
        lr=5e-3,
        batch_size=64,
        loss="cross_entropy",
        patience=1,
        seed=seed,
        progress=False,
    )
    return model, history


def torch_inputs(model, ix, ids=None):
    """The model's inputs for the sentences ix: padded ids (and lengths, if it packs)."""
    ids = X_ids if ids is None else ids
    return (ids[ix], X_lengths[ix]) if model.use_lengths else (ids[ix],)


def torch_proba(model, ix, ids=None):
    """P(positive) for the sentences ix, shape (len(ix),)."""
    return softmax(train.predict(model, *torch_inputs(model, ix, ids)), axis=1)[:, 1]


def summary(name, history, proba):
    accuracy = np.mean((proba > 0.5) == y_val)
    print(
        f"{name:18s} validation accuracy {accuracy:.3f}  (best epoch "
        f"{history.best_epoch + 1} of {history.epochs}, {history.seconds:.0f} s)"
    )
    return accuracy


# %% [markdown]
# First a small search, on the GRU, for the size of the embeddings and of the hidden state
# and for the dropout before the output layer; the number of epochs is chosen by early
# stopping. The configuration with the best validation accuracy is used for every other
# model.

# %%
torch_models_, val_proba, histories = {}, {}, {}
configurations = [
    dict(embedding_dim=32, hidden=32, dropout=0.5),
    dict(embedding_dim=64, hidden=64, dropout=0.5),
    dict(embedding_dim=32, hidden=32, dropout=0.2),
]
search_rows = []
for config in configurations:
    model, history = train_torch("gru", **config)
    proba = torch_proba(model, val_ix)
    accuracy = summary(
        f"GRU {config['embedding_dim']}/{config['hidden']}/{config['dropout']}",
        history,
        proba,
    )
    search_rows.append((config, accuracy, model, history, proba))
best_config, _, *best_gru = max(search_rows, key=lambda row: row[1])
torch_models_["gru_torch"], histories["gru_torch"], val_proba["gru_torch"] = best_gru
print("chosen:", best_config)

# %%
torch_runs = {
    "lstm_torch": dict(cell="lstm"),
    "bilstm_torch": dict(cell="lstm", bidirectional=True),
    "bilstm_max_torch": dict(cell="lstm", bidirectional=True, pooling="max"),
}
for name, kwargs in torch_runs.items():
    model, history = train_torch(**kwargs, **best_config)
    torch_models_[name], histories[name] = model, history
    val_proba[name] = torch_proba(model, val_ix)
    summary(name, history, val_proba[name])

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
for ax, name in zip(axes, ["lstm_torch", "bilstm_max_torch"], strict=True):
    plots.training_curves(
        histories[name],
        ax=ax,
        ylabel="cross-entropy loss",
        title=f"{name}: the best epoch comes early",
    )
fig.tight_layout()

# %% [markdown]
# ## Masking matters
#
# What if we forget the lengths? Every sentence is padded at the end to the longest one
# ({glue:text}`max_len` words), so a typical sentence of 20 words is followed by about 40
# padding steps. Without lengths the LSTM reads them all, and its last state is the state
# after the padding. Here is the same LSTM trained and evaluated without lengths:

# %%
glue("max_len", str(X_ids.shape[1]))
unmasked, history = train_torch("lstm", use_lengths=False, **best_config)
unmasked_accuracy = summary("lstm, no lengths", history, torch_proba(unmasked, val_ix))
masked_accuracy = np.mean((val_proba["lstm_torch"] > 0.5) == y_val)
glue("unmasked_acc", f"{100 * unmasked_accuracy:.1f}")
glue("masked_acc", f"{100 * masked_accuracy:.1f}")

# %% [markdown]
# The LSTM that reads the padding is at {glue:text}`unmasked_acc` % on validation, chance
# level, against {glue:text}`masked_acc` % for the same model given the lengths. It learns
# nothing because the gradient from the loss must travel back across some forty padding
# steps before it reaches a word, and at initialisation it vanishes on the way, as
# {ref}`ch-sequences` measured. Padding at the *start*, as the article's `pad_sequences`
# does, hurts less, but the amount of padding still changes the result. With packing it
# cannot. The next cell takes the LSTM trained with lengths and (1) pads the validation
# sentences with 100 more zeros, (2) evaluates it without the lengths, so that it reads
# padding it never saw in training:

# %%
extra_padding = np.pad(X_ids, ((0, 0), (0, 100)), constant_values=PAD)  # 100 more
packed = torch_models_["lstm_torch"]
packed_change = np.abs(torch_proba(packed, val_ix, extra_padding) - val_proba["lstm_torch"])
print(
    f"with 100 more padding steps, largest change in P(positive): {packed_change.max():.1e}"
)
padding_read = softmax(train.predict(packed, X_ids[val_ix]), axis=1)[:, 1]
padding_read_accuracy = np.mean((padding_read > 0.5) == y_val)
padding_read_change = np.abs(padding_read - val_proba["lstm_torch"])
flipped = np.mean((padding_read > 0.5) != (val_proba["lstm_torch"] > 0.5))
print(
    f"reading the padding instead: {100 * flipped:.1f} % of the decisions change; "
    f"validation accuracy {padding_read_accuracy:.3f}"
)
glue("padding_read_acc", f"{100 * padding_read_accuracy:.1f}")
glue("padding_read_flipped", f"{100 * flipped:.1f}")


# %% [markdown]
# Extra padding changes nothing at all. Reading the padding does change the predictions
# ({glue:text}`padding_read_flipped` % of the decisions flip), but this model keeps an
# accuracy of {glue:text}`padding_read_acc` %: forty steps of the same zero input seldom
# carry its trained state across the decision boundary. So the damage that padding does is
# in *training*, where it blocks the gradient; whether a trained model survives padding it
# never saw is a matter of luck, and packing removes the question.
#
# Keras does the same with a **mask**: `Embedding(mask_zero=True)` (which
# {func}`seqlib.keras_models.classifier` uses) marks id 0 as padding, and the recurrent
# layers carry their state unchanged across masked steps.
#
# ## The same models in Keras
#
# The Keras models take their ids from the `TextVectorization` layer built above. A masked
# step is still computed by Keras (and then ignored), so time grows with the padded length.
# To avoid computing forty padding steps per sentence, the training batches are made of
# sentences of similar length: `tf.data`'s `bucket_by_sequence_length` groups them, and
# pads each batch only to its own longest sentence.

# %%
def keras_batches(ix, seed, batch_size=64):
    ds = tf.data.Dataset.from_tensor_slices((list(texts[ix]), labels[ix]))
    ds = ds.shuffle(len(ix), seed=seed).map(lambda text, y: (vectorize(text), y))
    return ds.bucket_by_sequence_length(
        lambda ids, y: tf.shape(ids)[0],
        bucket_boundaries=[10, 20, 30, 40],
        bucket_batch_sizes=[batch_size] * 5,
    )


def keras_ids(ix):
    return vectorize(tf.constant(list(texts[ix]))).numpy()  # padded to the longest


def train_keras(
    cell,
    *,
    bidirectional=False,
    pooling="last",
    embedding_dim=32,
    hidden=32,
    dropout=0.5,
    seed=0,
):
    set_seed(seed)
    model = keras_models.classifier(
        2,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        cell=cell,
        hidden=hidden,
        bidirectional=bidirectional,
        dropout=dropout,
        pooling=pooling,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(5e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    stop = keras.callbacks.EarlyStopping(patience=1, restore_best_weights=True)
    started = time.perf_counter()
    with warnings.catch_warnings():  # Keras learns the number of batches in the first epoch
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        history = model.fit(
            keras_batches(train_ix, seed),
            validation_data=(X_val_keras, y_val),
            epochs=6,
            callbacks=[stop],
            shuffle=False,
            verbose=0,
        )
    history.seconds = time.perf_counter() - started
    return model, history


def keras_proba(model, ids):
    """P(positive) for padded ids (n, time), shape (n,)."""
    return softmax(keras.ops.convert_to_numpy(model(ids, training=False)), axis=1)[:, 1]


X_val_keras = keras_ids(val_ix)
keras_runs = {
    "lstm_keras": dict(cell="lstm"),
    "gru_keras": dict(cell="gru"),
    "bilstm_keras": dict(cell="lstm", bidirectional=True),
}
keras_models_ = {}
for name, kwargs in keras_runs.items():
    model, history = train_keras(**kwargs, **best_config)
    keras_models_[name] = model
    val_proba[name] = keras_proba(model, X_val_keras)
    losses = history.history["val_loss"]
    accuracy = np.mean((val_proba[name] > 0.5) == y_val)
    print(
        f"{name:18s} validation accuracy {accuracy:.3f}  (best epoch "
        f"{int(np.argmin(losses)) + 1} of {len(losses)}, {history.seconds:.0f} s)"
    )

# %% [markdown]
# ## Comparing on the validation split
#
# Seven recurrent models, three baselines. One more model costs nothing: the average of
# the recurrent models' probabilities (an *ensemble*), our attempt at the stretch goal of
# matching NB-SVM without pretrained word vectors.

# %%
rnn_names = list(val_proba)
val_proba["rnn_ensemble"] = np.mean([val_proba[name] for name in rnn_names], axis=0)
for name in rnn_names + ["rnn_ensemble"]:
    val_scores[name] = np.mean((val_proba[name] > 0.5) == y_val)
val_table = pd.Series(val_scores, name="validation accuracy")
print(val_table.round(3).to_string())
best_rnn = max(rnn_names, key=val_scores.get)
print("best single recurrent model on validation:", best_rnn)
glue("best_rnn", best_rnn)
glue("best_rnn_val", f"{100 * val_scores[best_rnn]:.1f}")
glue("nbsvm_val", f"{100 * val_scores['nbsvm']:.1f}")
glue("ensemble_val", f"{100 * val_scores['rnn_ensemble']:.1f}")

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(8, 4))
order = val_table.drop("majority").sort_values()
for k, (name, accuracy) in enumerate(order.items()):
    colour = "tab:gray" if name in baselines else "tab:blue"
    ax.errorbar(100 * accuracy, k, xerr=standard_error, fmt="o", color=colour, capsize=3)
ax.set_yticks(range(len(order)), order.index)
ax.set(
    xlabel="validation accuracy (%), with ± 1 standard error",
    ylabel="model",
    title="rt-polarity validation split (grey: linear baselines; majority class: 50 %)",
)
ax.grid(axis="x", alpha=0.3)
fig.tight_layout()

# %% [markdown]
# The best single recurrent model, {glue:text}`best_rnn`, reaches
# {glue:text}`best_rnn_val` % on validation; NB-SVM reaches {glue:text}`nbsvm_val` % and
# the ensemble of the seven recurrent models {glue:text}`ensemble_val` %.
#
# ## The test split, once
#
# Every choice is made. The test sentences are now encoded with the training vocabulary
# and every model is scored on them, once.

# %%
X_test_keras = keras_ids(test_ix)
test_proba = {name: torch_proba(m, test_ix) for name, m in torch_models_.items()}
test_proba |= {name: keras_proba(m, X_test_keras) for name, m in keras_models_.items()}
test_proba["rnn_ensemble"] = np.mean([test_proba[name] for name in rnn_names], axis=0)
test_scores = {name: m.score(texts[test_ix], y_test) for name, m in baselines.items()}
test_scores |= {name: np.mean((p > 0.5) == y_test) for name, p in test_proba.items()}
table = pd.DataFrame({"validation": val_scores, "test": test_scores}).loc[list(val_scores)]
print((100 * table).round(1).to_string())
for name in ["nbsvm", "tfidf_logreg", "rnn_ensemble"]:
    glue(f"test_{name}", f"{100 * test_scores[name]:.1f}")
glue("test_best_rnn", f"{100 * test_scores[best_rnn]:.1f}")
glue("test_rnn_low", f"{100 * min(test_scores[n] for n in rnn_names):.1f}")
glue("test_rnn_high", f"{100 * max(test_scores[n] for n in rnn_names):.1f}")
for split, scores in [("val", val_scores), ("test", test_scores)]:
    lead = 100 * (scores["rnn_ensemble"] - scores["nbsvm"])
    side = "ahead of" if lead > 0 else "behind"
    glue(f"ensemble_vs_nbsvm_{split}", f"{side} NB-SVM by {abs(lead):.1f} points")

# %% [markdown]
# Set beside the published table, our numbers look like this (Kim's are 10-fold
# cross-validation accuracies on the same 10,662 sentences; ours are 10-fold for the
# baselines and the single test split, with its standard error of about
# {glue:text}`val_se` points, for the recurrent models):

# %%
kim_2014 = {
    "CNN-rand (random word vectors)": 76.1,
    "CNN-static (word2vec)": 81.0,
    "CNN-non-static (word2vec, fine-tuned)": 81.5,
    "CNN-multichannel": 81.1,
    "RAE": 77.7,
    "MV-RNN": 79.0,
    "CCAE": 77.8,
    "Sent-Parser": 79.5,
    "NBSVM": 79.4,
    "MNB": 79.0,
    "G-Dropout": 79.0,
    "F-Dropout": 79.1,
    "Tree-CRF": 77.3,
}
ours = {
    "majority (10-fold)": 100 * cv_scores["majority"].mean(),
    "TF-IDF + LR (10-fold)": 100 * cv_scores["tfidf_logreg"].mean(),
    "NB-SVM (10-fold)": 100 * cv_scores["nbsvm"].mean(),
}
ours |= {
    f"{name} (test split)": 100 * test_scores[name] for name in rnn_names + ["rnn_ensemble"]
}
rows = max(len(kim_2014), len(ours))
comparison = pd.DataFrame(
    {
        "Kim (2014), Table 2": list(kim_2014) + [""] * (rows - len(kim_2014)),
        "MR accuracy (%)": [f"{v:.1f}" for v in kim_2014.values()]
        + [""] * (rows - len(kim_2014)),
        "this chapter": list(ours) + [""] * (rows - len(ours)),
        "accuracy (%)": [f"{v:.1f}" for v in ours.values()] + [""] * (rows - len(ours)),
    }
)
print(comparison.to_string(index=False))

# %% tags=["remove-cell"]
# Claims made in the prose, checked with margins.
assert test_scores[best_rnn] >= 0.745, (
    test_scores
)  # the target: 75 % (Kim's CNN-rand: 76.1)
assert test_scores["nbsvm"] > test_scores[best_rnn] - 0.015  # NB-SVM wins or ties
assert val_scores["nbsvm"] > val_scores["rnn_ensemble"]
assert abs(test_scores["nbsvm"] - test_scores["rnn_ensemble"]) < 0.015
# The ensemble: the two splits disagree, each gap one to two standard errors.
assert test_scores["rnn_ensemble"] > test_scores["nbsvm"]
for scores in (val_scores, test_scores):
    assert 1 <= 100 * abs(scores["rnn_ensemble"] - scores["nbsvm"]) / standard_error <= 2
assert unmasked_accuracy < 0.6 and masked_accuracy > unmasked_accuracy + 0.1
assert packed_change.max() < 1e-5 and padding_read_change.max() > 0.01
assert cv_scores["nbsvm"].mean() > 0.77 and cv_scores["tfidf_logreg"].mean() > 0.75
assert val_scores["nbsvm"] > val_scores["tfidf_logreg"] - 0.01
assert test_scores["nbsvm"] > test_scores["majority"] + 0.2

# %% [markdown]
# ## Why the linear models are hard to beat here
#
# The recurrent model chosen on validation, {glue:text}`best_rnn`, scores
# {glue:text}`test_best_rnn` % on the test split, in line with Kim's CNN with random word
# vectors (76.1 %); the seven recurrent models range from {glue:text}`test_rnn_low` to
# {glue:text}`test_rnn_high` %. NB-SVM scores {glue:text}`test_nbsvm` % on the same
# sentences. That the linear model wins, or ties, is the normal result on this dataset,
# not a failure of the recurrent networks:
#
# * **Little data.** 8,528 training sentences of about 20 words is small for a model that
#   must learn a vector for each of 9,000 words *and* how to combine them; most words are
#   seen a handful of times. The linear models learn one weight per word or bigram and
#   nothing else.
# * **No pretrained word vectors.** Kim's CNN gains five points (76.1 → 81.0) by starting
#   from word2vec vectors trained on 100 billion words, which know that "superb" and
#   "excellent" are alike before seeing a single review. Our embeddings start at random.
# * **Short phrases carry most of the signal.** "not good", "well worth", "too long":
#   sentiment in one-sentence reviews is mostly local, and a bigram feature captures it
#   directly. The sequence modelling a recurrent layer offers has little left to add.
#
# Recurrent models pull ahead with more text (the 50,000 IMDB reviews, or millions of
# product reviews), with longer documents where word order across clauses matters, and
# with pretrained embeddings or language models.
#
# Can a recurrent model match NB-SVM here without pretrained vectors? Averaging the seven
# models' probabilities scores {glue:text}`ensemble_val` % on validation and
# {glue:text}`test_rnn_ensemble` % on test, against NB-SVM's {glue:text}`nbsvm_val` % and
# {glue:text}`test_nbsvm` %: {glue:text}`ensemble_vs_nbsvm_val` on validation and
# {glue:text}`ensemble_vs_nbsvm_test` on test. The two splits disagree, and each gap is
# one to two standard errors ({glue:text}`val_se` points), so we cannot claim a match
# either way, and the ensemble costs seven trainings.
# {numref}`ex-text-bigrams` tries to give the recurrent model NB-SVM's bigrams.
#
# ## Other reviews, no retraining
#
# How well do the models travel? The UCI sentiment-labelled sentences
# {cite}`kotzias2015group` are 1,000 sentences each from Amazon product reviews, IMDB
# movie reviews and Yelp restaurant reviews, half positive. They are raw text, so we
# lower-case them and split off punctuation the way the movie-review sentences were
# prepared, then apply the models trained on rt-polarity as they are.

# %%
uci = datasets.load("sentiment-labelled-sentences")
uci_texts = np.array([tokenise(t) for t in uci.text], dtype=object)
uci_y = uci.label.to_numpy()
uci_ids, uci_lengths = data.pad_sequences(encode(uci_texts, vocabulary))
uci_keras_ids = vectorize(tf.constant(list(uci_texts))).numpy()
print("example:", uci.text[0], "->", uci_texts[0])

uci_proba = {}
for name, model in torch_models_.items():
    inputs = (uci_ids, uci_lengths) if model.use_lengths else (uci_ids,)
    uci_proba[name] = softmax(train.predict(model, *inputs), axis=1)[:, 1]
for name, model in keras_models_.items():
    uci_proba[name] = keras_proba(model, uci_keras_ids)
uci_proba["rnn_ensemble"] = np.mean([uci_proba[name] for name in rnn_names], axis=0)
for name, model in baselines.items():
    uci_proba[name] = model.predict_proba(uci_texts)[:, 1]

uci_correct = pd.DataFrame({name: (p > 0.5) == uci_y for name, p in uci_proba.items()})
unknown_share = [
    np.mean(ids[:n] == UNKNOWN) for ids, n in zip(uci_ids, uci_lengths, strict=True)
]
uci_correct["share of unknown words"] = unknown_share
uci_table = uci_correct.groupby(uci.source).mean()
uci_table.loc["all"] = uci_correct.mean()
uci_table = uci_table[["share of unknown words", *baselines, *rnn_names, "rnn_ensemble"]]
(100 * uci_table.T).round(1)

# %% [markdown]
# The most frequent of the words that the rt-polarity vocabulary does not know:

# %% tags=["nbval-check-output"]
for source in ["amazon", "imdb", "yelp"]:
    in_source = (uci.source == source).to_numpy()
    unknown_words = collections.Counter(
        w
        for t in uci_texts[in_source]
        for w in t.split()
        if w not in vocabulary and w.isalpha()
    )
    print(f"{source:6s}", ", ".join(w for w, _ in unknown_words.most_common(8)))

# %% [markdown]
# How much does the change of domain cost? One way to see it: train the same TF-IDF model
# on sentences of each source itself, 900 at a time (10-fold cross-validation within each
# source of 1,000 sentences), and compare with the model trained on 8,528 movie sentences.

# %%
in_domain = {}
for source in ["amazon", "imdb", "yelp"]:
    in_source = (uci.source == source).to_numpy()
    scores = cross_val_score(
        clone(baselines["tfidf_logreg"]), uci_texts[in_source], uci_y[in_source], cv=folds
    )
    in_domain[source] = scores.mean()
domain = pd.DataFrame(
    {
        "TF-IDF from rt-polarity": uci_table["tfidf_logreg"].drop("all"),
        "TF-IDF in-domain (10-fold)": pd.Series(in_domain),
    }
)
print((100 * domain).round(1))
for source in ["amazon", "imdb", "yelp"]:
    glue(
        f"uci_unknown_{source}",
        f"{100 * uci_table.loc[source, 'share of unknown words']:.0f}",
    )
    glue(f"uci_tfidf_{source}", f"{100 * uci_table.loc[source, 'tfidf_logreg']:.1f}")
    glue(f"uci_ensemble_{source}", f"{100 * uci_table.loc[source, 'rnn_ensemble']:.1f}")
    glue(f"uci_in_domain_{source}", f"{100 * in_domain[source]:.1f}")

# %% tags=["remove-cell"]
for name in uci_proba:
    if name != "majority":
        assert uci_table.loc["imdb", name] > uci_table.loc[["amazon", "yelp"], name].max()
unknown = uci_table["share of unknown words"]
assert unknown["imdb"] < min(unknown["amazon"], unknown["yelp"]) - 0.02
for source in ["amazon", "yelp"]:
    assert in_domain[source] > uci_table.loc[source, "tfidf_logreg"] + 0.05
assert abs(in_domain["imdb"] - uci_table.loc["imdb", "tfidf_logreg"]) < 0.04

# %% [markdown]
# The movie sentences from IMDB are the closest to the training data and every model
# classifies them best. Products and restaurants bring their own words (printed above:
# headsets, batteries, chargers; restaurants, staff, menus and dishes):
# {glue:text}`uci_unknown_amazon` % of the Amazon words and {glue:text}`uci_unknown_yelp` %
# of the Yelp words are unknown to the vocabulary, against {glue:text}`uci_unknown_imdb` %
# for IMDB. The style differs too: the UCI sentences are short, plain customer statements
# ("Works great!", "Service was very prompt.", "Would not go back."), while rt-polarity's
# are critics' sentences, often ironic. What transfers is the general sentiment vocabulary
# ("great", "bad", "waste", "love"), which the TF-IDF baseline and the recurrent models
# both learned: on Yelp, TF-IDF reaches {glue:text}`uci_tfidf_yelp` % and the ensemble of
# recurrent models {glue:text}`uci_ensemble_yelp` %, well above chance. But the same
# TF-IDF model trained on only 900 restaurant sentences reaches
# {glue:text}`uci_in_domain_yelp` % (and {glue:text}`uci_in_domain_amazon` % on Amazon,
# against {glue:text}`uci_tfidf_amazon` % from movies), while on IMDB the movie-trained
# model is as good as the in-domain one ({glue:text}`uci_tfidf_imdb` % against
# {glue:text}`uci_in_domain_imdb` %). Nine hundred sentences of the right kind are worth
# more than eight thousand of the wrong kind; neither the linear models nor the recurrent
# ones escape that.
#
# ## Results
#
# The final test accuracies on rt-polarity, and the transfer accuracies on all 3,000 UCI
# sentences (with each source separately):

# %% tags=["results"]
results("rt-polarity", "accuracy", "test", test_scores)
results(
    "sentiment-labelled-sentences",
    "accuracy",
    "all",
    {name: uci_table.loc["all", name] for name in uci_proba},
    **{
        source: {name: uci_table.loc[source, name] for name in uci_proba}
        for source in ["amazon", "imdb", "yelp"]
    },
)

# %% [markdown]
# ## What the article got wrong
#
# ```{list-table}
# :header-rows: 1
# :widths: 40 60
#
# * - The article (§6, text classification)
#   - What the code above shows
# * - `from tensorflow.keras.preprocessing.text import Tokenizer`
#   - A Keras 2 class: `keras.preprocessing.text` does not exist in Keras 3, and the
#     `tensorflow.keras` path only works through TensorFlow's legacy copy. Use
#     `keras.layers.TextVectorization`.
# * - Padded token ids go into `LSTM(units=50, input_shape=(10, 1))`.
#   - Ids are labels, not magnitudes ("terrible" = 11 is not 1.1 × "amazing" = 10). An
#     embedding layer must map each id to a learned vector.
# * - Four training sentences, 20 epochs, then predictions for two new sentences.
#   - The model does not even fit its four sentences; its predictions are coin flips, and
#     "good" and "hate" are silently dropped as unknown words. Real data, a validation
#     split and a test split are needed: 10,662 sentences above.
# * - `model.fit(padded_sequences, labels, epochs=20)` with `labels` a list.
#   - Keras 3 rejects it (`ValueError`); pass an array. `Sequential`, `LSTM` and `Dense`
#     are also never imported.
# * - Zero padding is fed to the LSTM as if it were words.
#   - Without masking or packing, an LSTM reading end-padded sentences is at chance
#     level; with packing, the amount of padding has no effect at all.
# * - LSTM and GRU capture context, so they classify text well.
#   - On 10k short sentences a linear model on word and bigram features (NB-SVM) is as
#     good as or better than small LSTMs and GRUs; always compare with it.
# ```
#
# The appendix {ref}`app-errata` lists every correction in the book.
#
# ## Exercises
#
# ````{exercise}
# :label: ex-text-nested
#
# The 10-fold numbers above use a C chosen on our validation split, which overlaps the
# cross-validation folds. Run a *nested* cross-validation for NB-SVM: inside each of the
# 10 training folds, choose C by an inner 3-fold cross-validation. How much does the
# accuracy change?
# ````
#
# ````{solution} ex-text-nested
# :class: dropdown
#
# `GridSearchCV` does the inner loop; `cross_val_score` the outer one:
#
# ```python
# from sklearn.model_selection import GridSearchCV, cross_val_score
#
# inner = GridSearchCV(baselines["nbsvm"], {"logisticregression__C": Cs}, cv=3)
# nested = cross_val_score(inner, texts, labels, cv=folds)
# print(nested.mean(), cv_scores["nbsvm"].mean())
# ```
#
# In our run the two estimates differ by a few tenths of a point, well inside the spread
# between folds: NB-SVM is not sensitive to C over this range (see the search table), so
# there was little to overfit. With a model that has many hyper-parameters, choosing them
# on data that is also used to score the model can flatter it much more.
# ````
#
# ````{exercise}
# :label: ex-text-init
#
# Train the PyTorch GRU again with its embedding left at PyTorch's default initialisation
# ($N(0, 1)$) instead of $U(-0.05, 0.05)$. Compare the validation accuracy and the number
# of epochs to the best validation loss.
# ````
#
# ````{solution} ex-text-init
# :class: dropdown
#
# Build the model as `train_torch` does, then redraw its word vectors from $N(0, 1)$
# before training:
#
# ```python
# import torch
#
# set_seed(0)
# model = torch_models.classifier(2, vocab_size=vocab_size, cell="gru", **best_config)
# with torch.no_grad():
#     model.embedding.weight.normal_()  # PyTorch's default start
#     model.embedding.weight[PAD] = 0.0
# model.use_lengths = True
# history = train.fit(model, (*torch_inputs(model, train_ix), y_train),
#                     (*torch_inputs(model, val_ix), y_val), epochs=6, lr=5e-3,
#                     batch_size=64, loss="cross_entropy", patience=1, progress=False)
# print(np.mean((torch_proba(model, val_ix) > 0.5) == y_val), history.val_loss)
# ```
#
# In our run the validation loss starts higher and stays higher, and the accuracy ends
# several points lower. With $N(0, 1)$ vectors of 32 numbers, each word's vector has a
# length of about $\sqrt{32} \approx 5.7$, so the recurrent layer's gates are pushed
# towards saturation from the first step and the rare words, whose vectors are updated
# only a few times, stay large random vectors.
# ````
#
# ````{exercise}
# :label: ex-text-bigrams
#
# NB-SVM's strength is bigrams. Give the recurrent model bigrams too: add to every
# sentence the tokens `w1_w2` for each pair of neighbouring words (after the words, or
# interleaved), rebuild the vocabulary, and retrain the BiLSTM with max-pooling. Does it
# close the gap to NB-SVM on validation?
# ````
#
# ````{solution} ex-text-bigrams
# :class: dropdown
#
# ```python
# def with_bigrams(s):
#     w = s.split()
#     return " ".join(w + [a + "_" + b for a, b in zip(w, w[1:])])
#
# texts_bi = np.array([with_bigrams(s) for s in texts], dtype=object)
# vocabulary = build_vocabulary(texts_bi[train_ix])
# vocab_size = len(vocabulary) + 2
# X_ids, X_lengths = data.pad_sequences(encode(texts_bi, vocabulary))
# model, history = train_torch("lstm", bidirectional=True, pooling="max", **best_config)
# print(np.mean((torch_proba(model, val_ix) > 0.5) == y_val))
# ```
#
# The sentences are twice as long and the vocabulary about three times as large, so
# training takes about twice as long, and in our run the validation accuracy moved by
# less than a point, well inside the noise. The recurrent layer already sees neighbouring
# words together. What NB-SVM has and the recurrent model lacks is not bigrams as such but
# a strong prior (one weight per feature, scaled by how one-sided its counts are) that
# suits 8,000 sentences.
# ````
