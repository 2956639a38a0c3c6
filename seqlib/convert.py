"""Move LSTM and GRU weights between the book's notation, PyTorch and Keras.

The three layouts of the same numbers, for hidden size ``H`` and ``D`` input
features (``k`` gates: 4 for the LSTM, 3 for the GRU):

* the book (:mod:`seqlib.cells`): one named matrix per gate, ``W_g`` of shape
  ``(H, H + D)`` acting on ``[h_{t-1}, x_t]``, and one bias per gate;
* PyTorch: ``weight_ih`` ``(kH, D)`` and ``weight_hh`` ``(kH, H)`` with gates
  stacked as rows, in the order i, f, g, o (LSTM) or r, z, n (GRU), and two
  biases per gate, ``bias_ih`` and ``bias_hh``;
* Keras: ``kernel`` ``(D, kH)`` and ``recurrent_kernel`` ``(H, kH)`` with gates
  as columns, in the order i, f, c, o (LSTM) or z, r, h (GRU); the LSTM bias is
  ``(4H,)``, the GRU bias ``(2, 3H)`` with ``reset_after=True`` (input and
  recurrent rows) and ``(3H,)`` otherwise.

Only single-layer, unidirectional
layers with the default activations are converted; anything else raises
``ValueError`` rather than giving a model that computes something else.
"""

from __future__ import annotations

import numpy as np

from .cells import GRUParams, LSTMParams, flip_update

__all__ = ["from_torch", "to_torch", "from_keras", "to_keras"]

# Row blocks of PyTorch's stacked weights, and column blocks of Keras' kernels.
_TORCH_LSTM = "ifco"  # PyTorch calls the candidate "g"
_KERAS_LSTM = "ifco"
_TORCH_GRU = "rzh"  # PyTorch calls the candidate "n"
_KERAS_GRU = "zrh"


def _blocks(a: np.ndarray, k: int, axis: int) -> list[np.ndarray]:
    return np.split(np.asarray(a, dtype=np.float64), k, axis=axis)


def _join(W_h: np.ndarray, W_x: np.ndarray) -> np.ndarray:
    """Weights on ``[h, x]`` from the recurrent ``(H, H)`` and input ``(H, D)`` parts."""
    return np.concatenate([W_h, W_x], axis=1)


def _check_params(params) -> None:
    if not isinstance(params, (LSTMParams, GRUParams)):
        raise ValueError(
            f"params must be LSTMParams or GRUParams; got {type(params).__name__}"
        )


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------


def from_torch(module) -> LSTMParams | GRUParams:
    """Read the weights of a one-layer ``torch.nn.LSTM`` or ``torch.nn.GRU``.

    PyTorch keeps two biases per gate (``bias_ih`` and ``bias_hh``); they only
    ever appear summed, except the GRU candidate's recurrent bias, which the
    reset gate multiplies and which becomes ``GRUParams.b_h_rec``.

    Returns:
        :class:`~seqlib.cells.LSTMParams` or :class:`~seqlib.cells.GRUParams`
        (``reset_after=True``, ``update="previous"``) in float64.
    """
    import torch

    if not isinstance(module, (torch.nn.LSTM, torch.nn.GRU)):
        raise ValueError(
            f"module must be a torch.nn.LSTM or torch.nn.GRU; got {type(module).__name__}"
        )
    if module.num_layers != 1 or module.bidirectional:
        raise ValueError(
            "only one-layer, one-direction modules can be converted; got "
            f"num_layers={module.num_layers}, bidirectional={module.bidirectional}"
        )
    if getattr(module, "proj_size", 0):
        raise ValueError(
            f"LSTM projections are not supported; got proj_size={module.proj_size}"
        )

    H = module.hidden_size
    is_lstm = isinstance(module, torch.nn.LSTM)
    k = 4 if is_lstm else 3
    with torch.no_grad():
        W_ih = module.weight_ih_l0.detach().cpu().double().numpy()
        W_hh = module.weight_hh_l0.detach().cpu().double().numpy()
        if module.bias:
            b_ih = module.bias_ih_l0.detach().cpu().double().numpy()
            b_hh = module.bias_hh_l0.detach().cpu().double().numpy()
        else:
            b_ih = b_hh = np.zeros(k * H)

    Wx, Wh = _blocks(W_ih, k, 0), _blocks(W_hh, k, 0)
    bx, bh = _blocks(b_ih, k, 0), _blocks(b_hh, k, 0)
    if is_lstm:
        g = {name: n for n, name in enumerate(_TORCH_LSTM)}
        return LSTMParams(
            **{f"W_{name}": _join(Wh[g[name]], Wx[g[name]]) for name in "fico"},
            **{f"b_{name}": bx[g[name]] + bh[g[name]] for name in "fico"},
        )
    g = {name: n for n, name in enumerate(_TORCH_GRU)}
    return GRUParams(
        W_r=_join(Wh[g["r"]], Wx[g["r"]]),
        W_z=_join(Wh[g["z"]], Wx[g["z"]]),
        W_h=_join(Wh[g["h"]], Wx[g["h"]]),
        b_r=bx[g["r"]] + bh[g["r"]],
        b_z=bx[g["z"]] + bh[g["z"]],
        b_h=bx[g["h"]],
        b_h_rec=bh[g["h"]],
        reset_after=True,
        update="previous",
    )


