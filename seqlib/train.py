"""A small, deterministic PyTorch training loop with early stopping and a progress bar.

The loop is the one every PyTorch chapter writes by hand once (the first
forecaster shows it in full); later chapters call :func:`fit`. It can weight
examples (``sample_weight``), stop on a metric instead of the loss
(``monitor``), and :func:`kfold_select` chooses between settings by k-fold
cross-validation, then refits the best on all the training data, as
scikit-learn's ``GridSearchCV`` does.

Each of them takes ``device=``, where the model trains or predicts (see
:func:`seqlib.reproducibility.device`): the CPU unless told otherwise, by the
argument or by the environment variable ``SEQLIB_DEVICE``. Training moves the
model there in place, as ``model.to(device)`` does, and leaves it there;
:func:`predict` runs it there and puts it back where it was. The arrays passed
in may live anywhere, and what comes back is on the CPU.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import reproducibility
from ._checks import positive_int

if TYPE_CHECKING:
    import torch

__all__ = ["History", "Selection", "fit", "kfold_select", "predict"]

LOSSES = ("mse", "mae", "cross_entropy", "bce")
MODES = ("min", "max")


@dataclass
class History:
    """What :func:`fit` measured.

    Attributes:
        loss: mean training loss per epoch.
        val_loss: validation loss per epoch (empty without validation data).
        val_metric: the monitored metric on the validation data per epoch, when
            ``monitor`` is not ``"loss"`` (else empty).
        best_epoch: the epoch (0-based) whose weights the model holds at the end
            when validation data was given, else ``None``.
        seconds: wall-clock training time.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
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
        if not isinstance(a, torch.Tensor):
            a = np.asarray(a)
            if not a.flags.writeable:  # e.g. memory-mapped by joblib: torch needs a copy
                a = a.copy()
        t = torch.as_tensor(a)
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


def _loss_fn(loss, reduction: str = "mean") -> Callable:
    """``loss(prediction, target)``; with ``reduction="none"``, one value per element."""
    import torch.nn.functional as F

    if callable(loss):
        return loss
    table = {
        "mse": F.mse_loss,
        "mae": F.l1_loss,
        "cross_entropy": F.cross_entropy,
        "bce": lambda pred, y, **kw: F.binary_cross_entropy_with_logits(
            pred, y.float(), **kw
        ),
    }
    if loss not in table:
        raise ValueError(f"loss must be one of {LOSSES} or a callable; got {loss!r}")
    if reduction == "mean":
        return table[loss]
    return lambda pred, y: table[loss](pred, y, reduction=reduction)


def _weighted(loss_fn: Callable) -> Callable:
    """``loss(prediction, target, weight)``: the mean of ``weight · loss`` per element.

    ``loss_fn`` returns unreduced losses, ``(batch, ...)``; each example's weight
    ``(batch,)`` multiplies all of its elements before the mean, as Keras does.
    """

    def weighted(prediction, target, weight):
        losses = loss_fn(prediction, target)
        return (weight.reshape(-1, *[1] * (losses.dim() - 1)) * losses).mean()

    return weighted


def _mean_loss(
    model, tensors, loss_fn, batch_size: int, weights=None, device=None
) -> float:
    """The mean loss over ``tensors``, each batch moved to ``device`` (``None``: left)."""
    import torch

    model.eval()
    total, n = 0.0, len(tensors[0])
    with torch.no_grad():
        for start in range(0, n, batch_size):
            batch = [t[start : start + batch_size].to(device) for t in tensors]
            extra = ()
            if weights is not None:
                extra = (weights[start : start + batch_size].to(device),)
            total += float(loss_fn(model(*batch[:-1]), batch[-1], *extra)) * len(batch[-1])
    return total / n


def _weights(name: str, weights, n: int):
    """Sample weights as a float32 tensor ``(n,)``, non-negative and finite."""
    import torch

    w = np.asarray(weights.cpu() if isinstance(weights, torch.Tensor) else weights)
    w = w.astype(np.float32) if w.dtype != np.float32 else w
    if w.shape != (n,):
        raise ValueError(
            f"{name} must hold one weight per example, shape ({n},); got {w.shape}"
        )
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise ValueError(f"{name} must be finite and non-negative")
    return torch.as_tensor(w)


