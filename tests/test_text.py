"""seqlib.text: tokens, vocabulary, ids and NB-SVM scaling, on made-up texts."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline

from seqlib import data, text
from seqlib.text import PAD, UNKNOWN

TEXTS = [
    "This movie is GREAT, isn't it?",
    "",
    "   ",
    "Café crème: très bien !",
    "我喜欢这部电影",
    "loved it 😀😀",
    "well-made and/or over-long...",
]


def test_tokenise_lowercases_and_splits_punctuation():
    assert text.tokenise(TEXTS[0]) == "this movie is great , isn't it ?"
    assert text.tokenise(TEXTS[3]) == "café crème : très bien !"
    assert text.tokenise(TEXTS[4]) == "我喜欢这部电影"  # no spaces: one token
    assert text.tokenise(TEXTS[5]) == "loved it 😀 😀"  # each emoji a token
    assert text.tokenise(TEXTS[6]) == "well-made and/or over-long . . ."
    assert text.tokenise("") == text.tokenise("   ") == ""


def test_tokenise_is_idempotent():
    for t in TEXTS:
        once = text.tokenise(t)
        assert text.tokenise(once) == once


def test_build_vocabulary_orders_by_count_then_word():
    sentences = ["b a c", "a b", "a d", "é é"]
    vocabulary = text.build_vocabulary(sentences, min_count=2)
    assert vocabulary == {"a": 2, "b": 3, "é": 4}
    assert text.build_vocabulary(sentences[::-1], min_count=2) == vocabulary
    everything = text.build_vocabulary(sentences, min_count=1)
    assert sorted(everything.values()) == list(range(2, 7))
    assert min(everything.values()) > max(PAD, UNKNOWN)


def test_encode_maps_unknown_words_and_empty_texts():
    sentences = [text.tokenise(t) for t in TEXTS]
    vocabulary = text.build_vocabulary(sentences[:1], min_count=1)
    ids = text.encode(sentences, vocabulary)
    assert len(ids) == len(TEXTS) and all(a.dtype == np.int64 for a in ids)
    assert ids[0].tolist() == [vocabulary[w] for w in sentences[0].split()]
    assert ids[1].shape == ids[2].shape == (0,)  # empty and blank texts
    assert ids[4].tolist() == [UNKNOWN]  # one unknown Chinese token
    assert ids[5].tolist() == [UNKNOWN, vocabulary["it"], UNKNOWN, UNKNOWN]
    padded, lengths = data.pad_sequences(ids)
    assert padded.shape == (7, max(len(a) for a in ids)) and padded.dtype == np.int64
    assert lengths.tolist() == [len(a) for a in ids]
    assert (padded[1] == PAD).all() and lengths[1] == 0


def test_text_errors_name_the_argument():
    with pytest.raises(ValueError, match="text must be a str; got int 3"):
        text.tokenise(3)
    with pytest.raises(ValueError, match="sentences must be a sequence of texts, not one"):
        text.build_vocabulary("a b c")
    with pytest.raises(ValueError, match=r"sentences\[1\] must be a str; got NoneType"):
        text.encode(["a", None], {"a": 2})
    with pytest.raises(ValueError, match="min_count must be a positive integer; got 0"):
        text.build_vocabulary(["a"], min_count=0)
    with pytest.raises(ValueError, match="vocabulary must be a mapping"):
        text.encode(["a"], ["a"])


def _binary(sentences):
    vectorizer = CountVectorizer(binary=True, tokenizer=str.split, token_pattern=None)
    return vectorizer, vectorizer.fit_transform(sentences)


def test_nbscaler_log_count_ratio():
    # feature 0 only in positives, feature 1 in both, feature 2 only in negatives
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]]))
    y = np.array([1, 1, 0, 0])
    scaler = text.NBScaler(alpha=1.0).fit(X, y)
    p, q = np.array([3.0, 2.0, 1.0]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(scaler.r_, np.log(p / p.sum()) - np.log(q / q.sum()))
    assert scaler.r_[0] > 0 > scaler.r_[2] and scaler.r_[1] == pytest.approx(0)
    out = scaler.transform(X)
    assert sp.issparse(out) and out.format == "csr"
    np.testing.assert_allclose(out.toarray(), X.toarray() * scaler.r_)
    dense = text.NBScaler().fit(X.toarray(), y).transform(X.toarray())
    np.testing.assert_allclose(dense, out.toarray())
    assert scaler.classes_.tolist() == [0, 1] and scaler.n_features_in_ == 3


def test_nbscaler_in_a_pipeline_with_clone_and_cross_validation():
    rng = np.random.default_rng(0)
    good, bad = ["great", "fine", "superb", "😀"], ["awful", "dull", "poor", "😞"]
    filler = ["the", "film", "plot", "café"]
    sentences, labels = [], []
    for k in range(60):
        words = (
            rng.choice(good if k % 2 else bad, 2).tolist() + rng.choice(filler, 3).tolist()
        )
        sentences.append(" ".join(words))
        labels.append(k % 2)
    model = make_pipeline(
        CountVectorizer(binary=True, tokenizer=str.split, token_pattern=None),
        text.NBScaler(alpha=0.5),
        LogisticRegression(),
    )
    twin = clone(model)
    assert twin.get_params()["nbscaler__alpha"] == 0.5 and not hasattr(twin[1], "r_")
    scores = cross_val_score(twin, np.array(sentences), np.array(labels), cv=3)
    assert scores.mean() > 0.9
    model.fit(sentences, labels)
    proba = model.predict_proba(["", "great café 😀", "我喜欢这部电影"])
    assert proba.shape == (3, 2) and np.isfinite(proba).all()  # empty text: an answer
    assert proba[1, 1] > 0.5


def test_nbscaler_errors():
    X = sp.csr_matrix(np.eye(3))
    with pytest.raises(ValueError, match="alpha must be a positive number; got 0"):
        text.NBScaler(alpha=0).fit(X, [0, 1, 1])
    with pytest.raises(ValueError, match="y must hold exactly two classes; got 3"):
        text.NBScaler().fit(X, [0, 1, 2])
    with pytest.raises(ValueError, match=r"y must have shape \(n_samples,\) = \(3,\)"):
        text.NBScaler().fit(X, [0, 1])
    fitted = text.NBScaler().fit(X, [0, 1, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 3\)"):
        fitted.transform(sp.csr_matrix(np.ones((2, 4))))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        text.NBScaler().transform(X)
