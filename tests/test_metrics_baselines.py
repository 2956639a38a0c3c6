"""Forecast and classification metrics, the M4 benchmarks, M4 Hourly's published rows."""

import warnings

import numpy as np
import pytest

from seqlib import baselines, datasets, metrics

# ---------------------------------------------------------------------------
# Metrics on tiny examples
# ---------------------------------------------------------------------------


def test_mae_and_rmse():
    assert metrics.mae([0, 0], [3, 4]) == pytest.approx(3.5)
    assert metrics.rmse([0, 0], [3, 4]) == pytest.approx(np.sqrt(12.5))
    assert metrics.mae([[1, 2], [3, 4]], [[1, 2], [3, 6]]) == pytest.approx(0.5)


def test_smape_in_percent():
    # |1-1|: 0; 200·|2-4| / (2+4) = 66.67
    assert metrics.smape([1, 2], [1, 4]) == pytest.approx(100 / 3)
    assert metrics.smape([1, 1], [-1, 1]) == pytest.approx(100)  # 200 is the worst
    assert metrics.smape([0, 2], [0, 2]) == 0  # 0/0 counts as a perfect forecast


def test_mase_scales_by_the_in_sample_seasonal_naive_error():
    # m = 1: in-sample |y_t - y_(t-1)| are all 1; forecast errors 1 and 2
    assert metrics.mase([6, 7], [5, 9], [1, 2, 3, 4, 5], m=1) == pytest.approx(1.5)
    # m = 2: |y_t - y_(t-2)| = 1, 1, 1, 1
    assert metrics.mase([6, 7], [5, 9], [1, 3, 2, 4, 3, 5], m=2) == pytest.approx(1.5)
    # m = 1 on the same series: |diffs| = 2, 1, 2, 1, 2
    assert metrics.mase([6, 7], [5, 9], [1, 3, 2, 4, 3, 5], m=1) == pytest.approx(1.5 / 1.6)


def test_owa_and_m4_scores():
    assert metrics.owa(10, 1, 20, 2) == pytest.approx(0.5)
    assert metrics.owa(18.383, 2.395, 18.383, 2.395) == pytest.approx(1)
    train = [np.array([1.0, 2, 3, 4, 5]), np.array([2.0, 4, 6])]  # scales 1 and 2
    test = np.array([[6.0, 7], [8, 10]])
    forecasts = np.array([[5.0, 9], [8, 6]])
    scores = metrics.m4_scores(forecasts, test, train, m=1)
    assert scores["mase"] == pytest.approx((1.5 + 2 / 2) / 2)
    assert scores["smape"] == pytest.approx(metrics.smape(test, forecasts))


def test_accuracy_and_confusion_matrix():
    assert metrics.accuracy([0, 1, 1, 2], [0, 1, 2, 2]) == pytest.approx(0.75)
    np.testing.assert_array_equal(
        metrics.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2]),
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]],
    )
    np.testing.assert_array_equal(
        metrics.confusion_matrix(["b", "a"], ["b", "b"], labels=["b", "a"]),
        [[1, 0], [1, 0]],
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: metrics.mae([1, 2], [1, 2, 3]), r"same shape; got y_true \(2,\)"),
        (lambda: metrics.smape([1, np.nan], [1, 2]), "y_true holds 1 NaN"),
        (lambda: metrics.rmse([1, 2], [1, np.nan]), "y_pred holds 1 NaN"),
        (lambda: metrics.smape([], []), "hold no values"),
        (lambda: metrics.mase([1], [1], [1, 2, 3], m=0), "m must be a positive integer"),
        (lambda: metrics.mase([1], [1], [1, 2, 3], m=1.5), "got 1.5"),
        (lambda: metrics.mase([1], [1], [1, 2, 3], m=3), "more than m=3 values"),
        (lambda: metrics.mase([1], [1], [1, 2, 1, 2], m=2), "MASE is undefined"),
        (lambda: metrics.mase([[1]], [[1]], [1, 2, 3], m=1), "use m4_scores"),
        (lambda: metrics.owa(10, 1, 0, 2), "smape_naive2 must be positive"),
        (
            lambda: metrics.m4_scores(np.ones((2, 3)), np.ones((2, 4)), [[1, 2]] * 2, 1),
            r"forecasts must have the shape of test .* = \(2, 4\); got \(2, 3\)",
        ),
        (
            lambda: metrics.m4_scores(np.ones((2, 3)), np.ones((2, 3)), [[1, 2]], 1),
            r"one series per row of test \(2\); got 1",
        ),
        (
            lambda: metrics.m4_scores(
                np.full((1, 2), np.nan), np.ones((1, 2)), [[1, 2]], 1
            ),
            "forecasts holds 2 NaN",
        ),
        (lambda: metrics.accuracy([0, 1], [0]), r"same shape \(n,\)"),
    ],
)
def test_metric_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------
# Baselines
# ---------------------------------------------------------------------------


