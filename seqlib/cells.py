"""NumPy reference implementations of the plain RNN, LSTM and GRU layers.

Every function here is written to be read beside the book's equations: one line
per gate, with the names the book uses (``f_t``, ``i_t``, ``c_tilde``, ``o_t`` for
the LSTM; ``r_t``, ``z_t``, ``h_tilde`` for the GRU).

Conventions used throughout:

* inputs are batch first, ``x`` has shape ``(batch, time, features)``;
* each weight matrix acts on the concatenation ``[h_{t-1}, x_t]``, so it has
  shape ``(hidden, hidden + features)``: the first ``hidden`` columns multiply
  the previous hidden state and the remaining ``features`` columns the input;
* biases have shape ``(hidden,)``.

:mod:`seqlib.convert` moves these parameters to and from PyTorch and Keras, and
:mod:`seqlib.backprop` computes their gradients through time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Literal, NamedTuple

import numpy as np

from ._checks import one_of, positive_int

__all__ = [
    "RNNParams",
    "LSTMParams",
    "GRUParams",
    "LSTMStep",
    "GRUStep",
    "sigmoid",
    "rnn",
    "lstm_step",
    "lstm",
    "gru_step",
    "gru",
    "init_rnn",
    "init_lstm",
    "init_gru",
    "flip_update",
    "count_parameters",
]

UpdateConvention = Literal["previous", "candidate"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))``, computed without overflow."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(a)))


# ---------------------------------------------------------------------------
# Parameter containers
# ---------------------------------------------------------------------------


def _check_weight(name: str, value: np.ndarray, hidden: int, inputs: int) -> None:
    if value.shape != (hidden, hidden + inputs):
        raise ValueError(
            f"{name} must have shape (hidden, hidden + features) = "
            f"({hidden}, {hidden + inputs}); got {value.shape}"
        )


def _check_bias(name: str, value: np.ndarray, hidden: int) -> None:
    if value.shape != (hidden,):
        raise ValueError(
            f"{name} must have shape (hidden,) = ({hidden},); got {value.shape}"
        )


def _as_arrays(obj) -> None:
    """Turn every array-like field of a frozen dataclass into a float ndarray."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.name.startswith(("W_", "b_")) and value is not None:
            arr = np.asarray(value, dtype=np.result_type(value, np.float32))
            object.__setattr__(obj, f.name, arr)


def _sizes_from(W: np.ndarray, name: str) -> tuple[int, int]:
    if W.ndim != 2 or W.shape[1] <= W.shape[0]:
        raise ValueError(
            f"{name} must have shape (hidden, hidden + features) with features >= 1; "
            f"got {W.shape}"
        )
    hidden = W.shape[0]
    return hidden, W.shape[1] - hidden


@dataclass(frozen=True)
class RNNParams:
    """Weights of a plain (Elman) RNN layer: ``h_t = tanh(W_h · [h_{t-1}, x_t] + b_h)``.

    ``W_h`` has shape ``(hidden, hidden + features)`` and ``b_h`` shape ``(hidden,)``.
    """

    W_h: np.ndarray
    b_h: np.ndarray

    def __post_init__(self) -> None:
        _as_arrays(self)
        hidden, inputs = _sizes_from(self.W_h, "W_h")
        _check_bias("b_h", self.b_h, hidden)

    @property
    def hidden_size(self) -> int:
        return self.W_h.shape[0]

    @property
    def input_size(self) -> int:
        return self.W_h.shape[1] - self.W_h.shape[0]


@dataclass(frozen=True)
class LSTMParams:
    """Weights of one LSTM layer, in the book's notation.

    Each gate ``g`` in ``f`` (forget), ``i`` (input), ``c`` (candidate cell) and
    ``o`` (output) computes ``W_g · [h_{t-1}, x_t] + b_g``. Every ``W_g`` has shape
    ``(hidden, hidden + features)`` and every ``b_g`` shape ``(hidden,)``.
    """

    W_f: np.ndarray
    W_i: np.ndarray
    W_c: np.ndarray
    W_o: np.ndarray
    b_f: np.ndarray
    b_i: np.ndarray
    b_c: np.ndarray
    b_o: np.ndarray

    def __post_init__(self) -> None:
        _as_arrays(self)
        hidden, inputs = _sizes_from(self.W_f, "W_f")
        for gate in "fico":
            _check_weight(f"W_{gate}", getattr(self, f"W_{gate}"), hidden, inputs)
            _check_bias(f"b_{gate}", getattr(self, f"b_{gate}"), hidden)

    @property
    def hidden_size(self) -> int:
        return self.W_f.shape[0]

    @property
    def input_size(self) -> int:
        return self.W_f.shape[1] - self.W_f.shape[0]


