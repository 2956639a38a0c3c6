r"""Additive attention for PyTorch, and a recurrent encoder that can read through it.

A recurrent network that answers from its last state must carry everything it
needs to the end of the sequence. Attention gives the answer a direct path to
every step instead: a learned score for each step's state, a softmax over the
steps, and the weighted mean of the states (the *context*) as the summary.
:class:`AdditiveAttention` is the additive (Bahdanau) form of the score
(Bahdanau, Cho and Bengio, 2015),

.. math::

    e_t = v^\top \tanh(W_s s_t + W_q q + b), \qquad
    a_t = \frac{\exp e_t}{\sum_k \exp e_k}, \qquad
    \text{context} = \sum_t a_t s_t ,

and :class:`Encoder` is a recurrent layer with a linear head that reads either
its last state or that context, so that the two readouts can be compared with
everything else equal. :func:`set_gate_bias` opens the memory gate of a PyTorch
LSTM or GRU at the start of training.
"""

from __future__ import annotations

import torch
from torch import nn

from ._checks import one_of, positive_int

__all__ = ["AdditiveAttention", "Encoder", "encoder", "set_gate_bias", "READOUTS"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
READOUTS = ("last", "attention")


def set_gate_bias(layer: nn.LSTM | nn.GRU, value: float) -> nn.LSTM | nn.GRU:
    """Set the bias of the gate that keeps the memory: LSTM forget, GRU update.

    PyTorch adds two bias vectors per gate, ``bias_ih`` and ``bias_hh``; this
    sets the first to ``value`` and the second to 0 for the memory gate (the
    second block of rows in both cells: gates ``i, f, g, o`` for the LSTM,
    ``r, z, n`` for the GRU, whose ``z`` near 1 keeps the old state), in every
    layer and direction. The other gates keep their values. A bias of ``b``
    starts the gate near ``sigmoid(b)``: 0.73 for 1, 0.95 for 3.

    Args:
        layer: a ``torch.nn.LSTM`` or ``torch.nn.GRU`` with biases.
        value: the bias, a finite number.

    Returns:
        ``layer``, changed in place.

    Raises:
        ValueError: if ``layer`` is not an LSTM or GRU with biases, or ``value``
            is not a finite number.
    """
    if not isinstance(layer, (nn.LSTM, nn.GRU)) or not layer.bias:
        raise ValueError(
            "layer must be a torch.nn.LSTM or torch.nn.GRU with biases (a plain RNN "
            f"has no memory gate); got {type(layer).__name__}"
        )
    value = float(value)
    if not torch.isfinite(torch.tensor(value)):
        raise ValueError(f"value must be a finite number; got {value!r}")
    h = layer.hidden_size
    suffixes = ["", "_reverse"] if layer.bidirectional else [""]
    with torch.no_grad():
        for k in range(layer.num_layers):
            for suffix in suffixes:
                getattr(layer, f"bias_ih_l{k}{suffix}")[h : 2 * h] = value
                getattr(layer, f"bias_hh_l{k}{suffix}")[h : 2 * h] = 0.0
    return layer


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: ``(batch, time, state)`` → ``(batch, state)``.

    Scores each step's state ``s_t`` against a query ``q`` (one vector per
    sequence) with ``v · tanh(W_s s_t + W_q q + b)``, turns the scores into
    weights that sum to 1 over the steps, and returns the weighted mean of the
    states with the weights.

    Args:
        state_size: the size of each step's state.
        query_size: the size of the query, or ``None`` for a score without a
            query (each step is then scored on its own state alone).
        attention_size: the size of the hidden layer of the score, ``W_s s_t``.
    """

    def __init__(
        self, state_size: int, query_size: int | None = None, attention_size: int = 32
    ) -> None:
        super().__init__()
        state_size = positive_int("state_size", state_size)
        attention_size = positive_int("attention_size", attention_size)
        self.state = nn.Linear(state_size, attention_size)
        self.query = None
        if query_size is not None:
            self.query = nn.Linear(
                positive_int("query_size", query_size), attention_size, bias=False
            )
        self.score = nn.Linear(attention_size, 1, bias=False)

    def forward(
        self,
        states: torch.Tensor,
        query: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The context ``(batch, state)`` and the weights ``(batch, time)``.

        Args:
            states: ``(batch, time, state_size)``.
            query: ``(batch, query_size)``; required when the layer has a
                ``query_size``, else must be ``None``.
            mask: ``(batch, time)``, true at the steps that may be attended to
                (the real steps of padded sequences); ``None`` for all steps.
        """
        if states.dim() != 3:
            raise ValueError(
                f"states must be (batch, time, state_size); got shape {tuple(states.shape)}"
            )
        hidden = self.state(states)
        if self.query is not None:
            if query is None:
                raise ValueError("this layer scores against a query: pass query=")
            hidden = hidden + self.query(query)[:, None, :]
        elif query is not None:
            raise ValueError("this layer has no query_size; pass query=None")
        scores = self.score(torch.tanh(hidden)).squeeze(-1)  # (batch, time)
        if mask is not None:
            scores = scores.masked_fill(~mask.bool(), float("-inf"))
        weights = torch.softmax(scores, dim=1)
        context = torch.bmm(weights[:, None, :], states).squeeze(1)
        return context, weights


