"""The global LSTM/GRU forecaster on small synthetic series of several frequencies."""

import warnings

import numpy as np
import pytest
import torch

from seqlib import baselines, data, global_forecast, metrics

M, H = 4, 4


def _collection(n_series=12, length=80, season=M, noise=0.003, seed=0):
    """Positive series with a level per series, a trend and, for season > 1, a season.

    Without a season (weekly data), a slow cycle of 52 steps stands in for the year:
    no forecaster here is told about it.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    out = []
    for _ in range(n_series):
        level, growth = rng.uniform(5, 500), rng.uniform(0.003, 0.012)
        period = season if season > 1 else 52
        amplitude = 0.3 if season > 1 else 0.1
        cycle = 1 + amplitude * np.sin(2 * np.pi * (t + rng.integers(period)) / period)
        shape = cycle * np.exp(growth * t + rng.normal(scale=noise, size=length))
        out.append(level * shape)
    return out


def _split(series, horizon):
    return [s[:-horizon] for s in series], np.stack([s[-horizon:] for s in series])


def _owa(forecasts, future, history, season):
    """OWA against Naive2 at the same season."""
    horizon = future.shape[1]
    naive2 = np.stack([baselines.naive2(y, horizon, season) for y in history])
    ours = metrics.m4_scores(forecasts, future, history, season)
    theirs = metrics.m4_scores(naive2, future, history, season)
    return metrics.owa(ours["smape"], ours["mase"], theirs["smape"], theirs["mase"])


pytestmark = pytest.mark.usefixtures("one_torch_thread")


TINY = dict(hidden=16, epochs=30, patience=None, lr=1e-2, batch_size=64, progress=False)


def _fit(series, **kwargs):
    settings = {"season": M, "lookback": 3 * M, **TINY, **kwargs}
    return global_forecast.fit_global(series, H, **settings)


def test_windows_end_at_the_end_of_each_series():
    X, Y, level = global_forecast.windows([np.arange(1.0, 11)], 3, 2, stride=2)
    np.testing.assert_array_equal(X[:, 0], [6, 4, 2])  # newest first
    np.testing.assert_array_equal(Y[0], [9, 10])
    np.testing.assert_allclose(level, [4.5, 3.5, 2.5])  # means up to each input end
    X, _, _ = global_forecast.windows([np.arange(1.0, 11)], 3, 2, max_windows=2)
    assert len(X) == 2
    with pytest.raises(
        ValueError, match=r"series 1 .* time >= lookback \+ horizon = 5; got \(4,\)"
    ):
        global_forecast.windows([np.ones(5), np.ones(4)], 3, 2)


def test_windows_are_those_of_make_windows_newest_first():
    s = np.arange(1.0, 31)
    X, Y, _ = global_forecast.windows([s], lookback=6, horizon=3)
    X_all, Y_all = data.make_windows(s, lookback=6, horizon=3)
    np.testing.assert_array_equal(X, X_all[::-1, :, 0])
    np.testing.assert_array_equal(Y, Y_all[::-1])


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_learns_a_trending_season_better_than_seasonal_naive(cell):
    history, future = _split(_collection(), H)
    model = _fit(history, cell=cell, stride=2)
    forecasts = global_forecast.forecast_global(model, history)
    assert forecasts.shape == (len(history), H)
    snaive = np.stack([baselines.seasonal_naive(s, H, M) for s in history])
    ours, theirs = metrics.smape(future, forecasts), metrics.smape(future, snaive)
    assert ours < 0.5 * theirs, (ours, theirs)
    assert model.history.best_epoch is not None and model.lookback == 3 * M


@pytest.mark.parametrize(
    "frequency, horizon, season, lookback, step",
    [
        ("weekly", 13, 1, 26, 1),  # no season: one value per step, 26 weeks of input
        ("daily", 14, 7, 28, 7),  # a week per step, four weeks of input
        ("monthly", 18, 12, 36, 12),  # a year per step, three years of input
    ],
)
def test_beats_naive2_on_other_frequencies(frequency, horizon, season, lookback, step):
    history, future = _split(_collection(20, 100, season, noise=0.01), horizon)
    settings = {**TINY, "epochs": 40, "batch_size": 32, "patience": 10}
    model = global_forecast.fit_global(history, horizon, season=season, **settings)
    assert (model.season, model.step, model.lookback) == (season, step, lookback)
    forecasts = global_forecast.forecast_global(model, history)
    assert _owa(forecasts, future, history, season) < 0.5, frequency


def test_defaults_follow_the_data():
    lookback = global_forecast.default_lookback
    assert lookback(48, season=24) == 96  # hourly: 4 days
    assert lookback(14, season=7) == 28  # daily: 4 weeks
    assert lookback(13) == 26  # weekly, no season: 26 weeks of one value
    assert lookback(18, season=12) == 36  # monthly: 3 years
    assert lookback(13, season=1, step=4) == 28  # rounded up to whole steps
    assert lookback(6, step=4) == 12  # the season defaults to the step
    epochs = global_forecast.default_epochs
    assert epochs(185_000, 256) == 15  # M4 Hourly: few passes over many windows
    assert epochs(720, 256) == 200  # a few short series: many passes, at most 200
    assert epochs(25_600, 256) == 30  # 100 batches an epoch: 3,000 steps
    model = _fit(_collection(3, 40), season=None, step=M, epochs=None, patience="auto")
    assert (model.season, model.step) == (M, M)
    assert model.history.epochs <= 200


def test_short_series_fall_back_to_naive2():
    series = _collection(8, 40)  # need lookback 12 + 4 + 4 for validation = 20 values
    series += [s[:16] for s in _collection(3, 16, seed=1)]  # forecast, not trained on
    series += [s[:9] for s in _collection(2, 9, seed=2)]  # shorter than the lookback
    with pytest.warns(UserWarning, match="5 of 13 series have fewer than 20 values"):
        model = _fit(series, epochs=2)
    assert model.n_trained == 8
    with pytest.warns(UserWarning, match="2 of 13 series .* forecast with Naive2"):
        forecasts = global_forecast.forecast_global(model, series)
    assert forecasts.shape == (13, H) and np.isfinite(forecasts).all()
    for k in (11, 12):
        np.testing.assert_array_equal(forecasts[k], baselines.naive2(series[k], H, M))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # long series alone: no warning
        global_forecast.forecast_global(model, series[:11])
    with pytest.raises(ValueError, match=r"series 8 has 16 values; .* short='naive2'"):
        _fit(series, short="raise")
    with pytest.raises(ValueError, match="series 0 has 16 values; at least 20"):
        _fit(series[8:11])  # nothing long enough to train on


def test_same_seed_same_forecasts_and_variants_run():
    series = _collection(n_series=4, length=40)
    a = global_forecast.forecast_global(_fit(series, epochs=2, seed=3), series)
    b = global_forecast.forecast_global(_fit(series, epochs=2, seed=3), series)
    np.testing.assert_array_equal(a, b)
    c = global_forecast.forecast_global(_fit(series, epochs=2, seed=4), series)
    assert not np.array_equal(a, c)
    for kwargs in (
        {"skip": False},
        {"step": 1},
        {"scaling": "series"},
        {"validation": False},
        {"loss": "mse", "cell": "gru", "layers": 2},
    ):
        model = _fit(series, epochs=1, **kwargs)
        assert global_forecast.forecast_global(model, series[:2]).shape == (2, H)


def test_owa_loss_weights_windows_by_the_mase_scale():
    series = _collection(n_series=3, length=40)
    train_data, weights, val_data, val_weights = global_forecast._training_data(
        series, 3 * M, H, "window", "owa", M, True, stride=1
    )
    assert weights.shape == (len(train_data[0]),) and val_weights.shape == (3,)
    assert weights.mean() == pytest.approx(1, rel=1e-6)
    a, b = global_forecast._owa_coefficients(series, M, H)
    scales = [metrics.mase_scale(y[:-H], M) for y in series]
    np.testing.assert_allclose(b * scales, b[0] * scales[0])  # b_k ∝ 1 / s_k
    assert a > 0
    assert metrics.mase_scale(np.arange(10.0), 4) == 4
    with pytest.raises(ValueError, match="repeats itself exactly every m=4"):
        metrics.mase_scale(np.tile([1.0, 2, 3, 4], 3), 4)
    flat = [np.r_[np.tile([1.0, 2, 3, 4], 5), np.ones(H)]]
    with pytest.raises(ValueError, match="loss='owa' needs the MASE scale of series 0"):
        _fit(flat + series, epochs=1)


@pytest.mark.parametrize(
    "series, kwargs, message",
    [
        ([np.r_[np.ones(39), 0.0]], {}, "series 0 must be positive .* minimum of 0.0"),
        ([np.r_[np.ones(39), np.nan]], {}, "series 0 holds 1 NaN or infinite"),
        ([np.ones(19)], {}, r"series 0 has 19 values; at least 20 are needed \(lookback"),
        ([np.ones(15)], {"validation": False}, "at least 16 are needed"),
        ([np.ones(40), []], {}, r"series 1 must have shape \(time,\) with time ≥ 1"),
        (np.ones(40), {}, "got one 1-D array of shape"),
        ([], {}, "series_list holds no series"),
        ([np.ones(40)], {"season": 0}, "season must be a positive integer; got 0"),
        ([np.ones(40)], {"horizon": 2.5}, "horizon must be a positive integer; got 2.5"),
        ([np.ones(40)], {"step": 0}, "step must be a positive integer; got 0"),
        ([np.ones(40)], {"lookback": 10}, "lookback must be a whole number of steps"),
        (
            [np.ones(40)],
            {"lookback": 2, "step": 1},
            r"lookback must hold at least one season \(season=4\)",
        ),
        (
            [np.ones(40)],
            {"cell": "rnn"},
            r"cell must be 'lstm' or 'gru'; got 'rnn'",
        ),
        ([np.ones(40)], {"scaling": "global"}, "scaling must be 'window' or 'series'"),
        ([np.ones(40)], {"loss": "owa2"}, "loss must be one of"),
        ([np.ones(40)], {"short": "drop"}, r"short must be 'naive2' or 'raise'"),
        ([np.ones(40)], {"patience": "soon"}, "patience must be 'auto', a positive"),
        ([np.ones(40)], {"patience": 0}, "patience must be a positive integer; got 0"),
        ([np.ones(40)], {"epochs": 0}, "epochs must be a positive integer; got 0"),
        ([np.ones(40)], {"stride": -1}, "stride must be a positive integer; got -1"),
        ([np.ones(40)], {"device": "cuda:x"}, "device must be 'auto'.*; got 'cuda:x'"),
    ],
)
def test_fit_errors(series, kwargs, message):
    settings = {"horizon": H, "season": M, "lookback": 3 * M, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=message):
        global_forecast.fit_global(series, settings.pop("horizon"), **settings)


def test_forecast_needs_a_whole_lookback_unless_it_falls_back():
    model = _fit(_collection(n_series=2, length=40), epochs=1, short="raise")
    with pytest.raises(ValueError, match="series 1 has 11 values; at least 12"):
        global_forecast.forecast_global(model, [np.ones(12), np.ones(11)])
    with pytest.raises(ValueError, match="series 0 must be positive"):
        global_forecast.forecast_global(model, [-np.ones(12)])


def test_normalise_matches_the_network_view():
    rng = np.random.default_rng(0)
    X = rng.uniform(1, 2, size=(5, 3 * 4))
    Y = rng.uniform(1, 2, size=(5, 6))
    steps, residual, level, snaive = global_forecast.normalise(X, 6, Y, season=4)
    assert steps.shape == (5, 3, 4) and residual.shape == (5, 6) and level.shape == (5, 1)
    np.testing.assert_allclose(level[:, 0], X.mean(axis=1))
    np.testing.assert_allclose(snaive[:, :4], np.log(X[:, -4:] / level))
    np.testing.assert_allclose(snaive[:, 4:], snaive[:, :2])  # the last season, repeated
    np.testing.assert_allclose(level * np.exp(snaive + residual), Y)
    steps, _, _, snaive = global_forecast.normalise(X, 3)  # no season: the last value
    assert steps.shape == (5, 12, 1)
    np.testing.assert_allclose(snaive, np.log(X[:, [-1, -1, -1]] / level))
    assert global_forecast.normalise(X, 6, season=4, step=2)[0].shape == (5, 6, 2)
    with pytest.raises(ValueError, match=r"X must have shape \(n, lookback\) .* step=5"):
        global_forecast.normalise(X, 6, season=5)
    with pytest.raises(ValueError, match="positive"):
        global_forecast.normalise(-X, 6, season=4)
    with pytest.raises(ValueError, match=r"Y must have shape \(n, horizon\) = \(5, 6\)"):
        global_forecast.normalise(X, 6, Y[:, :2], season=4)


def test_the_network_is_a_sequence_regressor_with_a_skip():
    torch.manual_seed(0)
    net = global_forecast.GlobalRNN(6, season=4, hidden=8, skip=True)
    x = torch.randn(3, 12)
    plain = net.regressor(x.reshape(3, 3, 4))
    torch.testing.assert_close(net(x), plain + x[:, [-4, -3, -2, -1, -4, -3]])
    net.skip = False
    torch.testing.assert_close(net(x), plain)
