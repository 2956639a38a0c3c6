"""One switch for the device: seqlib.reproducibility.device and the functions that use it.

These run on the CPU. PyTorch's ``"meta"`` device, which holds shapes but no values,
stands in for a GPU where a test checks that a model and its data are moved; the
availability of CUDA and MPS is patched where a test needs one or the other. The
tests at the end run only where PyTorch sees a GPU.
"""

import numpy as np
import pytest
import torch
from torch import nn

from seqlib import global_forecast, reproducibility, timing, torch_models, train

VARIABLE = reproducibility.DEVICE_VARIABLE


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(autouse=True)
def _no_variable(monkeypatch):
    """Each test starts without $SEQLIB_DEVICE, whatever the shell running it says."""
    monkeypatch.delenv(VARIABLE, raising=False)


@pytest.fixture
def no_gpu(monkeypatch):
    """A machine without CUDA or MPS, even when the tests run on one that has them."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def _line(n=40, seed=0):
    """``y = 2x + 1`` plus noise: windows ``(n, 3, 1)`` and targets ``(n, 1)``."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 3, 1)).astype(np.float32)
    return X, 2 * X[:, -1] + 1 + rng.normal(scale=0.05, size=(n, 1)).astype(np.float32)


# --- the resolver --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", [None, "cpu", " CPU ", "cpu:0", torch.device("cpu"), "auto", "AUTO"]
)
def test_the_cpu_unless_told_otherwise(no_gpu, name):
    assert reproducibility.device(name).type == "cpu"


def test_auto_takes_cuda_then_mps_then_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert reproducibility.device("auto") == torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert reproducibility.device("auto") == torch.device("mps")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert reproducibility.device("auto") == torch.device("cpu")


