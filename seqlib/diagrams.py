"""The book's cell diagrams, drawn from scratch with matplotlib.

Three functions draw the figures the chapters use:

* :func:`lstm_cell` — one LSTM step, with the real data flow of
  :func:`seqlib.cells.lstm_step`;
* :func:`gru_cell` — one GRU step, in any of the four variants of
  :func:`seqlib.cells.gru_step` (reset gate before or after the product,
  ``update="previous"`` or ``"candidate"``);
* :func:`unrolled_rnn` — a recurrent layer unrolled over time.

The visual language is the same in every figure:

* rectangles are **learned layers**: an affine map ``W · [h_{t-1}, x_t] + b``
  followed by the activation written inside (σ or tanh);
* circles and rounded "pills" are **element-wise operations** with no weights
  (× product, + sum, ``1 −``, tanh);
* each gate has one colour, shared by the two cells: blue for the forget and
  reset gates, orange for the input and update gates, green for the candidate,
  purple for the output gate (Okabe and Ito's colour-blind-safe palette). Every
  wire and box is also labelled, so the figures read in black and white.

Each function takes an optional :class:`matplotlib.axes.Axes` and returns the
axes it drew on, so figures can be combined with ``plt.subplots``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ._checks import one_of, positive_int

__all__ = ["lstm_cell", "gru_cell", "unrolled_rnn"]

Point = tuple[float, float]
Shape = tuple[float, float, float, float]  # centre x, centre y, half width, half height

# Okabe & Ito colour-blind-safe palette, one colour per gate.
_BLUE = "#0072B2"  # forget gate f_t, reset gate r_t
_ORANGE = "#E69F00"  # input gate i_t, update gate z_t
_GREEN = "#009E73"  # candidate c~_t, h~_t
_PURPLE = "#CC79A7"  # output gate o_t
_WIRE = "#303030"  # states and inputs
_GREY = "#7A7A7A"  # a layer as a whole, and the key's sample layer
_CELL_FACE = "#F2F2F2"
_CELL_EDGE = "#9A9A9A"

_FONT = 12
_LW = 1.6
_HEAD = 13  # arrow-head size, points
_NODE_R = 0.3
_BOX_W, _BOX_H = 1.3, 0.8
_UNIT_INCHES = 0.52  # figure inches per data unit when we create the figure


# ---------------------------------------------------------------------------
# Small drawing helpers
# ---------------------------------------------------------------------------


def _tint(color: str, amount: float = 0.25) -> tuple[float, float, float]:
    """``color`` mixed with white: ``amount`` of the colour, the rest white."""
    r, g, b = mcolors.to_rgb(color)
    return (1 - amount + amount * r, 1 - amount + amount * g, 1 - amount + amount * b)


def _shade(color: str, amount: float = 0.72) -> tuple[float, float, float]:
    """``color`` darkened towards black, for text that must read in print."""
    r, g, b = mcolors.to_rgb(color)
    return (amount * r, amount * g, amount * b)


def _axes(ax: Axes | None, width: float, height: float) -> tuple[Axes, tuple[int, ...]]:
    """``ax``, or new axes filling a figure sized for ``width`` x ``height`` units.

    Also returns how many texts, patches and lines the axes already hold, so that
    :func:`_finish` rescales only what the diagram adds.
    """
    if ax is None:
        fig, ax = plt.subplots(figsize=(width * _UNIT_INCHES, height * _UNIT_INCHES))
        fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return ax, (len(ax.texts), len(ax.patches), len(ax.lines))


def _finish(ax: Axes, xlim: Point, ylim: Point, before: tuple[int, ...]) -> Axes:
    """Set the limits and, on axes of another size, scale text and strokes to fit.

    Sizes are designed for :data:`_UNIT_INCHES` inches per data unit; on axes
    given by the caller, font sizes, line widths and arrow heads are scaled by
    the same factor as the drawing, so the proportions (and the absence of
    overlaps) are the same at any size.
    """
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    box = ax.get_position(original=True)
    fig_w, fig_h = ax.figure.get_size_inches()
    inches_per_unit = min(
        box.width * fig_w / (xlim[1] - xlim[0]), box.height * fig_h / (ylim[1] - ylim[0])
    )
    k = inches_per_unit / _UNIT_INCHES
    if abs(k - 1) > 1e-3:
        n_texts, n_patches, n_lines = before
        for text in ax.texts[n_texts:]:
            text.set_fontsize(text.get_fontsize() * k)
        for patch in ax.patches[n_patches:]:
            patch.set_linewidth(patch.get_linewidth() * k)
            if isinstance(patch, FancyArrowPatch):
                patch.set_mutation_scale(patch.get_mutation_scale() * k)
        for line in ax.lines[n_lines:]:
            line.set_linewidth(line.get_linewidth() * k)
    return ax


def _box(
    ax: Axes,
    centre: Point,
    text: str,
    color: str,
    width: float = _BOX_W,
    height: float = _BOX_H,
    fontsize: float = _FONT,
) -> Shape:
    """A learned layer: a rectangle tinted with its gate's colour."""
    x, y = centre
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=_tint(color),
            edgecolor=color,
            linewidth=1.8,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return (x, y, width / 2, height / 2)


