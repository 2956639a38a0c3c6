"""The book's datasets: find them, check them, download them, load them.

Every file is read from one data folder, laid out as ``data/README.md``
describes (``m4-hourly/Dataset/Train/Hourly-train.csv``,
``fsdd/recordings/0_george_0.wav``, ...). The folder is, in this order:

1. the ``data_dir`` argument of :func:`load`;
2. the environment variable ``SEQLIB_DATA``, when it is set and not empty;
3. the repository's ``data/`` folder when seqlib runs from a clone of the book
   (an editable install), otherwise the user cache folder ``pooch.os_cache("seqlib")``.

Each dataset is one record of :data:`DATASETS` (a :class:`Dataset`): its files
with their sha256 and pinned download URL, its loader, the facts the loader
checks, and a description of what :func:`load` returns. ``SHA256`` and ``URLS``
index the records' files by path.

Each file is checked against its recorded sha256 (for the 3,000 FSDD
recordings, against the manifest ``seqlib/fsdd.sha256.gz``) before it is read.
A missing file is downloaded from its pinned public URL when
``download=True``; a file that is present but differs is never replaced, it
raises :class:`DatasetError`.

The environment variable ``SEQLIB_DATA_URL`` replaces every download URL by
``SEQLIB_DATA_URL/<path in the data folder>``: a mirror of the data folder (with
the FSDD archive at ``fsdd/free-spoken-digit-dataset-1.0.10.zip``) can then serve
every download.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import logging
import os
import re
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DatasetError",
    "Dataset",
    "File",
    "DATASETS",
    "SHA256",
    "URLS",
    "available",
    "data_home",
    "load",
    "read_wav",
]


class DatasetError(Exception):
    """A dataset file is missing, corrupted, or could not be downloaded.

    A plain :class:`Exception` subclass (not an :class:`OSError`): the message
    names the file, what was expected, what was found and how to fix it.
    """


# ---------------------------------------------------------------------------
# Registry: what each dataset reads, its sha256 and where it is downloaded from
# ---------------------------------------------------------------------------

_RAW = "https://raw.githubusercontent.com"
_FSDD_TAG = "v1.0.10"
_FSDD_ARCHIVE = "fsdd/free-spoken-digit-dataset-1.0.10.zip"
_FSDD_MANIFEST = Path(__file__).with_name("fsdd.sha256.gz")
# sha256 of the uncompressed manifest, as listed in the book's data SOURCES.md.
_FSDD_MANIFEST_SHA256 = "3c878ee1f8e89d78fb499d864df02991f800ddb34a450abff17c2ae209def4dc"
_FSDD_RATE = 8000


@dataclass(frozen=True)
class File:
    """One file of the data folder: where it lives, its sha256, where it comes from."""

    path: str
    """Path in the data folder, ``/``-separated (``"sunspots/sunspots.csv"``)."""
    sha256: str | None
    """Hex digest checked before reading; ``None`` only for an archive GitHub builds."""
    url: str
    """Canonical download URL, pinned to a release tag or a commit."""


@dataclass(frozen=True)
class Dataset:
    """Everything about one dataset, in one record of :data:`DATASETS`.

    Adding a dataset is one edit: a loader function decorated with
    ``@_dataset(name, files=..., description=..., facts=...)``.
    """

    name: str
    """The name :func:`load` accepts."""
    description: str
    """What :func:`load` returns, with the facts filled in."""
    files: tuple[File, ...]
    """The files the loader reads (FSDD's 3,000 recordings are listed by a manifest)."""
    loader: Callable[[Dataset, Path, bool], Any]
    """``loader(record, data_folder, download)`` → the dataset."""
    facts: Mapping[str, Any] = field(default_factory=dict)
    """Numbers the loader checks and the description quotes (``series=414``)."""
    archive: File | None = None
    """An archive downloaded and extracted instead of single files."""


#: Every dataset, by name, in the order of ``data/README.md``.
DATASETS: dict[str, Dataset] = {}

#: sha256 of every file a loader reads, by path in the data folder (an index of
#: :data:`DATASETS`, filled as each dataset is recorded).
SHA256: dict[str, str] = {}

#: Download URL of every file and archive, by path in the data folder (an index
#: of :data:`DATASETS`).
URLS: dict[str, str] = {}


def _dataset(
    name: str,
    *,
    files: Sequence[tuple[str, str, str]] = (),
    description: str,
    facts: Mapping[str, Any] | None = None,
    archive: tuple[str, None, str] | None = None,
):
    """Record a dataset: the decorated function is its loader."""

    def record(loader):
        facts_ = dict(facts or {})
        entry = Dataset(
            name=name,
            description=" ".join(description.split()).format(**facts_),
            files=tuple(File(*f) for f in files),
            loader=loader,
            facts=facts_,
            archive=None if archive is None else File(*archive),
        )
        for f in (*entry.files, *([entry.archive] if entry.archive else [])):
            if f.sha256 is not None:
                SHA256[f.path] = f.sha256
            URLS[f.path] = f.url
        DATASETS[name] = entry
        return loader

    return record


def available() -> list[str]:
    """The names :func:`load` accepts, in the order of ``data/README.md``."""
    return list(DATASETS)


def data_home(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder the datasets are read from and downloaded to.

    Args:
        data_dir: a folder to use; when ``None``, the environment variable
            ``SEQLIB_DATA`` if set and not empty, else the repository's ``data/``
            folder when seqlib runs from a clone of the book, else the user
            cache folder ``pooch.os_cache("seqlib")``.

    Returns:
        An absolute path; the folder need not exist yet.
    """
    if data_dir is not None:
        return Path(data_dir).expanduser().absolute()
    env = os.environ.get("SEQLIB_DATA", "").strip()
    if env:
        return Path(env).expanduser().absolute()
    repo_data = Path(__file__).resolve().parent.parent / "data"
    if (repo_data / "README.md").is_file():
        return repo_data
    import pooch

    return Path(pooch.os_cache("seqlib")).absolute()


def _url(rel: str) -> str:
    base = os.environ.get("SEQLIB_DATA_URL", "").strip()
    if base:
        return f"{base.rstrip('/')}/{quote(rel)}"
    return URLS[rel]


# ---------------------------------------------------------------------------
# Checking files
# ---------------------------------------------------------------------------

# (path, size, mtime_ns, inode) -> sha256 of the files hashed in this process.
_HASHED: dict[tuple[str, int, int, int], str] = {}

_HOW_TO_FIX = (
    "set SEQLIB_DATA to a folder that holds the book's data (or pass data_dir=...), "
    "or call load({name!r}, download=True) while online"
)


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if key not in _HASHED:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(functools.partial(f.read, 1 << 20), b""):
                h.update(block)
        _HASHED[key] = h.hexdigest()
    return _HASHED[key]


def _verify(path: Path, expected: str, origin: str, name: str) -> None:
    found = _sha256(path)
    if found != expected:
        raise DatasetError(
            f"{path} is corrupted or is not the book's file: its sha256 is {found}; "
            f"expected {expected} ({origin}). To fix: delete the file so that "
            f"load({name!r}, download=True) downloads it again, or set SEQLIB_DATA to "
            "a folder that holds the book's data."
        )


def _origin(rel: str) -> str:
    return f"recorded in seqlib.datasets.SHA256 for {URLS[rel]}"


def _fetch(root: Path, rel: str, name: str, download: bool) -> Path:
    """Path of a checked file of the data folder, downloaded first if missing."""
    path = root / rel
    if not path.is_file():
        if not download:
            raise DatasetError(
                f"{path} is missing: expected a file with sha256 {SHA256[rel]} "
                f"({_origin(rel)}). To fix: " + _HOW_TO_FIX.format(name=name) + "."
            )
        _retrieve(_url(rel), path, SHA256[rel])
    _verify(path, SHA256[rel], _origin(rel), name)
    return path


def _retrieve(url: str, path: Path, sha256: str | None) -> Path:
    """Download ``url`` to ``path`` with pooch, checking ``sha256`` when given.

    pooch writes to a temporary file next to ``path`` and moves it into place only
    when the hash matches, so a rejected download leaves nothing behind.
    """
    import pooch

    known_hash = None if sha256 is None else f"sha256:{sha256}"
    logger = pooch.get_logger()
    level = logger.level
    if sha256 is None:  # pooch would advise to pin the hash of an unpinnable archive
        logger.info("Downloading %s", url)
        logger.setLevel(logging.WARNING)
    try:
        return Path(
            pooch.retrieve(
                url, known_hash, fname=path.name, path=path.parent, progressbar=False
            )
        )
    except ValueError as exc:  # pooch's hash mismatch
        raise DatasetError(
            f"the file downloaded from {url} does not match the expected sha256 "
            f"{sha256}, so {path} was not written: {exc}"
        ) from exc
    except Exception as exc:  # network, HTTP or file-system errors
        raise DatasetError(
            f"could not download {url} to {path}: {type(exc).__name__}: {exc}. To fix: "
            f"check the connection and that {path.parent} is writable, or set "
            "SEQLIB_DATA to a folder that holds the book's data."
        ) from exc
    finally:
        logger.setLevel(level)


# ---------------------------------------------------------------------------
# Safe extraction of zip and tar archives
# ---------------------------------------------------------------------------


def _member_target(name: str, dest: Path, strip_components: int) -> Path | None:
    """Where member ``name`` goes under ``dest``; ``None`` if stripped away."""
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        raise DatasetError(f"archive member {name!r} has an absolute path; refused")
    parts = [p for p in re.split(r"[/\\]", name) if p not in ("", ".")]
    if ".." in parts:
        raise DatasetError(f"archive member {name!r} has a '..' part; refused")
    parts = parts[strip_components:]
    if not parts:
        return None
    target = dest.joinpath(*parts)
    if not target.resolve().is_relative_to(dest.resolve()):
        raise DatasetError(f"archive member {name!r} would be written outside {dest}")
    return target


def _safe_extract(archive: Path, dest: Path, strip_components: int = 0) -> list[Path]:
    """Extract the regular files of a zip or tar archive under ``dest``.

    Every member is checked before anything is written: an absolute path, a
    ``..`` part, a path that resolves outside ``dest``, a link, a device or any
    other special file raises :class:`DatasetError` naming the member.

    Args:
        archive: a zip file, or a tar file (plain, gzip, bz2 or xz).
        dest: the folder to extract into (created if needed).
        strip_components: how many leading folders to drop from member names, as
            ``tar --strip-components`` does (1 for GitHub's archives).

    Returns:
        The files written, in archive order.
    """
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            plan = []
            for info in zf.infolist():
                mode = info.external_attr >> 16
                if mode and (mode & 0o170000) not in (0, 0o100000, 0o040000):
                    raise DatasetError(
                        f"archive member {info.filename!r} of {archive} is a link or a "
                        "special file; refused"
                    )
                target = _member_target(info.filename, dest, strip_components)
                if target is not None and not info.is_dir():
                    plan.append((info, target))
            return [_write(zf.open(info), target) for info, target in plan]
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            plan = []
            for member in tf.getmembers():
                if not (member.isfile() or member.isdir()):
                    kind = "link" if member.issym() or member.islnk() else "special file"
                    raise DatasetError(
                        f"archive member {member.name!r} of {archive} is a {kind}; refused"
                    )
                target = _member_target(member.name, dest, strip_components)
                if target is not None and member.isfile():
                    plan.append((member, target))
            return [_write(tf.extractfile(member), target) for member, target in plan]
    raise DatasetError(f"{archive} is neither a zip nor a tar archive")


def _write(source, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with source, open(partial, "wb") as out:
        shutil.copyfileobj(source, out)
    os.replace(partial, target)
    return target


# ---------------------------------------------------------------------------
# Loaders
# ---------------------------------------------------------------------------


_M4 = f"{_RAW}/Mcompetitions/M4-methods/6c1067e5a57161249b17289a565178dc7a3fb3ca/Dataset"
_KIM = f"{_RAW}/yoonkim/CNN_sentence/23e0e1f7355705bb083043fda05c031b15acb38c"
_UCI = (
    f"{_RAW}/nanaama-sackey/NLP-18-nanaama.sackey/"
    "f77655d18711472b54da26b84ebf7a090fc22272/Lab%20Four"
)


@_dataset(
    "airline-passengers",
    files=[
        (
            "airline-passengers/Airline.csv",
            "28af0eb869db6d9fbd31d5af03993a0cbf36c0857c3eb046a068c094b60da851",
            f"{_RAW}/sktime/sktime/v1.2.0/sktime/datasets/data/Airline/Airline.csv",
        )
    ],
    facts={"months": 144},
    description="""``pandas.Series`` named ``passengers``: monthly international airline
        passengers in thousands (float64), {months} values with a month-start
        ``DatetimeIndex`` (``freq="MS"``) from 1949-01-01 to 1960-12-01
        (Box & Jenkins Series G).""",
)
def _load_airline(ds: Dataset, root: Path, download: bool) -> pd.Series:
    import pandas as pd

    df = pd.read_csv(_fetch(root, ds.files[0].path, ds.name, download))
    index = pd.DatetimeIndex(
        pd.to_datetime(df["Date"], format="%Y-%m"), freq="MS", name="date"
    )
    return pd.Series(df["Passengers"].to_numpy(float), index=index, name="passengers")


@_dataset(
    "sunspots",
    files=[
        (
            "sunspots/sunspots.csv",
            "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
            f"{_RAW}/statsmodels/statsmodels/v0.15.0/statsmodels/datasets/sunspots/"
            "sunspots.csv",
        )
    ],
    facts={"years": 309},
    description="""``pandas.Series`` named ``sunspots``: yearly sunspot numbers (float64),
        {years} values with a year-start ``DatetimeIndex`` (``freq="YS"``) from
        1700-01-01 to 2008-01-01.""",
)
def _load_sunspots(ds: Dataset, root: Path, download: bool) -> pd.Series:
    import pandas as pd

    df = pd.read_csv(_fetch(root, ds.files[0].path, ds.name, download))
    years = df["YEAR"].astype(int).astype(str)
    index = pd.DatetimeIndex(pd.to_datetime(years, format="%Y"), freq="YS", name="date")
    return pd.Series(df["SUNACTIVITY"].to_numpy(float), index=index, name="sunspots")


@_dataset(
    "daily-min-temperatures",
    files=[
        (
            "daily-min-temperatures/daily-min-temperatures.csv",
            "8b9de63ed6789492bf497625e7f9beb96a63d367b4b0a21754006f749fa5e5da",
            f"{_RAW}/jbrownlee/Datasets/d20fcb6402ae34e653d4513b00f39257bb37ed7f/"
            "daily-min-temperatures.csv",
        )
    ],
    facts={"days": "3,652", "first": "1981-01-01", "last": "1990-12-31"},
    description="""``pandas.Series`` named ``temperature``: daily minimum temperature in
        Melbourne in °C (float64), {days} values with a daily ``DatetimeIndex``
        (``freq="D"``) from {first} to {last}. The file lacks 1984-12-31
        and 1988-12-31; those two days are filled by linear interpolation
        between their neighbours, so the series has no NaN.""",
)
def _load_temperatures(ds: Dataset, root: Path, download: bool) -> pd.Series:
    import pandas as pd

    df = pd.read_csv(_fetch(root, ds.files[0].path, ds.name, download))
    temp = pd.Series(
        df["Temp"].to_numpy(float), index=pd.to_datetime(df["Date"], format="%Y-%m-%d")
    )
    days = pd.date_range(ds.facts["first"], ds.facts["last"], freq="D", name="date")
    temp = temp.reindex(days).interpolate(method="time")
    return temp.rename("temperature")


@_dataset(
    "m4-hourly",
    files=[
        (
            "m4-hourly/Dataset/Train/Hourly-train.csv",
            "ea59b7783573c49077a835ab6465c7d66f1474783360f310988a9a737fbca62f",
            f"{_M4}/Train/Hourly-train.csv",
        ),
        (
            "m4-hourly/Dataset/Test/Hourly-test.csv",
            "71a57fccb15e534d973626ada4fb87febf789e9317715b7cc6dd3b5f90db6f42",
            f"{_M4}/Test/Hourly-test.csv",
        ),
    ],
    facts={"series": 414, "horizon": 48},
    description="""``(train, test)``: ``train`` is a list of {series} float64 arrays of
        lengths 700 to 960 (the CSV's trailing empty cells removed) and ``test``
        a float64 array of shape ``({series}, {horizon})``. Row ``i`` of both is
        series ``H{{i + 1}}`` of the M4 Hourly subset.""",
)
def _load_m4_hourly(
    ds: Dataset, root: Path, download: bool
) -> tuple[list[np.ndarray], np.ndarray]:
    import pandas as pd

    train_path, test_path = (_fetch(root, f.path, ds.name, download) for f in ds.files)
    train_df = pd.read_csv(train_path, index_col=0)
    test_df = pd.read_csv(test_path, index_col=0)
    n = ds.facts["series"]
    ids = [f"H{i}" for i in range(1, n + 1)]
    for path, df in ((train_path, train_df), (test_path, test_df)):
        if list(df.index) != ids:
            raise DatasetError(f"{path} should hold series H1..H{n} in order; it does not")
    if test_df.shape[1] != ds.facts["horizon"]:
        raise DatasetError(
            f"{test_path} should hold {ds.facts['horizon']} test values per series; "
            f"it holds {test_df.shape[1]}"
        )
    train = []
    for row in train_df.to_numpy(float):
        length = int(np.count_nonzero(~np.isnan(row)))
        if np.isnan(row[:length]).any():
            raise DatasetError(f"{train_path} has an empty cell inside a series")
        train.append(row[:length].copy())
    return train, test_df.to_numpy(float)


def _read_lines(path: Path, encoding: str) -> list[str]:
    """Lines split on ``\\n`` only, without the empty string after the last one."""
    lines = path.read_bytes().decode(encoding).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@_dataset(
    "rt-polarity",
    files=[
        (
            "rt-polaritydata/rt-polarity.pos",
            "2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0",
            f"{_KIM}/rt-polarity.pos",
        ),
        (
            "rt-polaritydata/rt-polarity.neg",
            "4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca",
            f"{_KIM}/rt-polarity.neg",
        ),
    ],
    facts={"per_class": 5331, "sentences": 10662},
    description="""``(texts, labels)``: {sentences:,} sentences (``list[str]``, decoded
        from cp1252, one per line, lower-cased and tokenised) and an int64 array
        of shape ``({sentences},)``, 1 = positive and 0 = negative: the
        {per_class:,} positive sentences come first, then the {per_class:,}
        negative ones, in file order.""",
)
def _load_rt_polarity(
    ds: Dataset, root: Path, download: bool
) -> tuple[list[str], np.ndarray]:
    pos, neg = (
        _read_lines(_fetch(root, f.path, ds.name, download), "cp1252") for f in ds.files
    )
    n = ds.facts["per_class"]
    if (len(pos), len(neg)) != (n, n):
        raise DatasetError(
            f"rt-polarity should have {n} positive and {n} negative sentences; "
            f"got {len(pos)} and {len(neg)}"
        )
    labels = np.concatenate([np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)])
    return pos + neg, labels


@_dataset(
    "sentiment-labelled-sentences",
    files=[
        (f"sentiment-labelled-sentences/{name}", digest, f"{_UCI}/{name}")
        for name, digest in {
            "amazon_cells_labelled.txt": (
                "47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3"
            ),
            "imdb_labelled.txt": (
                "aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d"
            ),
            "yelp_labelled.txt": (
                "c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea"
            ),
        }.items()
    ],
    facts={"per_source": 1000, "sentences": 3000},
    description="""``pandas.DataFrame`` with {sentences:,} rows and columns ``text``
        (str, as in the file), ``label`` (int64, 1 = positive, 0 = negative) and
        ``source`` (``"amazon"``, ``"imdb"`` or ``"yelp"``, {per_source:,} rows
        each, in that order).""",
)
def _load_sentences(ds: Dataset, root: Path, download: bool) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for f in ds.files:
        path = _fetch(root, f.path, ds.name, download)
        source = PurePosixPath(f.path).name.split("_")[0]
        for i, line in enumerate(_read_lines(path, "utf-8"), start=1):
            text, sep, label = line.rpartition("\t")
            if not sep or label not in ("0", "1"):
                raise DatasetError(
                    f"{path}, line {i}: expected 'sentence<TAB>0 or 1'; got {line!r}"
                )
            rows.append((text, int(label), source))
    df = pd.DataFrame(rows, columns=["text", "label", "source"])
    df["label"] = df["label"].astype(np.int64)
    return df


@functools.lru_cache(maxsize=1)
def _fsdd_manifest() -> dict[str, str]:
    """sha256 of each FSDD recording, by path under ``fsdd/`` (``recordings/x.wav``)."""
    text = gzip.decompress(_FSDD_MANIFEST.read_bytes())
    found = hashlib.sha256(text).hexdigest()
    if found != _FSDD_MANIFEST_SHA256:
        raise DatasetError(
            f"{_FSDD_MANIFEST} is corrupted: the sha256 of its content is {found}; "
            f"expected {_FSDD_MANIFEST_SHA256}. Reinstall seqlib."
        )
    manifest = {}
    for line in text.decode("utf-8").splitlines():
        digest, rel = line.split(maxsplit=1)
        rel = rel.removeprefix("./")
        if rel.startswith("recordings/") and rel.endswith(".wav"):
            manifest[rel] = digest
    return manifest


def _download_fsdd(root: Path, missing: list[str]) -> None:
    """Fetch the FSDD tag archive and move the ``missing`` recordings into place.

    The archive is extracted to a temporary folder inside ``root/fsdd``; nothing
    is moved into ``recordings/`` until every missing file is found and checked.
    """
    url = _url(_FSDD_ARCHIVE)
    folder = root / "fsdd"
    manifest = _fsdd_manifest()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp_dir = tempfile.TemporaryDirectory(prefix=".download-", dir=folder)
    except OSError as exc:
        raise DatasetError(
            f"cannot write to {folder} for the FSDD download: {exc}. To fix: pass a "
            "writable data_dir, or set SEQLIB_DATA to a folder that holds the book's data."
        ) from exc
    with tmp_dir as tmp:
        archive = _retrieve(url, Path(tmp) / PurePosixPath(_FSDD_ARCHIVE).name, None)
        extracted = Path(tmp) / "extracted"
        _safe_extract(archive, extracted, strip_components=1)
        for rel in missing:
            path = extracted / rel
            if not path.is_file():
                raise DatasetError(
                    f"the archive downloaded from {url} has no {rel} (expected "
                    f"free-spoken-digit-dataset-1.0.10/{rel}); nothing was written"
                )
            found = _sha256(path)
            if found != manifest[rel]:
                raise DatasetError(
                    f"{rel} in the archive downloaded from {url} has sha256 {found}; "
                    f"expected {manifest[rel]} (from the FSDD {_FSDD_TAG} manifest "
                    f"{_FSDD_MANIFEST}); nothing was written"
                )
        (folder / "recordings").mkdir(exist_ok=True)
        for rel in missing:
            os.replace(extracted / rel, folder / rel)


@_dataset(
    "fsdd",
    archive=(
        _FSDD_ARCHIVE,
        None,  # GitHub builds tag archives on the fly: the recordings are checked instead
        "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/"
        f"{_FSDD_TAG}.zip",
    ),
    facts={
        "recordings": 3000,
        "speakers": 6,
        "last_test_take": 4,
        "test_recordings": 300,
        "rate": _FSDD_RATE,
    },
    description="""``pandas.DataFrame`` with one row per recording of the Free Spoken
        Digit Dataset, {recordings:,} rows sorted by speaker, digit and take, and
        columns ``path`` (absolute path, str), ``digit`` (int64, 0–9),
        ``speaker`` (str, {speakers} speakers), ``take`` (int64, 0–49) and
        ``split`` (``"test"`` for takes 0–{last_test_take}, {test_recordings}
        rows; ``"train"`` otherwise). Read a waveform with :func:`read_wav`.""",
)
def _load_fsdd(ds: Dataset, root: Path, download: bool) -> pd.DataFrame:
    import pandas as pd

    manifest = _fsdd_manifest()
    folder = root / "fsdd"
    origin = f"from the FSDD {_FSDD_TAG} manifest {_FSDD_MANIFEST}"
    missing = [rel for rel in manifest if not (folder / rel).is_file()]
    if missing:
        if not download:
            first = folder / missing[0]
            raise DatasetError(
                f"{first} is missing ({len(missing)} of {len(manifest)} FSDD "
                f"recordings are missing under {folder}): expected a file with sha256 "
                f"{manifest[missing[0]]} ({origin}). To fix: "
                + _HOW_TO_FIX.format(name="fsdd")
                + f" to extract them from {URLS[_FSDD_ARCHIVE]}."
            )
        _download_fsdd(root, missing)
    rows = []
    pattern = re.compile(r"recordings/(\d)_([a-z]+)_(\d+)\.wav")
    for rel, digest in manifest.items():
        path = folder / rel
        _verify(path, digest, origin, "fsdd")
        digit, speaker, take = pattern.fullmatch(rel).groups()
        rows.append((str(path), int(digit), speaker, int(take)))
    df = pd.DataFrame(rows, columns=["path", "digit", "speaker", "take"])
    df["split"] = np.where(df["take"] <= ds.facts["last_test_take"], "test", "train")
    df = df.sort_values(["speaker", "digit", "take"], ignore_index=True)
    return df.astype({"digit": np.int64, "take": np.int64})


def load(
    name: str,
    data_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> Any:
    """Load one of the book's datasets, checked against its recorded sha256.

    What each name returns (each record's ``description`` in :data:`DATASETS`):

    <returns>

    Args:
        name: one of :func:`available`.
        data_dir: the data folder; ``None`` for :func:`data_home`'s choice
            (``SEQLIB_DATA``, then the repository's ``data/`` or the user cache).
        download: fetch missing files from their pinned URLs (``URLS``, or
            ``SEQLIB_DATA_URL``) into the data folder. Files that are present
            are never downloaded again.

    Returns:
        The dataset, in the form listed above for ``name``.

    Raises:
        ValueError: if ``name`` is not one of :func:`available`.
        DatasetError: if a file is missing (and ``download=False``), cannot be
            downloaded, or does not match its recorded sha256.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {available()}; got {name!r}")
    record = DATASETS[name]
    return record.loader(record, data_home(data_dir), download)


def _returns(width: int = 76) -> str:
    """The list of what :func:`load` returns, from the records, as docstring text."""
    import textwrap

    entries = []
    for record in DATASETS.values():
        body = textwrap.fill(
            record.description,
            width,
            initial_indent=" " * 8,
            subsequent_indent=" " * 8,
            break_on_hyphens=False,
        )
        entries.append(f'    ``"{record.name}"``\n{body}')
    return "\n".join(entries).lstrip()


if load.__doc__:  # None under python -OO
    load.__doc__ = load.__doc__.replace("<returns>", _returns())


def read_wav(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Read one FSDD recording (8 kHz, mono, 16-bit PCM) with ``soundfile``.

    Args:
        path: a ``.wav`` file, e.g. a ``path`` of ``load("fsdd")``.

    Returns:
        ``(waveform, sample_rate)``: a float32 array of shape ``(samples,)``
        with values in ``[-1, 1)``, and the sample rate, 8000.

    Raises:
        DatasetError: if the file is not mono or not sampled at 8 kHz.
    """
    import soundfile

    waveform, rate = soundfile.read(os.fspath(path), dtype="float32", always_2d=False)
    if rate != _FSDD_RATE:
        raise DatasetError(
            f"{path} should be sampled at {_FSDD_RATE} Hz like every FSDD recording; "
            f"got {rate} Hz"
        )
    if waveform.ndim != 1:
        raise DatasetError(
            f"{path} should be mono like every FSDD recording; "
            f"got {waveform.shape[1]} channels"
        )
    return waveform, int(rate)
