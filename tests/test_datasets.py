"""seqlib.datasets: the loaders on the book's data, the checks, downloads and extraction.

The loader tests read the book's data folder (``SEQLIB_DATA``, else
``/work/shared/data``) and are skipped without it. The other tests build their
files in ``tmp_path`` and download them from a local HTTP server: no network.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqlib import datasets
from seqlib.datasets import DatasetError

ARCHIVE_TOP = "free-spoken-digit-dataset-1.0.10"


def _book_data() -> Path | None:
    for folder in (os.environ.get("SEQLIB_DATA"), "/work/shared/data"):
        if folder and (Path(folder) / "airline-passengers" / "Airline.csv").is_file():
            return Path(folder)
    return None


BOOK_DATA = _book_data()
needs_book_data = pytest.mark.skipif(
    BOOK_DATA is None,
    reason="no copy of the book's data: set SEQLIB_DATA to a folder that holds it",
)


def _load(name):
    return datasets.load(name, data_dir=BOOK_DATA, download=False)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _wav_bytes(seed: int, rate: int = 8000) -> bytes:
    import soundfile

    samples = np.random.default_rng(seed).uniform(-0.5, 0.5, 400).astype(np.float32)
    buf = io.BytesIO()
    soundfile.write(buf, samples, rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def _airline_csv(offset: int = 0) -> bytes:
    months = pd.date_range("1949-01-01", periods=144, freq="MS")
    lines = [f"{m:%Y-%m},{100 + i + offset}" for i, m in enumerate(months)]
    return ("Date,Passengers\n" + "\n".join(lines) + "\n").encode()


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---------------------------------------------------------------------------
# The loaders on the book's data
# ---------------------------------------------------------------------------


def test_available():
    assert datasets.available() == [
        "airline-passengers",
        "sunspots",
        "daily-min-temperatures",
        "m4-hourly",
        "rt-polarity",
        "sentiment-labelled-sentences",
        "fsdd",
    ]


@needs_book_data
def test_airline_passengers():
    s = _load("airline-passengers")
    assert isinstance(s, pd.Series) and s.name == "passengers" and s.dtype == np.float64
    assert len(s) == 144 and s.index.freqstr == "MS"
    assert s.index[0] == pd.Timestamp("1949-01-01") and s.index[-1] == pd.Timestamp(
        "1960-12-01"
    )
    assert (s.iloc[0], s.iloc[-1]) == (112.0, 432.0)


@needs_book_data
def test_sunspots():
    s = _load("sunspots")
    assert s.name == "sunspots" and s.dtype == np.float64 and len(s) == 309
    assert isinstance(s.index.freq, pd.offsets.YearBegin)
    assert (s.index[0].year, s.index[-1].year) == (1700, 2008)
    assert (s.iloc[0], s.iloc[-1]) == (5.0, 2.9)


@needs_book_data
def test_daily_min_temperatures_fills_two_days():
    s = _load("daily-min-temperatures")
    assert s.name == "temperature" and s.dtype == np.float64
    assert s.index.freqstr == "D" and not s.isna().any()
    assert len(s) == len(pd.date_range("1981-01-01", "1990-12-31")) == 3652
    assert (s.iloc[0], s.iloc[-1]) == (20.7, 13.0)
    for day in ("1984-12-31", "1988-12-31"):
        t = pd.Timestamp(day)
        before, after = s[t - pd.Timedelta(days=1)], s[t + pd.Timedelta(days=1)]
        assert s[t] == pytest.approx((before + after) / 2)
    assert s["1984-12-31"] == pytest.approx(14.85)


@needs_book_data
def test_m4_hourly():
    train, test = _load("m4-hourly")
    assert len(train) == 414 and all(x.ndim == 1 and x.dtype == np.float64 for x in train)
    lengths = [len(x) for x in train]
    assert (min(lengths), max(lengths)) == (700, 960)
    assert not any(np.isnan(x).any() for x in train)
    assert test.shape == (414, 48) and test.dtype == np.float64 and not np.isnan(test).any()
    assert train[0][:3].tolist() == [605.0, 586.0, 586.0]
    assert test[0][:3].tolist() == [619.0, 565.0, 532.0]


@needs_book_data
def test_rt_polarity():
    texts, labels = _load("rt-polarity")
    assert len(texts) == len(labels) == 10662 and all(isinstance(t, str) for t in texts)
    assert labels.dtype == np.int64
    assert labels[:5331].tolist() == [1] * 5331 and labels[5331:].tolist() == [0] * 5331
    assert texts[0].startswith("the rock is destined to be the 21st century's new ")
    assert not any("\n" in t for t in texts)
    assert any("\u2026" in t for t in texts)  # byte 0x85 decoded as cp1252, not NEL


@needs_book_data
def test_sentiment_labelled_sentences():
    df = _load("sentiment-labelled-sentences")
    assert list(df.columns) == ["text", "label", "source"] and len(df) == 3000
    assert df["label"].dtype == np.int64
    assert df["source"].value_counts().to_dict() == {
        "amazon": 1000,
        "imdb": 1000,
        "yelp": 1000,
    }
    assert (df.groupby("source")["label"].sum() == 500).all()
    assert df["text"].iloc[0].startswith("So there is no way for me to plug it in here")
    assert not df["text"].str.contains("\t").any()


@needs_book_data
def test_fsdd():
    df = _load("fsdd")
    assert list(df.columns) == ["path", "digit", "speaker", "take", "split"]
    assert len(df) == 3000 and df["speaker"].nunique() == 6
    assert (df["split"] == "test").sum() == 300
    assert (df.loc[df["split"] == "test", "take"] <= 4).all()
    assert df["digit"].dtype == np.int64 and df["take"].dtype == np.int64
    assert df.equals(df.sort_values(["speaker", "digit", "take"], ignore_index=True))
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in df["path"])
    assert Path(df["path"].iloc[0]).name == "0_george_0.wav"
    waveform, rate = datasets.read_wav(df["path"].iloc[0])
    assert rate == 8000 and waveform.dtype == np.float32 and waveform.ndim == 1


def test_fsdd_manifest_is_shipped():
    manifest = datasets._fsdd_manifest()
    assert len(manifest) == 3000
    assert all(k.startswith("recordings/") and len(v) == 64 for k, v in manifest.items())


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="airline-passengers") as info:
        datasets.load("airline", data_dir=".")
    assert "'airline'" in str(info.value) and "fsdd" in str(info.value)


def test_data_home_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQLIB_DATA", str(tmp_path / "env"))
    assert datasets.data_home(tmp_path / "arg") == tmp_path / "arg"
    assert datasets.data_home() == tmp_path / "env"
    monkeypatch.setenv("SEQLIB_DATA", "")
    repo_data = Path(datasets.__file__).resolve().parent.parent / "data"
    assert datasets.data_home() == repo_data  # run from a clone: data/README.md exists


# ---------------------------------------------------------------------------
# Missing and corrupted files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", datasets.available())
def test_missing_file_names_it(name, tmp_path):
    with pytest.raises(DatasetError, match="is missing") as info:
        datasets.load(name, data_dir=tmp_path, download=False)
    message = str(info.value)
    files = datasets.DATASETS[name].files
    first = files[0].path if name != "fsdd" else "fsdd/recordings/0_george_0.wav"
    assert str(tmp_path / first) in message
    assert "SEQLIB_DATA" in message and "download=True" in message


@needs_book_data
def test_corrupted_file_names_it_and_the_expected_hash(tmp_path):
    rel = "sunspots/sunspots.csv"
    data = bytearray((BOOK_DATA / rel).read_bytes())
    data[30] ^= 1
    path = _write(tmp_path / rel, bytes(data))
    with pytest.raises(DatasetError, match="corrupted") as info:
        datasets.load("sunspots", data_dir=tmp_path, download=True)  # not replaced
    message = str(info.value)
    assert str(path) in message and datasets.SHA256[rel] in message
    assert _sha256(bytes(data)) in message
    assert path.read_bytes() == bytes(data)


def test_corrupted_recording_names_it(tmp_path, monkeypatch):
    good = _wav_bytes(0)
    monkeypatch.setattr(
        datasets, "_fsdd_manifest", lambda: {"recordings/3_theo_7.wav": _sha256(good)}
    )
    path = _write(tmp_path / "fsdd" / "recordings" / "3_theo_7.wav", _wav_bytes(1))
    with pytest.raises(DatasetError, match="corrupted") as info:
        datasets.load("fsdd", data_dir=tmp_path, download=False)
    assert str(path) in str(info.value) and _sha256(good) in str(info.value)


def test_read_wav_checks_the_rate(tmp_path):
    path = _write(tmp_path / "a.wav", _wav_bytes(0, rate=16000))
    with pytest.raises(DatasetError, match="8000 Hz") as info:
        datasets.read_wav(path)
    assert str(path) in str(info.value)


# ---------------------------------------------------------------------------
# Downloads from a local server
# ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A folder served on 127.0.0.1, with SEQLIB_DATA_URL pointing at it."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("SEQLIB_DATA_URL", f"http://127.0.0.1:{httpd.server_port}/")
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    yield root
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def fake_airline(monkeypatch):
    """A made-up Airline.csv whose sha256 is the one recorded."""
    data = _airline_csv()
    monkeypatch.setitem(datasets.SHA256, "airline-passengers/Airline.csv", _sha256(data))
    return data


def test_download_succeeds_and_is_verified(served, fake_airline, tmp_path):
    rel = "airline-passengers/Airline.csv"
    _write(served / rel, fake_airline)
    cache = tmp_path / "cache"
    s = datasets.load("airline-passengers", data_dir=cache)
    assert len(s) == 144 and s.iloc[-1] == 243.0
    assert (cache / rel).read_bytes() == fake_airline
    (served / rel).unlink()  # present files are not downloaded again
    assert datasets.load("airline-passengers", data_dir=cache).equals(s)


def test_tampered_download_is_rejected(served, fake_airline, tmp_path):
    rel = "airline-passengers/Airline.csv"
    _write(served / rel, _airline_csv(offset=1))
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="does not match") as info:
        datasets.load("airline-passengers", data_dir=cache)
    assert datasets.SHA256[rel] in str(info.value) and str(cache / rel) in str(info.value)
    assert _files_under(cache) == []


def test_download_error_is_a_dataset_error(served, tmp_path):
    with pytest.raises(DatasetError, match="could not download") as info:
        datasets.load("sunspots", data_dir=tmp_path / "cache")
    assert "sunspots/sunspots.csv" in str(info.value)


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def fsdd_two(monkeypatch):
    """Two made-up recordings, and a manifest that lists just them."""
    recordings = {"recordings/0_george_0.wav": _wav_bytes(0)}
    recordings["recordings/7_theo_12.wav"] = _wav_bytes(1)
    manifest = {rel: _sha256(data) for rel, data in recordings.items()}
    monkeypatch.setattr(datasets, "_fsdd_manifest", lambda: manifest)
    return recordings


def test_fsdd_download_extracts_the_recordings(served, fsdd_two, tmp_path):
    members = {f"{ARCHIVE_TOP}/{rel}": data for rel, data in fsdd_two.items()}
    members[f"{ARCHIVE_TOP}/README.md"] = b"# FSDD\n"
    _zip(served / datasets._FSDD_ARCHIVE, members)
    cache = tmp_path / "cache"
    df = datasets.load("fsdd", data_dir=cache)
    assert df[["digit", "speaker", "take", "split"]].values.tolist() == [
        [0, "george", 0, "test"],
        [7, "theo", 12, "train"],
    ]
    assert _files_under(cache) == sorted(cache / "fsdd" / rel for rel in fsdd_two)
    waveform, rate = datasets.read_wav(df["path"].iloc[1])
    assert rate == 8000 and waveform.shape == (400,)


def test_fsdd_download_rejects_a_tampered_recording(served, fsdd_two, tmp_path):
    members = {f"{ARCHIVE_TOP}/{rel}": data for rel, data in fsdd_two.items()}
    members[f"{ARCHIVE_TOP}/recordings/7_theo_12.wav"] = _wav_bytes(2)
    _zip(served / datasets._FSDD_ARCHIVE, members)
    cache = tmp_path / "cache"
    with pytest.raises(DatasetError, match="7_theo_12.wav") as info:
        datasets.load("fsdd", data_dir=cache)
    assert _sha256(fsdd_two["recordings/7_theo_12.wav"]) in str(info.value)
    assert _files_under(cache) == []


def test_fsdd_download_rejects_an_escaping_member(served, fsdd_two, tmp_path):
    members = {f"{ARCHIVE_TOP}/{rel}": data for rel, data in fsdd_two.items()}
    members[f"{ARCHIVE_TOP}/../../evil.txt"] = b"evil"
    _zip(served / datasets._FSDD_ARCHIVE, members)
    cache = tmp_path / "cache" / "data"
    with pytest.raises(DatasetError, match=r"\.\./\.\./evil\.txt"):
        datasets.load("fsdd", data_dir=cache)
    assert _files_under(tmp_path / "cache") == []
    assert not list(tmp_path.rglob("evil.txt"))


# ---------------------------------------------------------------------------
# Safe extraction
# ---------------------------------------------------------------------------


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tf.addfile(member)
            else:
                info = tarfile.TarInfo(member[0])
                info.size = len(member[1])
                tf.addfile(info, io.BytesIO(member[1]))
    return path


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


def test_safe_extract_writes_regular_files(tmp_path):
    archive = _tar(tmp_path / "a.tar.gz", [("top/a/b.txt", b"b"), ("top/c.txt", b"c")])
    written = datasets._safe_extract(archive, tmp_path / "out", strip_components=1)
    assert written == [tmp_path / "out" / "a" / "b.txt", tmp_path / "out" / "c.txt"]
    assert (tmp_path / "out" / "a" / "b.txt").read_bytes() == b"b"


def _bad_archives(tmp_path: Path):
    absolute = str(tmp_path / "abs-evil.txt")
    good = ("top/good.txt", b"good")
    yield "../evil.txt", _zip(tmp_path / "dots.zip", dict([good, ("../evil.txt", b"x")]))
    yield absolute, _zip(tmp_path / "abs.zip", dict([good, (absolute, b"x")]))
    yield (
        "top/../../evil.txt",
        _tar(tmp_path / "dots.tgz", [good, ("top/../../evil.txt", b"x")]),
    )
    yield absolute, _tar(tmp_path / "abs.tgz", [good, (absolute, b"x")])
    link = _link("top/link", str(tmp_path), tarfile.SYMTYPE)
    yield "top/link", _tar(tmp_path / "sym.tgz", [good, link, ("top/link/evil.txt", b"x")])
    hard = _link("top/hard", absolute, tarfile.LNKTYPE)
    yield "top/hard", _tar(tmp_path / "hard.tgz", [good, hard])


def test_safe_extract_refuses_escaping_members(tmp_path):
    for member, archive in _bad_archives(tmp_path):
        dest = tmp_path / "out"
        with pytest.raises(DatasetError) as info:
            datasets._safe_extract(archive, dest, strip_components=1)
        assert repr(member) in str(info.value), archive.name
        assert not dest.exists(), archive.name  # checked before anything is written
        assert not list(tmp_path.rglob("*evil.txt")), archive.name


def test_safe_extract_refuses_other_files(tmp_path):
    path = _write(tmp_path / "not-an-archive.zip", b"hello")
    with pytest.raises(DatasetError, match="neither a zip nor a tar"):
        datasets._safe_extract(path, tmp_path / "out")
