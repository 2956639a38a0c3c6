"""Windows, splits, scaling and padding."""

import numpy as np
import pandas as pd
import pytest

from seqlib import data


def test_windows_of_a_1d_series():
    X, y = data.make_windows(np.arange(10.0), lookback=3, horizon=2)
    assert X.shape == (6, 3, 1) and y.shape == (6, 2)  # n = 10 - 3 - 2 + 1
    np.testing.assert_array_equal(X[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(y[0], [3, 4])
    np.testing.assert_array_equal(X[-1, :, 0], [5, 6, 7])
    np.testing.assert_array_equal(y[-1], [8, 9])


def test_windows_of_a_2d_series_and_a_pandas_series():
    series = np.arange(20.0).reshape(10, 2)
    X, y = data.make_windows(series, lookback=4)
    assert X.shape == (6, 4, 2) and y.shape == (6, 1, 2)
    np.testing.assert_array_equal(y[0, 0], series[4])
    X2, y2 = data.make_windows(pd.Series(np.arange(5.0)), lookback=4)
    assert X2.shape == (1, 4, 1) and y2.tolist() == [[4.0]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"lookback": 0}, "lookback must be a positive integer; got 0"),
        ({"lookback": 2, "horizon": 0}, "horizon must be a positive integer; got 0"),
        ({"lookback": 2.5}, "lookback must be a positive integer; got 2.5"),
        (
            {"lookback": 9, "horizon": 2},
            r"series has 10 steps, fewer than lookback \+ horizon",
        ),
    ],
)
def test_window_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_windows(np.arange(10.0), **kwargs)


def test_windows_reject_nan_and_bad_rank():
    series = np.arange(10.0)
    series[6] = np.nan
    with pytest.raises(ValueError, match="NaN at 1 step\\(s\\), the first at index 6"):
        data.make_windows(series, lookback=2)
    with pytest.raises(ValueError, match=r"got \(2, 2, 2\)"):
        data.make_windows(np.zeros((2, 2, 2)), lookback=1)


def test_chronological_split():
    train, val, test = data.chronological_split(np.arange(100), val_size=0.1, test_size=20)
    assert (len(train), len(val), len(test)) == (70, 10, 20)
    assert train[-1] < val[0] and val[-1] < test[0]
    with pytest.raises(ValueError, match="leave no training data"):
        data.chronological_split(np.arange(10), val_size=5, test_size=5)
    with pytest.raises(ValueError, match="test_size must be a count"):
        data.chronological_split(np.arange(10), val_size=2, test_size=-1)


def test_scaling_is_fitted_on_train_only():
    train, test = np.array([0.0, 2.0, 4.0]), np.array([100.0])
    scaler, train_s, test_s = data.scale_like_train(train, test)
    assert train_s.mean() == pytest.approx(0.0)
    assert scaler.mean_[0] == pytest.approx(2.0)  # the test value did not move it
    assert test_s.shape == (1,) and test_s[0] == pytest.approx((100 - 2) / np.std(train))


def test_padding():
    padded, lengths = data.pad_sequences([[1, 2, 3], [4], [5, 6]])
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, 0, 0], [5, 6, 0]])
    np.testing.assert_array_equal(lengths, [3, 1, 2])
    frames = [np.ones((4, 2)), np.ones((2, 2))]
    padded, lengths = data.pad_sequences(frames, max_len=3, dtype=np.float32)
    assert padded.shape == (2, 3, 2) and padded.dtype == np.float32
    np.testing.assert_array_equal(lengths, [3, 2])
    assert padded[1, 2].sum() == 0


def test_padding_accepts_empty_sequences():
    padded, lengths = data.pad_sequences([[1, 2], [], np.array([], dtype=np.int64)])
    np.testing.assert_array_equal(padded, [[1, 2], [0, 0], [0, 0]])
    np.testing.assert_array_equal(lengths, [2, 0, 0])
    padded, lengths = data.pad_sequences([[], []])  # all empty: one padding step
    assert padded.shape == (2, 1) and lengths.tolist() == [0, 0]
    frames = [np.zeros((0, 3)), np.ones((2, 3)), []]  # [] takes the frames' shape
    padded, lengths = data.pad_sequences(frames, dtype=np.float32)
    assert padded.shape == (3, 2, 3) and lengths.tolist() == [0, 2, 0]
    assert padded[0].sum() == 0 and padded[1].sum() == 6