def _accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Accuracy of logits: the arg-max class, or ``logit > 0`` for one output."""
    from .metrics import accuracy

    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        labels = y_pred.argmax(axis=1)
    else:
        labels = (y_pred.reshape(len(y_pred)) > 0).astype(int)
    return accuracy(np.asarray(y_true).reshape(len(y_true)), labels)


def _check_monitor(monitor, mode: str | None) -> tuple[Callable | str, str]:
    """``(metric, mode)``: ``"loss"``, or a callable ``(y_true, y_pred) -> float``."""
    if monitor == "accuracy":
        metric = _accuracy
    elif monitor == "loss" or callable(monitor):
        metric = monitor
    else:
        raise ValueError(
            "monitor must be 'loss', 'accuracy' or a callable "
            f"(y_true, y_pred) -> float; got {monitor!r}"
        )
    if mode is None:
        mode = "max" if monitor == "accuracy" else "min"
    if mode not in MODES:
        raise ValueError(f"mode must be 'min' or 'max'; got {mode!r}")
    return metric, mode


def _score(model, tensors, metric, loss_fn, batch_size: int, device) -> float:
    """The loss (``metric == "loss"``) or ``metric(y_true, y_pred)`` on one data set.

    The model is on ``device``; ``tensors`` may be anywhere.
    """
    if metric == "loss":
        return _mean_loss(model, tensors, loss_fn, batch_size, device=device)
    y_pred = predict(model, *tensors[:-1], batch_size=batch_size, device=device)
    return float(metric(tensors[-1].cpu().numpy(), y_pred))


def fit(
    model,
    train: Sequence,
    val: Sequence | None = None,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    loss: str | Callable = "mse",
    sample_weight=None,
    val_sample_weight=None,
    monitor: str | Callable = "loss",
    mode: str | None = None,
    clip_grad_norm: float | None = None,
    patience: int | None = None,
    weight_decay: float = 0.0,
    seed: int = 0,
    progress: bool = True,
    device: str | torch.device | None = None,
) -> History:
    """Train a PyTorch model with Adam, optionally stopping early on validation data.

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
        sample_weight: one non-negative weight per training example ``(batch,)``,
            or ``None``. Each example's loss is multiplied by its weight before
            the batch mean (as in Keras), so weights of mean 1 keep the loss's
            scale. Needs a named ``loss``.
        val_sample_weight: the same for ``val``; the validation loss is then
            weighted too.
        monitor: what early stopping and the best epoch follow on ``val``:
            ``"loss"`` (the validation loss), ``"accuracy"`` (of logits: the
            arg-max class, or ``logit > 0`` for one output) or a callable
            ``monitor(y_true, y_pred) -> float`` of NumPy arrays, ``y_pred`` being
            the model's raw output. Anything but ``"loss"`` needs ``val``.
        mode: ``"min"`` or ``"max"``: whether a lower or a higher monitored value
            is better; ``None`` means ``"max"`` for ``"accuracy"``, else ``"min"``.
        clip_grad_norm: rescale the gradient when its norm exceeds this value.
        patience: stop after this many epochs without a better monitored value;
            ``None`` runs every epoch. Needs ``val``.
        weight_decay: Adam's L2 penalty.
        seed: seeds the shuffling and any randomness in the model (dropout), so a
            run on the CPU is repeatable.
        progress: show a tqdm progress bar over epochs.
        device: where to train: ``"cpu"``, ``"cuda"``, ``"auto"``, a
            ``torch.device``..., or ``None`` for ``$SEQLIB_DEVICE``, else the CPU
            (:func:`seqlib.reproducibility.device`). The model is moved there
            and stays there; so do the data, once, before the first epoch. The
            shuffling is drawn on the CPU, so the order of the batches is the
            same on every device.

    Returns:
        A :class:`History`. With ``val``, the model ends with the weights of its
        best validation epoch.

    Raises:
        ValueError: on a bad argument, e.g. a device this machine does not have.
    """
    from .frameworks import load_triton_first

    load_triton_first()  # the first optimizer imports Triton (see seqlib.frameworks)
    import torch
    from tqdm import tqdm

    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr!r}")
    metric, mode = _check_monitor(monitor, mode)
    if patience is not None and val is None:
        raise ValueError("patience needs validation data: pass val=(inputs..., targets)")
    if metric != "loss" and val is None:
        raise ValueError(
            f"monitor={monitor!r} needs validation data: pass val=(inputs..., targets)"
        )
    if patience is not None:
        patience = positive_int("patience", patience)
    device = reproducibility.device(device)
    train_t = _tensors("train", train)
    val_t = _tensors("val", val) if val is not None else None
    weights = val_weights = None
    if sample_weight is not None or val_sample_weight is not None:
        if callable(loss):
            raise ValueError(
                f"sample_weight needs a named loss, one of {LOSSES}; got a callable"
            )
        if val_sample_weight is not None and val is None:
            raise ValueError("val_sample_weight needs val=(inputs..., targets)")
        loss_fn = _weighted(_loss_fn(loss, reduction="none"))
        n_train = len(train_t[0])
        weights = (
            _weights("sample_weight", sample_weight, n_train)
            if sample_weight is not None
            else torch.ones(n_train)
        )
        if val_t is not None:
            val_weights = (
                _weights("val_sample_weight", val_sample_weight, len(val_t[0]))
                if val_sample_weight is not None
                else torch.ones(len(val_t[0]))
            )
    else:
        loss_fn = _loss_fn(loss)
    model.to(device)
    train_t = [t.to(device) for t in train_t]
    val_t = None if val_t is None else [t.to(device) for t in val_t]
    weights = None if weights is None else weights.to(device)
    val_weights = None if val_weights is None else val_weights.to(device)

    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = History()
    sign = 1.0 if mode == "min" else -1.0  # compare sign · value: lower is better
    best, best_state, waited = math.inf, None, 0
    n = len(train_t[0])
    start_time = time.perf_counter()
    bar = tqdm(
        range(epochs), desc="training", unit="epoch", disable=not progress, mininterval=0.5
    )
    for epoch in bar:
        model.train()
        order = torch.randperm(n, generator=generator).to(device)
        batch_losses = []  # on the device: reading each one would wait for the GPU
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            batch = [t[idx] for t in train_t]
            extra = () if weights is None else (weights[idx],)
            optimizer.zero_grad()
            batch_loss = loss_fn(model(*batch[:-1]), batch[-1], *extra)
            batch_loss.backward()
            if clip_grad_norm is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            batch_losses.append(batch_loss.detach())
        sizes = [min(batch_size, n - start) for start in range(0, n, batch_size)]
        values = torch.stack(batch_losses).cpu().tolist()
        history.loss.append(sum(v * k for v, k in zip(values, sizes, strict=True)) / n)
        postfix = {"loss": f"{history.loss[-1]:.4g}"}
        if val_t is not None:
            eval_batch = max(batch_size, 1024)
            history.val_loss.append(
                _mean_loss(model, val_t, loss_fn, eval_batch, val_weights, device)
            )
            postfix["val_loss"] = f"{history.val_loss[-1]:.4g}"
            value = history.val_loss[-1]
            if metric != "loss":
                value = _score(model, val_t, metric, loss_fn, eval_batch, device)
                history.val_metric.append(value)
                postfix["val_metric"] = f"{value:.4g}"
            if sign * value < best:
                best, waited = sign * value, 0
                # a copy, on the device, of the weights (state_dict() shares them)
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


@dataclass
class Selection:
    """What :func:`kfold_select` found.

    Attributes:
        best_params: the winning candidate (a dict of ``build``'s arguments).
        model: a fresh model built with ``best_params`` and trained on all the
            training data.
        history: that final training run's :class:`History`.
        candidates: every candidate, in the order of ``scores``' rows.
        scores: ``(candidates, folds)``, each candidate's score on each held-out fold.
    """

    best_params: dict
    model: Any
    history: History
    candidates: list[dict]
    scores: np.ndarray

    @property
    def mean_scores(self) -> np.ndarray:
        """Each candidate's mean score over the folds, ``(candidates,)``."""
        return self.scores.mean(axis=1)


def kfold_select(
    build: Callable[..., Any],
    candidates: Sequence[Mapping] | Mapping[str, Sequence],
    train: Sequence,
    *,
    folds: int = 5,
    stratify: bool = False,
    monitor: str | Callable = "loss",
    mode: str | None = None,
    seed: int = 0,
    device: str | torch.device | None = None,
    **fit_kwargs,
) -> Selection:
    """Choose settings by k-fold cross-validation, then refit the best on all of ``train``.

    For each candidate and each of ``folds`` splits (scikit-learn's ``KFold``, or
    ``StratifiedKFold`` on the targets), a fresh model ``build(**candidate)`` is
    trained with :func:`fit` on the other folds for a fixed number of epochs and
    scored on the held-out fold. The candidate with the best mean score is
    built once more and trained on every example, as scikit-learn's
    ``GridSearchCV`` refits its best estimator.

    Args:
        build: returns a new ``torch.nn.Module`` from a candidate's keyword
            arguments, e.g. ``lambda hidden: torch_models.regressor(1, hidden=hidden)``.
        candidates: a list of dicts of ``build``'s arguments, or one dict of lists
            (every combination is tried, as with scikit-learn's ``ParameterGrid``).
        train: ``(inputs..., targets)`` as for :func:`fit`.
        folds: the number of folds (at least 2).
        stratify: keep each class's share in every fold (classification targets).
        monitor, mode: the score, as for :func:`fit`: ``"loss"`` (the held-out
            loss), ``"accuracy"`` or a callable ``(y_true, y_pred) -> float``.
        seed: shuffles the examples before they are split, seeds each model's
            initial weights (``torch.manual_seed``) and each training run.
        device: where every model trains and is scored, as for :func:`fit`;
            the selected model ends there.
        **fit_kwargs: passed to :func:`fit`: ``epochs``, ``lr``, ``batch_size``,
            ``loss`` and so on (not ``val`` or ``patience``: the folds hold no
            validation data).

    Returns:
        A :class:`Selection`.
    """
    import torch
    from sklearn.model_selection import KFold, ParameterGrid, StratifiedKFold

    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(f"folds must be an integer of at least 2; got {folds!r}")
    metric, mode = _check_monitor(monitor, mode)
    device = reproducibility.device(device)
    for name in ("val", "patience", "monitor", "seed"):
        if name in fit_kwargs:
            raise ValueError(f"kfold_select does not pass {name}= to fit; remove it")
    if isinstance(candidates, Mapping):
        candidates = list(ParameterGrid(dict(candidates)))
    candidates = [dict(c) for c in candidates]
    if not candidates:
        raise ValueError("candidates holds no settings to compare")
    tensors = _tensors("train", train)
    if len(tensors[0]) < folds:
        raise ValueError(
            f"folds={folds} needs at least {folds} examples; train holds {len(tensors[0])}"
        )
    loss_fn = _loss_fn(fit_kwargs.get("loss", "mse"))
    splitter = (StratifiedKFold if stratify else KFold)(
        n_splits=folds, shuffle=True, random_state=seed
    )
    labels = tensors[-1].numpy() if stratify else None
    splits = list(splitter.split(np.zeros(len(tensors[0])), labels))

    def trained(params, part):
        torch.manual_seed(seed)
        model = build(**params)
        history = fit(model, part, seed=seed, progress=False, device=device, **fit_kwargs)
        return model, history

    scores = np.empty((len(candidates), folds))
    for i, params in enumerate(candidates):
        for j, (fit_idx, held_idx) in enumerate(splits):
            fit_idx, held_idx = torch.as_tensor(fit_idx), torch.as_tensor(held_idx)
            model, _ = trained(params, [t[fit_idx] for t in tensors])
            held = [t[held_idx] for t in tensors]
            scores[i, j] = _score(model, held, metric, loss_fn, 4096, device)
    mean = scores.mean(axis=1)
    best = int(np.argmin(mean) if mode == "min" else np.argmax(mean))
    model, history = trained(candidates[best], tensors)
    return Selection(candidates[best], model, history, candidates, scores)


def predict(
    model, *inputs, batch_size: int = 4096, device: str | torch.device | None = None
) -> np.ndarray:
    """Run a PyTorch model in evaluation mode, without gradients, in batches.

    Args:
        model: a ``torch.nn.Module``.
        *inputs: arrays sharing their first (batch) dimension, passed to the model
            in order.
        batch_size: examples per forward pass.
        device: where to run, as for :func:`fit` (``None``: ``$SEQLIB_DEVICE``,
            else the CPU). Each batch of inputs is moved there in turn, and so
            is the model, which goes back afterwards to the device of its first
            parameter: predicting never changes where a model lives.

    Returns:
        The model's outputs as one NumPy array on the CPU, batch first.

    Raises:
        ValueError: on inputs without a shared first dimension, or a bad device.
    """
    import torch

    batch_size = positive_int("batch_size", batch_size)
    device = reproducibility.device(device)
    if not inputs:
        raise ValueError("predict needs at least one input array; got none")
    tensors = _tensors("inputs", (*inputs, np.zeros(len(inputs[0]))))[:-1]
    first = next(iter(model.parameters()), None)
    home = None if first is None else first.device
    model.to(device)
    model.eval()
    outputs = []
    try:
        with torch.no_grad():
            for start in range(0, len(tensors[0]), batch_size):
                batch = [t[start : start + batch_size].to(device) for t in tensors]
                outputs.append(model(*batch).cpu())
    finally:
        if home is not None and home != device:
            model.to(home)
    return torch.cat(outputs).numpy()
