"""Numbers from executed cells into the book's prose and results tables.

:func:`glue` hands a value to the book (MyST-NB's ``glue``) so that the prose
can quote it with ``{glue:text}`name``` instead of a number typed by hand; where
MyST-NB is not installed (in Colab, say) it prints the value instead.
:func:`results` prints a task's final scores as one JSON line, the form the
comparison chapters and the checks read; :func:`stored_results` and
:func:`stored_glue` read them back from another chapter's stored notebook (beside
this one, or from the book's repository where it is not, as in Colab).
"""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Mapping
from pathlib import Path

__all__ = ["glue", "results", "stored_results", "stored_glue", "stored_notebook"]

#: The branch whose stored notebooks are read when a chapter is not beside this one.
BRANCH = "main"


def glue(name: str, value, display: bool = False, zh: str | None = None) -> None:
    """Store ``value`` under ``name`` for the book's prose (``{glue:text}`name```).

    Args:
        name: the key the prose refers to.
        value: a number, string, DataFrame or figure.
        display: also show the value in the notebook.
        zh: for a value that is an English phrase rather than a number, the same
            phrase in Chinese, stored as ``name + "_zh"`` for the Chinese edition's
            translation of the sentence that quotes it.

    Raises:
        ValueError: ``zh`` is given but empty, or ``name`` already ends in ``_zh``.
    """
    if zh is not None and (not str(zh).strip() or name.endswith("_zh")):
        raise ValueError(
            f"zh must be a non-empty Chinese phrase for a name not ending in '_zh'; "
            f"got name={name!r}, zh={zh!r}"
        )
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # outside the book's environment: just show it
        print(f"{name} = {value}")
        return
    myst_glue(name, value, display=display)
    if zh is not None:
        myst_glue(f"{name}_zh", zh, display=display)


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


def _repository_files() -> str:
    """The address of the raw files of seqlib's repository (its ``Source`` URL)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("seqlib").get_all("Project-URL") or []
    except PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "source":
            url = url.strip().rstrip("/")
            if url.startswith("https://github.com/"):
                owner_repo = url.removeprefix("https://github.com/")
                return f"https://raw.githubusercontent.com/{owner_repo}/{BRANCH}"
            return f"{url}/raw/{BRANCH}"
    raise FileNotFoundError("seqlib's metadata names no Source repository")


def stored_notebook(notebook: str, folder=None, base_url: str | None = None) -> dict:
    """A chapter's stored notebook, as JSON: from ``folder``, else from the repository.

    Args:
        notebook: the file name, e.g. ``"10_m4_hourly.ipynb"``.
        folder: where to look first; the working folder when ``None`` (a chapter
            runs in ``notebooks/``, beside the others).
        base_url: where the repository's files are served, for the download; by
            default seqlib's own ``Source`` repository on GitHub, branch ``main``.

    Raises:
        ValueError: if ``notebook`` is not a notebook's file name.
        FileNotFoundError: if it is neither in ``folder`` nor downloadable; the
            message names the file and where it was looked for.
    """
    if (
        not isinstance(notebook, str)
        or Path(notebook).name != notebook
        or not (notebook.endswith(".ipynb"))
    ):
        raise ValueError(f"notebook must be a file name ending in .ipynb; got {notebook!r}")
    path = Path(folder or ".") / notebook
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    url = f"{(base_url or _repository_files()).rstrip('/')}/notebooks/{notebook}"
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as error:
        raise FileNotFoundError(
            f"{notebook} is not in {path.parent.resolve()} and could not be downloaded "
            f"from {url} ({error}); run the book's notebooks from its notebooks/ folder"
        ) from error


def stored_results(notebook: str, folder=None, base_url: str | None = None) -> dict:
    """``{task: the JSON object}`` printed by a stored notebook's ``results`` cells.

    See :func:`stored_notebook` for where the notebook is read from.
    """
    found = {}
    for cell in stored_notebook(notebook, folder, base_url)["cells"]:
        if "results" not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text", "")
            for line in ("".join(text) if isinstance(text, list) else text).splitlines():
                if line.startswith("{"):
                    entry = json.loads(line)
                    found[entry["task"]] = entry
    return found


def stored_glue(notebook: str, name: str, folder=None, base_url: str | None = None) -> str:
    """The text a stored notebook glued under ``name`` (as ``{glue:text}`` shows it).

    Raises:
        KeyError: if the notebook glues no such name.
    """
    for cell in stored_notebook(notebook, folder, base_url)["cells"]:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                text = output["data"]["application/papermill.record/text/plain"]
                text = "".join(text) if isinstance(text, list) else text
                return text.strip("'")
    raise KeyError(f"{notebook} glues no {name!r}")
