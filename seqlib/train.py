"""A small, deterministic PyTorch training loop with early stopping and a progress bar.

The loop is the one every PyTorch chapter writes by hand once (the first
forecaster shows it in full); later chapters call :func:`fit`.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = ["History", "fit", "predict"]

LOSSES = ("mse", "mae", "cross_entropy", "bce")


@dataclass
class History:
    """What :func:`fit` measured.

    Attributes:
        loss: mean training loss per epoch.
        val_loss: validation loss per epoch (empty without validation data).
        best_epoch: the epoch (0-based) whose weights the model holds at the end
            when validation data was given, else ``None``.
        seconds: wall-clock training time.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """Number of epochs run (fewer than asked when early stopping fired)."""
        return len(self.loss)


def _tensors(name: str, data) -> list:
    import torch

    if not isinstance(data, (tuple, list)) or len(data) < 2:
        raise ValueError(
            f"{name} must be a tuple (inputs..., targets) of arrays, e.g. (X, y); "
            f"got {type(data).__name__}"
            + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else "")
        )
    out = []
    for a in data:
        t = torch.as_tensor(np.asarray(a) if not isinstance(a, torch.Tensor) else a)
        if t.is_floating_point():
            t = t.float()
        out.append(t)
    n = len(out[0])
    for k, t in enumerate(out):
        if len(t) != n:
            raise ValueError(
                f"every array in {name} needs the same first dimension (the batch); "
                f"array 0 has {n} rows, array {k} has {len(t)}"
            )
    if n == 0:
        raise ValueError(f"{name} holds no examples")
    return out


def _loss_fn(loss) -> Callable:
    import torch.nn.functional as F

    if callable(loss):
        return loss
    table = {
        "mse": F.mse_loss,
        "mae": F.l1_loss,
        "cross_entropy": F.cross_entropy,
        "bce": lambda pred, y: F.binary_cross_entropy_with_logits(pred, y.float()),
    }
    if loss not in table:
        raise ValueError(f"loss must be one of {LOSSES} or a callable; got {loss!r}")
    return table[loss]


def _mean_loss(model, tensors, loss_fn, batch_size: int) -> float:
    import torch

    model.eval()
    total, n = 0.0, len(tensors[0])
    with torch.no_grad():
        for start in range(0, n, batch_size):
            batch = [t[start : start + batch_size] for t in tensors]
            total += float(loss_fn(model(*batch[:-1]), batch[-1])) * len(batch[-1])
    return total / n


def fit(
    model,
    train: Sequence,
    val: Sequence | None = None,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    loss: str | Callable = "mse",
    clip_grad_norm: float | None = None,
    patience: int | None = None,
    weight_decay: float = 0.0,
    seed: int = 0,
    progress: bool = True,
) -> History:
    """Train a PyTorch model with Adam, optionally stopping early on the validation loss.

    Args:
        model: a ``torch.nn.Module`` whose ``forward`` takes the input arrays of
            ``train`` in order (e.g. ``model(X)`` or ``model(X, lengths)``).
        train: ``(inputs..., targets)``, arrays or tensors sharing their first
            (batch) dimension, e.g. ``(X, y)`` with ``X`` ``(batch, time,
            features)``. Floating arrays become float32.
        val: the same structure for validation, or ``None``.
        epochs: the most epochs to run.
        lr: Adam's learning rate.
        batch_size: examples per gradient step.
        loss: ``"mse"``, ``"mae"``, ``"cross_entropy"`` (targets are class ids),
            ``"bce"`` (targets 0/1, the model returns logits) or a callable
            ``loss(prediction, target) -> scalar tensor``.
        clip_grad_norm: rescale the gradient when its norm exceeds this value.
        patience: stop after this many epochs without a better validation loss;
            ``None`` runs every epoch. Needs ``val``.
        weight_decay: Adam's L2 penalty.
        seed: seeds the shuffling and any randomness in the model (dropout), so a
            run on the CPU is repeatable.
        progress: show a tqdm progress bar over epochs.

    Returns:
        A :class:`History`. With ``val``, the model ends with the weights of its
        best validation epoch.
    """
    import torch
    from tqdm import tqdm

    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr!r}")
    if patience is not None and val is None:
        raise ValueError("patience needs validation data: pass val=(inputs..., targets)")
    if patience is not None and (int(patience) != patience or patience < 1):
        raise ValueError(f"patience must be a positive integer or None; got {patience!r}")
    train_t = _tensors("train", train)
    val_t = _tensors("val", val) if val is not None else None
    loss_fn = _loss_fn(loss)

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = History()
    best, best_state, waited = math.inf, None, 0
    n = len(train_t[0])
    start_time = time.perf_counter()
    bar = tqdm(
        range(epochs), desc="training", unit="epoch", disable=not progress, mininterval=0.5
    )
    for epoch in bar:
        model.train()
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            batch = [t[idx] for t in train_t]
            optimizer.zero_grad()
            batch_loss = loss_fn(model(*batch[:-1]), batch[-1])
            batch_loss.backward()
            if clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            total += batch_loss.item() * len(idx)
        history.loss.append(total / n)
        postfix = {"loss": f"{history.loss[-1]:.4g}"}
        if val_t is not None:
            history.val_loss.append(
                _mean_loss(model, val_t, loss_fn, max(batch_size, 1024))
            )
            postfix["val_loss"] = f"{history.val_loss[-1]:.4g}"
            if history.val_loss[-1] < best:
                best, waited = history.val_loss[-1], 0
                best_state = copy.deepcopy(model.state_dict())
                history.best_epoch = epoch
            else:
                waited += 1
        bar.set_postfix(postfix)
        if patience is not None and waited >= patience:
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    history.seconds = time.perf_counter() - start_time
    return history


def predict(model, *inputs, batch_size: int = 4096) -> np.ndarray:
    """Run a PyTorch model in evaluation mode, without gradients, in batches.

    Args:
        model: a ``torch.nn.Module``.
        *inputs: arrays sharing their first (batch) dimension, passed to the model
            in order.
        batch_size: examples per forward pass.

    Returns:
        The model's outputs as one NumPy array, batch first.
    """
    import torch

    tensors = _tensors("inputs", (*inputs, np.zeros(len(inputs[0]))))[:-1]
    model.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, len(tensors[0]), batch_size):
            outputs.append(model(*[t[start : start + batch_size] for t in tensors]))
    return torch.cat(outputs).numpy()