def test_naive_and_seasonal_naive():
    np.testing.assert_array_equal(baselines.naive([1, 2, 3], 2), [3, 3])
    np.testing.assert_array_equal(
        baselines.seasonal_naive([1, 2, 3, 4, 5], 5, m=2), [4, 5, 4, 5, 4]
    )


def test_seasonality_test():
    rng = np.random.default_rng(0)
    assert not baselines.seasonality_test(5 + rng.normal(size=200), 12)
    assert baselines.seasonality_test(5 + np.sin(np.arange(200) * 2 * np.pi / 12), 12)
    assert not baselines.seasonality_test(5 + np.sin(np.arange(30) * 2 * np.pi / 12), 12)
    assert not baselines.seasonality_test(np.arange(50.0), 1)


def test_seasonal_indices_match_statsmodels():
    from statsmodels.tsa.seasonal import seasonal_decompose

    np.testing.assert_allclose(
        baselines.seasonal_indices(np.tile([1.0, 2, 3, 2], 6), 4), [0.5, 1, 1.5, 1]
    )
    rng = np.random.default_rng(1)
    for length, m in ((100, 12), (101, 12), (77, 7)):
        y = np.exp(rng.normal(size=length)) + 5 * (1 + np.sin(np.arange(length) / m))
        expected = seasonal_decompose(y, model="multiplicative", period=m).seasonal[:m]
        np.testing.assert_allclose(baselines.seasonal_indices(y, m), expected)


def test_naive2_on_a_seasonal_series_and_a_plain_one():
    pattern = np.array([1.0, 2, 3, 2])
    y = 10 * np.tile(pattern, 10)[:-1]  # ends one step into a season
    np.testing.assert_allclose(baselines.naive2(y, 5, 4), 10 * np.array([2, 1, 2, 3, 2]))
    rng = np.random.default_rng(0)
    noise = 5 + rng.normal(size=200)
    np.testing.assert_array_equal(baselines.naive2(noise, 3, 12), baselines.naive(noise, 3))


def test_statsmodels_wrappers_return_h_values():
    t = np.arange(120)
    y = 50 + 0.1 * t + 5 * np.sin(2 * np.pi * t / 12)
    y = y + np.random.default_rng(0).normal(scale=0.5, size=len(t))
    t_future = np.arange(120, 132)
    future = 50 + 0.1 * t_future + 5 * np.sin(2 * np.pi * t_future / 12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # statsmodels' convergence chatter
        forecasts = {
            "theta": baselines.theta(y, 12, 12),
            "ets": baselines.ets(y, 12, 12),
            "arima": baselines.arima(y, 12, (1, 0, 0), (1, 1, 0, 12)),
        }
    for name, f in forecasts.items():
        assert f.shape == (12,), name
        assert metrics.mae(future, f) < 2.5, name


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: baselines.naive([1, 2], 0), "h must be a positive integer; got 0"),
        (lambda: baselines.naive([[1, 2]], 1), r"shape \(time,\); got shape \(1, 2\)"),
        (lambda: baselines.naive([1, np.nan], 1), "y holds 1 NaN"),
        (lambda: baselines.seasonal_naive([1, 2], 1, m=3), "at least 3 value"),
        (lambda: baselines.naive2([1, 2, 3], 1, m=0), "m must be a positive integer"),
        (lambda: baselines.arima([1, 2, 3], 1, order=(1, 0)), r"order must be \(p, d, q\)"),
    ],
)
def test_baseline_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ---------------------------------------------------------------------------
# M4 Hourly: the published Naive1, sNaive and Naive2 rows
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def m4_hourly():
    try:
        return datasets.load("m4-hourly", download=False)
    except datasets.DatasetError as error:
        pytest.skip(f"the M4 Hourly files are not available offline: {error}")


@pytest.mark.parametrize(
    "method, published",
    [
        ("naive", (43.003, 11.608)),
        ("seasonal_naive", (13.912, 1.193)),
        ("naive2", (18.383, 2.395)),
    ],
)
def test_m4_hourly_published_scores(m4_hourly, method, published):
    train, test = m4_hourly
    assert len(train) == 414 and test.shape == (414, 48)
    forecast = getattr(baselines, method)
    if method == "naive":
        forecasts = np.stack([forecast(y, 48) for y in train])
    else:
        forecasts = np.stack([forecast(y, 48, m=24) for y in train])
    scores = metrics.m4_scores(forecasts, test, train, m=24)
    assert (round(scores["smape"], 3), round(scores["mase"], 3)) == published