def test_padding_variable_length_multichannel():
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(n, 4)) for n in (5, 1, 9, 3)]
    padded, lengths = data.pad_sequences(seqs, value=-1.0)
    assert padded.shape == (4, 9, 4) and lengths.tolist() == [5, 1, 9, 3]
    for k, s in enumerate(seqs):
        np.testing.assert_array_equal(padded[k, : len(s)], s)
        assert (padded[k, len(s) :] == -1.0).all()
    cut, cut_lengths = data.pad_sequences(seqs, max_len=4)
    assert cut.shape == (4, 4, 4) and cut_lengths.tolist() == [4, 1, 4, 3]
    np.testing.assert_array_equal(cut[2], seqs[2][:4])


def test_padding_errors():
    with pytest.raises(ValueError, match=r"sequence 1 has shape \(2, 3\), but sequence 0"):
        data.pad_sequences([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="at least one sequence"):
        data.pad_sequences([])
    with pytest.raises(ValueError, match="max_len must be a positive integer; got 0"):
        data.pad_sequences([[1]], max_len=0)
    with pytest.raises(ValueError, match="sequence 1 is a scalar"):
        data.pad_sequences([[1], 2])


def test_split_windows_by_target_one_step():
    series = np.arange(20.0)
    parts = data.split_windows_by_target(series, lookback=3, n_train=10, n_val=5)
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = parts["train"], parts["val"], parts["test"]
    assert y_tr[:, 0].tolist() == list(range(3, 10))  # every target before step 10
    assert y_va[:, 0].tolist() == list(range(10, 15))
    assert y_te[:, 0].tolist() == list(range(15, 20))
    np.testing.assert_array_equal(X_va[0, :, 0], [7, 8, 9])  # inputs from training steps
    assert X_tr.shape == (7, 3, 1) and X_te.shape == (5, 3, 1)


def test_split_windows_by_target_drops_straddling_windows():
    series = np.stack([np.arange(30.0), -np.arange(30.0)], axis=1)  # two channels
    parts = data.split_windows_by_target(series, lookback=4, horizon=3, n_train=15, n_val=8)
    _, y_tr = parts["train"]
    _, y_va = parts["val"]
    _, y_te = parts["test"]
    assert y_tr.shape == (9, 3, 2) and y_tr[-1, :, 0].tolist() == [12, 13, 14]
    assert y_va[0, :, 0].tolist() == [15, 16, 17] and y_va[-1, :, 0].tolist() == [
        20,
        21,
        22,
    ]
    assert y_te[0, :, 0].tolist() == [23, 24, 25] and y_te[-1, :, 0].tolist() == [
        27,
        28,
        29,
    ]
    # 2 windows are dropped at each of the two boundaries (horizon - 1)
    total = len(data.make_windows(series, 4, 3)[0])
    assert len(y_tr) + len(y_va) + len(y_te) == total - 2 * 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_train": 0, "n_val": 2}, "n_train must be a positive integer; got 0"),
        ({"n_train": 5.5, "n_val": 2}, "n_train must be a positive integer; got 5.5"),
        ({"n_train": 8, "n_val": -1}, "n_val must be a non-negative integer; got -1"),
        ({"n_train": 8, "n_val": 5}, "n_train \\+ n_val = 8 \\+ 5 = 13 exceeds"),
        ({"n_train": 3, "n_val": 2}, "n_train must be at least lookback \\+ horizon = 4"),
    ],
)
def test_split_windows_by_target_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.split_windows_by_target(np.arange(12.0), lookback=3, **kwargs)