def _pill(
    ax: Axes, centre: Point, text: str, width: float = 1.0, height: float = 0.52
) -> Shape:
    """An element-wise function (tanh): a white rounded pill."""
    x, y = centre
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle=f"round,pad=0,rounding_size={height / 2}",
            facecolor="white",
            edgecolor=_WIRE,
            linewidth=1.3,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=_FONT - 1, zorder=4)
    return (x, y, width / 2, height / 2)


def _node(ax: Axes, centre: Point, symbol: str, r: float = _NODE_R) -> Shape:
    """An element-wise operation (×, +, 1−): a white circle."""
    x, y = centre
    ax.add_patch(
        Circle((x, y), r, facecolor="white", edgecolor=_WIRE, linewidth=1.3, zorder=3)
    )
    size = _FONT + 1 if symbol.startswith("$") else _FONT - 1
    ax.text(x, y, symbol, ha="center", va="center", fontsize=size, zorder=4)
    return (x, y, r, r)


def _port(shape: Shape, side: str, offset: float = 0.0) -> Point:
    """The point on a shape's border at the middle of ``side``, moved by ``offset``.

    ``offset`` runs along the side (to the right on top and bottom, upward on the
    left and right) and is meant for rectangles only.
    """
    one_of("side", side, ("top", "bottom", "left", "right"))
    x, y, hw, hh = shape
    return {
        "top": (x + offset, y + hh),
        "bottom": (x + offset, y - hh),
        "left": (x - hw, y + offset),
        "right": (x + hw, y + offset),
    }[side]


def _arrow(
    ax: Axes,
    points: Sequence[Point],
    color: str = _WIRE,
    head: bool = True,
    over: bool = False,
    lw: float = _LW,
) -> None:
    """A wire through ``points`` (a polyline), with an arrow head at its last point.

    ``over=True`` draws the wire above the others, for use with :func:`_crossing`.
    """
    ax.add_patch(
        FancyArrowPatch(
            path=Path(list(points)),
            arrowstyle="-|>" if head else "-",
            mutation_scale=_HEAD,
            linewidth=lw,
            color=color,
            joinstyle="miter",
            capstyle="butt",
            zorder=2.5 if over else 2,
        )
    )


def _crossing(ax: Axes, point: Point, along: str) -> None:
    """Cut a gap in the lower wire where an ``over`` wire crosses it at ``point``.

    ``along`` is the direction of the wire on top, ``"x"`` or ``"y"``: the two
    wires cross without connecting.
    """
    x, y = point
    half = 0.17
    xs, ys = (
        ((x - half, x + half), (y, y)) if along == "x" else ((x, x), (y - half, y + half))
    )
    ax.plot(xs, ys, color=_CELL_FACE, linewidth=_LW + 7, solid_capstyle="butt", zorder=2.4)


def _dot(ax: Axes, point: Point, color: str = _WIRE) -> None:
    """A junction: the wire branches here."""
    ax.add_patch(Circle(point, 0.075, color=color, zorder=2.6))


