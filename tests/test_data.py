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


def test_padding_errors():
    with pytest.raises(ValueError, match="sequence 1 is empty"):
        data.pad_sequences([[1], []])
    with pytest.raises(ValueError, match=r"sequence 1 has shape \(2, 3\), but sequence 0"):
        data.pad_sequences([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="at least one sequence"):
        data.pad_sequences([])
