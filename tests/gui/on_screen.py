"""Put a widget on the (offscreen) screen at a given size, as most view tests start."""
from __future__ import annotations


def show_sized(qtbot, widget, width: int, height: int):  # noqa: ANN001, ANN201 - any QWidget
    """`widget` shown at width x height and exposed; qtbot closes it after the test."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
