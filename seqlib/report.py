"""Numbers from executed cells into the book's prose and results tables.

:func:`glue` hands a value to the book (MyST-NB's ``glue``) so that the prose
can quote it with ``{glue:text}`name``` instead of a number typed by hand; where
MyST-NB is not installed (in Colab, say) it prints the value instead.
:func:`results` prints a task's final scores as one JSON line, the form the
comparison chapter and the checks read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

__all__ = ["glue", "results"]


def glue(name: str, value, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the book's prose (``{glue:text}`name```).

    Args:
        name: the key the prose refers to.
        value: a number, string, DataFrame or figure.
        display: also show the value in the notebook.
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # outside the book's environment: just show it
        print(f"{name} = {value}")
        return
    myst_glue(name, value, display=display)


def _clean(value):
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"scores must be finite numbers; got {value!r}")
    return round(value, 4)


def results(task: str, metric: str, split: str, scores: Mapping, **extra) -> None:
    """Print a task's final scores as one JSON object on one line.

    Args:
        task: e.g. ``"airline"``, ``"m4-hourly"``, ``"rt-polarity"``.
        metric: the metric of ``scores``, e.g. ``"mae"``, ``"owa"``, ``"accuracy"``.
        split: which data the scores are measured on, e.g. ``"test"``.
        scores: model name (lower case, e.g. ``"lstm_torch"``, ``"naive"``) → value.
        **extra: more dictionaries of scores by model, e.g. ``smape=...``.
    """
    if not scores:
        raise ValueError("scores must name at least one model")
    for key in scores:
        if key != key.lower():
            raise ValueError(f"model names are lower case; got {key!r}")
    obj = {"task": task, "metric": metric, "split": split, "scores": _clean(scores)}
    obj.update({k: _clean(v) for k, v in extra.items()})
    print(json.dumps(obj))
