"""The right half of the Prediction tab: the answer in large text, then one row per class (or
label) with a probability bar, or the value(s) in the target's own units for regression."""
from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.views import fmt
from gui.views.curve_colors import VAL_COLOR


def _percent(p: float) -> str:
    return f"{100.0 * p:.1f}%"


class ProbabilityBar(QWidget):
    """A horizontal bar 0..1; the predicted answer is drawn in full colour, the others lighter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.highlighted = False
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMinimumWidth(80)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(160, max(self.fontMetrics().height() - 2, 10))

    def set_value(self, fraction: float, highlighted: bool) -> None:
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.highlighted = highlighted
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        rect = QRectF(self.rect()).adjusted(0.5, 1.5, -0.5, -1.5)
        painter.setBrush(self.palette().color(QPalette.AlternateBase))
        painter.drawRoundedRect(rect, 3, 3)
        colour = QColor(VAL_COLOR)
        if not self.highlighted:
            colour.setAlpha(110)
        painter.setBrush(colour)
        if self.fraction > 0:  # a sliver even for 0.1%, so every class visibly has a bar
            filled = QRectF(rect.left(), rect.top(), max(rect.width() * self.fraction, 2.0),
                            rect.height())
            painter.drawRoundedRect(filled, 3, 3)


class PredictionResult(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption_label = QLabel()
        self.answer_label = QLabel()
        font = self.answer_label.font()
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.answer_label.setFont(font)
        self.answer_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.hint_label.setEnabled(False)  # the palette's calm, greyed text
        self._rows_grid = QGridLayout()
        self._rows_grid.setColumnStretch(1, 1)
        self._rows_key: Any = None
        self._rows: list[tuple[str, Any, QLabel]] = []  # name, ProbabilityBar | None, value
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.answer_label)
        layout.addLayout(self._rows_grid)
        layout.addWidget(self.hint_label)
        layout.addStretch(1)

    def show_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.hint_label.show()
        for label in (self.answer_label, self.caption_label):
            label.clear()
            label.hide()  # the hint takes their place instead of sitting below a blank gap
        self._set_rows(None, [], False)

    def show_prediction(self, result: Any, pre: Any) -> None:
        """`result`: a core.files.prediction.Prediction of one row; `pre`: the model's
        Preprocessing."""
        self.hint_label.hide()
        self.caption_label.show()
        self.answer_label.show()
        outputs = np.asarray(result.outputs[0], dtype=np.float64)
        if result.task == "classification":
            # Two classes have one sigmoid output: the probability of class_names[1].
            probs = np.array([1.0 - outputs[0], outputs[0]]) if outputs.size == 1 else outputs
            answer = str(result.decoded[0])
            self.caption_label.setText(f"Predicted {pre.target_columns[0]}")
            self.answer_label.setText(answer)
            names = list(pre.class_names)
            self._set_rows(("classification", tuple(names)), names, True)
            for (name, bar, value), p in zip(self._rows, probs, strict=True):
                bar.set_value(p, name == answer)
                value.setText(_percent(p))
        elif result.task == "multilabel":
            names = list(pre.target_names)
            flags = [bool(f) for f in result.decoded[0]]
            yes = [n for n, flag in zip(names, flags, strict=True) if flag]
            self.caption_label.setText("Predicted labels")
            self.answer_label.setText(", ".join(yes) if yes else "none")
            self._set_rows(("multilabel", tuple(names)), names, True)
            for (_, bar, value), flag, p in zip(self._rows, flags, outputs, strict=True):
                bar.set_value(p, flag)
                value.setText(f"{'yes' if flag else 'no'} · {_percent(p)}")
        else:
            names = list(pre.target_columns)
            values = [float(v) for v in np.ravel(result.decoded[0])]
            single = len(names) == 1
            self.caption_label.setText(f"Predicted {names[0]}" if single else "Predicted values")
            self.answer_label.setText(fmt.number(values[0], 4) if single else "")
            self.answer_label.setVisible(single)  # several targets: one row each instead
            self._set_rows(("regression", tuple(names)), [] if single else names, False)
            for (_, _bar, value), v in zip(self._rows, values, strict=False):
                value.setText(fmt.number(v, 4))

    def shown_probabilities(self) -> dict[str, float]:
        """Class / label name → the probability its bar draws (empty for regression)."""
        if not self._rows_key or self._rows_key[0] == "regression":
            return {}
        return {name: bar.fraction for name, bar, _value in self._rows}

    def _set_rows(self, key: Any, names: list[str], bars: bool) -> None:
        """One row per class / label / target: name, bar (probabilities only), value. Rebuilt
        only when the names change, so typing never re-creates widgets."""
        if key == self._rows_key:
            return
        self._rows_key = key
        while self._rows_grid.count():
            item = self._rows_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self._rows = []
        for r, name in enumerate(names):
            bar = ProbabilityBar() if bars else None
            value = QLabel()
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self._rows.append((name, bar, value))
            self._rows_grid.addWidget(QLabel(name), r, 0)
            if bar is None:  # a regression value sits right beside its name
                self._rows_grid.addWidget(value, r, 1)
                continue
            value.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("yes · 100.0%"))
            self._rows_grid.addWidget(bar, r, 1)
            self._rows_grid.addWidget(value, r, 2)
