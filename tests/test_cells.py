"""The NumPy layers against torch.nn and keras.layers, and their bad-input errors."""

import numpy as np
import pytest
import torch

from seqlib import cells, convert

SHAPES = [  # (batch, time, features, hidden)
    (1, 1, 1, 1),
    (1, 1, 3, 2),
    (2, 3, 1, 1),
    (1, 9, 2, 3),
    (4, 7, 3, 5),
    (3, 12, 6, 8),
]
TOL = 1e-5  # float32 frameworks against the float64 reference


def _inputs(batch, time, features, hidden, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, time, features)).astype(np.float32)
    h0 = rng.normal(size=(batch, hidden)).astype(np.float32) * 0.5
    c0 = rng.normal(size=(batch, hidden)).astype(np.float32) * 0.5
    return x, h0, c0


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_matches_torch(shape, with_state):
    batch, time, features, hidden = shape
    x, h0, c0 = _inputs(*shape)
    torch.manual_seed(sum(shape))
    module = torch.nn.LSTM(features, hidden, batch_first=True)
    params = convert.from_torch(module)
    state = (torch.tensor(h0)[None], torch.tensor(c0)[None]) if with_state else None
    with torch.no_grad():
        out_t, (h_t, c_t) = module(torch.tensor(x), state)
    out, h, c = cells.lstm(x, params, *((h0, c0) if with_state else ()))
    assert out.shape == (batch, time, hidden)
    np.testing.assert_allclose(out, out_t.numpy(), atol=TOL)
    np.testing.assert_allclose(h, h_t[0].numpy(), atol=TOL)
    np.testing.assert_allclose(c, c_t[0].numpy(), atol=TOL)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_state", [False, True])
