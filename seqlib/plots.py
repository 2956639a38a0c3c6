"""The two figures every application chapter draws: training curves and forecasts.

Both return the matplotlib ``Axes`` they drew on, with labelled axes, so that a chapter
can add to them or set its own title.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["training_curves", "forecast"]


def _losses(history) -> tuple[list[float], list[float]]:
    """Training and validation losses from seqlib's ``History`` or a Keras ``History``."""
    if hasattr(history, "val_loss") and hasattr(history, "loss"):  # seqlib.train.History
        return list(history.loss), list(history.val_loss)
    logs = getattr(history, "history", history)  # keras.callbacks.History, or its dict
    if not isinstance(logs, Mapping) or "loss" not in logs:
        raise ValueError(
            "history must be a seqlib.train.History, a Keras History or a dict with a "
            f"'loss' list; got {type(history).__name__}"
        )
    return list(logs["loss"]), list(logs.get("val_loss", []))


def training_curves(history, ax=None, *, ylabel: str = "loss", title: str | None = None):
    """Plot the loss per epoch, and the validation loss with its best epoch marked.

    Args:
        history: a :class:`seqlib.train.History`, a Keras ``History`` (what ``fit``
            returns) or a dict with ``"loss"`` (and ``"val_loss"``) lists.
        ax: the axes to draw on; a new figure when ``None``.
        ylabel: what the loss is, e.g. ``"mean absolute error (scaled)"``.
        title: the axes' title.

    Returns:
        The matplotlib ``Axes``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    loss, val_loss = _losses(history)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    epochs = np.arange(1, len(loss) + 1)
    ax.plot(epochs, loss, label="training")
    if val_loss:
        ax.plot(epochs[: len(val_loss)], val_loss, label="validation")
        best = int(np.argmin(val_loss))
        ax.axvline(best + 1, color="k", linestyle=":", linewidth=1, label="best validation")
    ax.set(xlabel="epoch", ylabel=ylabel, title=title or "Training curves")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.legend()
    return ax


def forecast(
    truth,
    forecasts: Mapping[str, object],
    *,
    history=None,
    index=None,
    ax=None,
    xlabel: str = "time step",
    ylabel: str = "value",
    title: str | None = None,
):
    """Plot the observed series and each forecast over the forecast period.

    Args:
        truth: the observed values over the forecast period ``(h,)``.
        forecasts: model name → forecast ``(h,)``.
        history: observed values before the forecast period ``(n,)``, drawn in the
            same colour as ``truth``; none when ``None``.
        index: positions (numbers or dates) of ``history`` followed by ``truth``,
            ``(n + h,)``; ``0, 1, ...`` when ``None``.
        ax: the axes to draw on; a new figure when ``None``.
        xlabel, ylabel, title: the axes' labels and title (give units).

    Returns:
        The matplotlib ``Axes``.
    """
    import matplotlib.pyplot as plt

    truth = np.asarray(truth, dtype=float).ravel()
    past = np.zeros(0) if history is None else np.asarray(history, dtype=float).ravel()
    n, h = len(past), len(truth)
    index = np.arange(n + h) if index is None else np.asarray(index)
    if len(index) != n + h:
        raise ValueError(
            f"index must have len(history) + len(truth) = {n} + {h} = {n + h} entries; "
            f"got {len(index)}"
        )
    for name, values in forecasts.items():
        if np.shape(np.ravel(values)) != (h,):
            raise ValueError(
                f"forecast {name!r} must have {h} values, like truth; "
                f"got shape {np.shape(values)}"
            )
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.8))
    ax.plot(index, np.r_[past, truth], color="k", linewidth=1.5, label="observed")
    for name, values in forecasts.items():
        ax.plot(index[n:], np.ravel(values), label=name)
    if n:
        ax.axvline(index[n], color="gray", linewidth=0.8)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or "Forecasts and what happened")
    ax.legend(fontsize=9)
    return ax