def to_torch(params: LSTMParams | GRUParams, dtype=None):
    """A ``torch.nn.LSTM`` or ``torch.nn.GRU`` (``batch_first=True``) holding ``params``.

    A GRU written with ``update="candidate"`` is converted with
    :func:`~seqlib.cells.flip_update` first. A GRU with ``reset_after=False``
    cannot be expressed by PyTorch and raises ``ValueError``.

    Args:
        params: :class:`~seqlib.cells.LSTMParams` or :class:`~seqlib.cells.GRUParams`.
        dtype: the module's dtype; ``torch.float32`` when ``None``.
    """
    import torch

    _check_params(params)
    dtype = torch.float32 if dtype is None else dtype
    H, D = params.hidden_size, params.input_size
    if isinstance(params, LSTMParams):
        module = torch.nn.LSTM(D, H, batch_first=True)
        order = _TORCH_LSTM
        b_ih = np.concatenate([getattr(params, f"b_{g}") for g in order])
        b_hh = np.zeros_like(b_ih)
    else:
        if not params.reset_after:
            raise ValueError(
                "PyTorch's GRU applies the reset gate after the matrix product; "
                "params with reset_after=False describe a different model and "
                "cannot be converted (Keras can hold them: to_keras)"
            )
        if params.update != "previous":
            params = flip_update(params)
        module = torch.nn.GRU(D, H, batch_first=True)
        order = _TORCH_GRU
        b_ih = np.concatenate([params.b_r, params.b_z, params.b_h])
        b_hh = np.concatenate([np.zeros(H), np.zeros(H), params.b_h_rec])
    W = [getattr(params, f"W_{g}") for g in order]
    W_ih = np.concatenate([w[:, H:] for w in W], axis=0)
    W_hh = np.concatenate([w[:, :H] for w in W], axis=0)
    module = module.to(dtype)
    with torch.no_grad():
        for name, value in (
            ("weight_ih_l0", W_ih),
            ("weight_hh_l0", W_hh),
            ("bias_ih_l0", b_ih),
            ("bias_hh_l0", b_hh),
        ):
            getattr(module, name).copy_(torch.as_tensor(value, dtype=dtype))
    return module


# ---------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------


def _check_keras_activations(config: dict) -> None:
    if (
        config.get("activation") != "tanh"
        or config.get("recurrent_activation") != "sigmoid"
    ):
        raise ValueError(
            "only activation='tanh' and recurrent_activation='sigmoid' can be "
            "converted; got "
            f"activation={config.get('activation')!r}, "
            f"recurrent_activation={config.get('recurrent_activation')!r}"
        )


