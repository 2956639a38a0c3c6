"""Speech features and augmentations for the spoken-digit chapter.

Every feature array here is ``(frames, features)``: one row per analysis frame
(a time step for a recurrent network), one column per coefficient. This is the
transpose of librosa's ``(features, frames)``, and the layout the models of
:mod:`seqlib.torch_models` and :mod:`seqlib.keras_models` read once a batch is
padded by :func:`seqlib.data.pad_sequences`.

The pipeline is :func:`trim_silence` (optional) → :func:`log_mel` →
:func:`mfcc_from_log_mel` → :func:`add_deltas` (:func:`mfcc` runs the last
three), optionally followed by :func:`cmvn`, the per-utterance mean (and
variance) normalisation, and :func:`stack_frames`, which joins neighbouring
frames so that a recurrent network takes fewer steps. The augmentations work on
the waveform (:func:`speed_perturb`) or on the log-mel frames before the cosine
transform (:func:`spec_augment`, SpecAugment's time and frequency masks).

Needs the optional dependencies ``librosa`` and ``soundfile`` (``pip install
seqlib[audio]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from ._checks import non_negative_int as _non_negative_int
from ._checks import positive_int as _positive_int

__all__ = [
    "trim_silence",
    "log_mel",
    "mfcc_from_log_mel",
    "add_deltas",
    "mfcc",
    "cmvn",
    "speaker_cmvn",
    "stack_frames",
    "speed_perturb",
    "spec_augment",
]


def _waveform(waveform) -> np.ndarray:
    wave = np.asarray(waveform, dtype=np.float32)
    if wave.ndim != 1:
        raise ValueError(f"waveform must be one-dimensional (samples,); got {wave.shape}")
    if wave.size == 0:
        raise ValueError("waveform holds no samples")
    if not np.isfinite(wave).all():
        raise ValueError("waveform holds NaN or infinite samples")
    return wave


def _frames(name: str, features) -> np.ndarray:
    array = np.asarray(features, dtype=np.float32)
    if array.ndim != 2:
        raise ValueError(
            f"{name} must be two-dimensional (frames, features); got {array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} holds no frames")
    return array


def _samples(sample_rate: int, win_ms: float, hop_ms: float) -> tuple[int, int]:
    """Window and hop in samples, checked."""
    for name, value in (("win_ms", win_ms), ("hop_ms", hop_ms)):
        if not value > 0:
            raise ValueError(
                f"{name} must be a positive number of milliseconds; got {value!r}"
            )
    win = round(sample_rate * win_ms / 1000)
    hop = round(sample_rate * hop_ms / 1000)
    if win < 1 or hop < 1:
        raise ValueError(
            f"win_ms={win_ms!r} and hop_ms={hop_ms!r} must each span at least one sample "
            f"at sample_rate={sample_rate}"
        )
    return win, hop


def trim_silence(
    waveform,
    sample_rate: int = 8000,
    *,
    top_db: float = 30.0,
    win_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> np.ndarray:
    """Cut leading and trailing silence: ``(samples,)`` → ``(kept samples,)``.

    Frames whose energy is more than ``top_db`` decibels below the loudest
    frame of the recording count as silence (``librosa.effects.trim``); the
    recording is cut from the first to the last frame that is not silent.

    Args:
        waveform: samples ``(samples,)``.
        sample_rate: samples per second.
        top_db: threshold below the loudest frame, in dB (positive).
        win_ms: frame length for the energy, in milliseconds.
        hop_ms: distance between frames, in milliseconds.

    Returns:
        float32 array ``(kept samples,)``, a slice of ``waveform``.
    """
    import librosa

    wave = _waveform(waveform)
    sample_rate = _positive_int("sample_rate", sample_rate)
    if not top_db > 0:
        raise ValueError(f"top_db must be a positive number of decibels; got {top_db!r}")
    win, hop = _samples(sample_rate, win_ms, hop_ms)
    trimmed, _ = librosa.effects.trim(wave, top_db=top_db, frame_length=win, hop_length=hop)
    return trimmed


def log_mel(
    waveform,
    sample_rate: int = 8000,
    *,
    win_ms: float = 25.0,
    hop_ms: float = 10.0,
    n_mels: int = 40,
    n_fft: int | None = None,
) -> np.ndarray:
    """Log mel spectrogram in decibels, ``(frames, n_mels)``.

    Each frame is a ``win_ms`` Hann window, one every ``hop_ms``; its power
    spectrum is pooled by ``n_mels`` triangular mel filters between 0 Hz and
    half the sample rate and turned into decibels (librosa's ``power_to_db``,
    clipped 80 dB below the loudest value of the utterance). Frames are centred,
    so there are ``1 + samples // hop`` of them.

    Args:
        waveform: samples ``(samples,)``, e.g. from :func:`seqlib.datasets.read_wav`.
        sample_rate: samples per second.
        win_ms: window length in milliseconds (25 ms: 200 samples at 8 kHz).
        hop_ms: distance between frames in milliseconds (10 ms: 80 samples).
        n_mels: number of mel bands.
        n_fft: FFT size; by default the next power of two at least the window
            length (256 at 8 kHz and 25 ms).

    Returns:
        float32 array ``(frames, n_mels)``.

    Raises:
        ValueError: naming the argument that is not valid.
    """
    import librosa

    wave = _waveform(waveform)
    sample_rate = _positive_int("sample_rate", sample_rate)
    n_mels = _positive_int("n_mels", n_mels)
    win, hop = _samples(sample_rate, win_ms, hop_ms)
    if n_fft is None:
        n_fft = 1 << (win - 1).bit_length()
    elif _positive_int("n_fft", n_fft) < win:
        raise ValueError(f"n_fft must be at least the window length {win}; got {n_fft!r}")
    power = librosa.feature.melspectrogram(
        y=wave,
        sr=sample_rate,
        n_fft=n_fft,
        win_length=win,
        hop_length=hop,
        n_mels=n_mels,
        power=2.0,
    )
    return librosa.power_to_db(power).T.astype(np.float32)


def mfcc_from_log_mel(log_mel_frames, n_mfcc: int = 13) -> np.ndarray:
    """Mel-frequency cepstral coefficients from log mel frames, ``(frames, n_mfcc)``.

    The first ``n_mfcc`` coefficients of the orthonormal DCT-II of each frame,
    as ``librosa.feature.mfcc`` computes them from a log mel spectrogram.

    Args:
        log_mel_frames: ``(frames, n_mels)`` from :func:`log_mel`.
        n_mfcc: coefficients kept, at most ``n_mels``.

    Returns:
        float32 array ``(frames, n_mfcc)``.
    """
    from scipy.fft import dct

    frames = _frames("log_mel_frames", log_mel_frames)
    n_mfcc = _positive_int("n_mfcc", n_mfcc)
    if n_mfcc > frames.shape[1]:
        raise ValueError(
            f"n_mfcc must be at most the number of mel bands, {frames.shape[1]}; "
            f"got {n_mfcc}"
        )
    return dct(frames, type=2, norm="ortho", axis=1)[:, :n_mfcc].astype(np.float32)


def add_deltas(features, order: int = 2, width: int = 2) -> np.ndarray:
    """Append time derivatives ("deltas") to ``(frames, features)``.

    The delta of frame ``t`` is the least-squares slope over ``t - width … t +
    width``, ``sum_n n (c[t+n] - c[t-n]) / (2 sum_n n²)``, with the first and last
    frames repeated at the edges; delta-deltas are the deltas of the deltas.

    Args:
        features: ``(frames, features)``.
        order: 0 (no deltas), 1 (deltas) or 2 (deltas and delta-deltas).
        width: frames on each side of the regression window.

    Returns:
        float32 array ``(frames, features * (order + 1))``: the features, then
        their deltas, then the delta-deltas.
    """
    feats = _frames("features", features)
    order = _non_negative_int("order", order)
    if order > 2:
        raise ValueError(f"order must be 0, 1 or 2; got {order}")
    width = _positive_int("width", width)
    steps = np.arange(1, width + 1, dtype=np.float32)
    denominator = 2 * float(np.sum(steps**2))
    blocks = [feats]
    for _ in range(order):
        padded = np.pad(blocks[-1], ((width, width), (0, 0)), mode="edge")
        t = len(feats)
        slope = sum(
            n * (padded[width + n : width + n + t] - padded[width - n : width - n + t])
            for n in range(1, width + 1)
        )
        blocks.append(slope / denominator)
    return np.concatenate(blocks, axis=1).astype(np.float32)


def mfcc(
    waveform,
    sample_rate: int = 8000,
    *,
    n_mfcc: int = 13,
    order: int = 2,
    win_ms: float = 25.0,
    hop_ms: float = 10.0,
    n_mels: int = 40,
) -> np.ndarray:
    """MFCC frames with deltas, ``(frames, n_mfcc * (order + 1))``.

    Runs :func:`log_mel`, :func:`mfcc_from_log_mel` and :func:`add_deltas`.

    Args:
        waveform: samples ``(samples,)``.
        sample_rate, win_ms, hop_ms, n_mels: as in :func:`log_mel`.
        n_mfcc: cepstral coefficients per frame.
        order: deltas appended (0, 1 or 2), as in :func:`add_deltas`.

    Returns:
        float32 array ``(frames, n_mfcc * (order + 1))``; 39 columns by default.
    """
    frames = log_mel(waveform, sample_rate, win_ms=win_ms, hop_ms=hop_ms, n_mels=n_mels)
    return add_deltas(mfcc_from_log_mel(frames, n_mfcc), order=order)


def _scale(std: np.ndarray, eps: float) -> np.ndarray:
    """The standard deviation to divide by: 1 where it is too small to divide by.

    Dividing by ``std`` itself, not ``std + eps``, makes every normalised column's
    standard deviation exactly 1 (up to rounding); ``std + eps`` would leave a
    trace of the original standard deviation, ``std / (std + eps)``, which a
    later standardisation would blow up into a feature.
    """
    return np.where(std > eps, std, 1.0)


def cmvn(features, variance: bool = True, eps: float = 1e-5) -> np.ndarray:
    """Cepstral mean (and variance) normalisation of one utterance, ``(frames, features)``.

    Subtracts each column's mean over the utterance's frames and, with
    ``variance``, divides by its standard deviation. A fixed linear filter (a
    microphone, a room) adds a constant to every cepstral frame, so the mean
    removes it; so does the speaker's average vocal-tract colouring, in part.

    Args:
        features: ``(frames, features)`` of one utterance.
        variance: also scale each column to unit standard deviation.
        eps: columns whose standard deviation is at most ``eps`` are only
            centred, not scaled (a constant column becomes zeros, not NaN).

    Returns:
        float32 array of the same shape.
    """
    feats = _frames("features", features)
    if not eps > 0:
        raise ValueError(f"eps must be positive; got {eps!r}")
    out = feats - feats.mean(axis=0, keepdims=True)
    if variance:
        out = out / _scale(feats.std(axis=0, keepdims=True), eps)
    return out.astype(np.float32)


def speaker_cmvn(
    features: Sequence,
    speakers: Sequence,
    *,
    fit: Sequence[bool] | None = None,
    variance: bool = True,
    eps: float = 1e-5,
) -> list[np.ndarray]:
    """Normalise every utterance with its speaker's mean and standard deviation.

    Unlike :func:`cmvn`, the statistics are pooled over all the frames of a
    speaker's utterances, so what is the same in everything a speaker says (the
    voice, the microphone) is removed, while what differs between words (each
    word's own average spectrum) is kept. It needs recordings of each speaker,
    but not their labels.

    Args:
        features: one ``(frames, f)`` array per utterance.
        speakers: the speaker of each utterance (any hashable labels), same length.
        fit: which utterances give the statistics (e.g. only training
            recordings); ``None`` for all. Every speaker needs at least one.
        variance: also divide by the speaker's standard deviation.
        eps: columns whose standard deviation is at most ``eps`` are only centred.

    Returns:
        A list of float32 arrays, one ``(frames, f)`` per utterance, in order.
    """
    arrays = [_frames(f"features[{k}]", f) for k, f in enumerate(features)]
    speakers = np.asarray(speakers)
    if len(speakers) != len(arrays):
        raise ValueError(
            f"speakers must give one label per utterance: {len(arrays)} utterances, "
            f"{len(speakers)} speakers"
        )
    if fit is None:
        fit = np.ones(len(arrays), dtype=bool)
    fit = np.asarray(fit, dtype=bool)
    if fit.shape != (len(arrays),):
        raise ValueError(
            f"fit must be {len(arrays)} booleans, one per utterance; got {fit.shape}"
        )
    if not eps > 0:
        raise ValueError(f"eps must be positive; got {eps!r}")
    out: list[np.ndarray] = [np.empty(0)] * len(arrays)
    for speaker in np.unique(speakers):
        mine = np.flatnonzero(speakers == speaker)
        fitted = [arrays[k] for k in mine if fit[k]]
        if not fitted:
            raise ValueError(f"fit selects no utterance of speaker {str(speaker)!r}")
        frames = np.concatenate(fitted)
        mean = frames.mean(axis=0)
        scale = _scale(frames.std(axis=0), eps) if variance else 1.0
        for k in mine:
            out[k] = ((arrays[k] - mean) / scale).astype(np.float32)
    return out


def stack_frames(features, k: int) -> np.ndarray:
    """Join each ``k`` consecutive frames into one step, ``(ceil(frames / k), k * f)``.

    A recurrent network then takes ``k`` times fewer steps (each step sees ``k``
    frames side by side), which makes it about ``k`` times faster; the last
    frame is repeated to fill the final group.

    Args:
        features: ``(frames, f)``.
        k: frames per step (1 returns a copy).

    Returns:
        float32 array ``(ceil(frames / k), k * f)``.
    """
    feats = _frames("features", features)
    k = _positive_int("k", k)
    steps = -(-len(feats) // k)
    padded = np.pad(feats, ((0, steps * k - len(feats)), (0, 0)), mode="edge")
    return padded.reshape(steps, k * feats.shape[1]).astype(np.float32)


def speed_perturb(waveform, factor: float) -> np.ndarray:
    """Play a waveform ``factor`` times faster: ``(samples,)`` → ``(≈ samples / factor,)``.

    As with a tape played at another speed, duration and pitch change together
    (Kaldi's speed perturbation; factors 0.9 and 1.1 are usual). The resampling
    is polyphase (``scipy.signal.resample_poly``) with the ratio approximated by
    a fraction with a denominator of at most 100.

    Args:
        waveform: samples ``(samples,)``.
        factor: speed-up, e.g. 1.1 (shorter, higher) or 0.9 (longer, lower);
            between 0.5 and 2.

    Returns:
        float32 array ``(round(samples / factor),)`` (to within a sample).
    """
    from scipy.signal import resample_poly

    wave = _waveform(waveform)
    if not 0.5 <= factor <= 2.0:
        raise ValueError(f"factor must be between 0.5 and 2; got {factor!r}")
    ratio = Fraction(float(factor)).limit_denominator(100)
    if ratio == 1:
        return wave.copy()
    # New length = samples * down / up with up/down = 1 / factor.
    return resample_poly(wave, ratio.denominator, ratio.numerator).astype(np.float32)


def spec_augment(
    frames,
    rng: np.random.Generator,
    *,
    time_masks: int = 2,
    max_time: int = 10,
    freq_masks: int = 2,
    max_freq: int = 8,
    value: float | None = None,
) -> np.ndarray:
    """SpecAugment's masks on ``(frames, bands)``: blank random runs of frames and of bands.

    Each time mask replaces ``w`` consecutive frames, ``w`` drawn uniformly from
    ``0 … max_time`` (at most a fifth of the utterance), and each frequency mask
    ``w`` consecutive bands, ``w`` from ``0 … max_freq``, with ``value`` (by
    default the utterance's mean). Park et al. (2019) apply them to log mel
    frames, before the cosine transform that makes MFCCs; the time-warping part
    of SpecAugment is left out.

    Args:
        frames: ``(frames, bands)``, e.g. from :func:`log_mel`.
        rng: a NumPy generator, so that the masks are repeatable.
        time_masks: number of time masks.
        max_time: widest time mask, in frames.
        freq_masks: number of frequency masks.
        max_freq: widest frequency mask, in bands (at most the number of bands).
        value: what masked entries become; ``None`` for the mean of ``frames``.

    Returns:
        A masked float32 copy ``(frames, bands)``.
    """
    out = _frames("frames", frames).copy()
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {type(rng).__name__}"
        )
    time_masks = _non_negative_int("time_masks", time_masks)
    freq_masks = _non_negative_int("freq_masks", freq_masks)
    max_time = _non_negative_int("max_time", max_time)
    max_freq = _non_negative_int("max_freq", max_freq)
    n_frames, n_bands = out.shape
    if max_freq > n_bands:
        raise ValueError(
            f"max_freq must be at most the number of bands, {n_bands}; got {max_freq}"
        )
    fill = float(out.mean()) if value is None else float(value)
    widest_time = min(max_time, n_frames // 5)
    for _ in range(time_masks):
        width = int(rng.integers(0, widest_time + 1))
        start = int(rng.integers(0, n_frames - width + 1))
        out[start : start + width, :] = fill
    for _ in range(freq_masks):
        width = int(rng.integers(0, max_freq + 1))
        start = int(rng.integers(0, n_bands - width + 1))
        out[:, start : start + width] = fill
    return out