class Encoder(nn.Module):
    """A recurrent layer and a linear head that reads its last state or attends.

    ``(batch, time, features)`` → ``(batch, outputs)``: regression values, or
    logits for classification. With ``readout="last"`` the head reads the final
    hidden state (both directions' when bidirectional), as
    :class:`seqlib.torch_models.SequenceRegressor` does. With
    ``readout="attention"`` it reads the context of :class:`AdditiveAttention`
    over the states of every step, with the final state as the query, so that
    the network asks "knowing the whole sequence, which steps matter?".
    :meth:`attention_weights` returns where it looked. ``attention.encoder`` is
    this class.

    Args:
        n_features: values per time step.
        outputs: values (or classes) predicted per sequence.
        cell: ``"lstm"``, ``"gru"`` or ``"rnn"``.
        hidden: the recurrent layer's hidden size.
        readout: ``"last"`` or ``"attention"``.
        bidirectional: read each sequence both ways.
        gate_bias: start the memory gate's bias here (:func:`set_gate_bias`);
            ``None`` keeps PyTorch's initialisation. Not for ``cell="rnn"``.
        attention_size: the hidden size of the attention score.
    """

    def __init__(
        self,
        n_features: int,
        outputs: int = 1,
        *,
        cell: str = "lstm",
        hidden: int = 32,
        readout: str = "last",
        bidirectional: bool = False,
        gate_bias: float | None = None,
        attention_size: int = 32,
    ) -> None:
        super().__init__()
        one_of("cell", cell, CELLS)
        self.readout = one_of("readout", readout, READOUTS)
        hidden = positive_int("hidden", hidden)
        if gate_bias is not None and cell == "rnn":
            raise ValueError(
                "gate_bias needs a gated cell, 'lstm' or 'gru'; a plain RNN has none"
            )
        self.rnn = CELLS[cell](
            positive_int("n_features", n_features),
            hidden,
            batch_first=True,
            bidirectional=bidirectional,
        )
        if gate_bias is not None:
            set_gate_bias(self.rnn, gate_bias)
        size = hidden * (2 if bidirectional else 1)
        self.attention = None
        if readout == "attention":
            self.attention = AdditiveAttention(size, size, attention_size)
        self.head = nn.Linear(size, positive_int("outputs", outputs))

    def _read(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if x.dim() != 3:
            raise ValueError(
                f"x must be (batch, time, features); got shape {tuple(x.shape)}"
            )
        states, last = self.rnn(x)
        h_n = last[0] if isinstance(last, tuple) else last  # LSTM: (h_n, c_n)
        if self.rnn.bidirectional:  # forward direction's last step, backward's first
            final = torch.cat([h_n[-2], h_n[-1]], dim=1)
        else:
            final = h_n[-1]
        if self.attention is None:
            return final, None
        return self.attention(states, final)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Predictions ``(batch, outputs)`` for ``x`` ``(batch, time, features)``."""
        return self.head(self._read(x)[0])

    def attention_weights(self, x: torch.Tensor) -> torch.Tensor:
        """Where the attention readout looks: weights ``(batch, time)``, rows sum to 1.

        Computed without gradients. Raises ``ValueError`` for ``readout="last"``.
        """
        if self.attention is None:
            raise ValueError("attention_weights needs readout='attention'")
        with torch.no_grad():
            return self._read(x)[1]


# The builder's name, like those of seqlib.torch_models.
encoder = Encoder
