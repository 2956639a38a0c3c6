"""Text into model inputs: tokens, a vocabulary, token ids, and NB-SVM's feature scaling.

NumPy and scikit-learn only: no deep-learning framework is imported here.

The ids follow one convention, shared with :func:`seqlib.data.pad_sequences`
and the classifiers of :mod:`seqlib.torch_models` and :mod:`seqlib.keras_models`:
:data:`PAD` (0) is padding, :data:`UNKNOWN` (1) stands for every word the
vocabulary does not hold, and the known words are 2, 3, ... in order of
decreasing frequency. A model's ``vocab_size`` is then ``len(vocabulary) + 2``.

An empty text (or one whose tokens are all dropped) encodes to an empty id
array; :func:`seqlib.data.pad_sequences` pads it to a row of :data:`PAD` with
length 0, and the PyTorch classifier reads one padding step for it, so it
still gets an answer (from no evidence at all).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._checks import positive_int

__all__ = ["PAD", "UNKNOWN", "tokenise", "build_vocabulary", "encode", "NBScaler"]

#: The id of padding.
PAD = 0
#: The id of every word the vocabulary does not hold.
UNKNOWN = 1

# A word is a run of letters, digits, apostrophes, slashes and hyphens (letters
# of any script); any other character that is not a space is a token of its own.
_TOKEN = re.compile(r"[\w'/-]+|[^\w\s]")


def _texts(name: str, texts) -> list[str]:
    if isinstance(texts, str):
        raise ValueError(f"{name} must be a sequence of texts, not one text; got {texts!r}")
    texts = list(texts)
    for k, t in enumerate(texts):
        if not isinstance(t, str):
            raise ValueError(f"{name}[{k}] must be a str; got {type(t).__name__} {t!r}")
    return texts


def tokenise(text: str) -> str:
    """Lower-case a text and separate punctuation from words, as rt-polarity's files are.

    Words keep their apostrophes, slashes and hyphens (``"don't"``,
    ``"well-made"``); every other punctuation mark or symbol (an emoji, say)
    becomes a token of its own. Letters of any script count as letters, so
    ``"Café"`` becomes ``"café"``; a script written without spaces (Chinese,
    Japanese) stays one token per run of characters.

    Args:
        text: any text.

    Returns:
        The tokens joined by single spaces (``""`` for a text with none), ready
        for ``str.split`` and for :func:`build_vocabulary` and :func:`encode`.

    Raises:
        ValueError: if ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str; got {type(text).__name__} {text!r}")
    return " ".join(_TOKEN.findall(text.lower()))


def build_vocabulary(sentences: Iterable[str], min_count: int = 2) -> dict[str, int]:
    """Word → id for the words seen at least ``min_count`` times, most frequent first.

    Build it from the training sentences only: a word that appears only in
    validation or test sentences must be as unknown to a model as a word in
    future text. Words seen fewer times also become :data:`UNKNOWN`, so that a
    model learns what to do with an unknown word during training.

    Args:
        sentences: tokenised texts, words separated by whitespace.
        min_count: the least number of occurrences a word needs (≥ 1).

    Returns:
        ``{word: id}`` with ids 2, 3, ... by decreasing count, ties in
        alphabetical order (so the result does not depend on sentence order).

    Raises:
        ValueError: if ``sentences`` is a single ``str`` or holds a non-string,
            or ``min_count`` is not a positive integer.
    """
    min_count = positive_int("min_count", min_count)
    sentences = _texts("sentences", sentences)
    frequency = collections.Counter(word for s in sentences for word in s.split())
    kept = [w for w, n in frequency.items() if n >= min_count]
    kept.sort(key=lambda w: (-frequency[w], w))
    return {word: k + 2 for k, word in enumerate(kept)}


def encode(sentences: Iterable[str], vocabulary: Mapping[str, int]) -> list[np.ndarray]:
    """Each tokenised sentence as int64 ids ``(time_i,)``; unknown words become UNKNOWN.

    Args:
        sentences: tokenised texts, words separated by whitespace.
        vocabulary: ``{word: id}``, e.g. from :func:`build_vocabulary`.

    Returns:
        One int64 array per sentence, as many ids as words; an empty sentence
        gives an empty array. Stack them with :func:`seqlib.data.pad_sequences`.

    Raises:
        ValueError: if ``sentences`` is a single ``str`` or holds a non-string,
            or ``vocabulary`` is not a mapping.
    """
    if not isinstance(vocabulary, Mapping):
        raise ValueError(
            f"vocabulary must be a mapping from word to id; got {type(vocabulary).__name__}"
        )
    sentences = _texts("sentences", sentences)
    return [
        np.array([vocabulary.get(w, UNKNOWN) for w in s.split()], dtype=np.int64)
        for s in sentences
    ]


def _matrix(X):
    """A SciPy sparse matrix as it is; anything else as a NumPy array."""
    return X if hasattr(X, "multiply") and hasattr(X, "tocsr") else np.asarray(X)


class NBScaler(TransformerMixin, BaseEstimator):
    """NB-SVM's scaling: each binary feature times its log-count ratio ``r``.

    For features ``X`` ``(n_samples, n_features)`` (0/1 presence, e.g. from
    ``CountVectorizer(binary=True)``) and labels ``y`` of two classes,
    ``p = alpha + Σ_{y_i = positive} x_i`` and ``q = alpha + Σ_{y_i = negative} x_i``
    count in how many samples of each class every feature occurs, and
    ``r = log(p / ‖p‖₁) − log(q / ‖q‖₁)`` (Wang and Manning, 2012). A feature
    seen mostly with the positive class gets a large positive ``r``. Put a
    linear classifier after it in a ``Pipeline``: the ratio needs the labels,
    so it must be fitted on training data only, which a pipeline guarantees
    (also under ``clone`` and cross-validation).

    Args:
        alpha: the smoothing count added to every feature (> 0).

    Attributes:
        classes_: the two labels, sorted; the second is the positive class.
        r_: the log-count ratios ``(n_features,)``.
        n_features_in_: the number of features seen in ``fit``.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, X, y):
        """Learn ``r_`` from features ``X`` ``(n_samples, n_features)`` and labels ``y``."""
        alpha = self.alpha
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not alpha > 0:
            raise ValueError(f"alpha must be a positive number; got {alpha!r}")
        X, y = _matrix(X), np.asarray(y)
        if X.ndim != 2:
            raise ValueError(f"X must have shape (n_samples, n_features); got {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must have shape (n_samples,) = ({X.shape[0]},); got {y.shape}"
            )
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(
                f"y must hold exactly two classes; got {len(self.classes_)}: "
                f"{self.classes_.tolist()[:5]}"
            )
        negative, positive = self.classes_
        p = alpha + np.asarray(X[y == positive].sum(axis=0)).ravel()
        q = alpha + np.asarray(X[y == negative].sum(axis=0)).ravel()
        self.r_ = np.log(p / p.sum()) - np.log(q / q.sum())
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        """``X`` with each column scaled by ``r_``: sparse in, CSR out; dense in, dense."""
        if not hasattr(self, "r_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("this NBScaler is not fitted yet; call fit(X, y) first")
        X = _matrix(X)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X must have shape (n_samples, {self.n_features_in_}), the features "
                f"seen in fit; got {X.shape}"
            )
        if isinstance(X, np.ndarray):
            return X * self.r_
        return X.multiply(self.r_).tocsr()
