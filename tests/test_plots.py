"""The plot helpers draw what they are given, and refuse what does not fit."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from seqlib import plots
from seqlib.train import History


def test_training_curves_from_seqlib_and_keras_histories():
    ax = plots.training_curves(History(loss=[3, 2, 1], val_loss=[3, 1, 2]))
    assert [len(line.get_xdata()) for line in ax.lines[:2]] == [3, 3]
    assert ax.lines[2].get_xdata()[0] == 2  # the best validation epoch, counted from 1
    assert ax.get_xlabel() == "epoch"
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())  # no epoch 1.5

    class KerasHistory:
        history = {"loss": [1.0, 0.5]}

    ax = plots.training_curves(KerasHistory(), ylabel="MAE")
    assert len(ax.lines) == 1 and ax.get_ylabel() == "MAE"
    with pytest.raises(ValueError, match="history must be a seqlib.train.History"):
        plots.training_curves([1, 2, 3])


def test_forecast_plot():
    ax = plots.forecast([4, 5], {"naive": [3, 3], "model": [4, 4.5]}, history=[1, 2, 3])
    observed, naive, model = ax.lines[:3]
    np.testing.assert_array_equal(observed.get_ydata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(naive.get_xdata(), [3, 4])
    with pytest.raises(ValueError, match="forecast 'bad' must have 2 values"):
        plots.forecast([4, 5], {"bad": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"index must have len\(history\) \+ len\(truth\)"):
        plots.forecast([4, 5], {}, history=[1], index=[0, 1])
