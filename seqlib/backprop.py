"""Backpropagation through time for the NumPy LSTM and GRU of :mod:`seqlib.cells`.

Given the gradient of a loss with respect to every output of a layer, these
functions run the layer forward (keeping each step's gate values), then walk
the sequence backwards and return the gradient with respect to every weight,
every input and the initial states. The book checks them against
``torch.autograd``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .cells import (
    GRUParams,
    LSTMParams,
    _check_input,
    _initial_state,
    gru_step,
    lstm_step,
)

__all__ = ["LSTMGradients", "GRUGradients", "lstm_backward", "gru_backward"]


class LSTMGradients(NamedTuple):
    """Gradients of a loss for an LSTM layer.

    ``params`` is an :class:`~seqlib.cells.LSTMParams` holding ``dL/dW_g`` and
    ``dL/db_g``; ``x`` is ``dL/dx``, ``(batch, time, features)``; ``h0`` and ``c0`` are
    ``dL/dh0`` and ``dL/dc0``, ``(batch, hidden)``.
    """

    params: LSTMParams
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray


class GRUGradients(NamedTuple):
    """Gradients of a loss for a GRU layer.

    ``params`` is a :class:`~seqlib.cells.GRUParams` holding the weight and bias
    gradients (with the layer's conventions); ``x`` is ``dL/dx``,
    ``(batch, time, features)``; ``h0`` is ``dL/dh0``, ``(batch, hidden)``.
    """

    params: GRUParams
    x: np.ndarray
    h0: np.ndarray


def _check_grad(name: str, value, shape: tuple[int, ...]) -> np.ndarray:
    if value is None:
        return np.zeros(shape)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {value.shape}")
    return value


def lstm_backward(
    x: np.ndarray,
    params: LSTMParams,
    d_outputs: np.ndarray,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
    d_h_T: np.ndarray | None = None,
    d_c_T: np.ndarray | None = None,
) -> LSTMGradients:
    """Gradients through time of an LSTM layer.

    Args:
        x: ``(batch, time, features)``.
        params: the layer's weights.
        d_outputs: ``dL/d outputs``, ``(batch, time, hidden)``.
        h0, c0: initial states ``(batch, hidden)``; zeros when ``None``.
        d_h_T, d_c_T: gradients flowing into the final states from elsewhere,
            ``(batch, hidden)``; zeros when ``None``.

    Returns:
        :class:`LSTMGradients`.
    """
    x = _check_input(x, params.input_size).astype(np.float64)
    B, T, D = x.shape
    H = params.hidden_size
    d_outputs = _check_grad("d_outputs", d_outputs, (B, T, H))
    h = _initial_state("h0", h0, B, H, np.float64)
    c = _initial_state("c0", c0, B, H, np.float64)

    # Forward pass, keeping what the backward pass needs.
    steps, inputs, cells_before = [], [], []
    for t in range(T):
        inputs.append(np.concatenate([h, x[:, t]], axis=1))
        cells_before.append(c)
        step = lstm_step(x[:, t], h, c, params)
        steps.append(step)
        h, c = step.h, step.c

    grads = {f"W_{g}": np.zeros_like(getattr(params, f"W_{g}"), float) for g in "fico"}
    grads.update({f"b_{g}": np.zeros(H) for g in "fico"})
    dx = np.zeros_like(x)
    dh_next = _check_grad("d_h_T", d_h_T, (B, H))
    dc_next = _check_grad("d_c_T", d_c_T, (B, H))
    for t in reversed(range(T)):
        s = steps[t]
        dh = d_outputs[:, t] + dh_next
        tanh_c = np.tanh(s.c)
        do = dh * tanh_c
        dc = dc_next + dh * s.o * (1 - tanh_c**2)
        df = dc * cells_before[t]
        di = dc * s.c_tilde
        dc_tilde = dc * s.i
        dc_next = dc * s.f
        # Back through the non-linearities to the pre-activations a_g = W_g·[h, x] + b_g.
        pre = {
            "f": df * s.f * (1 - s.f),
            "i": di * s.i * (1 - s.i),
            "c": dc_tilde * (1 - s.c_tilde**2),
            "o": do * s.o * (1 - s.o),
        }
        d_hx = np.zeros((B, H + D))
        for g, da in pre.items():
            grads[f"W_{g}"] += da.T @ inputs[t]
            grads[f"b_{g}"] += da.sum(axis=0)
            d_hx += da @ getattr(params, f"W_{g}")
        dh_next = d_hx[:, :H]
        dx[:, t] = d_hx[:, H:]
    return LSTMGradients(LSTMParams(**grads), dx, dh_next, dc_next)


def gru_backward(
    x: np.ndarray,
    params: GRUParams,
    d_outputs: np.ndarray,
    h0: np.ndarray | None = None,
    d_h_T: np.ndarray | None = None,
) -> GRUGradients:
    """Gradients through time of a GRU layer, in any of its variants.

    Args:
        x: ``(batch, time, features)``.
        params: the layer's weights and conventions.
        d_outputs: ``dL/d outputs``, ``(batch, time, hidden)``.
        h0: initial hidden state ``(batch, hidden)``; zeros when ``None``.
        d_h_T: gradient flowing into the final state from elsewhere, ``(batch, hidden)``.

    Returns:
        :class:`GRUGradients`.
    """
    x = _check_input(x, params.input_size).astype(np.float64)
    B, T, D = x.shape
    H = params.hidden_size
    p = params
    d_outputs = _check_grad("d_outputs", d_outputs, (B, T, H))
    h = _initial_state("h0", h0, B, H, np.float64)

    steps, states_before = [], []
    for t in range(T):
        states_before.append(h)
        step = gru_step(x[:, t], h, p)
        steps.append(step)
        h = step.h

    W_hh, W_hx = p.W_h[:, :H], p.W_h[:, H:]
    g = {name: np.zeros_like(getattr(p, name), float) for name in ("W_r", "W_z", "W_h")}
    g.update({name: np.zeros(H) for name in ("b_r", "b_z", "b_h")})
    g["b_h_rec"] = np.zeros(H) if p.reset_after else None
    dx = np.zeros_like(x)
    dh_next = _check_grad("d_h_T", d_h_T, (B, H))
    for t in reversed(range(T)):
        s, h_prev, x_t = steps[t], states_before[t], x[:, t]
        dh = d_outputs[:, t] + dh_next
        if p.update == "previous":  # h = z*h_prev + (1-z)*h_tilde
            dz, dh_tilde, dh_prev = dh * (h_prev - s.h_tilde), dh * (1 - s.z), dh * s.z
        else:  # h = (1-z)*h_prev + z*h_tilde
            dz, dh_tilde, dh_prev = dh * (s.h_tilde - h_prev), dh * s.z, dh * (1 - s.z)
        da_h = dh_tilde * (1 - s.h_tilde**2)  # pre-activation of the candidate
        if p.reset_after:
            u = h_prev @ W_hh.T + p.b_h_rec
            dr = da_h * u
            du = da_h * s.r
            g["W_h"][:, H:] += da_h.T @ x_t
            g["W_h"][:, :H] += du.T @ h_prev
            g["b_h"] += da_h.sum(axis=0)
            g["b_h_rec"] += du.sum(axis=0)
            dh_prev += du @ W_hh
            dx[:, t] += da_h @ W_hx
        else:
            rhx = np.concatenate([s.r * h_prev, x_t], axis=1)
            g["W_h"] += da_h.T @ rhx
            g["b_h"] += da_h.sum(axis=0)
            d_rhx = da_h @ p.W_h
            dr = d_rhx[:, :H] * h_prev
            dh_prev += d_rhx[:, :H] * s.r
            dx[:, t] += d_rhx[:, H:]
        hx = np.concatenate([h_prev, x_t], axis=1)
        da_r = dr * s.r * (1 - s.r)
        da_z = dz * s.z * (1 - s.z)
        g["W_r"] += da_r.T @ hx
        g["W_z"] += da_z.T @ hx
        g["b_r"] += da_r.sum(axis=0)
        g["b_z"] += da_z.sum(axis=0)
        d_hx = da_r @ p.W_r + da_z @ p.W_z
        dh_prev += d_hx[:, :H]
        dx[:, t] += d_hx[:, H:]
        dh_next = dh_prev
    grads = GRUParams(**g, reset_after=p.reset_after, update=p.update)
    return GRUGradients(grads, dx, dh_next)
