"""Speech features and augmentations (seqlib.audio), on synthetic signals."""

import numpy as np
import pytest

from seqlib import audio

RATE = 8000


def tone(seconds=0.5, freq=440.0, rate=RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_log_mel_shape_and_frame_count():
    wave = tone(0.5)  # 4,000 samples, hop 80 -> 1 + 4000 // 80 frames (centred)
    frames = audio.log_mel(wave, RATE)
    assert frames.shape == (51, 40) and frames.dtype == np.float32
    assert audio.log_mel(wave, RATE, hop_ms=20, n_mels=23).shape == (26, 23)


def test_log_mel_puts_a_tone_in_the_right_band():
    librosa = pytest.importorskip("librosa")
    frames = audio.log_mel(tone(0.5, freq=1000.0), RATE)
    centres = librosa.mel_frequencies(n_mels=42, fmax=RATE / 2)[1:-1]
    loudest = int(np.argmax(frames.mean(axis=0)))
    assert abs(centres[loudest] - 1000) < 100


def test_mfcc_matches_librosa():
    librosa = pytest.importorskip("librosa")
    wave = np.random.default_rng(0).normal(size=3000).astype(np.float32) * 0.1
    ours = audio.mfcc(wave, RATE, order=0)
    theirs = librosa.feature.mfcc(
        y=wave, sr=RATE, n_mfcc=13, n_fft=256, win_length=200, hop_length=80, n_mels=40
    ).T
    assert ours.shape == theirs.shape == (38, 13)
    np.testing.assert_allclose(ours, theirs, atol=1e-3)
    assert audio.mfcc(wave, RATE).shape == (38, 39)


def test_deltas_of_a_line_and_a_constant():
    t = np.arange(10, dtype=np.float32)
    features = np.stack([2 * t, np.full(10, 3.0, dtype=np.float32)], axis=1)  # (10, 2)
    out = audio.add_deltas(features, order=2)
    assert out.shape == (10, 6)
    np.testing.assert_allclose(out[:, :2], features)
    np.testing.assert_allclose(out[2:-2, 2], 2.0, atol=1e-6)  # slope of 2t, away from edges
    np.testing.assert_allclose(out[:, 3], 0.0)  # a constant has no slope
    np.testing.assert_allclose(out[4:-4, 4], 0.0, atol=1e-6)  # nor does a slope
    assert audio.add_deltas(features, order=0).shape == (10, 2)


def test_deltas_match_librosa():
    librosa = pytest.importorskip("librosa")
    x = np.random.default_rng(1).normal(size=(30, 4)).astype(np.float32)
    ours = audio.add_deltas(x, order=1, width=2)[:, 4:]
    theirs = librosa.feature.delta(x.T, width=5, mode="nearest").T
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_cmvn():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(50, 5)).astype(np.float32)
    out = audio.cmvn(x)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-4)
    mean_only = audio.cmvn(x, variance=False)
    np.testing.assert_allclose(mean_only, x - x.mean(axis=0), atol=1e-5)
    np.testing.assert_array_equal(
        audio.cmvn(np.ones((4, 2))), 0.0
    )  # constant: centred only


def test_speaker_cmvn_uses_each_speakers_fitted_frames():
    rng = np.random.default_rng(4)
    feats = [
        rng.normal(m, 2.0, size=(20 + k, 3)).astype(np.float32)
        for k, m in enumerate([1, 1, 5, 5])
    ]
    speakers = ["a", "a", "b", "b"]
    out = audio.speaker_cmvn(feats, speakers)
    assert [o.shape for o in out] == [f.shape for f in feats]
    for idx in ([0, 1], [2, 3]):
        joined = np.concatenate([out[k] for k in idx])
        np.testing.assert_allclose(joined.mean(axis=0), 0.0, atol=1e-5)
        np.testing.assert_allclose(joined.std(axis=0), 1.0, atol=1e-4)
    # Statistics from the fitted utterances only: utterance 1 of "a" is then normalised
    # with utterance 0's mean and std.
    fitted = audio.speaker_cmvn(feats, speakers, fit=[True, False, True, True])
    np.testing.assert_allclose(
        fitted[1], (feats[1] - feats[0].mean(0)) / feats[0].std(0), atol=1e-5
    )
    np.testing.assert_allclose(fitted[0].mean(axis=0), 0.0, atol=1e-5)
    mean_only = audio.speaker_cmvn(feats, speakers, variance=False)
    np.testing.assert_allclose(mean_only[2].std(axis=0), feats[2].std(axis=0), rtol=1e-5)


