"""seqlib.reproducibility and seqlib.timing: the chapters' set-up, seeds, threads, timer."""

import os
import random
import subprocess
import sys
import warnings

import numpy as np
import pytest

from seqlib import reproducibility, timing


def test_set_seed_repeats_python_and_numpy():
    reproducibility.set_seed(3)
    first = (random.random(), np.random.rand())  # noqa: NPY002
    reproducibility.set_seed(3)
    assert (random.random(), np.random.rand()) == first  # noqa: NPY002


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_set_seed_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        reproducibility.set_seed(bad)


@pytest.mark.parametrize("bad", [0, 2.5, "1", False])
def test_set_threads_rejects_bad_counts(bad):
    with pytest.raises(ValueError, match="n must be a positive integer"):
        reproducibility.set_threads(bad)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"seed": -1}, "seed must be a non-negative integer; got -1"),
        ({"threads": 0}, "threads must be a positive integer; got 0"),
        ({"frameworks": ["jax"]}, "frameworks must be one of .*; got 'jax'"),
    ],
)
def test_setup_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reproducibility.setup(**kwargs)


def test_setup_sets_environment_seeds_and_quiet_warnings(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.setenv("KERAS_BACKEND", "torch")  # a value already set is kept
    with warnings.catch_warnings():
        reproducibility.setup(seed=5, threads=1)
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"
        assert os.environ["KERAS_BACKEND"] == "torch"
        drawn = np.random.rand()  # noqa: NPY002
        reproducibility.set_seed(5)
        assert np.random.rand() == drawn  # noqa: NPY002
        with warnings.catch_warnings(record=True) as caught:
            warnings.warn_explicit("fit did not converge", UserWarning, "x.py", 1,
                                   module="statsmodels.tsa.holtwinters")  # fmt: skip
            warnings.warn("IProgress not found. Please update jupyter", stacklevel=1)
            warnings.warn("anything else", stacklevel=1)
        assert [str(w.message) for w in caught] == ["anything else"]


def test_setup_imports_and_seeds_torch_in_a_fresh_interpreter():
    pytest.importorskip("torch")
    code = (
        "from seqlib.reproducibility import setup\n"
        "setup(seed=7, threads=1, frameworks=['torch'])\n"
        "import torch\n"
        "a = torch.rand(3)\n"
        "setup(seed=7, threads=1, frameworks=['torch'])\n"
        "assert torch.equal(a, torch.rand(3))\n"
        "assert torch.get_num_threads() == 1\n"
        "import sys; assert 'tensorflow' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_setup_takes_its_threads_from_the_environment():
    pytest.importorskip("torch")
    code = (
        "from seqlib.reproducibility import setup\n"
        "import torch\n"
        "setup(frameworks=['torch'])\n"
        "assert torch.get_num_threads() == 2, torch.get_num_threads()\n"
        "setup(threads=1, frameworks=['torch'])  # an argument wins\n"
        "assert torch.get_num_threads() == 1\n"
    )
    env = {**os.environ, "SEQLIB_THREADS": "2"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_setup_rejects_a_bad_threads_variable(monkeypatch, value):
    monkeypatch.setenv("SEQLIB_THREADS", value)
    message = rf"\$SEQLIB_THREADS .* must be a positive integer; got '{value}'"
    with pytest.raises(ValueError, match=message):
        reproducibility.setup()


def test_setup_without_the_threads_variable_uses_one_thread(monkeypatch):
    monkeypatch.setenv("SEQLIB_THREADS", " ")  # empty: as if unset
    assert reproducibility._threads_from_environment() == 1
    monkeypatch.delenv("SEQLIB_THREADS")
    assert reproducibility._threads_from_environment() == 1


def test_time_training_step_on_a_small_layer():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    for layer in (torch.nn.GRU(3, 4, batch_first=True), torch.nn.Linear(3, 2)):
        seconds = timing.time_training_step(
            layer, (2, 5, 3), repeats=2, warmup=1, threads=1
        )
        assert 0 < seconds < 5
    assert torch.get_num_threads() == before  # restored


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"batch_shape": (2, 5)}, r"batch_shape must be \(batch, time, features\)"),
        ({"batch_shape": (2, 0, 3)}, "batch_shape must be a positive integer; got 0"),
        ({"repeats": 0}, "repeats must be a positive integer; got 0"),
        ({"warmup": -1}, "warmup must be a non-negative integer; got -1"),
        ({"threads": 0.5}, "threads must be a positive integer; got 0.5"),
    ],
)
def test_time_training_step_errors(kwargs, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        timing.time_training_step(torch.nn.GRU(3, 4, batch_first=True), **kwargs)
