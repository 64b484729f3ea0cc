"""Pure geometry of the network diagram: which neurons to show and where they sit.

No Qt here, so the layout can be reasoned about and tested on plain numbers. Coordinates are
viewport pixels: the diagram is laid out for the size it is shown at instead of being drawn once
and scaled, which keeps text, circles and line widths crisp at every size.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_FULL = 12  # a layer this small shows every neuron
HEAD = 4  # a wider layer shows its first HEAD and last TAIL neurons around a "⋮ N more" marker
TAIL = 4
MAX_SPACING = 58.0  # px between neuron centres when there is room to spare
MIN_RADIUS = 5.0
MAX_RADIUS = 15.0


@dataclass(frozen=True, slots=True)
class ColumnLayout:
    """One column of neurons (column 0 = inputs, column k = spec.layers[k - 1]).

    `shown` are the unit indices drawn, `ys` their centres (same order); when the layer is collapsed
    `more_count` units between `shown[HEAD - 1]` and `shown[HEAD]` are hidden behind a marker at
    `more_y`.
    """

    x: float
    units: int
    shown: tuple[int, ...]
    ys: tuple[float, ...]
    more_count: int = 0
    more_y: float | None = None


@dataclass(frozen=True, slots=True)
class DiagramLayout:
    columns: tuple[ColumnLayout, ...]
    radius: float
    spacing: float
    width: float
    height: float

    def column_at(self, x: float) -> int | None:
        """The column whose centre is nearest to `x`, if within half a column gap."""
        if not self.columns:
            return None
        best = min(range(len(self.columns)), key=lambda c: abs(self.columns[c].x - x))
        gap = self.column_gap()
        return best if abs(self.columns[best].x - x) <= gap / 2 else None

    def column_gap(self) -> float:
        if len(self.columns) < 2:
            return self.width
        return self.columns[1].x - self.columns[0].x


def shown_units(units: int, max_full: int = MAX_FULL, head: int = HEAD,
                tail: int = TAIL) -> tuple[tuple[int, ...], int]:
    """(unit indices to draw, how many are hidden behind the "more" marker)."""
    if units <= max_full:
        return tuple(range(units)), 0
    shown = (*range(head), *range(units - tail, units))
    return shown, units - head - tail


def _slots(units: int) -> float:
    """Vertical room a column needs, in neuron spacings (the marker takes one slot)."""
    shown, hidden = shown_units(units)
    return len(shown) + (1.0 if hidden else 0.0)


def compute_layout(sizes: tuple[int, ...] | list[int], width: float, height: float, *,
                   left: float = 24.0, right: float = 24.0, top: float = 16.0,
                   bottom: float = 16.0) -> DiagramLayout:
    """Place every shown neuron of a network with layer `sizes` in a width × height viewport.

    `left` / `right` reserve room for the input and output name labels. Columns are spread evenly
    between the margins; each column is centred vertically; the spacing is shared by all columns
    so neurons line up in rows, which reads calmer than per-column stretching.
    """
    width = max(width, 1.0)
    height = max(height, 1.0)
    max_slots = max(_slots(n) for n in sizes)
    usable = max(height - top - bottom, 1.0)
    spacing = min(MAX_SPACING, usable / max(max_slots, 1.0))
    radius = max(MIN_RADIUS, min(MAX_RADIUS, spacing * 0.32))
    x0 = left + radius
    x1 = max(width - right - radius, x0 + 1.0)
    step = (x1 - x0) / max(len(sizes) - 1, 1)
    centre_y = top + usable / 2
    columns = []
    for c, units in enumerate(sizes):
        x = x0 + c * step if len(sizes) > 1 else (x0 + x1) / 2
        columns.append(_column(units, x, centre_y, spacing))
    return DiagramLayout(tuple(columns), radius, spacing, width, height)


def _column(units: int, x: float, centre_y: float, spacing: float) -> ColumnLayout:
    shown, hidden = shown_units(units)
    y = centre_y - (_slots(units) - 1) * spacing / 2
    ys: list[float] = []
    more_y: float | None = None
    for k in range(len(shown)):
        if hidden and k == HEAD:
            more_y = y
            y += spacing
        ys.append(y)
        y += spacing
    return ColumnLayout(x, units, shown, tuple(ys), hidden, more_y)