def _label(
    ax: Axes,
    point: Point,
    text: str,
    ha: str = "center",
    va: str = "center",
    fontsize: float = _FONT,
    color: str | None = None,
) -> None:
    """Text at ``point``; a gate's ``color`` is darkened so the text reads in print."""
    shade = "black" if color is None else _shade(color)
    ax.text(*point, text, ha=ha, va=va, fontsize=fontsize, color=shade, zorder=4)


def _cell(ax: Axes, x0: float, y0: float, x1: float, y1: float) -> None:
    """The grey rounded rectangle that holds one time step."""
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0,rounding_size=0.35",
            facecolor=_CELL_FACE,
            edgecolor=_CELL_EDGE,
            linewidth=1.2,
            zorder=0,
        )
    )


def _legend(
    ax: Axes, x: float, y: float, layer: str, gates: Sequence[tuple[str, str]]
) -> None:
    """Two rows of key below a cell: the shapes, then one swatch per gate colour."""
    fs, step = _FONT - 1, 3.3
    _box(ax, (x + 0.3, y), "", _GREY, width=0.6, height=0.36)
    _label(ax, (x + 0.8, y), layer, "left", fontsize=fs)
    _node(ax, (x + 3 * step + 0.3, y), "", r=0.2)
    _label(ax, (x + 3 * step + 0.8, y), "element-wise operation", "left", fontsize=fs)
    for k, (color, name) in enumerate(gates):
        xk = x + k * step
        _box(ax, (xk + 0.3, y - 0.65), "", color, width=0.6, height=0.36)
        _label(ax, (xk + 0.8, y - 0.65), name, "left", fontsize=fs)


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