def test_the_environment_sets_the_default_only(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setenv(VARIABLE, "auto")
    assert reproducibility.device() == torch.device("cuda")
    assert reproducibility.device(None) == torch.device("cuda")
    assert reproducibility.device("cpu") == torch.device("cpu")  # an argument wins
    monkeypatch.setenv(VARIABLE, "  ")  # set but empty: as if unset
    assert reproducibility.device() == torch.device("cpu")


def test_meta_holds_no_values_but_is_a_device():
    assert reproducibility.device("meta") == torch.device("meta")


@pytest.mark.parametrize(
    "name, message",
    [
        ("gpu", "device must be 'auto', 'cpu', 'cuda', 'cuda:<index>', 'mps'.*got 'gpu'"),
        ("cuda:x", "device must be 'auto'.*got 'cuda:x'"),
        ("xla", "device must be 'auto'.*got 'xla'"),
        ("", "device must be 'auto'.*got ''"),
        (0, "device must be 'auto'.*got int 0"),
        (["cpu"], "device must be 'auto'.*got list"),
    ],
)
def test_bad_names(name, message):
    with pytest.raises(ValueError, match=message):
        reproducibility.device(name)


def test_a_gpu_the_machine_lacks_is_a_clear_error(no_gpu, monkeypatch):
    for name in ("cuda", "cuda:0", torch.device("cuda")):
        with pytest.raises(
            ValueError, match=r"device must be a device this machine.*no CUDA"
        ):
            reproducibility.device(name)
    with pytest.raises(ValueError, match=r"got 'mps'.*MPS\) is not available"):
        reproducibility.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(ValueError, match=r"got 'cuda:1'.*sees 1 CUDA GPU"):
        reproducibility.device("cuda:1")


def test_a_bad_environment_names_the_variable(no_gpu, monkeypatch):
    monkeypatch.setenv(VARIABLE, "gpu")
    with pytest.raises(ValueError, match=r"\$SEQLIB_DEVICE .* must be 'auto'.*got 'gpu'"):
        reproducibility.device()
    monkeypatch.setenv(VARIABLE, "cuda")
    with pytest.raises(ValueError, match=r"\$SEQLIB_DEVICE .*no CUDA GPU"):
        reproducibility.device()


# --- every entry point reads it ------------------------------------------------------


def _calls():
    """Each function that takes ``device=``, called on tiny data with its default."""
    X, y = _line(8)
    series = [np.linspace(10, 20, 40)]

    def new_model():
        return torch_models.regressor(1, hidden=2)

    return {
        "fit": lambda: train.fit(
            new_model(), (X, y), epochs=1, lr=0.1, batch_size=4, progress=False
        ),
        "predict": lambda: train.predict(new_model(), X),
        "kfold_select": lambda: train.kfold_select(
            lambda: new_model(), [{}], (X, y), folds=2, epochs=1, lr=0.1, batch_size=4
        ),
        "fit_global": lambda: global_forecast.fit_global(
            series, 4, season=1, hidden=2, epochs=1, progress=False
        ),
        "forecast_global": lambda: global_forecast.forecast_global(
            _tiny_forecaster(), series
        ),
    }


def _tiny_forecaster():
    series = [np.linspace(10, 20, 40)]
    return global_forecast.fit_global(
        series, 4, season=1, hidden=2, epochs=1, progress=False, device="cpu"
    )


@pytest.mark.parametrize("entry", list(_calls()))
def test_every_entry_point_honours_the_environment(no_gpu, monkeypatch, entry):
    call = _calls()[entry]
    monkeypatch.setenv(VARIABLE, "cuda")  # no CUDA here: the call must refuse it
    with pytest.raises(ValueError, match=r"\$SEQLIB_DEVICE .*no CUDA GPU"):
        call()
    monkeypatch.setenv(VARIABLE, "auto")  # the CPU here
    call()


# --- the same results on the CPU, however it is named --------------------------------


def test_cpu_by_any_name_gives_the_same_training(no_gpu, monkeypatch):
    X, y = _line()
    runs = []
    for device in (None, "cpu", torch.device("cpu"), "auto", "env"):
        if device == "env":
            monkeypatch.setenv(VARIABLE, "auto")
            device = None
        torch.manual_seed(0)
        model = torch_models.regressor(1, hidden=4, dropout=0.1, layers=2)
        history = train.fit(
            model,
            (X[:30], y[:30]),
            (X[30:], y[30:]),
            epochs=3,
            lr=0.01,
            batch_size=8,
            progress=False,
            device=device,
        )
        prediction = train.predict(model, X, device=device)
        assert isinstance(prediction, np.ndarray) and prediction.shape == (len(X), 1)
        runs.append((history.loss, history.val_loss, prediction))
    for run in runs[1:]:
        assert run[0] == runs[0][0] and run[1] == runs[0][1]
        np.testing.assert_array_equal(run[2], runs[0][2])


# --- a stand-in device: "meta" -------------------------------------------------------


class Spy(nn.Module):
    """Notes where its weights and inputs are; returns zeros on the CPU.

    Its output lives on the CPU whatever the device, so the training loop can read
    the loss on the ``"meta"`` device, which holds no values.
    """

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.seen, self.moves = set(), []

    def forward(self, *inputs):
        self.seen |= {t.device.type for t in (*inputs, self.weight)}
        return torch.zeros(len(inputs[0]), 1)

    def to(self, device):
        """Move, noting where to; leaving "meta" gives new, unset weights."""
        self.moves.append(torch.device(device).type)
        if self.weight.device.type == "meta":
            return self.to_empty(device=device)
        return super().to(device)


def test_fit_and_predict_move_the_model_and_every_batch():
    X, y = _line(20)
    lengths = np.full(len(X), 3)
    targets_seen = set()

    def loss(prediction, target):
        targets_seen.add(target.device.type)
        return prediction.sum().requires_grad_()

    model = Spy()
    history = train.fit(
        model,
        (X, lengths, y),
        (X, lengths, y),
        epochs=2,
        lr=0.1,
        batch_size=8,
        loss=loss,
        patience=1,
        progress=False,
        device="meta",
    )
    assert model.seen == {"meta"} and targets_seen == {"meta"}
    assert model.weight.device.type == "meta"  # the model stays on the device
    assert history.loss == [0.0] * history.epochs and history.best_epoch == 0
    model.seen.clear()
    prediction = train.predict(model, X, lengths, device="meta")
    assert model.seen == {"meta"}
    assert isinstance(prediction, np.ndarray) and prediction.shape == (len(X), 1)


def test_predict_runs_on_the_device_and_puts_the_model_back():
    X, _ = _line(10)
    model = Spy()  # on the CPU
    train.predict(model, X, device="meta")
    assert model.seen == {"meta"}  # the weights and every batch went there
    assert model.moves == ["meta", "cpu"]  # and the model came back
    assert model.weight.device.type == "cpu"
    train.predict(model, X, device="cpu")
    assert model.moves == ["meta", "cpu", "cpu"]  # already home: no move back


def test_kfold_select_trains_and_scores_on_the_device():
    X, y = _line(12)
    models = []

    def build():
        models.append(Spy())
        return models[-1]

    train.kfold_select(
        build,
        [{}],
        (X, y),
        folds=2,
        epochs=1,
        lr=0.1,
        batch_size=4,
        loss=lambda prediction, target: prediction.sum().requires_grad_(),
        device="meta",
    )
    assert len(models) == 3 and all(m.seen == {"meta"} for m in models)


def test_the_timer_runs_where_it_is_told_or_where_the_layer_is(monkeypatch):
    layer = nn.LSTM(2, 3, batch_first=True)
    monkeypatch.setenv(VARIABLE, "not a device")  # device=None never reads it
    assert timing.time_training_step(layer, (2, 3, 2), repeats=1, warmup=0) > 0
    assert layer.weight_ih_l0.device.type == "cpu"
    timing.time_training_step(layer, (2, 3, 2), repeats=1, warmup=0, device="meta")
    assert layer.weight_ih_l0.device.type == "meta"
    with pytest.raises(ValueError, match="device must be 'auto'.*got 'gpu'"):
        timing.time_training_step(layer, (2, 3, 2), device="gpu")


def test_the_global_forecaster_passes_its_device_on(monkeypatch):
    model = _tiny_forecaster()
    assert model.device == "cpu"
    asked = []

    def predict(module, *inputs, device=None, **kwargs):
        asked.append(device)
        return np.zeros((len(inputs[0]), model.horizon), dtype=np.float32)

    monkeypatch.setattr(global_forecast, "predict", predict)
    global_forecast.forecast_global(model, [np.linspace(10, 20, 40)], device="meta")
    assert asked == [torch.device("meta")]


# --- on a GPU, where there is one ----------------------------------------------------

GPUS = [
    name
    for name, available in (
        ("cuda", torch.cuda.is_available()),
        ("mps", torch.backends.mps.is_available()),
    )
    if available
]


@pytest.mark.parametrize(
    "gpu", GPUS or [pytest.param("cuda", marks=pytest.mark.skip(reason="no GPU here"))]
)
def test_training_on_a_gpu_matches_the_cpu_closely(gpu):
    X, y = _line(200)
    lengths = torch.as_tensor(np.r_[np.full(100, 3), np.full(100, 2)])
    labels = (y[:, 0] > 1).astype(int)
    results = {}
    for device in ("cpu", gpu):
        torch.manual_seed(0)
        model = torch_models.regressor(1, hidden=8)
        history = train.fit(
            model,
            (X[:150], y[:150]),
            (X[150:], y[150:]),
            epochs=5,
            lr=0.01,
            batch_size=32,
            progress=False,
            device=device,
        )  # keeps the best epoch's weights, copied on the device
        assert next(model.parameters()).device.type == device  # it stays there
        torch.manual_seed(0)
        classifier = torch_models.classifier(2, n_features=1, pooling="mean")
        train.fit(
            classifier,
            (X, lengths, labels),
            epochs=2,
            lr=0.01,
            batch_size=32,
            loss="cross_entropy",
            progress=False,
            device=device,
        )
        results[device] = (
            history.val_loss,
            train.predict(model, X, device=device),
            train.predict(classifier, X, lengths, device=device),
        )
    # cuDNN's kernels add up in another order: close, not equal
    np.testing.assert_allclose(results[gpu][0], results["cpu"][0], rtol=1e-2)
    for ours, theirs in zip(results[gpu][1:], results["cpu"][1:], strict=True):
        assert isinstance(ours, np.ndarray)
        np.testing.assert_allclose(ours, theirs, rtol=1e-2, atol=1e-3)
