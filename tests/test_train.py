"""The training loop's sample weights, metric monitoring and k-fold selection."""

import numpy as np
import pytest
import torch
from torch import nn

from seqlib import metrics, torch_models, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _line(n=64, seed=0):
    """``y = 2x + 1`` with a little noise: ``X`` ``(n, 1)``, ``y`` ``(n, 1)``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 1)).astype(np.float32)
    return X, 2 * X + 1 + rng.normal(scale=0.05, size=(n, 1)).astype(np.float32)


def _classes(n=120, seed=0):
    """Two classes of sequences ``(n, 5, 1)``: class 1 rises, class 0 falls."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    slope = np.where(y == 1, 1.0, -1.0)[:, None] * rng.uniform(0.2, 1, size=(n, 1))
    X = slope * np.arange(5) + rng.normal(scale=0.5, size=(n, 5))
    return X[..., None].astype(np.float32), y


def test_sample_weight_scales_each_examples_loss():
    X, y = _line()
    w = np.linspace(0, 2, len(X))
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = train.fit(
        model,
        (X, y),
        (X, y),
        epochs=1,
        lr=1e-3,
        batch_size=16,
        loss="mae",
        sample_weight=w,
        val_sample_weight=w,
        progress=False,
    )
    errors = np.abs(train.predict(model, X) - y)[:, 0]
    assert history.val_loss[0] == pytest.approx(np.mean(w * errors), rel=1e-5)


def test_zero_weights_leave_examples_out():
    X, y = _line()
    contradicting = (X[:32], -y[:32])  # weight 0: these must not pull the fit
    X_all, y_all = np.r_[X, contradicting[0]], np.r_[y, contradicting[1]]
    w = np.r_[np.ones(len(X)), np.zeros(32)]
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    train.fit(
        model,
        (X_all, y_all),
        epochs=150,
        lr=0.05,
        batch_size=32,
        sample_weight=w,
        progress=False,
    )
    assert model.weight.item() == pytest.approx(2, abs=0.1)
    assert model.bias.item() == pytest.approx(1, abs=0.1)


def test_weights_of_one_change_nothing():
    X, y = _line()
    runs = []
    for weights in (None, np.ones(len(X))):
        torch.manual_seed(0)
        model = nn.Linear(1, 1)
        history = train.fit(
            model,
            (X, y),
            (X, y),
            epochs=3,
            lr=0.05,
            batch_size=16,
            sample_weight=weights,
            progress=False,
        )
        runs.append(history.val_loss)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-6)


def test_monitor_accuracy_or_a_callable():
    X, y = _classes()
    tr, va = (X[:80], y[:80]), (X[80:], y[80:])
    torch.manual_seed(0)
    model = torch_models.classifier(2, n_features=1, hidden=8)
    history = train.fit(
        model,
        tr,
        va,
        epochs=8,
        lr=0.02,
        batch_size=16,
        loss="cross_entropy",
        monitor="accuracy",
        progress=False,
    )
    assert len(history.val_metric) == len(history.val_loss) == 8
    assert history.best_epoch == int(np.argmax(history.val_metric))  # mode "max"
    accuracy = metrics.accuracy(va[1], train.predict(model, va[0]).argmax(axis=1))
    assert accuracy == history.val_metric[history.best_epoch] > 0.8

    X, y = _line()
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = train.fit(
        model,
        (X[:48], y[:48]),
        (X[48:], y[48:]),
        epochs=30,
        lr=0.05,
        batch_size=16,
        monitor=metrics.mae,
        patience=2,
        progress=False,
    )
    assert history.best_epoch == int(np.argmin(history.val_metric))  # mode "min"
    assert history.epochs in (30, history.best_epoch + 3)


def test_monitor_with_mode_max_on_a_callable():
    X, y = _line()
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    history = train.fit(
        model,
        (X, y),
        (X, y),
        epochs=5,
        lr=0.05,
        batch_size=16,
        monitor=lambda t, p: -metrics.rmse(t, p),
        mode="max",
        progress=False,
    )
    assert history.best_epoch == int(np.argmax(history.val_metric))