def test_stack_frames():
    x = np.arange(14, dtype=np.float32).reshape(7, 2)
    out = audio.stack_frames(x, 3)
    assert out.shape == (3, 6)
    np.testing.assert_array_equal(out[0], [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(out[2], [12, 13, 12, 13, 12, 13])  # last frame repeated
    np.testing.assert_array_equal(audio.stack_frames(x, 1), x)


def test_speed_perturb_changes_length_and_pitch():
    wave = tone(1.0, freq=500.0)
    slower = audio.speed_perturb(wave, 0.9)
    faster = audio.speed_perturb(wave, 1.1)
    assert abs(len(slower) - 8000 / 0.9) <= 1 and abs(len(faster) - 8000 / 1.1) <= 1
    assert slower.dtype == np.float32
    np.testing.assert_array_equal(audio.speed_perturb(wave, 1.0), wave)

    def peak_hz(w):
        spectrum = np.abs(np.fft.rfft(w))
        return np.argmax(spectrum) * RATE / len(w)

    assert abs(peak_hz(faster) - 550) < 5 and abs(peak_hz(slower) - 450) < 5


def test_trim_silence_cuts_the_quiet_ends():
    pytest.importorskip("librosa")
    wave = np.concatenate([np.zeros(2000), tone(0.25), np.zeros(4000)]).astype(np.float32)
    trimmed = audio.trim_silence(wave, RATE)
    assert 2000 <= len(trimmed) <= 2400  # the 0.25 s tone, to within a few frames
    assert np.abs(trimmed).max() == pytest.approx(np.abs(wave).max())


def test_spec_augment_masks_and_is_repeatable():
    x = np.random.default_rng(3).normal(size=(60, 40)).astype(np.float32)
    a = audio.spec_augment(x, np.random.default_rng(7), max_time=10, max_freq=8, value=-99)
    b = audio.spec_augment(x, np.random.default_rng(7), max_time=10, max_freq=8, value=-99)
    np.testing.assert_array_equal(a, b)
    assert a.shape == x.shape and not np.shares_memory(a, x)
    masked = a == -99
    frames_masked = masked.all(axis=1).sum()
    bands_masked = masked.all(axis=0).sum()
    assert frames_masked <= 2 * 10 and bands_masked <= 2 * 8
    assert np.array_equal(a[~masked], x[~masked])
    untouched = audio.spec_augment(x, np.random.default_rng(0), time_masks=0, freq_masks=0)
    np.testing.assert_array_equal(untouched, x)
    # A time mask never covers more than a fifth of a short utterance.
    short = audio.spec_augment(
        np.ones((10, 4)),
        np.random.default_rng(0),
        time_masks=1,
        max_time=10,
        max_freq=0,
        freq_masks=0,
        value=0,
    )
    assert (short == 0).all(axis=1).sum() <= 2


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: audio.log_mel(np.zeros((2, 100))), r"waveform must be one-dimensional"),
        (lambda: audio.log_mel(np.zeros(0)), "waveform holds no samples"),
        (lambda: audio.log_mel(np.full(100, np.nan)), "waveform holds NaN"),
        (lambda: audio.log_mel(tone(), hop_ms=0), "hop_ms must be a positive number"),
        (lambda: audio.log_mel(tone(), n_mels=0), "n_mels must be a positive integer"),
        (lambda: audio.log_mel(tone(), n_fft=100), "n_fft must be at least the window"),
        (lambda: audio.log_mel(tone(), 0), "sample_rate must be a positive integer"),
        (lambda: audio.mfcc_from_log_mel(np.zeros((5, 10)), 13), "n_mfcc must be at most"),
        (lambda: audio.mfcc_from_log_mel(np.zeros(5)), r"log_mel_frames must be two-dim"),
        (lambda: audio.add_deltas(np.zeros((5, 2)), order=3), "order must be 0, 1 or 2"),
        (lambda: audio.add_deltas(np.zeros((5, 2)), width=0), "width must be a positive"),
        (lambda: audio.add_deltas(np.zeros((0, 2))), "features holds no frames"),
        (lambda: audio.cmvn(np.zeros((5, 2)), eps=0), "eps must be positive"),
        (lambda: audio.stack_frames(np.zeros((5, 2)), 0), "k must be a positive integer"),
        (
            lambda: audio.stack_frames(np.zeros((5, 2)), "two"),
            "k must be a positive integer; got 'two'",
        ),
        (
            lambda: audio.add_deltas(np.zeros((5, 2)), order=0.5),
            "order must be a non-negative integer; got 0.5",
        ),
        (
            lambda: audio.speaker_cmvn([np.zeros((5, 2))] * 2, ["a"]),
            "speakers must give one label per utterance: 2 utterances, 1 speakers",
        ),
        (
            lambda: audio.speaker_cmvn(
                [np.zeros((5, 2))] * 2, ["a", "b"], fit=[True, False]
            ),
            "fit selects no utterance of speaker 'b'",
        ),
        (
            lambda: audio.speaker_cmvn([np.zeros((5, 2))] * 2, ["a", "b"], fit=[True]),
            "fit must be 2 booleans",
        ),
        (lambda: audio.speed_perturb(tone(), 3.0), "factor must be between 0.5 and 2"),
        (lambda: audio.trim_silence(tone(), top_db=0), "top_db must be a positive"),
        (
            lambda: audio.spec_augment(np.zeros((5, 4)), rng=0),
            "rng must be a numpy.random.Generator",
        ),
        (
            lambda: audio.spec_augment(
                np.zeros((5, 4)), np.random.default_rng(), max_freq=5
            ),
            "max_freq must be at most the number of bands, 4",
        ),
        (
            lambda: audio.spec_augment(
                np.zeros((5, 4)), np.random.default_rng(), time_masks=-1
            ),
            "time_masks must be a non-negative integer",
        ),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