def test_gru_matches_torch(shape, with_state):
    batch, time, features, hidden = shape
    x, h0, _ = _inputs(*shape)
    torch.manual_seed(sum(shape))
    module = torch.nn.GRU(features, hidden, batch_first=True)
    params = convert.from_torch(module)
    with torch.no_grad():
        out_t, h_t = module(torch.tensor(x), torch.tensor(h0)[None] if with_state else None)
    out, h = cells.gru(x, params, h0 if with_state else None)
    np.testing.assert_allclose(out, out_t.numpy(), atol=TOL)
    np.testing.assert_allclose(h, h_t[0].numpy(), atol=TOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_rnn_matches_torch(shape):
    batch, time, features, hidden = shape
    x, h0, _ = _inputs(*shape)
    params = cells.init_rnn(features, hidden, seed=3)
    module = torch.nn.RNN(features, hidden, batch_first=True)
    with torch.no_grad():
        module.weight_hh_l0.copy_(torch.tensor(params.W_h[:, :hidden]))
        module.weight_ih_l0.copy_(torch.tensor(params.W_h[:, hidden:]))
        module.bias_ih_l0.copy_(torch.tensor(params.b_h))
        module.bias_hh_l0.zero_()
        out_t, h_t = module(torch.tensor(x), torch.tensor(h0)[None])
    out, h = cells.rnn(x, params, h0)
    np.testing.assert_allclose(out, out_t.numpy(), atol=TOL)
    np.testing.assert_allclose(h, h_t[0].numpy(), atol=TOL)


def test_gru_update_conventions_are_the_same_model():
    x, h0, _ = _inputs(3, 8, 4, 5)
    for reset_after in (True, False):
        p = cells.init_gru(4, 5, seed=1, reset_after=reset_after, update="previous")
        q = cells.flip_update(p)
        assert q.update == "candidate"
        np.testing.assert_allclose(
            cells.gru(x, q, h0)[0], cells.gru(x, p, h0)[0], atol=1e-12
        )
        assert cells.flip_update(q).update == "previous"
        np.testing.assert_array_equal(cells.flip_update(q).W_z, p.W_z)


def test_gru_reset_before_and_after_are_different_models():
    x, h0, _ = _inputs(3, 8, 4, 5)
    after = cells.init_gru(4, 5, seed=1, reset_after=True)
    before = cells.GRUParams(
        W_r=after.W_r, W_z=after.W_z, W_h=after.W_h,
        b_r=after.b_r, b_z=after.b_z, b_h=after.b_h, reset_after=False,
    )  # fmt: skip
    zero_rec = cells.GRUParams(
        W_r=after.W_r, W_z=after.W_z, W_h=after.W_h,
        b_r=after.b_r, b_z=after.b_z, b_h=after.b_h, reset_after=True,
    )  # fmt: skip
    # Same weights, same zero recurrent bias: the placement of r alone changes the output.
    gap = np.abs(cells.gru(x, before, h0)[0] - cells.gru(x, zero_rec, h0)[0]).max()
    assert gap > 1e-2


def test_count_parameters():
    d, h = 3, 2
    assert cells.count_parameters(cells.init_lstm(d, h)) == 4 * (h * (h + d) + h)
    assert cells.count_parameters(cells.init_gru(d, h, reset_after=False)) == 3 * (
        h * (h + d) + h
    )
    assert (
        cells.count_parameters(cells.init_gru(d, h, reset_after=True))
        == 3 * (h * (h + d) + h) + h
    )
    assert cells.count_parameters(cells.init_rnn(d, h)) == h * (h + d) + h


# --- bad input --------------------------------------------------------------------------


def test_wrong_input_rank_names_the_shape():
    p = cells.init_lstm(3, 2)
    with pytest.raises(
        ValueError,
        match=r"x must have shape \(batch, time, features=3\); got shape \(5, 3\)",
    ):
        cells.lstm(np.zeros((5, 3)), p)


def test_wrong_feature_count_names_both():
    p = cells.init_gru(3, 2)
    with pytest.raises(ValueError, match=r"x has 4 features but the parameters expect 3"):
        cells.gru(np.zeros((1, 5, 4)), p)


def test_empty_sequence_is_rejected():
    with pytest.raises(ValueError, match="at least one sequence of one step"):
        cells.lstm(np.zeros((1, 0, 3)), cells.init_lstm(3, 2))


def test_wrong_initial_state_shape():
    p = cells.init_lstm(3, 2)
    with pytest.raises(
        ValueError, match=r"h0 must have shape \(batch, hidden\) = \(4, 2\); got \(4, 3\)"
    ):
        cells.lstm(np.zeros((4, 5, 3)), p, h0=np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"c0 must have shape \(batch, hidden\) = \(4, 2\); got \(2,\)"
    ):
        cells.lstm(np.zeros((4, 5, 3)), p, c0=np.zeros(2))


def test_wrong_parameter_sizes():
    p = cells.init_lstm(3, 2)
    with pytest.raises(
        ValueError,
        match=r"W_o must have shape \(hidden, hidden \+ features\) = \(2, 5\); "
        r"got \(2, 4\)",
    ):
        cells.LSTMParams(p.W_f, p.W_i, p.W_c, p.W_o[:, :4], p.b_f, p.b_i, p.b_c, p.b_o)
    with pytest.raises(
        ValueError, match=r"b_z must have shape \(hidden,\) = \(2,\); got \(3,\)"
    ):
        g = cells.init_gru(3, 2)
        cells.GRUParams(g.W_r, g.W_z, g.W_h, g.b_r, np.zeros(3), g.b_h)
    with pytest.raises(ValueError, match="features >= 1"):
        cells.RNNParams(np.zeros((3, 3)), np.zeros(3))


def test_gru_options_are_checked():
    g = cells.init_gru(3, 2)
    with pytest.raises(
        ValueError, match="update must be 'previous' or 'candidate'; got 'new'"
    ):
        cells.GRUParams(g.W_r, g.W_z, g.W_h, g.b_r, g.b_z, g.b_h, update="new")
    with pytest.raises(ValueError, match="b_h_rec is used only with reset_after=True"):
        cells.GRUParams(
            g.W_r, g.W_z, g.W_h, g.b_r, g.b_z, g.b_h, np.zeros(2), reset_after=False
        )


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True, None])
def test_init_sizes_are_checked(bad):
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        cells.init_lstm(3, bad)


@pytest.mark.parametrize("bad", [0, "2", 1.5])
def test_init_input_size_is_checked_by_name(bad):
    with pytest.raises(
        ValueError, match=f"input_size must be a positive integer; got {bad!r}"
    ):
        cells.init_gru(bad, 2)