def test_kfold_select_picks_the_best_and_refits_on_everything():
    X, y = _line(n=60)
    selection = train.kfold_select(
        lambda bias: nn.Linear(1, 1, bias=bias),
        {"bias": [False, True]},  # a grid, as for scikit-learn's GridSearchCV
        (X, y),
        folds=3,
        epochs=40,
        lr=0.05,
        batch_size=16,
    )
    assert selection.candidates == [{"bias": False}, {"bias": True}]
    assert selection.scores.shape == (2, 3)
    assert selection.best_params == {"bias": True}  # y = 2x + 1 needs its intercept
    assert selection.mean_scores[1] < selection.mean_scores[0]
    assert selection.history.epochs == 40 and selection.model.bias is not None
    assert selection.model.bias.item() == pytest.approx(1, abs=0.1)
    again = train.kfold_select(
        lambda bias: nn.Linear(1, 1, bias=bias),
        [{"bias": False}, {"bias": True}],
        (X, y),
        folds=3,
        epochs=40,
        lr=0.05,
        batch_size=16,
    )
    np.testing.assert_array_equal(selection.scores, again.scores)  # seeded


def test_kfold_select_stratified_by_accuracy():
    X, y = _classes(n=60)
    selection = train.kfold_select(
        lambda hidden: torch_models.classifier(2, n_features=1, hidden=hidden),
        [{"hidden": 1}, {"hidden": 8}],
        (X, y),
        folds=3,
        stratify=True,
        monitor="accuracy",
        epochs=10,
        lr=0.03,
        batch_size=16,
        loss="cross_entropy",
    )
    assert ((0 <= selection.scores) & (selection.scores <= 1)).all()
    assert (
        selection.best_params == selection.candidates[int(np.argmax(selection.mean_scores))]
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sample_weight": np.ones(3)}, r"one weight per example, shape \(64,\)"),
        ({"sample_weight": -np.ones(64)}, "sample_weight must be finite and non-negative"),
        (
            {"sample_weight": np.ones(64), "loss": lambda p, t: (p - t).abs().mean()},
            "sample_weight needs a named loss",
        ),
        ({"val_sample_weight": np.ones(64)}, "val_sample_weight needs val="),
        ({"monitor": "f1"}, "monitor must be 'loss', 'accuracy' or a callable"),
        ({"monitor": "accuracy"}, "monitor='accuracy' needs validation data"),
        ({"mode": "best"}, "mode must be 'min' or 'max'; got 'best'"),
        ({"device": "gpu"}, "device must be 'auto', 'cpu', 'cuda'.*; got 'gpu'"),
    ],
)
def test_fit_errors(kwargs, message):
    X, y = _line()
    with pytest.raises(ValueError, match=message):
        train.fit(
            nn.Linear(1, 1),
            (X, y),
            epochs=1,
            lr=0.1,
            batch_size=8,
            progress=False,
            **kwargs,
        )


@pytest.mark.parametrize(
    "candidates, kwargs, message",
    [
        ([{}], {"folds": 1}, "folds must be an integer of at least 2; got 1"),
        ([{}], {"folds": 100}, "folds=100 needs at least 100 examples; train holds 64"),
        ([], {}, "candidates holds no settings"),
        ([{}], {"patience": 2}, "kfold_select does not pass patience= to fit"),
        ([{}], {"monitor": "auc"}, "monitor must be"),
        ([{}], {"device": "tpu"}, "device must be 'auto'.*; got 'tpu'"),
    ],
)
def test_kfold_select_errors(candidates, kwargs, message):
    X, y = _line()
    settings = {"epochs": 1, "lr": 0.1, "batch_size": 8, **kwargs}
    with pytest.raises(ValueError, match=message):
        train.kfold_select(lambda: nn.Linear(1, 1), candidates, (X, y), **settings)


def test_predict_errors():
    X, _ = _line()
    with pytest.raises(ValueError, match="predict needs at least one input array"):
        train.predict(nn.Linear(1, 1))
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got 0"):
        train.predict(nn.Linear(1, 1), X, batch_size=0)
    with pytest.raises(ValueError, match="device must be 'auto'.*; got 'gpu'"):
        train.predict(nn.Linear(1, 1), X, device="gpu")