@dataclass(frozen=True)
class GRUParams:
    """Weights of one GRU layer, in the book's notation.

    The reset gate ``r`` and the update gate ``z`` compute
    ``W_g · [h_{t-1}, x_t] + b_g``. The candidate state ``h_tilde`` depends on
    where the reset gate is applied:

    * ``reset_after=False`` (Cho et al. 2014, Chung et al. 2014, the article):
      ``h_tilde = tanh(W_h · [r_t * h_{t-1}, x_t] + b_h)``;
    * ``reset_after=True`` (cuDNN, PyTorch, Keras' default):
      ``h_tilde = tanh(W_hx · x_t + b_h + r_t * (W_hh · h_{t-1} + b_h_rec))``
      where ``W_hh = W_h[:, :hidden]`` and ``W_hx = W_h[:, hidden:]``.

    and the new state depends on the update convention:

    * ``update="previous"`` (Cho et al. 2014, PyTorch, Keras):
      ``h_t = z_t * h_{t-1} + (1 - z_t) * h_tilde``;
    * ``update="candidate"`` (Chung et al. 2014, the article):
      ``h_t = (1 - z_t) * h_{t-1} + z_t * h_tilde``.

    The two update conventions describe the same family of models
    (see :func:`flip_update`); the two reset placements do not.

    Every ``W_g`` has shape ``(hidden, hidden + features)`` and every ``b_g`` shape
    ``(hidden,)``. ``b_h_rec`` ``(hidden,)`` is the bias inside the reset product: it
    exists only with ``reset_after=True`` (zeros when omitted) and must be ``None``
    otherwise. ``reset_after`` and ``update`` select the variant described above.
    """

    W_r: np.ndarray
    W_z: np.ndarray
    W_h: np.ndarray
    b_r: np.ndarray
    b_z: np.ndarray
    b_h: np.ndarray
    b_h_rec: np.ndarray | None = None
    reset_after: bool = True
    update: UpdateConvention = "previous"

    def __post_init__(self) -> None:
        _as_arrays(self)
        hidden, inputs = _sizes_from(self.W_r, "W_r")
        for gate in "rzh":
            _check_weight(f"W_{gate}", getattr(self, f"W_{gate}"), hidden, inputs)
            _check_bias(f"b_{gate}", getattr(self, f"b_{gate}"), hidden)
        one_of("update", self.update, ("previous", "candidate"))
        if self.reset_after:
            if self.b_h_rec is None:
                object.__setattr__(self, "b_h_rec", np.zeros(hidden, self.b_h.dtype))
            _check_bias("b_h_rec", self.b_h_rec, hidden)
        elif self.b_h_rec is not None:
            raise ValueError(
                "b_h_rec is used only with reset_after=True; got reset_after=False "
                f"and b_h_rec of shape {self.b_h_rec.shape}"
            )

    @property
    def hidden_size(self) -> int:
        return self.W_r.shape[0]

    @property
    def input_size(self) -> int:
        return self.W_r.shape[1] - self.W_r.shape[0]


def count_parameters(params: RNNParams | LSTMParams | GRUParams) -> int:
    """Number of trainable numbers in ``params`` (weights and biases)."""
    return sum(
        getattr(params, f.name).size
        for f in fields(params)
        if f.name.startswith(("W_", "b_")) and getattr(params, f.name) is not None
    )


# ---------------------------------------------------------------------------
# Random initialisation (the same uniform range PyTorch uses)
# ---------------------------------------------------------------------------


def _uniform(rng: np.random.Generator, hidden: int, shape: tuple[int, ...]) -> np.ndarray:
    bound = 1.0 / np.sqrt(hidden)
    return rng.uniform(-bound, bound, size=shape)


def _check_sizes(input_size: int, hidden_size: int) -> None:
    positive_int("input_size", input_size)
    positive_int("hidden_size", hidden_size)


def init_rnn(input_size: int, hidden_size: int, seed: int = 0) -> RNNParams:
    """Random plain-RNN parameters, uniform in ``±1/sqrt(hidden_size)``."""
    _check_sizes(input_size, hidden_size)
    rng = np.random.default_rng(seed)
    H, D = hidden_size, input_size
    return RNNParams(W_h=_uniform(rng, H, (H, H + D)), b_h=_uniform(rng, H, (H,)))


