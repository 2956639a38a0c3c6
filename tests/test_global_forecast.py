"""The global LSTM/GRU forecaster on small synthetic seasonal series."""

import numpy as np
import pytest
import torch

from seqlib import baselines, global_forecast, metrics

M, H = 4, 4


def _series(n_series=12, length=80, noise=0.003, seed=0):
    """Positive series with a season of M, a level per series and a trend."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    out = []
    for _ in range(n_series):
        level, growth = rng.uniform(5, 500), rng.uniform(0.002, 0.01)
        season = 1 + 0.3 * np.sin(2 * np.pi * (t + rng.integers(M)) / M)
        shape = season * np.exp(growth * t) * np.exp(rng.normal(scale=noise, size=length))
        out.append(level * shape)
    return out


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _fit(series, **kwargs):
    settings = dict(seasons=3, hidden=16, epochs=30, patience=None, lr=1e-2,
                    batch_size=64, progress=False)  # fmt: skip
    return global_forecast.fit_global(series, M, H, **{**settings, **kwargs})


def test_windows_end_at_the_end_of_each_series():
    X, Y, level = global_forecast.windows([np.arange(1.0, 11)], 3, 2, stride=2)
    np.testing.assert_array_equal(X[:, 0], [6, 4, 2])  # newest first
    np.testing.assert_array_equal(Y[0], [9, 10])
    np.testing.assert_allclose(level, [4.5, 3.5, 2.5])  # means up to each input end
    X, _, _ = global_forecast.windows([np.arange(1.0, 11)], 3, 2, max_windows=2)
    assert len(X) == 2
    with pytest.raises(
        ValueError, match=r"series 1 .* time >= lookback \+ h = 5; got \(4,\)"
    ):
        global_forecast.windows([np.ones(5), np.ones(4)], 3, 2)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_learns_a_trending_season_better_than_seasonal_naive(cell):
    series = _series()
    history, future = [s[:-H] for s in series], np.stack([s[-H:] for s in series])
    model = _fit(history, cell=cell)
    forecasts = global_forecast.forecast_global(model, history)
    assert forecasts.shape == (len(series), H)
    snaive = np.stack([baselines.seasonal_naive(s, H, M) for s in history])
    ours, theirs = metrics.smape(future, forecasts), metrics.smape(future, snaive)
    assert ours < 0.5 * theirs, (ours, theirs)
    assert model.history.best_epoch is not None and model.lookback == 3 * M


def test_same_seed_same_forecasts_and_variants_run():
    series = _series(n_series=4, length=40)
    a = global_forecast.forecast_global(_fit(series, epochs=2, seed=3), series)
    b = global_forecast.forecast_global(_fit(series, epochs=2, seed=3), series)
    np.testing.assert_array_equal(a, b)
    c = global_forecast.forecast_global(_fit(series, epochs=2, seed=4), series)
    assert not np.array_equal(a, c)
    for kwargs in (
        {"skip": False},
        {"step": "value"},
        {"normalise": "series"},
        {"validation": False},
    ):
        model = _fit(series, epochs=1, **kwargs)
        assert global_forecast.forecast_global(model, series[:2]).shape == (2, H)


@pytest.mark.parametrize(
    "series, kwargs, message",
    [
        ([np.r_[np.ones(39), 0.0]], {}, "series 0 must be positive .* minimum of 0.0"),
        ([np.r_[np.ones(39), np.nan]], {}, "series 0 holds 1 NaN or infinite"),
        ([np.ones(19)], {}, r"series 0 has 19 values; at least 20 are needed \(lookback"),
        ([np.ones(15)], {"validation": False}, "at least 16 are needed"),
        (np.ones(40), {}, "got one 1-D array of shape"),
        ([np.ones(40)], {"m": 0}, "m must be a positive integer; got 0"),
        ([np.ones(40)], {"h": 2.5}, "h must be a positive integer; got 2.5"),
        (
            [np.ones(40)],
            {"cell": "rnn"},
            r"cell must be one of \('lstm', 'gru'\); got 'rnn'",
        ),
        ([np.ones(40)], {"step": "day"}, "step must be one of"),
    ],
)
def test_fit_errors(series, kwargs, message):
    settings = {"m": M, "h": H, "seasons": 3, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        global_forecast.fit_global(series, settings.pop("m"), settings.pop("h"), **settings)


def test_forecast_needs_a_whole_lookback():
    model = _fit(_series(n_series=2, length=40), epochs=1)
    with pytest.raises(ValueError, match="series 1 has 11 values; at least 12"):
        global_forecast.forecast_global(model, [np.ones(12), np.ones(11)])


def test_normalise_matches_the_network_view():
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 2, size=(5, 3 * 4))
    Y = rng.uniform(1, 2, size=(5, 6))
    steps, residual, level, snaive = global_forecast.normalise(X, m=4, h=6, Y=Y)
    assert steps.shape == (5, 3, 4) and residual.shape == (5, 6) and level.shape == (5, 1)
    np.testing.assert_allclose(level[:, 0], X.mean(axis=1))
    np.testing.assert_allclose(snaive[:, :4], np.log(X[:, -4:] / level))
    np.testing.assert_allclose(snaive[:, 4:], snaive[:, :2])  # the last season, repeated
    np.testing.assert_allclose(level * np.exp(snaive + residual), Y)
    with pytest.raises(ValueError, match=r"X must have shape \(n, seasons · m\) with m=5"):
        global_forecast.normalise(X, m=5, h=6)
    with pytest.raises(ValueError, match="positive"):
        global_forecast.normalise(-X, m=4, h=6)
