"""Additive attention, the encoder's two readouts and the memory-gate bias."""

import numpy as np
import pytest
import torch

from seqlib import attention, train


def test_attention_weights_sum_to_one_and_the_context_is_their_mean():
    torch.manual_seed(0)
    layer = attention.AdditiveAttention(6, query_size=4, attention_size=5)
    states, query = torch.randn(3, 7, 6), torch.randn(3, 4)
    context, weights = layer(states, query)
    assert context.shape == (3, 6) and weights.shape == (3, 7)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(3))
    torch.testing.assert_close(context, (weights[:, :, None] * states).sum(dim=1))


def test_attention_matches_the_bahdanau_score_written_out():
    torch.manual_seed(1)
    layer = attention.AdditiveAttention(3, query_size=2, attention_size=4)
    states, query = torch.randn(2, 5, 3), torch.randn(2, 2)
    W_s, b = layer.state.weight, layer.state.bias
    W_q, v = layer.query.weight, layer.score.weight[0]
    scores = torch.tanh(states @ W_s.T + b + (query @ W_q.T)[:, None]) @ v
    _, weights = layer(states, query)
    torch.testing.assert_close(weights, torch.softmax(scores, dim=1))


def test_masked_steps_get_no_weight():
    torch.manual_seed(2)
    layer = attention.AdditiveAttention(4)
    mask = torch.tensor([[True, True, False, False], [True, True, True, True]])
    _, weights = layer(torch.randn(2, 4, 4), mask=mask)
    assert (weights[0, 2:] == 0).all()
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(2))


def test_query_must_match_the_layer():
    with_query = attention.AdditiveAttention(4, query_size=3)
    without = attention.AdditiveAttention(4)
    states = torch.randn(1, 5, 4)
    with pytest.raises(ValueError, match="pass query="):
        with_query(states)
    with pytest.raises(ValueError, match="has no query_size"):
        without(states, torch.randn(1, 3))
    with pytest.raises(ValueError, match="states must be"):
        without(torch.randn(5, 4))


@pytest.mark.parametrize("readout", ["last", "attention"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_encoder_shapes(cell, bidirectional, readout):
    torch.manual_seed(0)
    model = attention.encoder(
        3, 2, cell=cell, hidden=5, readout=readout, bidirectional=bidirectional
    )
    x = torch.randn(4, 9, 3)
    assert model(x).shape == (4, 2)
    if readout == "attention":
        weights = model.attention_weights(x)
        assert weights.shape == (4, 9)
        torch.testing.assert_close(weights.sum(dim=1), torch.ones(4))
    else:
        with pytest.raises(ValueError, match="readout='attention'"):
            model.attention_weights(x)


def test_last_readout_reads_the_final_state():
    torch.manual_seed(0)
    model = attention.Encoder(2, 1, hidden=4)
    x = torch.randn(3, 6, 2)
    outputs, _ = model.rnn(x)
    torch.testing.assert_close(model(x), model.head(outputs[:, -1]))


def test_bidirectional_last_readout_reads_both_ends():
    torch.manual_seed(0)
    model = attention.Encoder(2, 1, hidden=4, bidirectional=True)
    x = torch.randn(3, 6, 2)
    outputs, _ = model.rnn(x)
    ends = torch.cat([outputs[:, -1, :4], outputs[:, 0, 4:]], dim=1)
    torch.testing.assert_close(model(x), model.head(ends))


@pytest.mark.parametrize("cell", [torch.nn.LSTM, torch.nn.GRU])
def test_set_gate_bias_sets_only_the_memory_gate(cell):
    torch.manual_seed(0)
    layer = cell(2, 3, num_layers=2, bidirectional=True)
    before = {name: p.detach().clone() for name, p in layer.named_parameters()}
    attention.set_gate_bias(layer, 2.5)
    for name, p in layer.named_parameters():
        if name.startswith("bias"):
            memory = p[3:6]
            expected = 2.5 if name.startswith("bias_ih") else 0.0
            torch.testing.assert_close(memory, torch.full((3,), expected))
            torch.testing.assert_close(p[:3], before[name][:3])
            torch.testing.assert_close(p[6:], before[name][6:])
        else:
            torch.testing.assert_close(p, before[name])


def test_lstm_gate_bias_opens_the_forget_gate():
    torch.manual_seed(0)
    layer = attention.set_gate_bias(torch.nn.LSTM(1, 2, bias=True), 3.0)
    forget = torch.sigmoid(layer.bias_ih_l0[2:4] + layer.bias_hh_l0[2:4])
    torch.testing.assert_close(
        forget, torch.full((2,), float(torch.sigmoid(torch.tensor(3.0))))
    )


def test_bad_arguments_raise_value_errors_naming_them():
    with pytest.raises(ValueError, match="plain RNN has no memory gate"):
        attention.set_gate_bias(torch.nn.RNN(2, 3), 1.0)
    with pytest.raises(ValueError, match="value must be a finite number"):
        attention.set_gate_bias(torch.nn.LSTM(2, 3), float("nan"))
    with pytest.raises(ValueError, match="gate_bias needs a gated cell"):
        attention.Encoder(2, cell="rnn", gate_bias=1.0)
    with pytest.raises(ValueError, match="readout must be 'last' or 'attention'"):
        attention.Encoder(2, readout="mean")
    with pytest.raises(ValueError, match="cell must be one of"):
        attention.Encoder(2, cell="transformer")
    with pytest.raises(ValueError, match="hidden must be a positive integer"):
        attention.Encoder(2, hidden=0)
    with pytest.raises(ValueError, match="x must be"):
        attention.Encoder(2)(torch.randn(4, 2))


def test_attention_learns_to_point_at_the_marked_step():
    """A tiny recall task: the answer is the value at the marked step."""
    rng = np.random.default_rng(0)
    X = np.zeros((512, 12, 2), dtype=np.float32)
    X[:, :, 0] = rng.normal(size=(512, 12))
    where = rng.integers(0, 12, size=512)
    X[np.arange(512), where, 1] = 1.0
    y = X[np.arange(512), where, 0][:, None]
    torch.manual_seed(0)
    model = attention.Encoder(2, 1, hidden=8, readout="attention")
    train.fit(model, (X, y), epochs=40, lr=1e-2, batch_size=64, progress=False)
    weights = model.attention_weights(torch.from_numpy(X)).numpy()
    assert (weights.argmax(axis=1) == where).mean() > 0.9