def init_lstm(input_size: int, hidden_size: int, seed: int = 0) -> LSTMParams:
    """Random LSTM parameters, uniform in ``±1/sqrt(hidden_size)`` like PyTorch."""
    _check_sizes(input_size, hidden_size)
    rng = np.random.default_rng(seed)
    H, D = hidden_size, input_size
    W = {f"W_{g}": _uniform(rng, H, (H, H + D)) for g in "fico"}
    b = {f"b_{g}": _uniform(rng, H, (H,)) for g in "fico"}
    return LSTMParams(**W, **b)


def init_gru(
    input_size: int,
    hidden_size: int,
    seed: int = 0,
    *,
    reset_after: bool = True,
    update: UpdateConvention = "previous",
) -> GRUParams:
    """Random GRU parameters, uniform in ``±1/sqrt(hidden_size)`` like PyTorch."""
    _check_sizes(input_size, hidden_size)
    rng = np.random.default_rng(seed)
    H, D = hidden_size, input_size
    W = {f"W_{g}": _uniform(rng, H, (H, H + D)) for g in "rzh"}
    b = {f"b_{g}": _uniform(rng, H, (H,)) for g in "rzh"}
    b_h_rec = _uniform(rng, H, (H,)) if reset_after else None
    return GRUParams(**W, **b, b_h_rec=b_h_rec, reset_after=reset_after, update=update)


def flip_update(params: GRUParams) -> GRUParams:
    """The same GRU written in the other update convention.

    Since ``sigmoid(-a) = 1 - sigmoid(a)``, negating the update gate's weights
    and bias turns ``z_t`` into ``1 - z_t``. So
    ``h_t = z_t * h_{t-1} + (1 - z_t) * h_tilde`` with parameters ``p`` computes
    exactly what ``h_t = (1 - z_t) * h_{t-1} + z_t * h_tilde`` computes with
    ``flip_update(p)``.
    """
    other = "candidate" if params.update == "previous" else "previous"
    return replace(params, W_z=-params.W_z, b_z=-params.b_z, update=other)


# ---------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------


def _check_input(x: np.ndarray, input_size: int) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(
            f"x must have shape (batch, time, features={input_size}); got shape {x.shape}"
        )
    if x.shape[2] != input_size:
        raise ValueError(
            f"x has {x.shape[2]} features but the parameters expect {input_size}: "
            f"x must have shape (batch, time, {input_size}); got {x.shape}"
        )
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must hold at least one sequence of one step; got {x.shape}")
    return x


def _initial_state(name: str, value, batch: int, hidden: int, dtype) -> np.ndarray:
    if value is None:
        return np.zeros((batch, hidden), dtype=dtype)
    value = np.asarray(value)
    if value.shape != (batch, hidden):
        raise ValueError(
            f"{name} must have shape (batch, hidden) = ({batch}, {hidden}); "
            f"got {value.shape}"
        )
    return value


# ---------------------------------------------------------------------------
# Plain RNN
# ---------------------------------------------------------------------------