def from_keras(layer) -> LSTMParams | GRUParams:
    """Read the weights of a built ``keras.layers.LSTM`` or ``keras.layers.GRU``.

    Returns:
        :class:`~seqlib.cells.LSTMParams`, or :class:`~seqlib.cells.GRUParams` with
        ``update="previous"`` and the layer's own ``reset_after``, in float64.
    """
    import keras

    if not isinstance(layer, (keras.layers.LSTM, keras.layers.GRU)):
        raise ValueError(
            "layer must be a keras.layers.LSTM or keras.layers.GRU; "
            f"got {type(layer).__name__}"
        )
    if not layer.built:
        raise ValueError(
            "the Keras layer has no weights yet: build it or call it on an input"
        )
    config = layer.get_config()
    _check_keras_activations(config)
    H = config["units"]
    weights = [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]
    kernel, recurrent = weights[0], weights[1]
    is_lstm = isinstance(layer, keras.layers.LSTM)
    k = 4 if is_lstm else 3
    bias = weights[2] if config.get("use_bias", True) else None

    Wx, Wh = _blocks(kernel.T, k, 0), _blocks(recurrent.T, k, 0)
    if is_lstm:
        b = _blocks(bias if bias is not None else np.zeros(4 * H), 4, 0)
        g = {name: n for n, name in enumerate(_KERAS_LSTM)}
        return LSTMParams(
            **{f"W_{name}": _join(Wh[g[name]], Wx[g[name]]) for name in "fico"},
            **{f"b_{name}": b[g[name]] for name in "fico"},
        )
    g = {name: n for n, name in enumerate(_KERAS_GRU)}
    reset_after = bool(config.get("reset_after", True))
    if bias is None:
        bias = np.zeros((2, 3 * H)) if reset_after else np.zeros(3 * H)
    if reset_after:
        bx, bh = _blocks(bias[0], 3, 0), _blocks(bias[1], 3, 0)
        b = {name: bx[g[name]] + bh[g[name]] for name in "rz"}
        b["h"], b_h_rec = bx[g["h"]], bh[g["h"]]
    else:
        bx = _blocks(bias, 3, 0)
        b = {name: bx[g[name]] for name in "rzh"}
        b_h_rec = None
    return GRUParams(
        **{f"W_{name}": _join(Wh[g[name]], Wx[g[name]]) for name in "rzh"},
        **{f"b_{name}": b[name] for name in "rzh"},
        b_h_rec=b_h_rec,
        reset_after=reset_after,
        update="previous",
    )


def to_keras(params: LSTMParams | GRUParams, **layer_kwargs):
    """Build a ``keras.layers.LSTM`` or ``keras.layers.GRU`` holding ``params``.

    The layer is built for inputs ``(batch, time, features)`` and returns the
    whole sequence unless ``layer_kwargs`` says otherwise
    (``return_sequences=True`` by default). A GRU keeps its ``reset_after``; one
    written with ``update="candidate"`` is converted with
    :func:`~seqlib.cells.flip_update` first.
    """
    import keras

    _check_params(params)
    H, D = params.hidden_size, params.input_size
    layer_kwargs.setdefault("return_sequences", True)
    for key in ("units", "activation", "recurrent_activation", "use_bias", "reset_after"):
        if key in layer_kwargs:
            raise ValueError(
                f"{key} is set by the parameters; got {key}={layer_kwargs[key]!r}"
            )
    if isinstance(params, LSTMParams):
        layer = keras.layers.LSTM(H, **layer_kwargs)
        order = _KERAS_LSTM
        bias = np.concatenate([getattr(params, f"b_{g}") for g in order])
    else:
        if params.update != "previous":
            params = flip_update(params)
        layer = keras.layers.GRU(H, reset_after=params.reset_after, **layer_kwargs)
        order = _KERAS_GRU
        bias = np.concatenate([getattr(params, f"b_{g}") for g in order])
        if params.reset_after:
            bias = np.stack([bias, np.concatenate([np.zeros(2 * H), params.b_h_rec])])
    W = [getattr(params, f"W_{g}") for g in order]
    kernel = np.concatenate([w[:, H:] for w in W], axis=0).T
    recurrent = np.concatenate([w[:, :H] for w in W], axis=0).T
    layer.build((None, None, D))
    layer.set_weights([kernel, recurrent, bias])
    return layer