def lstm_cell(ax: Axes | None = None) -> Axes:
    """Draw one LSTM step with its real data flow.

    The drawing follows :func:`seqlib.cells.lstm_step` wire for wire:

    * the cell state runs across the top, ``c_{t-1}`` to ``c_t``: it is
      multiplied by the forget gate ``f_t`` and then added to ``i_t ⊙ c̃_t``;
    * ``h_{t-1}`` (left) and ``x_t`` (below) are joined into
      ``[h_{t-1}, x_t]``, which feeds the four learned layers σ (``f_t``),
      σ (``i_t``), tanh (``c̃_t``) and σ (``o_t``);
    * ``c_t`` goes through an element-wise tanh and is multiplied by ``o_t``,
      giving ``h_t``, which leaves to the right (the next step) and upward (the
      layer's output).

    Args:
        ax: axes to draw on; when ``None``, a new figure of a suitable size is
            created.

    Returns:
        The axes holding the drawing.
    """
    xlim, ylim = (-2.2, 14.3), (-3.35, 7.75)
    ax, before = _axes(ax, xlim[1] - xlim[0], ylim[1] - ylim[0])
    _cell(ax, -0.3, -0.45, 12.0, 6.35)

    y_c, y_bus, y_box = 5.3, 0.7, 2.1
    x_f, x_i, x_c, x_o, x_x, x_out = 1.9, 3.9, 5.9, 7.9, 1.0, 11.0
    x_in, x_end = -1.1, 13.1

    # Learned layers, fed from below by [h_{t-1}, x_t].
    box_f = _box(ax, (x_f, y_box), "σ", _BLUE)
    box_i = _box(ax, (x_i, y_box), "σ", _ORANGE)
    box_c = _box(ax, (x_c, y_box), "tanh", _GREEN)
    box_o = _box(ax, (x_o, y_box), "σ", _PURPLE)

    # Element-wise operations.
    mul_f = _node(ax, (x_f, y_c), r"$\times$")
    add_c = _node(ax, (x_c, y_c), r"$+$")
    mul_ic = _node(ax, (x_c, 3.9), r"$\times$")
    tanh_c = _pill(ax, (9.7, 4.3), "tanh")
    mul_o = _node(ax, (9.7, 3.15), r"$\times$")

    # Inputs: h_{t-1} along the bottom, x_t from below, joined into [h_{t-1}, x_t].
    _arrow(ax, [(x_in, y_bus), (x_o, y_bus), _port(box_o, "bottom")])
    _arrow(ax, [(x_x, -1.35), (x_x, y_bus)], head=False)
    _dot(ax, (x_x, y_bus))
    for box in (box_f, box_i, box_c):
        _arrow(ax, [(box[0], y_bus), _port(box, "bottom")])
        _dot(ax, (box[0], y_bus))
    _label(ax, (x_in - 0.12, y_bus), "$h_{t-1}$", "right")
    _label(ax, (x_x, -1.45), "$x_t$", va="top")
    _label(ax, (4.9, y_bus - 0.17), "$[h_{t-1}, x_t]$", va="top")

    # Cell state: c_{t-1} -> (x f_t) -> (+ i_t * c~_t) -> c_t.
    _arrow(ax, [(x_in, y_c), _port(mul_f, "left")])
    _arrow(ax, [_port(mul_f, "right"), _port(add_c, "left")])
    _arrow(ax, [_port(add_c, "right"), (x_end, y_c)])
    _label(ax, (x_in - 0.12, y_c), "$c_{t-1}$", "right")
    _label(ax, (x_end + 0.12, y_c), "$c_t$", "left")

    # Gates.
    _arrow(ax, [_port(box_f, "top"), _port(mul_f, "bottom")], _BLUE)
    _label(ax, (x_f + 0.16, 3.75), "$f_t$", "left", color=_BLUE)
    _arrow(ax, [_port(box_i, "top"), (x_i, mul_ic[1]), _port(mul_ic, "left")], _ORANGE)
    _label(ax, (x_i + 0.16, 3.1), "$i_t$", "left", color=_ORANGE)
    _arrow(ax, [_port(box_c, "top"), _port(mul_ic, "bottom")], _GREEN)
    _label(ax, (x_c + 0.16, 3.05), r"$\tilde{c}_t$", "left", color=_GREEN)
    _arrow(ax, [_port(mul_ic, "top"), _port(add_c, "bottom")])
    _label(ax, (x_c + 0.16, 4.6), r"$i_t \odot \tilde{c}_t$", "left")
    _arrow(ax, [_port(box_o, "top"), (x_o, mul_o[1]), _port(mul_o, "left")], _PURPLE)
    _label(ax, (8.65, mul_o[1] + 0.14), "$o_t$", va="bottom", color=_PURPLE)

    # Output: h_t = o_t * tanh(c_t), to the next step (right) and upward.
    _arrow(ax, [(tanh_c[0], y_c), _port(tanh_c, "top")])
    _dot(ax, (tanh_c[0], y_c))
    _label(ax, (tanh_c[0] + 0.16, 4.95), "$c_t$", "left")
    _arrow(ax, [_port(tanh_c, "bottom"), _port(mul_o, "top")])
    _arrow(ax, [_port(mul_o, "right"), (x_out, mul_o[1]), (x_out, 7.0)], over=True)
    _crossing(ax, (x_out, y_c), along="y")  # h_t crosses the cell state, unconnected
    _arrow(ax, [(x_out, mul_o[1]), (x_out, y_bus), (x_end, y_bus)])
    _dot(ax, (x_out, mul_o[1]))
    _label(ax, (x_out, 7.1), "$h_t$", va="bottom")
    _label(ax, (x_end + 0.12, y_bus), "$h_t$", "left")

    _legend(
        ax,
        -1.6,
        -2.2,
        r"learned layer: $W\cdot[h_{t-1}, x_t] + b$, then σ or tanh",
        [
            (_BLUE, "forget gate $f_t$"),
            (_ORANGE, "input gate $i_t$"),
            (_GREEN, r"candidate $\tilde{c}_t$"),
            (_PURPLE, "output gate $o_t$"),
        ],
    )
    return _finish(ax, xlim, ylim, before)


# ---------------------------------------------------------------------------
# GRU
# ---------------------------------------------------------------------------

_UPDATES = ("previous", "candidate")