def rnn(
    x: np.ndarray, params: RNNParams, h0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run a plain RNN, ``h_t = tanh(W_h · [h_{t-1}, x_t] + b_h)``, over a batch.

    Args:
        x: ``(batch, time, features)``.
        params: the layer's weights.
        h0: initial hidden state ``(batch, hidden)``; zeros when ``None``.

    Returns:
        ``(outputs, h_T)``: every hidden state ``(batch, time, hidden)`` and the
        last one ``(batch, hidden)``.
    """
    x = _check_input(x, params.input_size)
    batch, steps, _ = x.shape
    dtype = np.result_type(x, params.W_h)
    h = _initial_state("h0", h0, batch, params.hidden_size, dtype)
    outputs = []
    for t in range(steps):
        h = np.tanh(np.concatenate([h, x[:, t]], axis=1) @ params.W_h.T + params.b_h)
        outputs.append(h)
    return np.stack(outputs, axis=1), h


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


class LSTMStep(NamedTuple):
    """Everything one LSTM step computes; each field is ``(batch, hidden)``."""

    h: np.ndarray
    c: np.ndarray
    f: np.ndarray
    i: np.ndarray
    c_tilde: np.ndarray
    o: np.ndarray


def lstm_step(
    x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: LSTMParams
) -> LSTMStep:
    """One LSTM time step.

    Args:
        x_t: ``(batch, features)``.
        h_prev, c_prev: ``(batch, hidden)``.
        params: the layer's weights.

    Returns:
        An :class:`LSTMStep` with the new ``h`` and ``c`` and the four gate values.
    """
    p = params
    hx = np.concatenate([h_prev, x_t], axis=1)  # [h_{t-1}, x_t]
    f_t = sigmoid(hx @ p.W_f.T + p.b_f)  # forget gate: what to keep of c_{t-1}
    i_t = sigmoid(hx @ p.W_i.T + p.b_i)  # input gate: how much to write
    c_tilde = np.tanh(hx @ p.W_c.T + p.b_c)  # candidate values to write
    o_t = sigmoid(hx @ p.W_o.T + p.b_o)  # output gate: what to show of c_t
    c_t = f_t * c_prev + i_t * c_tilde  # new cell state
    h_t = o_t * np.tanh(c_t)  # new hidden state
    return LSTMStep(h_t, c_t, f_t, i_t, c_tilde, o_t)


def lstm(
    x: np.ndarray,
    params: LSTMParams,
    h0: np.ndarray | None = None,
    c0: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run an LSTM layer over a batch of sequences.

    Args:
        x: ``(batch, time, features)``.
        params: the layer's weights (:class:`LSTMParams`).
        h0, c0: initial states ``(batch, hidden)``; zeros when ``None``.

    Returns:
        ``(outputs, h_T, c_T)``: the hidden state at every step
        ``(batch, time, hidden)``, and the last hidden and cell states
        ``(batch, hidden)``.
    """
    x = _check_input(x, params.input_size)
    batch, steps, _ = x.shape
    dtype = np.result_type(x, params.W_f)
    h = _initial_state("h0", h0, batch, params.hidden_size, dtype)
    c = _initial_state("c0", c0, batch, params.hidden_size, dtype)
    outputs = []
    for t in range(steps):
        h, c, *_ = lstm_step(x[:, t], h, c, params)
        outputs.append(h)
    return np.stack(outputs, axis=1), h, c


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------


class GRUStep(NamedTuple):
    """Everything one GRU step computes; each field is ``(batch, hidden)``."""

    h: np.ndarray
    r: np.ndarray
    z: np.ndarray
    h_tilde: np.ndarray


def gru_step(x_t: np.ndarray, h_prev: np.ndarray, params: GRUParams) -> GRUStep:
    """One GRU time step, in the variant ``params`` describes.

    Args:
        x_t: ``(batch, features)``.
        h_prev: ``(batch, hidden)``.
        params: the layer's weights and conventions (:class:`GRUParams`).

    Returns:
        A :class:`GRUStep` with the new ``h`` and the gate values.
    """
    p = params
    H = p.hidden_size
    hx = np.concatenate([h_prev, x_t], axis=1)  # [h_{t-1}, x_t]
    r_t = sigmoid(hx @ p.W_r.T + p.b_r)  # reset gate
    z_t = sigmoid(hx @ p.W_z.T + p.b_z)  # update gate
    if p.reset_after:  # r_t scales W_hh · h_{t-1} + b_h_rec (cuDNN, PyTorch, Keras)
        W_hh, W_hx = p.W_h[:, :H], p.W_h[:, H:]
        h_tilde = np.tanh(x_t @ W_hx.T + p.b_h + r_t * (h_prev @ W_hh.T + p.b_h_rec))
    else:  # r_t scales h_{t-1} before the product (Cho et al. 2014)
        rhx = np.concatenate([r_t * h_prev, x_t], axis=1)  # [r_t * h_{t-1}, x_t]
        h_tilde = np.tanh(rhx @ p.W_h.T + p.b_h)
    if p.update == "previous":  # z_t keeps the old state (PyTorch, Keras)
        h_t = z_t * h_prev + (1 - z_t) * h_tilde
    else:  # z_t lets the candidate in (Chung et al. 2014, the article)
        h_t = (1 - z_t) * h_prev + z_t * h_tilde
    return GRUStep(h_t, r_t, z_t, h_tilde)


def gru(
    x: np.ndarray, params: GRUParams, h0: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Run a GRU layer over a batch of sequences.

    Args:
        x: ``(batch, time, features)``.
        params: the layer's weights and conventions (:class:`GRUParams`).
        h0: initial hidden state ``(batch, hidden)``; zeros when ``None``.

    Returns:
        ``(outputs, h_T)``: the hidden state at every step
        ``(batch, time, hidden)`` and the last one ``(batch, hidden)``.
    """
    x = _check_input(x, params.input_size)
    batch, steps, _ = x.shape
    dtype = np.result_type(x, params.W_r)
    h = _initial_state("h0", h0, batch, params.hidden_size, dtype)
    outputs = []
    for t in range(steps):
        h = gru_step(x[:, t], h, params).h
        outputs.append(h)
    return np.stack(outputs, axis=1), h
