"""Timing a recurrent layer's training step, the way the book compares cells and threads.

Importing this module does not import PyTorch; :func:`time_training_step` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._checks import non_negative_int, positive_int

if TYPE_CHECKING:
    import torch

__all__ = ["time_training_step"]


def time_training_step(
    layer,
    batch_shape: tuple[int, int, int] = (64, 100, 8),
    *,
    repeats: int = 10,
    warmup: int = 2,
    threads: int | None = None,
    device: str | torch.device | None = None,
) -> float:
    """Average seconds for one forward and backward pass of a PyTorch layer.

    The input is one random batch ``x`` of shape ``batch_shape``, ``(batch,
    time, features)``, drawn from PyTorch's global generator. Each pass computes
    ``layer(x)`` (the first element when the layer returns a tuple, as
    ``nn.LSTM`` and ``nn.GRU`` do), sums it and back-propagates. ``warmup``
    passes run first and are not timed. On a GPU, which runs its work after the
    call that asks for it has returned, the clock stops only once the GPU has
    finished.

    Args:
        layer: a ``torch.nn.Module`` taking ``(batch, time, features)`` batch
            first, e.g. ``torch.nn.LSTM(8, 32, batch_first=True)``.
        batch_shape: ``(batch, time, features)``, each ≥ 1.
        repeats: timed passes (≥ 1); the result is their mean.
        warmup: untimed passes before them (≥ 0).
        threads: PyTorch's intra-op threads during the timing; the count in use
            is restored afterwards. ``None`` keeps the current count.
        device: where to time the layer (``"cpu"``, ``"cuda"``, ``"auto"``...,
            see :func:`seqlib.reproducibility.device`); the layer is moved there.
            ``None`` times it where its weights already are, whatever
            ``$SEQLIB_DEVICE`` says: a measurement of CPU threads stays one.

    Returns:
        Seconds per pass (forward and backward).

    Raises:
        ValueError: if ``batch_shape`` is not three positive integers,
            ``repeats``, ``warmup`` or ``threads`` is not such an integer, or
            ``device`` is not a device this machine has.
    """
    import time

    import torch

    if not isinstance(batch_shape, tuple | list) or len(batch_shape) != 3:
        raise ValueError(
            f"batch_shape must be (batch, time, features); got {batch_shape!r}"
        )
    shape = [positive_int("batch_shape", n) for n in batch_shape]
    repeats = positive_int("repeats", repeats)
    warmup = non_negative_int("warmup", warmup)
    if threads is not None:
        threads = positive_int("threads", threads)
    if device is None:
        weights = next(iter(layer.parameters()), None)
        device = torch.device("cpu") if weights is None else weights.device
    else:
        from .reproducibility import device as resolve

        device = resolve(device)
        layer.to(device)

    def synchronise() -> None:
        """Wait for the work queued on a GPU, so that the clock sees all of it."""
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        elif device.type == "mps":
            torch.mps.synchronize()

    def step() -> None:
        out = layer(x)
        (out[0] if isinstance(out, tuple) else out).sum().backward()

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        x = torch.randn(*shape).to(device)  # drawn on the CPU, as on every device
        for _ in range(warmup):
            step()
        synchronise()
        start = time.perf_counter()
        for _ in range(repeats):
            step()
        synchronise()
        return (time.perf_counter() - start) / repeats
    finally:
        torch.set_num_threads(before)
