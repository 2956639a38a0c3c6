"""Smaller and faster copies of a trained PyTorch model, and how to measure them.

Each function returns a **copy**; the trained model is left as it was:

* :func:`quantize_int8`: 8-bit integer weights after training (no retraining).
  ``torchao`` quantizes the embeddings and the linear layers; it has no
  recurrent layers, so ``nn.LSTM`` and ``nn.GRU`` go through PyTorch's own
  dynamic quantization, ``torch.ao.quantization.quantize_dynamic``, which
  still works in the book's PyTorch but is deprecated (it warns so);
* :func:`prune_magnitude`: the smallest weights of each layer set to zero
  (``torch.nn.utils.prune``), made permanent;
* :func:`half_precision`: the model in ``bfloat16`` or ``float16``, wrapped so
  that it takes and returns ``float32`` like the original.

Three measures: :func:`checkpoint_size` (bytes of the saved weights, raw and
gzip-compressed), :func:`latency_ms` (the median milliseconds per call, one
sequence at a time) and :func:`sparsity` (the share of zero weights).

Importing this module imports no framework; the functions import PyTorch, and
:func:`quantize_int8` ``torchao``, when called.
"""

from __future__ import annotations

import copy
import gzip
import io
import logging
import statistics
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

from ._checks import non_negative_int, one_of, positive_int

__all__ = [
    "CheckpointSize",
    "checkpoint_size",
    "half_precision",
    "latency_ms",
    "prune_magnitude",
    "quantize_int8",
    "sparsity",
]

HALF_DTYPES = ("bfloat16", "float16")


def _module(name: str, model):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"{name} must be a torch.nn.Module; got {type(model).__name__}")
    return model


class CheckpointSize(NamedTuple):
    """Bytes of a model's saved ``state_dict``: as written, and gzip-compressed."""

    bytes: int
    gzip_bytes: int


def checkpoint_size(model) -> CheckpointSize:
    """The size of ``torch.save(model.state_dict())``, raw and gzip-compressed.

    The raw size is what a checkpoint takes on disk. Pruning sets weights to
    zero but stores them densely, so it leaves the raw size unchanged; the
    compressed size shows how much of the file is redundant (runs of zeros).

    Args:
        model: a ``torch.nn.Module``.

    Returns:
        A :class:`CheckpointSize` ``(bytes, gzip_bytes)``.
    """
    import torch

    buffer = io.BytesIO()
    torch.save(_module("model", model).state_dict(), buffer)
    raw = buffer.getvalue()
    return CheckpointSize(len(raw), len(gzip.compress(raw, compresslevel=6, mtime=0)))


def _import_torchao():
    """Import torchao without its warnings about GPU-only kernel libraries.

    On a CPU-only PyTorch, torchao logs that it could not load its CUDA
    extensions, and PyTorch logs a deprecation note about one of torchao's
    registrations; neither concerns the CPU quantization used here.
    """
    loggers = [logging.getLogger(name) for name in ("torchao", "torch.utils._pytree")]
    levels = [logger.level for logger in loggers]
    try:
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        import torchao.quantization as quantization
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
    return quantization


def quantize_int8(model):
    """A copy of ``model`` with 8-bit integer weights, for inference on a CPU.

    * ``nn.Embedding``: torchao's weight-only int8 (one scale per row,
      ``IntxWeightOnlyConfig``); each looked-up vector is dequantized;
    * ``nn.Linear``: torchao's weight-only int8 (``Int8WeightOnlyConfig``);
    * ``nn.LSTM`` and ``nn.GRU``: ``torch.ao.quantization.quantize_dynamic``
      with ``qint8`` weights; activations are quantized on the fly, step by
      step. torchao does not cover recurrent layers. PyTorch marks
      ``torch.ao.quantization`` as deprecated and warns (``DeprecationWarning``
      and ``UserWarning``) each time; it still works in PyTorch 2.13.

    Biases stay in float32; inputs and outputs are float32 as before.

    Args:
        model: a trained ``torch.nn.Module`` (it is not changed).

    Returns:
        The quantized copy, in evaluation mode.
    """
    import torch
    from torch import nn

    quantized = copy.deepcopy(_module("model", model)).eval()
    ao = _import_torchao()
    from torchao.quantization.granularity import PerAxis

    if any(isinstance(m, nn.Embedding) for m in quantized.modules()):
        ao.quantize_(
            quantized,
            ao.IntxWeightOnlyConfig(weight_dtype=torch.int8, granularity=PerAxis(0)),
            filter_fn=lambda module, _: isinstance(module, nn.Embedding),
        )
    if any(isinstance(m, nn.Linear) for m in quantized.modules()):
        ao.quantize_(quantized, ao.Int8WeightOnlyConfig())
    recurrent = {type(m) for m in quantized.modules() if type(m) in (nn.LSTM, nn.GRU)}
    if recurrent:
        quantized = torch.ao.quantization.quantize_dynamic(
            quantized, recurrent, dtype=torch.qint8
        )
    return quantized


# The layers whose weight matrices prune_magnitude prunes, and their weights' names.
def _prunable(model) -> list[tuple[object, str]]:
    from torch import nn

    kinds = (nn.Embedding, nn.Linear, nn.LSTM, nn.GRU, nn.RNN)
    return [
        (module, name)
        for module in model.modules()
        if isinstance(module, kinds)
        for name, _ in module.named_parameters(recurse=False)
        if name.startswith("weight")
    ]


