"""Model builders, padding invariance, and the training loop."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import pytest
import torch

from seqlib import data, keras_models, torch_models, train


def _token_batch(seed=0):
    rng = np.random.default_rng(seed)
    seqs = [rng.integers(1, 50, size=n) for n in (5, 2, 7, 1)]
    return seqs


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_torch_classifier_ignores_padding(pooling, bidirectional, cell):
    torch.manual_seed(0)
    model = torch_models.classifier(
        3, vocab_size=50, embedding_dim=8, cell=cell, hidden=6, layers=2,
        bidirectional=bidirectional, pooling=pooling,
    )  # fmt: skip
    seqs = _token_batch()
    short, lengths = data.pad_sequences(seqs)
    long, _ = data.pad_sequences(seqs, max_len=15)
    a = train.predict(model, short, lengths)
    b = train.predict(model, long, lengths)
    np.testing.assert_allclose(a, b, atol=1e-6)
    single = train.predict(model, np.array([seqs[1]]), np.array([len(seqs[1])]))
    np.testing.assert_allclose(a[1], single[0], atol=1e-6)


@pytest.mark.parametrize("pooling", ["last", "max", "mean"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_keras_classifier_ignores_padding(pooling, bidirectional):
    keras.utils.set_random_seed(0)
    model = keras_models.classifier(
        3, vocab_size=50, embedding_dim=8, hidden=6, bidirectional=bidirectional,
        pooling=pooling,
    )  # fmt: skip
    seqs = _token_batch()
    short, _ = data.pad_sequences(seqs)
    long, _ = data.pad_sequences(seqs, max_len=15)
    a = model.predict(short, verbose=0)
    b = model.predict(long, verbose=0)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_dense_input_classifiers_ignore_padding():
    rng = np.random.default_rng(1)
    frames = [rng.normal(size=(n, 4)).astype(np.float32) for n in (6, 3)]
    short, lengths = data.pad_sequences(frames)
    long, _ = data.pad_sequences(frames, max_len=12)
    torch.manual_seed(0)
    tm = torch_models.classifier(10, n_features=4, hidden=5, pooling="max")
    np.testing.assert_allclose(
        train.predict(tm, short, lengths), train.predict(tm, long, lengths), atol=1e-6
    )
    km = keras_models.classifier(10, n_features=4, hidden=5, pooling="mean")
    np.testing.assert_allclose(
        km.predict(short, verbose=0), km.predict(long, verbose=0), atol=1e-5
    )


def test_regressors_have_the_same_parameter_count():
    for cell in ("lstm", "gru"):
        for bidirectional in (False, True):
            tm = torch_models.regressor(
                3, 4, cell=cell, hidden=8, bidirectional=bidirectional
            )
            km = keras_models.regressor(
                3, 4, cell=cell, hidden=8, bidirectional=bidirectional
            )
            n_torch = sum(p.numel() for p in tm.parameters())
            # PyTorch keeps two bias vectors per gate where Keras' LSTM keeps one;
            # Keras' GRU (reset_after=True) keeps two as well.
            gates = 4 if cell == "lstm" else 3
            extra = gates * 8 * (2 if bidirectional else 1) if cell == "lstm" else 0
            assert n_torch == km.count_params() + extra
            assert tm(torch.zeros(2, 5, 3)).shape == (2, 4)
            assert km(np.zeros((2, 5, 3), np.float32)).shape == (2, 4)


def test_builder_errors():
    with pytest.raises(ValueError, match="cell must be one of"):
        torch_models.regressor(1, cell="transformer")
    with pytest.raises(ValueError, match="give exactly one of vocab_size"):
        torch_models.classifier(2)
    with pytest.raises(ValueError, match="give exactly one of vocab_size"):
        keras_models.classifier(2, vocab_size=10, n_features=3)
    with pytest.raises(ValueError, match="pooling must be one of"):
        keras_models.classifier(2, vocab_size=10, pooling="attention")
    with pytest.raises(ValueError, match="hidden must be a positive integer; got 0"):
        keras_models.regressor(1, hidden=0)


def _toy_problem():
    X, y = data.make_windows(np.sin(np.arange(300) * 0.2), lookback=10)
    return (X[:200], y[:200]), (X[200:], y[200:])


def test_fit_is_deterministic_and_learns():
    tr, va = _toy_problem()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = torch_models.regressor(1, hidden=8)
        history = train.fit(
            model, tr, va, epochs=15, lr=0.02, batch_size=32, progress=False
        )
        runs.append((history.loss, train.predict(model, va[0])))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert history.loss[-1] < history.loss[0] / 5
    assert history.epochs == 15 and len(history.val_loss) == 15


def test_early_stopping_restores_the_best_weights():
    tr, va = _toy_problem()
    torch.manual_seed(0)
    model = torch_models.regressor(1, hidden=8)
    history = train.fit(
        model, tr, va, epochs=200, lr=0.05, batch_size=32, patience=3, progress=False
    )
    assert history.epochs < 200
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert history.epochs == history.best_epoch + 1 + 3
    final = float(np.mean((train.predict(model, va[0]) - va[1]) ** 2))
    assert final == pytest.approx(min(history.val_loss), rel=1e-4)


def test_fit_errors():
    tr, va = _toy_problem()
    model = torch_models.regressor(1)
    with pytest.raises(ValueError, match="patience needs validation data"):
        train.fit(model, tr, epochs=1, lr=0.1, batch_size=8, patience=2)
    with pytest.raises(ValueError, match="loss must be one of"):
        train.fit(model, tr, epochs=1, lr=0.1, batch_size=8, loss="hinge")
    with pytest.raises(ValueError, match="array 0 has 200 rows, array 1 has 10"):
        train.fit(model, (tr[0], tr[1][:10]), epochs=1, lr=0.1, batch_size=8)
    with pytest.raises(ValueError, match=r"train must be a tuple \(inputs..., targets\)"):
        train.fit(model, tr[0], epochs=1, lr=0.1, batch_size=8)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        train.fit(model, tr, epochs=1, lr=0.1, batch_size=0)
