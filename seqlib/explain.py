"""Looking inside a trained recurrent model: gate values and token attributions.

* :func:`gate_trace` replays a trained one-layer LSTM or GRU with the NumPy
  cells of :mod:`seqlib.cells` and returns every gate's value at every step:
  how much of its memory the layer keeps (the LSTM's forget gate ``f``, the
  GRU's update gate ``z``), how much it writes, and what it shows.
* :func:`token_attributions` splits a classifier's output for one sentence
  among its tokens with integrated gradients (Sundararajan et al., 2017),
  computed by Captum at the embedding layer.

Importing this module imports no framework: :func:`gate_trace` needs only
NumPy (and PyTorch when it is given a PyTorch layer, to read its weights);
:func:`token_attributions` imports PyTorch and Captum when called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ._checks import positive_int
from .cells import GRUParams, LSTMParams, gru_step, lstm_step

__all__ = ["TokenAttribution", "gate_trace", "token_attributions"]

LSTM_FIELDS = ("f", "i", "c_tilde", "o", "c", "h")
GRU_FIELDS = ("r", "z", "h_tilde", "h")


def _params(layer) -> LSTMParams | GRUParams:
    """The layer's weights in the book's notation (a PyTorch layer is converted)."""
    if isinstance(layer, (LSTMParams, GRUParams)):
        return layer
    kind = type(layer)
    if kind.__module__.startswith("torch") and kind.__name__ in ("LSTM", "GRU"):
        from .convert import from_torch

        return from_torch(layer)
    raise ValueError(
        "layer must be LSTMParams, GRUParams, or a one-layer torch.nn.LSTM or "
        f"torch.nn.GRU; got {kind.__name__}"
    )


def gate_trace(layer, x) -> dict[str, np.ndarray]:
    """Every gate of a one-layer LSTM or GRU at every step of ``x``.

    The layer is replayed step by step with :func:`seqlib.cells.lstm_step` or
    :func:`seqlib.cells.gru_step`, in float64, from zero initial states.

    Args:
        layer: :class:`~seqlib.cells.LSTMParams`, :class:`~seqlib.cells.GRUParams`,
            or a trained one-layer, one-direction ``torch.nn.LSTM`` or
            ``torch.nn.GRU`` (read with :func:`seqlib.convert.from_torch`).
        x: the layer's inputs, ``(time, features)`` for one sequence or
            ``(batch, time, features)``; for a text classifier, the embedding
            vectors of the tokens.

    Returns:
        A dict of arrays ``(batch, time, hidden)``, or ``(time, hidden)`` when
        ``x`` is one sequence. LSTM: ``"f"`` (forget gate: the share of the
        cell state kept), ``"i"`` (input gate), ``"c_tilde"`` (candidate),
        ``"o"`` (output gate), ``"c"`` (cell state) and ``"h"`` (hidden state).
        GRU: ``"r"`` (reset gate), ``"z"`` (update gate: in PyTorch's and
        Keras' convention, the share of the previous state kept),
        ``"h_tilde"`` (candidate) and ``"h"``. ``"h"`` equals the layer's
        outputs.

    Raises:
        ValueError: if ``layer`` is not one of those, or ``x`` does not have
            shape ``(time, features)`` or ``(batch, time, features)`` with the
            layer's number of features and at least one step.
    """
    params = _params(layer)
    x = np.asarray(x, dtype=np.float64)
    one = x.ndim == 2
    if one:
        x = x[None]
    if x.ndim != 3 or x.shape[2] != params.input_size or x.shape[1] == 0:
        raise ValueError(
            "x must have shape (time, features) or (batch, time, features) with "
            f"features={params.input_size} and time ≥ 1; got {x.shape}"
        )
    batch, steps, _ = x.shape
    h = np.zeros((batch, params.hidden_size))
    is_lstm = isinstance(params, LSTMParams)
    fields = LSTM_FIELDS if is_lstm else GRU_FIELDS
    trace = {name: [] for name in fields}
    c = np.zeros_like(h)
    for t in range(steps):
        step = lstm_step(x[:, t], h, c, params) if is_lstm else gru_step(x[:, t], h, params)
        h = step.h
        if is_lstm:
            c = step.c
        for name in fields:
            trace[name].append(getattr(step, name))
    out = {name: np.stack(values, axis=1) for name, values in trace.items()}
    return {name: value[0] for name, value in out.items()} if one else out


class TokenAttribution(NamedTuple):
    """Integrated gradients of one sentence, one number per token.

    Attributes:
        values: ``(time,)``, each token's share of ``score - baseline_score``.
        score: the explained score of the sentence.
        baseline_score: the same score of the baseline (every token replaced
            by ``baseline_id``, the same length).
        delta: ``values.sum() - (score - baseline_score)``, the error of the
            integral's approximation; integrated gradients are *complete*, so
            it is 0 up to that error.
    """

    values: np.ndarray
    score: float
    baseline_score: float
    delta: float


def token_attributions(
    model,
    ids,
    *,
    score: Callable,
    lengths: int | None = None,
    baseline_id: int = 0,
    steps: int = 64,
    layer=None,
) -> TokenAttribution:
    """Integrated gradients of ``score(model(ids))`` over one sentence's tokens.

    The path runs in the space of the embedding vectors, from the baseline
    sentence (every token ``baseline_id``: padding by default, whose vector is
    zero) to the sentence, in a straight line; Captum's
    ``LayerIntegratedGradients`` integrates the gradient along it with
    ``steps`` Gauss-Legendre points and multiplies by the difference of the
    vectors. Each token's attribution is the sum over its vector's components.
    Completeness: the attributions add up to ``score(sentence) -
    score(baseline)`` (:attr:`TokenAttribution.delta` measures the gap).

    Args:
        model: a PyTorch classifier called as ``model(ids)`` or ``model(ids,
            lengths)`` with ids ``(batch, time)`` and returning logits
            ``(batch, classes)``, e.g. :class:`seqlib.torch_models.SequenceClassifier`.
        ids: one sentence's token ids ``(time,)``, unpadded.
        score: maps logits ``(batch, classes)`` to the explained score
            ``(batch,)``, e.g. ``lambda z: z[:, 1] - z[:, 0]``, the log-odds of
            class 1 against class 0.
        lengths: when given (the sentence's length), the model is also passed
            the lengths, as a packing classifier expects.
        baseline_id: the token id of the baseline sentence.
        steps: integration points (≥ 2).
        layer: the embedding layer; ``model.embedding`` when ``None``.

    Returns:
        A :class:`TokenAttribution`.

    Raises:
        ValueError: if ``ids`` is not a non-empty 1-D array of integers,
            ``lengths`` is not its length, ``steps`` is below 2, ``score`` is not
            callable, or the model has no embedding layer.
    """
    import torch
    from captum.attr import LayerIntegratedGradients

    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) == 0 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be one sentence's token ids, a non-empty 1-D integer array; "
            f"got shape {ids.shape} and dtype {ids.dtype}"
        )
    if lengths is not None and lengths != len(ids):
        raise ValueError(f"lengths must be len(ids) = {len(ids)}; got {lengths!r}")
    steps = positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be at least 2; got {steps}")
    if not callable(score):
        raise ValueError(f"score must be callable; got {type(score).__name__}")
    layer = getattr(model, "embedding", None) if layer is None else layer
    if not isinstance(layer, torch.nn.Embedding):
        raise ValueError(
            "the model needs an embedding layer (model.embedding or layer=); "
            f"got {type(layer).__name__}"
        )

    def explained(x, *extra):
        return score(model(x, *extra))

    tokens = torch.as_tensor(ids, dtype=torch.long)[None]
    baseline = torch.full_like(tokens, baseline_id)
    extra = () if lengths is None else (torch.tensor([lengths]),)
    model.eval()
    attributions, delta = LayerIntegratedGradients(explained, layer).attribute(
        tokens,
        baselines=baseline,
        additional_forward_args=extra or None,
        n_steps=steps,
        return_convergence_delta=True,
    )
    with torch.no_grad():
        ends = [float(explained(t, *extra)[0]) for t in (tokens, baseline)]
    values = attributions[0].sum(dim=-1).detach().double().numpy()
    return TokenAttribution(values, ends[0], ends[1], float(delta[0]))