def test_standardise_and_pad_uses_training_statistics():
    rng = np.random.default_rng(1)
    train = [rng.normal(5.0, 2.0, size=(n, 3)) for n in (40, 7, 13)]
    test = [rng.normal(5.0, 2.0, size=(n, 3)) for n in (20, 2)]
    (mean, std), (X_tr, len_tr), (X_te, len_te) = data.standardise_and_pad(train, test)
    frames = np.concatenate(train)
    np.testing.assert_allclose(mean, frames.mean(axis=0))
    np.testing.assert_allclose(std, frames.std(axis=0))
    assert X_tr.shape == (3, 40, 3)
    assert X_te.shape == (2, 40, 3) and X_tr.dtype == np.float32
    assert len_tr.tolist() == [40, 7, 13] and len_te.tolist() == [20, 2]
    real = np.concatenate([X_tr[k, :n] for k, n in enumerate(len_tr)])
    np.testing.assert_allclose(real.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(X_te[1, :2], (test[1] - mean) / std, rtol=1e-5)
    assert (X_te[1, 2:] == 0).all()


def test_standardise_and_pad_transform_and_constant_feature():
    train = [np.c_[np.arange(6.0), np.ones(6)], np.c_[np.arange(4.0), np.ones(4)]]

    def pairs(a):  # (time, 2) -> (time // 2, 4): neighbouring frames side by side
        return a[: len(a) // 2 * 2].reshape(-1, 4)

    (mean, std), (X, lengths) = data.standardise_and_pad(train, transform=pairs, max_len=5)
    assert std[1] == 1.0 and mean[1] == 1.0  # constant in training: only centred
    assert X.shape == (2, 5, 4) and lengths.tolist() == [3, 2]
    assert (X[:, :, [1, 3]] == 0).all()


@pytest.mark.parametrize(
    "args, message",
    [
        (([],), "train must hold at least one sequence"),
        (([np.ones(3)],), r"sequence 0 of train must have shape \(time, features\)"),
        (([np.ones((2, 3))], []), "part 1 of others must hold at least one sequence"),
        (
            ([np.ones((2, 3))], [np.ones((2, 3)), np.ones((2, 4))]),
            "sequence 1 of part 1 of others has 4 features",
        ),
        (([np.ones((0, 3))],), "train must hold at least one step"),
    ],
)
def test_standardise_and_pad_errors(args, message):
    with pytest.raises(ValueError, match=message):
        data.standardise_and_pad(*args)


def test_a_torch_classifier_answers_for_an_empty_sequence():
    torch = pytest.importorskip("torch")
    from seqlib import torch_models

    ids, lengths = data.pad_sequences([[2, 3, 4], [], [5]])
    frames, frame_lengths = data.pad_sequences(
        [np.ones((4, 2)), np.zeros((0, 2))], dtype=np.float32
    )
    torch.manual_seed(0)
    for pooling in ("last", "max", "mean"):
        text_model = torch_models.classifier(2, vocab_size=6, embedding_dim=4, hidden=3,
                                             pooling=pooling).eval()  # fmt: skip
        frame_model = torch_models.classifier(3, n_features=2, hidden=3, pooling=pooling)
        with torch.no_grad():
            logits = text_model(torch.as_tensor(ids), torch.as_tensor(lengths))
            frame_logits = frame_model.eval()(
                torch.as_tensor(frames), torch.as_tensor(frame_lengths)
            )
        assert logits.shape == (3, 2) and torch.isfinite(logits).all(), pooling
        assert frame_logits.shape == (2, 3) and torch.isfinite(frame_logits).all()


def test_stratified_split_keeps_class_proportions_and_covers_every_example():
    labels = np.repeat(["a", "b", "c"], [300, 120, 30])  # unbalanced, three classes
    train_ix, val_ix, test_ix = data.stratified_split(labels, val_size=0.2, test_size=0.1)
    together = np.concatenate([train_ix, val_ix, test_ix])
    assert np.array_equal(np.sort(together), np.arange(len(labels)))
    assert (len(train_ix), len(val_ix), len(test_ix)) == (315, 90, 45)
    for part in (train_ix, val_ix, test_ix):
        share = np.mean(labels[part] == "c")
        assert abs(share - 30 / 450) < 0.01
    again = data.stratified_split(labels, val_size=0.2, test_size=0.1)
    assert all(
        np.array_equal(x, y)
        for x, y in zip(again, (train_ix, val_ix, test_ix), strict=True)
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"val_size": 0}, "val_size must be a fraction"),
        ({"test_size": 1.0}, "test_size must be a fraction"),
        ({"val_size": 10}, "val_size must be a fraction"),
        ({"val_size": 0.5, "test_size": 0.5}, "leave no training data"),
    ],
)
def test_stratified_split_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        data.stratified_split(np.zeros(20), **kwargs)


def test_stratified_split_wants_one_label_per_example():
    with pytest.raises(ValueError, match="labels must be one-dimensional"):
        data.stratified_split(np.zeros((20, 2)))
