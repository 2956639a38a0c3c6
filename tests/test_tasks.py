"""The synthetic long-memory tasks: shapes, targets, difficulty and argument checks."""

import subprocess
import sys

import numpy as np
import pytest

from seqlib import tasks


def test_adding_targets_are_the_sums_of_the_two_marked_values():
    X, y = tasks.adding(200, 30, np.random.default_rng(0))
    assert X.shape == (200, 30, 2) and y.shape == (200, 1)
    assert X.dtype == np.float32 and y.dtype == np.float32
    markers = X[:, :, 1]
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert (markers.sum(axis=1) == 2).all()
    assert (markers[:, :15].sum(axis=1) == 1).all()  # one marker in each half
    np.testing.assert_allclose(y[:, 0], (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)


def test_adding_trivial_baseline_is_one_sixth():
    _, y = tasks.adding(100_000, 4, np.random.default_rng(1))
    assert tasks.ADDING_TRIVIAL_MSE == pytest.approx(1 / 6)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, rel=0.02)


def test_adding_is_repeatable_with_the_same_generator_seed():
    a = tasks.adding(5, 8, np.random.default_rng(3))
    b = tasks.adding(5, 8, np.random.default_rng(3))
    for left, right in zip(a, b, strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize("distractors", [False, True])
def test_delayed_recall_target_is_the_marked_symbol(distractors):
    X, y = tasks.delayed_recall(
        300, 40, np.random.default_rng(0), symbols=5, span=7, distractors=distractors
    )
    assert X.shape == (300, 40, 6) and y.shape == (300,) and y.dtype == np.int64
    marker = X[:, :, 5]
    assert (marker.sum(axis=1) == 1).all()
    where = marker.argmax(axis=1)
    assert where.max() < 7
    rows = np.arange(300)
    np.testing.assert_array_equal(X[rows, where, :5].argmax(axis=1), y)
    assert set(y) == set(range(5))
    shown = X[:, :, :5].sum(axis=2)  # one symbol per step, or none
    if distractors:
        assert (shown == 1).all()
    else:
        assert shown.sum() == 300  # only the marked steps


def test_latch_holds_the_value_of_the_latest_marker():
    X, y = tasks.latch(50, 200, np.random.default_rng(0), rate=0.05)
    assert X.shape == (50, 200, 2) and y.shape == (50, 200, 1)
    for k in range(5):
        held = 0.0
        for t in range(200):
            if X[k, t, 1] == 1:
                held = X[k, t, 0]
            assert y[k, t, 0] == held
    assert 0.02 < X[:, :, 1].mean() < 0.08
    assert (np.abs(X[:, :, 0]) <= 1).all()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: tasks.adding(0, 10, r), "n must be a positive integer; got 0"),
        (lambda r: tasks.adding(4, 1, r), "steps must be an integer of at least 2; got 1"),
        (lambda r: tasks.adding(4, 10, 0), "rng must be a numpy.random.Generator"),
        (
            lambda r: tasks.delayed_recall(4, 5, r, span=10),
            "steps must be an integer of at least 10; got 5",
        ),
        (
            lambda r: tasks.delayed_recall(4, 20, r, symbols=1),
            "symbols must be an integer of at least 2; got 1",
        ),
        (
            lambda r: tasks.latch(4, 20, r, rate=0),
            r"rate must be a probability in \(0, 1\]",
        ),
        (lambda r: tasks.latch(4, 2.5, r), "steps must be a positive integer; got 2.5"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.random.default_rng(0))


def test_tasks_import_no_framework():
    code = (
        "import sys, seqlib.tasks\n"
        "print([m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