def gru_cell(
    ax: Axes | None = None, reset_after: bool = False, update: str = "previous"
) -> Axes:
    """Draw one GRU step in the variant :func:`seqlib.cells.gru_step` computes.

    The hidden state runs across the top, ``h_{t-1}`` to ``h_t``. ``h_{t-1}``
    and ``x_t`` feed the reset gate ``r_t`` and the update gate ``z_t``; the
    candidate ``h̃_t`` is a tanh layer fed by

    * ``[r_t ⊙ h_{t-1}, x_t]`` when ``reset_after=False`` (Cho et al. 2014):
      the reset gate scales ``h_{t-1}`` before the product with the weights;
    * ``x_t`` and ``r_t ⊙ (W_hh · h_{t-1} + b_h_rec)`` when
      ``reset_after=True`` (cuDNN, PyTorch, Keras): the reset gate scales the
      result of a linear layer on ``h_{t-1}``.

    The update is drawn with a ``1 −`` node and two products, and the equation
    the wiring implements is written under the cell:

    * ``update="previous"`` (Cho et al. 2014, PyTorch, Keras):
      ``h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t``;
    * ``update="candidate"`` (Chung et al. 2014):
      ``h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ h̃_t``.

    Args:
        ax: axes to draw on; when ``None``, a new figure of a suitable size is
            created.
        reset_after: where the reset gate is applied, as in
            :class:`seqlib.cells.GRUParams`.
        update: ``"previous"`` or ``"candidate"``, the state ``z_t`` weights.

    Returns:
        The axes holding the drawing.

    Raises:
        ValueError: if ``update`` is not ``"previous"`` or ``"candidate"``.
    """
    one_of("update", update, _UPDATES)
    xlim, ylim = (-2.2, 13.6), (-4.45, 8.05)
    ax, before = _axes(ax, xlim[1] - xlim[0], ylim[1] - ylim[0])
    _cell(ax, -0.3, -0.6, 11.4, 6.8)

    y_top, y_bus, y_x, y_box, y_mix, y_upd = 6.0, 0.7, 0.0, 1.8, 3.0, 3.7
    x_in, x_end, x_tap, x_x, x_out = -1.1, 12.4, 0.5, 1.2, 10.4
    x_r, x_z, x_h = 2.6, 5.0, 8.4  # the reset gate, update gate and candidate columns
    x_turn = 7.2  # where r_t * (...) turns down towards the candidate

    box_r = _box(ax, (x_r, y_box), "σ", _BLUE)
    box_z = _box(ax, (x_z, y_box), "σ", _ORANGE)
    box_h = _box(ax, (x_h, y_box), "tanh", _GREEN)
    mul_r = _node(ax, (x_r, y_mix), r"$\times$")
    mul_top = _node(ax, (x_z, y_top), r"$\times$")
    add_h = _node(ax, (x_h, y_top), r"$+$")
    mul_h = _node(ax, (x_h, y_upd), r"$\times$")

    # The hidden state across the top: h_{t-1} -> (x) -> (+) -> h_t.
    _arrow(ax, [(x_in, y_top), _port(mul_top, "left")])
    _arrow(ax, [_port(mul_top, "right"), _port(add_h, "left")])
    _arrow(ax, [_port(add_h, "right"), (x_end, y_top)])
    _arrow(ax, [(x_out, y_top), (x_out, 7.5)])
    _dot(ax, (x_out, y_top))
    _label(ax, (x_in - 0.12, y_top), "$h_{t-1}$", "right")
    _label(ax, (x_end + 0.12, y_top), "$h_t$", "left")
    _label(ax, (x_out, 7.6), "$h_t$", va="bottom")

    # [h_{t-1}, x_t] feeds both gates; x_t also runs on to the candidate.
    _arrow(ax, [(x_tap, y_top), (x_tap, y_bus), (x_z, y_bus), _port(box_z, "bottom")])
    _dot(ax, (x_tap, y_top))
    _arrow(ax, [(x_r, y_bus), _port(box_r, "bottom")])
    _dot(ax, (x_r, y_bus))
    _arrow(ax, [(x_x, -1.5), (x_x, y_bus)], head=False)
    _dot(ax, (x_x, y_bus))
    _dot(ax, (x_x, y_x))
    _arrow(ax, [(x_x, y_x), (x_h, y_x), _port(box_h, "bottom")])
    _label(ax, (x_x, -1.6), "$x_t$", va="top")
    _label(ax, ((x_x + x_z) / 2 + 0.2, y_bus - 0.14), "$[h_{t-1}, x_t]$", va="top")

    # Reset gate and candidate.
    _arrow(ax, [_port(box_r, "top"), _port(mul_r, "bottom")], _BLUE)
    _label(ax, (x_r - 0.16, (y_box + y_mix) / 2 + 0.1), "$r_t$", "right", color=_BLUE)
    _dot(ax, (x_r, y_top))
    _crossing(ax, (x_z, y_mix), along="x")  # r_t * (...) crosses z_t, unconnected
    if reset_after:
        linear = _box(
            ax,
            (x_r, 4.6),
            r"$W_{hh}\,h_{t-1} + b_{h,\mathrm{rec}}$",
            _GREEN,
            width=2.7,
            height=0.6,
            fontsize=_FONT - 1,
        )
        _arrow(ax, [(x_r, y_top), _port(linear, "top")])
        _arrow(ax, [_port(linear, "bottom"), _port(mul_r, "top")], _GREEN)
        wire = [
            _port(mul_r, "right"),
            (x_turn, y_mix),
            (x_turn, y_box),
            _port(box_h, "left"),
        ]
        _arrow(ax, wire, over=True)
        _label(ax, (6.1, y_mix - 0.14), r"$r_t \odot (\ldots)$", va="top")
        candidate = (
            r"$\tilde{h}_t = \tanh(W_{hx}\,x_t + b_h"
            r" + r_t \odot (W_{hh}\,h_{t-1} + b_{h,\mathrm{rec}}))$"
        )
        reset = "reset_after=True: cuDNN, PyTorch, Keras"
    else:
        _arrow(ax, [(x_r, y_top), _port(mul_r, "top")])
        wire = [_port(mul_r, "right"), (x_turn, y_mix), (x_turn, y_bus), (x_h, y_bus)]
        _arrow(ax, wire, head=False, over=True)
        _dot(ax, (x_h, y_bus))
        _label(ax, (6.1, y_mix - 0.14), r"$r_t \odot h_{t-1}$", va="top")
        _label(ax, (x_h + 0.16, y_bus + 0.1), r"$[r_t \odot h_{t-1}, x_t]$", "left")
        candidate = r"$\tilde{h}_t = \tanh(W_h \cdot [r_t \odot h_{t-1}, x_t] + b_h)$"
        reset = "reset_after=False: Cho et al. 2014"

    # Update: one product on the top line, one with the candidate, and a 1 - node.
    _arrow(ax, [_port(box_h, "top"), _port(mul_h, "bottom")], _GREEN)
    _label(ax, (x_h + 0.16, (y_box + y_upd) / 2), r"$\tilde{h}_t$", "left", color=_GREEN)
    _arrow(ax, [_port(mul_h, "top"), _port(add_h, "bottom")])
    _dot(ax, (x_z, y_upd), _ORANGE)
    _label(ax, (x_z - 0.16, 2.6), "$z_t$", "right", color=_ORANGE)
    if update == "previous":
        one_minus = _node(ax, (6.2, y_upd), "1−")
        _arrow(ax, [_port(box_z, "top"), _port(mul_top, "bottom")], _ORANGE)
        _arrow(ax, [(x_z, y_upd), _port(one_minus, "left")], _ORANGE)
        _arrow(ax, [_port(one_minus, "right"), _port(mul_h, "left")], _ORANGE)
        _label(ax, (7.3, y_upd + 0.14), "$1-z_t$", va="bottom", color=_ORANGE)
        equation = r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t$"
        convention = 'update="previous": Cho et al. 2014, PyTorch, Keras'
    else:
        one_minus = _node(ax, (x_z, 4.75), "1−")
        _arrow(ax, [_port(box_z, "top"), _port(one_minus, "bottom")], _ORANGE)
        _arrow(ax, [_port(one_minus, "top"), _port(mul_top, "bottom")], _ORANGE)
        _label(ax, (x_z + 0.16, 5.38), "$1-z_t$", "left", color=_ORANGE)
        _arrow(ax, [(x_z, y_upd), _port(mul_h, "left")], _ORANGE)
        _label(ax, (6.7, y_upd + 0.14), "$z_t$", va="bottom", color=_ORANGE)
        equation = r"$h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde{h}_t$"
        convention = 'update="candidate": Chung et al. 2014'

    _label(ax, (-1.6, -2.3), f"{candidate}   ({reset})", "left", fontsize=_FONT - 1)
    _label(ax, (-1.6, -2.9), f"{equation}   ({convention})", "left", fontsize=_FONT - 1)
    _legend(
        ax,
        -1.6,
        -3.6,
        r"learned layer (weights $W$, bias $b$)",
        [
            (_BLUE, "reset gate $r_t$"),
            (_ORANGE, "update gate $z_t$"),
            (_GREEN, r"candidate $\tilde{h}_t$"),
        ],
    )
    return _finish(ax, xlim, ylim, before)