def prune_magnitude(model, amount: float):
    """A copy of ``model`` with the smallest ``amount`` of each weight matrix set to zero.

    Every weight matrix of the embedding, linear and recurrent layers
    (``weight``, ``weight_ih_l0``, ``weight_hh_l0``, ...) is pruned on its own
    with ``torch.nn.utils.prune.l1_unstructured``: the ``round(amount · n)``
    entries of smallest magnitude become 0. Biases are kept. The pruning is
    made permanent (``prune.remove``), so the copy is an ordinary module whose
    weights hold zeros, stored densely.

    Args:
        model: a trained ``torch.nn.Module`` (it is not changed).
        amount: the share of each weight matrix to prune, in ``[0, 1)``.

    Returns:
        The pruned copy, in evaluation mode.

    Raises:
        ValueError: if ``amount`` is not in ``[0, 1)``, or the model has no
            weight matrix to prune.
    """
    from torch.nn.utils import prune

    number = isinstance(amount, (int, float)) and not isinstance(amount, bool)
    if not (number and 0 <= amount < 1):
        raise ValueError(f"amount must be a share in [0, 1); got {amount!r}")
    pruned = copy.deepcopy(_module("model", model)).eval()
    targets = _prunable(pruned)
    if not targets:
        raise ValueError(
            "model has no embedding, linear or recurrent layer with a weight to prune"
        )
    for module, name in targets:
        prune.l1_unstructured(module, name, amount=float(amount))
        prune.remove(module, name)
    return pruned


def sparsity(model) -> float:
    """The share of zeros among the weights that :func:`prune_magnitude` prunes."""
    targets = _prunable(_module("model", model))
    if not targets:
        raise ValueError("model has no embedding, linear or recurrent weight matrix")
    zeros = sum(int((getattr(m, n) == 0).sum()) for m, n in targets)
    total = sum(getattr(m, n).numel() for m, n in targets)
    return zeros / total


def half_precision(model, dtype: str = "bfloat16"):
    """A copy of ``model`` computing in 16-bit floats, with float32 inputs and outputs.

    The weights are converted to ``dtype``; floating-point inputs are cast to
    it on the way in (token ids and lengths are left alone) and the outputs
    cast back to float32, so the copy is called like the original. ``bfloat16``
    keeps float32's range with fewer digits; ``float16`` keeps more digits in
    a narrower range. Whether either is fast depends on the CPU: many compute
    ``bfloat16`` natively (AVX-512 BF16, AMX) but convert ``float16``.

    Args:
        model: a trained ``torch.nn.Module`` (it is not changed).
        dtype: ``"bfloat16"`` or ``"float16"``.

    Returns:
        A ``torch.nn.Module`` in evaluation mode; its ``inner`` attribute is the
        converted copy.
    """
    import torch

    one_of("dtype", dtype, HALF_DTYPES)
    inner = copy.deepcopy(_module("model", model)).to(getattr(torch, dtype)).eval()
    return _cast_class()(inner, getattr(torch, dtype)).eval()


_CAST = None


def _cast_class():
    """The wrapper class of :func:`half_precision`, defined once PyTorch is imported."""
    global _CAST
    if _CAST is None:
        import torch

        class HalfPrecision(torch.nn.Module):
            """Runs ``inner`` in ``dtype``: float inputs cast in, float32 outputs out."""

            def __init__(self, inner, dtype) -> None:
                super().__init__()
                self.inner, self.dtype = inner, dtype

            def forward(self, *inputs):
                inputs = [x.to(self.dtype) if x.is_floating_point() else x for x in inputs]
                return self.inner(*inputs).float()

        _CAST = HalfPrecision
    return _CAST


def latency_ms(
    predict: Callable, examples: Sequence, *, repeats: int = 3, warmup: int = 5
) -> float:
    """Milliseconds per call of ``predict`` on one example at a time: the median call.

    ``predict(example)`` is called on each of ``examples`` in turn, ``repeats``
    times over, and each call is timed; the result is the median of those
    times. The median is what a typical call costs, and unlike the mean it is
    not moved by the few calls that other work on the machine interrupts.
    ``warmup`` calls on the first examples run first and are not timed. Wrap a
    PyTorch model's call in ``torch.inference_mode()`` to time inference only.

    Args:
        predict: a callable taking one example (e.g. ``lambda x: model(x)``).
        examples: the inputs, each one sequence (a batch of one, say).
        repeats: timed passes over ``examples`` (≥ 1).
        warmup: untimed calls before them (≥ 0).

    Returns:
        Milliseconds per call.

    Raises:
        ValueError: if ``predict`` is not callable, ``examples`` is empty, or
            ``repeats`` or ``warmup`` is not such an integer.
    """
    if not callable(predict):
        raise ValueError(f"predict must be callable; got {type(predict).__name__}")
    examples = list(examples)
    if not examples:
        raise ValueError("examples must hold at least one example; got none")
    repeats = positive_int("repeats", repeats)
    warmup = non_negative_int("warmup", warmup)
    for k in range(warmup):
        predict(examples[k % len(examples)])
    seconds = []
    clock = time.perf_counter
    for _ in range(repeats):
        for example in examples:
            start = clock()
            predict(example)
            seconds.append(clock() - start)
    return 1000 * statistics.median(seconds)
