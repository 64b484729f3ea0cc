"""Marks on the training curves: "here the network was widened", "here the learning rate changed".

A generic list the document holds and the loss plot draws as labelled vertical lines. Anyone who
changes something mid-history adds one (core value objects stay free of it: a marker is only how
the app shows an event on the epoch axis).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CurveMarker:
    """At `epoch` (completed epochs when it happened), a short `label` drawn on the curves and a
    longer `detail` for the tooltip. `kind` groups markers ("edit", "live", ...) for styling."""

    epoch: float
    label: str
    detail: str = ""
    kind: str = "edit"
