"""The cell diagrams draw, on new or given axes, and reject bad arguments."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from seqlib import diagrams  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _check_drawing(ax: Axes) -> None:
    assert isinstance(ax, Axes)
    assert len(ax.patches) >= 5
    assert len(ax.texts) >= 5
    assert not ax.axison
    assert ax.get_aspect() == 1.0
    ax.figure.canvas.draw()  # mathtext and layout render without errors


def test_lstm_cell_new_figure():
    ax = diagrams.lstm_cell()
    _check_drawing(ax)
    texts = _texts(ax)
    for label in ("$f_t$", "$i_t$", r"$\tilde{c}_t$", "$o_t$", "$c_{t-1}$", "$h_t$"):
        assert label in texts
    assert texts.count("σ") == 3 and "tanh" in texts


def test_lstm_cell_uses_given_axes():
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    assert diagrams.lstm_cell(ax2) is ax2
    assert len(ax1.patches) == 0 and len(ax1.texts) == 0
    assert len(fig.axes) == 2
    _check_drawing(ax2)


@pytest.mark.parametrize("reset_after", [False, True])
@pytest.mark.parametrize("update", ["previous", "candidate"])
def test_gru_cell_variants(reset_after, update):
    ax = diagrams.gru_cell(reset_after=reset_after, update=update)
    _check_drawing(ax)
    text = " ".join(_texts(ax))
    assert f'update="{update}"' in text
    assert f"reset_after={reset_after}" in text
    if update == "previous":
        assert r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$" in text
    else:
        assert r"$h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde{h}_t$" in text
    # Only the reset_after variant has a linear layer on h_{t-1} alone.
    assert ("W_{hh}" in text) == reset_after


def test_gru_cell_uses_given_axes():
    fig, ax = plt.subplots(figsize=(6, 5))
    assert diagrams.gru_cell(ax, reset_after=True) is ax
    assert fig.axes == [ax]
    _check_drawing(ax)


@pytest.mark.parametrize("update", ["Previous", "new", "", None])
def test_gru_cell_bad_update(update):
    with pytest.raises(ValueError, match="'previous' or 'candidate'") as err:
        diagrams.gru_cell(update=update)
    assert repr(update) in str(err.value)


@pytest.mark.parametrize("cell", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("steps", [1, 4])
def test_unrolled_rnn(cell, steps):
    ax = diagrams.unrolled_rnn(steps=steps, cell=cell)
    _check_drawing(ax)
    texts = _texts(ax)
    assert texts.count(cell) == steps
    assert f"$x_{{{steps}}}$" in texts and f"$h_{{{steps}}}$" in texts
    assert ("$c_0$" in texts) == (cell == "LSTM")


def test_unrolled_rnn_uses_given_axes():
    fig, ax = plt.subplots()
    assert diagrams.unrolled_rnn(ax, steps=3, cell="LSTM") is ax
    _check_drawing(ax)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"steps": 0}, "steps must be a positive integer; got 0"),
        ({"steps": 2.5}, "steps must be a positive integer; got 2.5"),
        ({"steps": True}, "steps must be a positive integer; got True"),
        ({"steps": "3"}, "steps must be a positive integer; got '3'"),
        ({"cell": "lstm"}, r"cell must be one of \('RNN', 'LSTM', 'GRU'\); got 'lstm'"),
    ],
)
def test_unrolled_rnn_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        diagrams.unrolled_rnn(**kwargs)


def test_drawings_are_deterministic():
    def describe(ax: Axes) -> list:
        return [(t.get_text(), t.get_position(), t.get_fontsize()) for t in ax.texts] + [
            (type(p).__name__, p.get_extents().bounds) for p in ax.patches
        ]

    first = describe(diagrams.gru_cell(reset_after=True))
    second = describe(diagrams.gru_cell(reset_after=True))
    assert first == second
