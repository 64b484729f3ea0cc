"""Widgets that can be narrower than their longest text, so a dock fits a 1024-pixel window.

A QComboBox asks for the width of its longest item and a QFormLayout keeps labels beside fields,
so a form's minimum width is the sum of its widest label and widest choice. Shrinkable combos show
as much of the choice as fits (the list opens at full width), and a wrapping form puts a label
above its field when both do not fit side by side.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout

MIN_CHARS = 8  # a combo still shows this many characters of its choice


def shrinkable(combo: QComboBox) -> QComboBox:
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(MIN_CHARS)
    return combo


def wrapping_form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)
    return form