# ---------------------------------------------------------------------------
# Unrolled layer
# ---------------------------------------------------------------------------

_CELLS = ("RNN", "LSTM", "GRU")


def unrolled_rnn(ax: Axes | None = None, steps: int = 4, cell: str = "RNN") -> Axes:
    """Draw a recurrent layer unrolled over ``steps`` time steps.

    One box per step, all labelled with the cell's name and the same weights
    ``W, b``: input ``x_t`` below, output ``h_t`` above, and the state passed
    on to the next box (``h_t``, and ``c_t`` too for an LSTM).

    Args:
        ax: axes to draw on; when ``None``, a new figure of a suitable size is
            created.
        steps: number of time steps to draw, at least 1.
        cell: ``"RNN"``, ``"LSTM"`` or ``"GRU"``; an LSTM passes two states.

    Returns:
        The axes holding the drawing.

    Raises:
        ValueError: if ``steps`` is not a positive integer or ``cell`` is not one
            of the names above.
    """
    steps = positive_int("steps", steps)
    one_of("cell", cell, _CELLS)
    pitch, width, height = 3.0, 1.6, 1.2
    centre = (steps - 1) * pitch / 2
    half = max(centre + 2.4, 6.4)  # wide enough for the caption
    xlim = (centre - half, centre + half)
    ylim = (-2.95, 2.45)
    ax, before = _axes(ax, xlim[1] - xlim[0], ylim[1] - ylim[0])

    states = [("c", 0.25), ("h", -0.25)] if cell == "LSTM" else [("h", 0.0)]
    boxes = []
    for t in range(steps):
        x = t * pitch
        box = _box(ax, (x, 0.0), "", _GREY, width, height)
        _label(ax, (x, 0.17), cell, fontsize=_FONT)
        _label(ax, (x, -0.25), r"$W,\,b$", fontsize=_FONT - 1)
        boxes.append(box)
        _arrow(ax, [(x, -1.45), _port(box, "bottom")])
        _label(ax, (x, -1.55), f"$x_{{{t + 1}}}$", va="top")
        _arrow(ax, [_port(box, "top"), (x, 1.75)])
        _label(ax, (x, 1.85), f"$h_{{{t + 1}}}$", va="bottom")

    for name, dy in states:
        below = dy < 0
        va, ty = ("top", dy - 0.1) if below else ("bottom", dy + 0.1)
        _arrow(ax, [(-2.0, dy), _port(boxes[0], "left", dy)])
        _label(ax, (-1.55, ty), f"${name}_0$", va=va)
        for t in range(steps):
            start = _port(boxes[t], "right", dy)
            end = (start[0] + pitch - width, dy) if t + 1 < steps else (start[0] + 1.2, dy)
            _arrow(ax, [start, end])
            _label(ax, ((start[0] + end[0]) / 2, ty), f"${name}_{{{t + 1}}}$", va=va)

    _label(
        ax,
        (centre, -2.6),
        r"one layer unrolled in time: the same weights $W$, $b$ at every step",
        fontsize=_FONT - 1,
    )
    return _finish(ax, xlim, ylim, before)
