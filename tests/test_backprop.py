"""Gradients through time of the NumPy layers against torch.autograd, in float64."""

import numpy as np
import pytest
import torch

from seqlib import backprop, cells, convert

TOL = 1e-6
SHAPES = [(1, 1, 1, 1), (2, 3, 2, 4), (3, 8, 3, 5), (1, 15, 2, 3)]


def _data(batch, time, features, hidden, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, time, features))
    weights = rng.normal(size=(batch, time, hidden))  # loss = sum(weights * outputs)
    h0, c0 = rng.normal(size=(2, batch, hidden)) * 0.5
    d_hT, d_cT = rng.normal(size=(2, batch, hidden))
    return x, weights, h0, c0, d_hT, d_cT


def _torch_grads(module, x, weights, h0, c0=None, d_hT=None, d_cT=None):
    """Gradients from autograd, laid out as the book's parameters."""
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    c0t = torch.tensor(c0[None], requires_grad=True) if c0 is not None else None
    out, state = module(xt, (h0t, c0t) if c0t is not None else h0t)
    loss = (out * torch.tensor(weights)).sum()
    if c0t is not None:
        loss = (
            loss
            + (state[0][0] * torch.tensor(d_hT)).sum()
            + (state[1][0] * torch.tensor(d_cT)).sum()
        )
    else:
        loss = loss + (state[0] * torch.tensor(d_hT)).sum()
    module.zero_grad()
    loss.backward()
    # A module whose "weights" are the gradients, read back through from_torch. The
    # forward pass sums bias_ih and bias_hh, so each one's gradient is the gradient
    # of their sum; keep it once (bias_hh set to zero) except for the GRU candidate's
    # recurrent bias, which stands alone.
    grad_module = type(module)(
        module.input_size, module.hidden_size, batch_first=True
    ).double()
    with torch.no_grad():
        for name, p in module.named_parameters():
            getattr(grad_module, name).copy_(p.grad)
        bias_hh = grad_module.bias_hh_l0
        keep = module.bias_hh_l0.grad[2 * module.hidden_size :].clone()
        bias_hh.zero_()
        if isinstance(module, torch.nn.GRU):
            bias_hh[2 * module.hidden_size :] = keep
    grads = convert.from_torch(grad_module)
    return (
        grads,
        xt.grad.numpy(),
        h0t.grad[0].numpy(),
        None if c0t is None else c0t.grad[0].numpy(),
    )


def _assert_params_close(ours, theirs):
    for field in ours.__dataclass_fields__:
        a, b = getattr(ours, field), getattr(theirs, field)
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, atol=TOL, err_msg=field)


@pytest.mark.parametrize("shape", SHAPES)
def test_lstm_backward_matches_autograd(shape):
    batch, time, features, hidden = shape
    x, weights, h0, c0, d_hT, d_cT = _data(*shape)
    params = cells.init_lstm(features, hidden, seed=2)
    module = convert.to_torch(params, dtype=torch.float64)
    expected, dx, dh0, dc0 = _torch_grads(module, x, weights, h0, c0, d_hT, d_cT)
    got = backprop.lstm_backward(x, params, weights, h0, c0, d_h_T=d_hT, d_c_T=d_cT)
    _assert_params_close(got.params, expected)
    np.testing.assert_allclose(got.x, dx, atol=TOL)
    np.testing.assert_allclose(got.h0, dh0, atol=TOL)
    np.testing.assert_allclose(got.c0, dc0, atol=TOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_gru_backward_matches_autograd(shape):
    batch, time, features, hidden = shape
    x, weights, h0, _, d_hT, _ = _data(*shape)
    params = cells.init_gru(features, hidden, seed=2)
    module = convert.to_torch(params, dtype=torch.float64)
    expected, dx, dh0, _ = _torch_grads(module, x, weights, h0, d_hT=d_hT)
    got = backprop.gru_backward(x, params, weights, h0, d_h_T=d_hT)
    _assert_params_close(got.params, expected)
    np.testing.assert_allclose(got.x, dx, atol=TOL)
    np.testing.assert_allclose(got.h0, dh0, atol=TOL)


def _gru_autograd(params, x, weights, h0):
    """The GRU equations written with torch tensors, for the variants PyTorch lacks."""
    names = ["W_r", "W_z", "W_h", "b_r", "b_z", "b_h"] + (
        ["b_h_rec"] if params.reset_after else []
    )
    t = {n: torch.tensor(getattr(params, n), requires_grad=True) for n in names}
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0, requires_grad=True)
    H = params.hidden_size
    h, outs = h0t, []
    for step in range(x.shape[1]):
        x_t = xt[:, step]
        hx = torch.cat([h, x_t], dim=1)
        r = torch.sigmoid(hx @ t["W_r"].T + t["b_r"])
        z = torch.sigmoid(hx @ t["W_z"].T + t["b_z"])
        if params.reset_after:
            u = h @ t["W_h"][:, :H].T + t["b_h_rec"]
            n = torch.tanh(x_t @ t["W_h"][:, H:].T + t["b_h"] + r * u)
        else:
            n = torch.tanh(torch.cat([r * h, x_t], dim=1) @ t["W_h"].T + t["b_h"])
        h = z * h + (1 - z) * n if params.update == "previous" else (1 - z) * h + z * n
        outs.append(h)
    (torch.stack(outs, dim=1) * torch.tensor(weights)).sum().backward()
    return {n: v.grad.numpy() for n, v in t.items()}, xt.grad.numpy(), h0t.grad.numpy()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("update", ["previous", "candidate"])
def test_gru_variants_backward_match_autograd(shape, reset_after, update):
    batch, time, features, hidden = shape
    x, weights, h0, *_ = _data(*shape)
    params = cells.init_gru(
        features, hidden, seed=4, reset_after=reset_after, update=update
    )
    expected, dx, dh0 = _gru_autograd(params, x, weights, h0)
    got = backprop.gru_backward(x, params, weights, h0)
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(got.params, name), value, atol=TOL, err_msg=name)
    np.testing.assert_allclose(got.x, dx, atol=TOL)
    np.testing.assert_allclose(got.h0, dh0, atol=TOL)


def test_gradient_shape_errors():
    params = cells.init_lstm(2, 3)
    x = np.zeros((4, 5, 2))
    with pytest.raises(
        ValueError, match=r"d_outputs must have shape \(4, 5, 3\); got \(4, 5, 2\)"
    ):
        backprop.lstm_backward(x, params, np.zeros((4, 5, 2)))
    with pytest.raises(ValueError, match=r"d_h_T must have shape \(4, 3\); got \(3,\)"):
        backprop.gru_backward(
            x, cells.init_gru(2, 3), np.zeros((4, 5, 3)), d_h_T=np.zeros(3)
        )
