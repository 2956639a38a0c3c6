"""Weights moved between the book's notation, PyTorch and Keras give the same outputs."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
import pytest
import torch

from seqlib import cells, convert

TOL = 1e-5
SHAPES = [(1, 1, 1, 1), (1, 1, 3, 2), (2, 4, 1, 3), (4, 7, 3, 5), (3, 11, 6, 8)]


def _x(batch, time, features, seed=0):
    return (
        np.random.default_rng(seed).normal(size=(batch, time, features)).astype(np.float32)
    )


def _state(batch, hidden, seed):
    return (np.random.default_rng(seed).normal(size=(batch, hidden)) * 0.5).astype(
        np.float32
    )


def _torch_out(module, x, *state):
    with torch.no_grad():
        if isinstance(module, torch.nn.LSTM) and state:
            state = (tuple(torch.tensor(s)[None] for s in state),)
        else:
            state = tuple(torch.tensor(s)[None] for s in state)
        return module(torch.tensor(x), *state)[0].numpy()


def _keras_out(layer, x, *state):
    initial = [np.asarray(s) for s in state] if state else None
    return np.asarray(layer(x, initial_state=initial))


@pytest.mark.parametrize("shape", SHAPES)
def test_keras_lstm_matches_numpy(shape):
    batch, time, features, hidden = shape
    keras.utils.set_random_seed(sum(shape))
    layer = keras.layers.LSTM(
        hidden, return_sequences=True, bias_initializer="random_normal"
    )
    layer.build((None, None, features))
    x, h0, c0 = (
        _x(batch, time, features),
        _state(batch, hidden, 1),
        _state(batch, hidden, 2),
    )
    params = convert.from_keras(layer)
    np.testing.assert_allclose(
        _keras_out(layer, x, h0, c0), cells.lstm(x, params, h0, c0)[0], atol=TOL
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("reset_after", [True, False])
def test_keras_gru_matches_numpy(shape, reset_after):
    batch, time, features, hidden = shape
    keras.utils.set_random_seed(sum(shape))
    layer = keras.layers.GRU(
        hidden,
        return_sequences=True,
        reset_after=reset_after,
        bias_initializer="random_normal",
    )
    layer.build((None, None, features))
    x, h0 = _x(batch, time, features), _state(batch, hidden, 1)
    params = convert.from_keras(layer)
    assert params.reset_after is reset_after
    np.testing.assert_allclose(
        _keras_out(layer, x, h0), cells.gru(x, params, h0)[0], atol=TOL
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_torch_to_keras_round_trip(shape, kind):
    batch, time, features, hidden = shape
    torch.manual_seed(sum(shape))
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(
        features, hidden, batch_first=True
    )
    with torch.no_grad():  # make the two PyTorch biases differ, as after training
        for b in (module.bias_ih_l0, module.bias_hh_l0):
            b.normal_()
    x = _x(batch, time, features)
    state = [_state(batch, hidden, 1)] + (
        [_state(batch, hidden, 2)] if kind == "lstm" else []
    )
    layer = convert.to_keras(convert.from_torch(module))
    np.testing.assert_allclose(
        _keras_out(layer, x, *state), _torch_out(module, x, *state), atol=TOL
    )
    back = convert.to_torch(convert.from_keras(layer))
    np.testing.assert_allclose(
        _torch_out(back, x, *state), _torch_out(module, x, *state), atol=TOL
    )


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_keras_to_torch_round_trip(shape, kind):
    batch, time, features, hidden = shape
    keras.utils.set_random_seed(sum(shape))
    cls = keras.layers.LSTM if kind == "lstm" else keras.layers.GRU
    layer = cls(hidden, return_sequences=True, bias_initializer="random_normal")
    layer.build((None, None, features))
    x = _x(batch, time, features)
    state = [_state(batch, hidden, 1)] + (
        [_state(batch, hidden, 2)] if kind == "lstm" else []
    )
    module = convert.to_torch(convert.from_keras(layer))
    np.testing.assert_allclose(
        _torch_out(module, x, *state), _keras_out(layer, x, *state), atol=TOL
    )
    again = convert.to_keras(convert.from_torch(module))
    np.testing.assert_allclose(
        _keras_out(again, x, *state), _keras_out(layer, x, *state), atol=TOL
    )


def test_candidate_convention_converts_to_both_frameworks():
    p = cells.flip_update(cells.init_gru(3, 4, seed=5))
    assert p.update == "candidate"
    x = _x(2, 6, 3)
    expected = cells.gru(x, p)[0]
    np.testing.assert_allclose(_torch_out(convert.to_torch(p), x), expected, atol=TOL)
    np.testing.assert_allclose(_keras_out(convert.to_keras(p), x), expected, atol=TOL)


def test_reset_before_gru_goes_to_keras_not_torch():
    p = cells.init_gru(3, 4, seed=5, reset_after=False)
    x = _x(2, 6, 3)
    layer = convert.to_keras(p)
    assert layer.get_config()["reset_after"] is False
    np.testing.assert_allclose(_keras_out(layer, x), cells.gru(x, p)[0], atol=TOL)
    with pytest.raises(ValueError, match="reset_after=False describe a different model"):
        convert.to_torch(p)


# --- bad input --------------------------------------------------------------------------


def test_unsupported_torch_modules():
    with pytest.raises(
        ValueError, match="must be a torch.nn.LSTM or torch.nn.GRU; got RNN"
    ):
        convert.from_torch(torch.nn.RNN(3, 2))
    with pytest.raises(ValueError, match="num_layers=2, bidirectional=False"):
        convert.from_torch(torch.nn.LSTM(3, 2, num_layers=2))
    with pytest.raises(ValueError, match="num_layers=1, bidirectional=True"):
        convert.from_torch(torch.nn.GRU(3, 2, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size=1"):
        convert.from_torch(torch.nn.LSTM(3, 2, proj_size=1))


def test_unsupported_keras_layers():
    with pytest.raises(
        ValueError, match="must be a keras.layers.LSTM or keras.layers.GRU; got Dense"
    ):
        convert.from_keras(keras.layers.Dense(3))
    with pytest.raises(ValueError, match="has no weights yet"):
        convert.from_keras(keras.layers.LSTM(3))
    layer = keras.layers.GRU(3, activation="relu")
    layer.build((None, None, 2))
    with pytest.raises(ValueError, match="activation='relu'"):
        convert.from_keras(layer)
    with pytest.raises(ValueError, match="units is set by the parameters"):
        convert.to_keras(cells.init_lstm(2, 3), units=5)


def test_wrong_params_type():
    with pytest.raises(ValueError, match="must be LSTMParams or GRUParams; got RNNParams"):
        convert.to_torch(cells.init_rnn(2, 3))
    with pytest.raises(ValueError, match="must be LSTMParams or GRUParams; got dict"):
        convert.to_keras({})
